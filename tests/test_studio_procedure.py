"""The studio's 民主程序与公示 page: consultation (open, opinions, meeting, close), 核備, 公示 — thin over
the functions `policybook consult` and `policybook publicise` call; roles, CSRF, uploads, confinement."""

from __future__ import annotations

import datetime
import io

import pytest
from sqlalchemy import select

from policybook.ledger.db import opened
from policybook.procedure.schema import Consultation, Opinion, Publication
from policybook.studio import procedure_pages
from policybook.studio.schema import AuditEntry
from tests.studio_support import Studio, make_studio, released_32, token

PAGE = "/procedure/3.2"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
PDF = b"%PDF-1.4\n% signed minutes\n"
OPINIONS = "提出人,条款,意见,答复\n客服一部,第二十条,迟到罚款过高,维持原规定\n林涛,art-late,建议宽限10分钟,采纳\n"


@pytest.fixture(scope="module")
def studio(tmp_path_factory: pytest.TempPathFactory) -> Studio:
    return make_studio(tmp_path_factory.mktemp("procedure"))  # 3.2 not yet released: the draft to consult on


def post(client, path: str, data: dict, page: str = PAGE):  # type: ignore[no-untyped-def]
    csrf = token(client.get(page).get_data(as_text=True))
    return client.post(
        path, data={**data, "csrf_token": csrf}, content_type="multipart/form-data", follow_redirects=True
    )


def ledger(studio: Studio, model):  # type: ignore[no-untyped-def]
    with opened(studio.db) as book, book.transaction() as session:
        return [(row.id, row) for row in session.scalars(select(model))]


def test_roles_and_tokens(studio: Studio) -> None:
    viewer = studio.client("zhou")
    page = viewer.get("/procedure/", follow_redirects=True).get_data(as_text=True)
    assert "民主程序与公示" in page and "发布前还缺什么" in page and "未公开征求意见" in page.replace("尚", "")
    assert "公开征求意见</button>" not in page and "登记公示</button>" not in page  # reads only
    assert studio.client("li").get(PAGE).status_code == 403  # an editor has no business here
    assert post(viewer, f"{PAGE}/publicise", {"channel": "board", "date": "2026-12-05"}).status_code == 403
    clerk = studio.client("sun")
    assert post(clerk, f"{PAGE}/open", {"until": "2027-01-01", "channel": "intranet", "notice": "x"}).status_code == 403
    later = clerk.get("/procedure/9.9").get_data(as_text=True)
    assert "发布后才能登记公示" in later and "登记公示</button>" not in later
    no_token = studio.client("qian").post(f"{PAGE}/opinion", data={"who": "x", "opinion": "y"})
    assert no_token.status_code == 400


@pytest.mark.parametrize(
    "path",
    ["/procedure/..%2F..%2Fetc", "/procedure/..", "/procedure/3.2/draft/..%2Fsz.pdf", "/procedure/3.2/evidence/..%2Fx"],
)
def test_paths_from_outside_are_refused(studio: Studio, path: str) -> None:
    assert studio.client("qian").get(path).status_code == 404


