"""The roster import on exports as Chinese HR systems and Excel/Calc really write them
(tests/data/ledger/, made by make_exports.py), and the roster's history."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, text

from policybook.ledger.db import opened
from policybook.ledger.roster import entry_as_of, history
from policybook.ledger.schema import Employee
from tests.ledger_support import Postgres, start_postgres

REPO = Path(__file__).parent.parent
DATA = REPO / "tests" / "data" / "ledger"
SOURCE = REPO / "handbook"


def imported(cli, db: Path, *files: Path | str, day: str = "2026-12-01"):  # type: ignore[no-untyped-def]
    run = None
    for file in files:
        run = cli("roster", "import", file, "--source", SOURCE, "--db", db, "--date", day)
    return run


def employees(db: Path) -> dict[str, Employee]:
    with opened(str(db)) as ledger, ledger.transaction() as session:
        return {e.id: e for e in session.scalars(select(Employee))}


@pytest.mark.parametrize("name", ["hr-title.xlsx", "hr-title-calc.xlsx", "excel-gbk.csv", "unicode-text.txt"])
def test_real_exports_import_without_editing(cli, tmp_path: Path, name: str) -> None:  # type: ignore[no-untyped-def]
    if not (DATA / name).exists():
        pytest.skip(f"{name} needs LibreOffice Calc (tests/data/ledger/make_exports.py)")
    run = imported(cli, tmp_path / "l.db", DATA / name)
    assert run.code == 0, run.err
    people = employees(tmp_path / "l.db")
    assert {e.id: e.subsidiary for e in people.values() if e.id < "2000"} == {
        "1001": "sz",  # half-width brackets
        "1002": "sz",  # short name
        "1003": "sz",  # without the region in brackets
        "1004": "sz",  # code
        "1005": "sz",  # id
        "1006": "sh",
        "1007": "sh",
        "1008": "sh",
        "1009": "bj",  # 华远控股集团有限公司 without 北京总部
        "1010": "bj",
    }
    status = {e.id: e.status for e in people.values()}
    assert [k for k, v in sorted(status.items()) if v == "left" and k < "2000"] == ["1005", "1007", "1008"]
    assert people["1003"].name == "阿卜杜热合曼·买买提明"
    assert people["1004"].department == "客服中心/客服二部"  # the path kept, its spaces dropped
    assert people["1002"].hire_date == datetime.date(2024, 5, 6)
    if name.endswith(".xlsx"):
        assert "skipped 1 row(s) above the header on line 3" in run.err and "[ledger.title-row]" in run.err


def test_gbk_lost_character_and_simplified_company_of_hong_kong(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run = imported(cli, tmp_path / "l.db", DATA / "excel-gbk.csv")
    assert run.code == 0, run.err
    assert "excel-gbk.csv:12:2: warning: name '王?'" in run.err and "[roster.lost-character]" in run.err
    people = employees(tmp_path / "l.db")
    assert {people[i].subsidiary for i in ("2001", "2002", "2003")} == {"hk"}
    # 财务部 and 財務部 in the Hong Kong company are one department, in its script
    assert people["2001"].department == people["2002"].department == "財務部"


def test_big5_traditional_headers_and_a_short_big5_file(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert imported(cli, tmp_path / "l.db", DATA / "short-big5.csv").code == 0
    run = imported(cli, tmp_path / "l.db", DATA / "excel-big5.csv")
    assert run.code == 0, run.err
    assert "3 added, 0 updated, 1 unchanged" in run.err
    people = employees(tmp_path / "l.db")
    assert people["3001"].name == "陳大文" and people["3001"].department == "財務部"
    assert (people["3003"].status, people["3004"].status) == ("left", "active")  # 離職, 試用


def test_unknown_company_and_status_are_located_with_suggestions(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.csv"
    bad.write_text("工号,姓名,公司,部门,入职日期,状态\nX1,甲,华远科枝(上海)有限公司,客服,2024-01-01,停薪留职\n")
    run = imported(cli, tmp_path / "l.db", bad)
    assert run.code == 1
    assert "bad.csv:2:3: error: unknown subsidiary '华远科枝(上海)有限公司' (hint: did you mean sh " in run.err
    assert "bad.csv:2:6: error: unknown status '停薪留职'" in run.err
    for word in ("正式", "试用", "实习", "返聘", "已离职", "退休"):
        assert word in run.err
    assert employees(tmp_path / "l.db") == {}


def test_title_row_without_a_known_header_still_names_the_columns(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "t.csv"
    bad.write_text("员工名单\n\n编码,名称\n1,甲\n")
    run = imported(cli, tmp_path / "l.db", bad)
    assert run.code == 1 and "no column for subsidiary" in run.err and "Traceback" not in run.err


@pytest.fixture(scope="module")
def postgres() -> Iterator[Postgres]:
    yield from start_postgres()


@pytest.fixture(params=["sqlite", "postgresql"])
def ledger_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "l.db")
    server: Postgres = request.getfixturevalue("postgres")
    return server.create_database(f"h_{uuid.uuid4().hex[:12]}")


def test_roster_history_keeps_every_version(cli, tmp_path: Path, ledger_url: str) -> None:  # type: ignore[no-untyped-def]
    db = ledger_url
    first = tmp_path / "a.csv"
    first.write_text("工号,姓名,公司,部门,入职日期\nA1,张伟,sz,客服一部,2025-03-01\n")
    second = tmp_path / "b.csv"
    second.write_text("工号,姓名,公司,部门,入职日期,状态\nA1,张伟,sh,研发部,2025-03-01,在职\n")
    third = tmp_path / "c.csv"
    third.write_text("工号,姓名,公司,部门,入职日期,状态\nA1,张伟,sh,研发部,2025-03-01,离职\n")
    assert imported(cli, db, first, day="2026-01-10").code == 0
    assert "1 updated" in imported(cli, db, second, day="2026-06-01").err
    assert "1 unchanged" in imported(cli, db, second, day="2026-06-02").err  # no new version
    assert "1 updated" in imported(cli, db, third, day="2026-09-01").err
    with opened(db) as ledger, ledger.transaction() as session:
        assert entry_as_of(session, "A1", datetime.date(2025, 2, 28)) is None  # before the hire date
        was = entry_as_of(session, "A1", datetime.date(2025, 12, 31))
        assert was is not None and (was.subsidiary, was.department) == ("sz", "客服一部")
        was = entry_as_of(session, "A1", datetime.date(2026, 6, 1))
        assert was is not None and (was.subsidiary, was.department, was.status) == ("sh", "研发部", "active")
        now = entry_as_of(session, "A1", datetime.date(2026, 12, 1))
        assert now is not None and now.status == "left" and now.origin.endswith("c.csv:2")
        assert [v.valid_from.isoformat() for v in history(session, "A1")] == ["2025-03-01", "2026-06-01", "2026-09-01"]
        assert entry_as_of(session, "nobody", datetime.date(2026, 1, 1)) is None
    with opened(db) as ledger, pytest.raises(Exception, match="append-only"), ledger.engine.begin() as connection:
        connection.execute(text("UPDATE employee_versions SET department = 'x'"))


# ---------------------------------------------------------------- outputs HR opens: no formula, text stays text

HOSTILE = ['=HYPERLINK("http://x","点我")', "+86 138", "-1+1", "@SUM(A1)", "\tTAB", "\rCR"]


def report_rows() -> list[dict[str, object]]:
    return [
        {
            "employee": f"E{i}",
            "name": name,
            "subsidiary": "sz",
            "department": "客服中心/客服二部",
            "version": "3.10",
            "status": "pending",
            "due": "2026-12-31",
            "signed_at": None,
            "method": None,
        }
        for i, name in enumerate(HOSTILE)
    ]


def test_csv_cells_are_never_formulas() -> None:
    import csv
    import io

    from policybook.ledger import report

    words = report.Words(True, str, {"sz": "华远客户服务（深圳）有限公司"})
    rows = list(csv.reader(io.StringIO(report.as_csv(report_rows(), words=words).lstrip("\ufeff"))))
    assert [r[1] for r in rows[1:]] == ["'" + h for h in HOSTILE]
    assert rows[1][2] == "华远客户服务（深圳）有限公司" and rows[1][4] == "v3.10" and rows[1][5] == "待签"


def test_xlsx_text_cells_stay_text_and_dates_are_dates(tmp_path: Path) -> None:
    import zipfile

    from openpyxl import load_workbook

    from policybook.ledger import report

    data = report.as_xlsx(report_rows())
    sheet_xml = zipfile.ZipFile(__import__("io").BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml  # no formula anywhere
    (tmp_path / "r.xlsx").write_bytes(data)
    sheet = load_workbook(tmp_path / "r.xlsx").active
    assert sheet is not None
    assert [sheet.cell(i + 2, 2).value for i in range(len(HOSTILE))] == HOSTILE
    assert sheet["E2"].value == "3.10" and sheet["E2"].data_type == "s"
    assert sheet["G2"].is_date and sheet.freeze_panes == "A2"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.page_setup.fitToWidth == 1


def test_xlsx_report_in_libreoffice_calc_is_one_page_wide(tmp_path: Path) -> None:
    import shutil
    import subprocess

    from policybook.ledger import report

    if not shutil.which("soffice") or not Path("/usr/lib/libreoffice/program/libsclo.so").exists():
        pytest.skip("LibreOffice Calc (libreoffice-calc-nogui) is not installed")
    words = report.Words(True, str, {"sz": "华远客户服务（深圳）有限公司"})
    (tmp_path / "r.xlsx").write_bytes(report.as_xlsx(report_rows() * 4, words=words))
    profile = (tmp_path / "profile").as_uri()
    subprocess.run(
        ["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf", "--outdir", tmp_path,
         tmp_path / "r.xlsx"],
        capture_output=True, timeout=180, check=False,
    )  # fmt: skip
    pdf = tmp_path / "r.pdf"
    info = subprocess.run(["pdfinfo", pdf], capture_output=True, text=True, check=True).stdout
    assert "Pages:           1" in info  # 24 rows, every column on one page
    text = subprocess.run(["pdftotext", "-layout", pdf, "-"], capture_output=True, text=True, check=True).stdout
    assert "签收方式" in text and "华远客户服务（深圳）有限公司" in text and "3.10" in text
    assert '=HYPERLINK("http://x","点我")' in text and "2026-12-31" in text


def test_a_hong_kong_file_is_in_its_script_and_names_are_kept() -> None:
    from policybook.diagnostics import Diagnostics
    from policybook.ledger import report
    from policybook.source.project import read_project

    project = read_project(SOURCE, Diagnostics())
    subs = {k: s.info for k, s in project.subsidiaries.items()}
    words = report.words_for(subs, project.meta.locale, "hk")
    rows = report_rows()[:1]
    rows[0] |= {"subsidiary": "hk", "name": "陈静", "status": "signed", "signed_at": "2026-12-05", "method": "paper"}
    header, line = report.as_csv(rows, words=words).lstrip("\ufeff").splitlines()
    assert header == "工號,姓名,公司,部門,版本,狀態,截止日期,簽收日期,簽收方式"
    assert line.split(",")[1:3] == ["陈静", "華遠（香港）有限公司"]  # a name as written, never converted
    assert "簽收" in line and "紙質" in line
    mainland = report.words_for(subs, project.meta.locale, "sz")
    assert report.as_csv(rows, words=mainland).lstrip("\ufeff").startswith("工号,姓名,公司,部门")
