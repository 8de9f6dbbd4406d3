"""The clerk's pages: roster upload, standings with the chart, a signature with its scan, 签收单, reminders."""

from __future__ import annotations

import hashlib
import io

import pytest
from sqlalchemy import select

from policybook.ledger.db import opened
from policybook.ledger.schema import Acknowledgement
from tests.studio_support import Studio, make_studio, released_32, token

ROSTER = (
    "工号,姓名,公司,部门,入职日期\nSZ003,郑洁,深圳客服,客服一部,2025-06-01\nSH001,周敏,上海科技,研发部,2024-03-01\n"
)


@pytest.fixture(scope="module")
def studio(tmp_path_factory: pytest.TempPathFactory) -> Studio:
    made = make_studio(tmp_path_factory.mktemp("ledger"))
    released_32(made)
    return made


def test_the_clerk_only(studio: Studio) -> None:
    assert studio.client("li").get("/ledger/").status_code == 403
    assert studio.client("zhou").get("/ledger/remind.csv").status_code == 403


def test_standings_chart_and_reminders(studio: Studio) -> None:
    clerk = studio.client("sun")
    page = clerk.get("/ledger/").get_data(as_text=True)
    assert "签收台账" in page and "客服一部" in page and "打印签收单" in page
    chart = clerk.get("/ledger/chart.png")
    assert chart.status_code == 200 and chart.data.startswith(b"\x89PNG")
    assert clerk.get("/ledger/?sub=../etc").status_code == 404


def test_roster_upload_type_checked(studio: Studio) -> None:
    clerk = studio.client("sun")
    csrf = token(clerk.get("/ledger/").get_data(as_text=True))
    fake = {"csrf_token": csrf, "roster": (io.BytesIO(b"MZ\x90\x00"), "roster.xlsx")}
    refused = clerk.post("/ledger/roster", data=fake, content_type="multipart/form-data", follow_redirects=True)
    assert "请上传 CSV 或 XLSX" in refused.get_data(as_text=True)
    data = {"csrf_token": csrf, "roster": (io.BytesIO(ROSTER.encode("utf-8")), "../../roster.csv")}
    done = clerk.post("/ledger/roster", data=data, content_type="multipart/form-data", follow_redirects=True)
    assert "新增 1 人" in done.get_data(as_text=True), done.get_data(as_text=True)[:3000]


def test_signature_with_a_scan(studio: Studio) -> None:
    clerk = studio.client("sun")
    csrf = token(clerk.get("/ledger/").get_data(as_text=True))
    scan = b"%PDF-1.4\n% a scanned sheet\n"
    data = {"csrf_token": csrf, "employee": "SZ003", "version": "3.2", "method": "paper", "date": "2026-12-05"}
    wrong = {**data, "scan": (io.BytesIO(b"<script>"), "scan.pdf")}
    page = clerk.post("/ledger/sign", data=wrong, content_type="multipart/form-data", follow_redirects=True)
    assert "扫描件须为 PDF" in page.get_data(as_text=True)
    done = clerk.post("/ledger/sign", data={**data, "employee": "SZ001", "scan": (io.BytesIO(scan), "s.pdf")})
    assert done.status_code == 302
    digest = hashlib.sha256(scan).hexdigest()
    with opened(studio.db) as ledger, ledger.transaction() as session:
        ack = session.scalars(select(Acknowledgement).order_by(Acknowledgement.id.desc())).first()
        assert ack is not None and ack.evidence_sha256 == digest and ack.supersedes_id is not None
    assert (studio.source.parent / "evidence" / digest[:2] / f"{digest}.pdf").read_bytes() == scan
    unknown = clerk.post("/ledger/sign", data={**data, "employee": "NOBODY"}, follow_redirects=True)
    assert "未找到该员工" in unknown.get_data(as_text=True)


def test_reminders_and_sheets(studio: Studio) -> None:
    clerk = studio.client("sun")
    csv = clerk.get("/ledger/remind.csv?sub=sz")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    assert clerk.get("/ledger/sheets/..%2Fetc.pdf").status_code == 404
    sheets = clerk.get("/ledger/sheets/sz.pdf")
    assert sheets.status_code in (200, 302)


def test_uploads_are_size_limited(studio: Studio) -> None:
    clerk = studio.client("sun")
    csrf = token(clerk.get("/ledger/").get_data(as_text=True))
    big = {"csrf_token": csrf, "roster": (io.BytesIO(b"a" * (17 * 1024 * 1024)), "roster.csv")}
    assert clerk.post("/ledger/roster", data=big, content_type="multipart/form-data").status_code == 413