def test_consultation_from_open_to_close(studio: Studio, monkeypatch: pytest.MonkeyPatch) -> None:
    publisher = studio.client("qian")
    until = datetime.date.today() + datetime.timedelta(days=14)
    opened_page = post(
        publisher, f"{PAGE}/open", {"until": until.isoformat(), "channel": "intranet", "notice": "请提意见"}
    )
    text = opened_page.get_data(as_text=True)
    assert "征求意见稿已生成" in text and "征求中" in text, text[:3000]
    pdf = publisher.get(f"{PAGE}/draft/sz.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert publisher.get(f"{PAGE}/draft/hk.pdf").status_code == 404  # Hong Kong is not consulted

    script = post(
        publisher, f"{PAGE}/opinion", {"who": "陈静", "article": "art-late", "opinion": "<script>alert(1)</script>"}
    )
    shown = script.get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown and "<script>alert(1)" not in shown

    wrong = post(publisher, f"{PAGE}/opinions", {"file": (io.BytesIO(b"MZ\x90\0"), "opinions.exe")})
    assert "类型不允许" in wrong.get_data(as_text=True)
    binary = post(publisher, f"{PAGE}/opinions", {"file": (io.BytesIO(b"a\0b,c\n"), "opinions.csv")})
    assert "内容与其类型不符" in binary.get_data(as_text=True)
    big = post(publisher, f"{PAGE}/opinions", {"file": (io.BytesIO(b"a" * (procedure_pages.MAX_TABLE + 1)), "o.csv")})
    assert "超过 2 MB" in big.get_data(as_text=True)
    imported = post(publisher, f"{PAGE}/opinions", {"file": (io.BytesIO(OPINIONS.encode("gbk")), "../../意见.csv")})
    assert "已导入 2 条意见" in imported.get_data(as_text=True), imported.get_data(as_text=True)[:2000]
    assert len(ledger(studio, Opinion)) == 3

    early = post(publisher, f"{PAGE}/close", {"outcome": "通过"})  # no meeting yet, period not over
    assert "未记录" in early.get_data(as_text=True) and "才结束" in early.get_data(as_text=True)
    meeting = {"kind": "congress", "held": until.isoformat(), "attendees": "45", "resolution": "讨论通过"}
    fake = post(publisher, f"{PAGE}/meeting", {**meeting, "minutes": (io.BytesIO(b"<html>"), "minutes.pdf")})
    assert "内容与其类型不符" in fake.get_data(as_text=True)
    done = post(publisher, f"{PAGE}/meeting", {**meeting, "minutes": (io.BytesIO(PDF), "纪要.pdf")})
    assert "职工代表大会" in done.get_data(as_text=True) and "纪要.pdf" in done.get_data(as_text=True)
    monkeypatch.setattr(procedure_pages, "_today", lambda: until)
    closed = post(publisher, f"{PAGE}/close", {"outcome": "经职工代表大会讨论通过"}).get_data(as_text=True)
    assert "已结束" in closed and "民主程序已完成" in closed, closed[:3000]
    after = post(publisher, f"{PAGE}/opinion", {"who": "迟到的人", "opinion": "还有意见"})
    assert "的征求意见已于" in after.get_data(as_text=True)  # closed: append-only, nothing more
    consultation = ledger(studio, Consultation)[0][1]
    assert consultation.version == "3.2" and "sz" in consultation.subsidiaries
    with opened(studio.db) as book, book.transaction() as session:
        actions = [e.action for e in session.scalars(select(AuditEntry))]
    for action in ("consult-open", "consult-opinion", "consult-opinions", "consult-meeting", "consult-close"):
        assert action in actions


def test_filing_is_for_taiwan_only(studio: Studio) -> None:
    data = {"subsidiary": "sz", "filed": "2026-12-01", "authority": "臺北市政府勞動局", "reference": "北市勞動字第1號"}
    refused = post(studio.client("qian"), f"{PAGE}/filing", data)
    assert "核備只适用于台湾地区" in refused.get_data(as_text=True)


def test_the_clerk_records_publicity_with_evidence(studio: Studio) -> None:
    clerk = studio.client("sun")
    assert "发布后才能登记公示" in clerk.get(PAGE).get_data(as_text=True)
    released_32(studio)  # consulted, now released: made known on the board
    files = [(io.BytesIO(PNG), "公告栏.png"), (io.BytesIO("<p>内网页面</p>".encode()), "intranet.html")]
    data = {"channel": "board", "date": "2026-12-05", "note": "一楼公告栏", "subsidiary": ["sz"], "evidence": files}
    page = post(clerk, f"{PAGE}/publicise", data).get_data(as_text=True)
    assert "公告栏张贴" in page and "2 个证明文件" in page, page[:3000]
    row = ledger(studio, Publication)[-1][1]
    assert row.subsidiaries == "sz" and row.channel == "board"
    with opened(studio.db) as book, book.transaction() as session:
        digests = [e.sha256 for e in session.get(Publication, row.id).evidence]  # type: ignore[union-attr]
    back = clerk.get(f"{PAGE}/evidence/{digests[0]}")
    assert back.status_code == 200 and back.data == PNG
    assert clerk.get(f"{PAGE}/evidence/{'0' * 64}").status_code == 404  # only what this version recorded
    exe = post(clerk, f"{PAGE}/publicise", {**data, "evidence": [(io.BytesIO(b"MZ"), "photo.exe")]})
    assert "类型不允许" in exe.get_data(as_text=True)
    unknown = post(clerk, "/procedure/9.9/publicise", {**data, "evidence": []}, page=PAGE)
    assert "版本 9.9 不是已登记的发布版本" in unknown.get_data(as_text=True)  # not a recorded release, said in Chinese


def test_a_taiwan_subsidiary_needs_its_filing(studio: Studio) -> None:
    """Last in this module: it adds a Taiwan subsidiary to the studio's source."""
    hk = (studio.source / "subsidiaries" / "hk.yaml").read_text(encoding="utf-8")
    tw = (
        hk.replace("region: HK", "region: TW")
        .replace("code: HK", "code: TW")
        .replace("short_name: 香港公司", "short_name: 台北公司")
    )
    (studio.source / "subsidiaries" / "tw.yaml").write_text(tw, encoding="utf-8")
    publisher = studio.client("qian")
    page = publisher.get(PAGE).get_data(as_text=True)
    assert "台北公司：尚未登记核備" in page and "登记核備</button>" in page, page[:3000]
    data = {"subsidiary": "tw", "filed": "2026-12-01", "authority": "臺北市政府勞動局", "reference": "北市勞動字第1號"}
    done = post(publisher, f"{PAGE}/filing", {**data, "evidence": (io.BytesIO(PDF), "核備函.pdf")}).get_data(
        as_text=True
    )
    assert "已登记台北公司的核備" in done and "北市勞動字第1號" in done and "核備函.pdf" in done, done[:3000]
    assert "尚未登记核備" not in done
    audit = studio.client("admin").get("/audit/").get_data(as_text=True)
    assert "登记核備" in audit and "公开征求意见" in audit  # the audit page names these actions
