"""The 签收 ledger end to end, on SQLite and on a real PostgreSQL server started for the session:
roster → assign → sheets → record → report → new version (one subsidiary changed) → re-assign."""

from __future__ import annotations

import datetime
import json
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select, update
from sqlalchemy.exc import DBAPIError

from policybook.ledger.db import opened
from policybook.ledger.schema import Acknowledgement, Assignment, Release, ReleaseFile
from tests.ledger_support import Postgres, Sample, fresh_ledger, make_sample, start_postgres

ROSTER = """工号,姓名,公司,部门,入职日期,邮箱,手机,状态
SZ001,张伟,sz,客服一部,2023-03-01,zw@example.com,13800000001,在职
SZ002,王芳,深圳客服,客服一部,2024/5/6,,,在职
SZ009,赵六,SZ,客服二部,2019-01-01,,,离职
SH001,刘洋,sh,研发部,2022-07-01,,,active
SH002,陈静,华远科技（上海）有限公司,研发部,2021-02-03,,,
"""
NEW_HIRE = "工号,姓名,公司,部门,入职日期\nSZ003,李娜,sz,客服二部,2026年12月20日\n"


@pytest.fixture(scope="session")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Sample:
    return make_sample(tmp_path_factory.mktemp("ledger-sample"))


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    yield from start_postgres()


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return fresh_ledger(request, tmp_path, "t")


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_text(text, encoding=encoding)
    return path


def manifest_sha(dist: Path, sub: str) -> str:
    files = json.loads((dist / "manifest.json").read_text(encoding="utf-8"))["files"]
    return next(f["sha256"] for f in files if f["subsidiary"] == sub and f["kind"] == "handbook-pdf")


def report(cli, db: str, day: str) -> dict[str, dict[str, object]]:  # type: ignore[no-untyped-def]
    run = cli("ack", "report", "--db", db, "--format", "json", "--date", day)
    assert run.code == 0, run.err
    return {row["employee"]: row for row in run.json()}


# ---------------------------------------------------------------- the whole flow, on both databases


def test_flow(cli, sample: Sample, db: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    old, new = sample.old, sample.new
    run = cli("roster", "import", write(tmp_path / "roster.csv", ROSTER), "--source", old.source, "--db", db)
    assert run.code == 0, run.err
    assert "5 added" in run.err

    run = cli("ack", "assign", old.source, "--dist", old.dist, "--db", db, "--due-days", "14", "--date", "2026-12-01")
    assert run.code == 0, run.err
    assert "4 assigned (4 first)" in run.out  # SZ009 has left
    again = cli("ack", "assign", old.source, "--dist", old.dist, "--db", db, "--date", "2026-12-02")
    assert "0 assigned" in again.out and "4 already assigned" in again.out

    # a new hire after the release: assigned on the next run, due 14 days after the hire date
    cli("roster", "import", write(tmp_path / "hire.csv", NEW_HIRE), "--source", old.source, "--db", db)
    run = cli("ack", "assign", old.source, "--dist", old.dist, "--db", db, "--due-days", "14", "--date", "2026-12-21")
    assert "1 assigned (1 first)" in run.out

    sheets = cli("ack", "sheets", old.source, "-s", "sz", "-o", tmp_path / "sheets", "--db", db)
    assert sheets.code == 0, sheets.err
    pdf = PdfReader(sheets.out.strip())
    assert len(pdf.pages) == 3  # SZ001, SZ002, SZ003: nobody has signed yet
    sha = manifest_sha(old.dist, "sz")
    first = pdf.pages[0].extract_text()
    for text in ("张伟", "SZ001", "客服一部", "HY-HR-001-SZ", "3.2", sha):
        assert text in first, text

    evidence = write(tmp_path / "scan-SZ001.pdf", "%PDF-1.4 signed sheet")
    run = cli(
        "ack",
        "record",
        "--employee",
        "SZ001",
        "--version",
        "3.2",
        "--method",
        "paper",
        "--evidence",
        evidence,
        "--by",
        "人事部小王",
        "--date",
        "2026-12-03",
        "--db",
        db,
        "--evidence-dir",
        tmp_path / "evidence",
    )
    assert run.code == 0, run.err
    bulk = write(
        tmp_path / "online.csv",
        "工号,版本,方式,签收日期\nSZ002,3.2,在线确认,2026-12-04 10:15:00\nSH001,3.2,esign,2026/12/05\n",
    )
    assert "2 recorded" in cli("ack", "import", bulk, "--db", db).out
    assert "0 recorded, 0 corrected" in cli("ack", "import", bulk, "--db", db).out  # the same file again
    stored = list((tmp_path / "evidence").rglob("*.pdf"))
    assert [p.stem for p in stored] == [__import__("hashlib").sha256(evidence.read_bytes()).hexdigest()]

    rows = report(cli, db, "2026-12-20")
    assert [r["employee"] for r in rows.values()][0] == "SH002"  # overdue first
    assert {k: r["status"] for k, r in rows.items()} == {
        "SH002": "overdue",
        "SZ003": "pending",
        "SH001": "signed",
        "SZ001": "signed",
        "SZ002": "signed",
    }
    assert rows["SZ001"]["signed_at"] == "2026-12-03" and rows["SZ003"]["due"] == "2027-01-03"
    assert set(rows["SZ001"]) >= {
        "employee",
        "name",
        "subsidiary",
        "department",
        "version",
        "status",
        "due",
        "signed_at",
    }

    # version 3.3 changes one article, for Shenzhen only: only Shenzhen is asked again
    run = cli("ack", "assign", new.source, "--dist", new.dist, "--db", db, "--due-days", "14", "--date", "2027-01-02")
    assert run.code == 0, run.err
    assert "release 3.3: changed in content: sz (1 row); unchanged: sh" in run.out
    rows = report(cli, db, "2027-01-05")
    assert {k: (r["version"], r["status"]) for k, r in rows.items()} == {
        "SZ001": ("3.3", "pending"),
        "SZ002": ("3.3", "pending"),
        "SZ003": ("3.3", "pending"),
        "SH001": ("3.2", "signed"),  # Shanghai's rules did not change: the 3.2 signature stands
        "SH002": ("3.3", "overdue"),  # never signed: now owes 3.3, by the date 3.2 was due
    }
    with opened(db) as ledger, ledger.transaction() as session:
        files = {
            f.subsidiary: f for f in session.scalars(select(ReleaseFile).join(Release).where(Release.version == "3.3"))
        }
        assert (files["sz"].changed, files["sz"].change_rows) == (True, 1)
        assert (files["sh"].changed, files["sh"].sha256) == (False, manifest_sha(new.dist, "sh"))


# ---------------------------------------------------------------- input errors, files, formats (SQLite)


@pytest.fixture
def assigned(cli, sample: Sample, tmp_path: Path) -> str:  # type: ignore[no-untyped-def]
    db = str(tmp_path / "ledger.db")
    cli("roster", "import", write(tmp_path / "roster.csv", ROSTER), "--source", sample.old.source, "--db", db)
    run = cli("ack", "assign", sample.old.source, "--dist", sample.old.dist, "--db", db, "--date", "2026-12-01")
    assert run.code == 0, run.err
    return db


def test_bad_roster_names_file_row_column_and_writes_nothing(cli, sample: Sample, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    db = str(tmp_path / "ledger.db")
    bad = write(
        tmp_path / "bad.csv",
        "工号,姓名,公司,部门,入职日期\nA1,张伟,sz,客服一部,2023-13-01\n"
        "A2,王芳,gz,客服一部,2023-03-01\nA1,李娜,sz,,2023-03-01\nA3,周杰,sz,客服一部,2023-03-01\n",
    )
    run = cli("roster", "import", bad, "--source", sample.old.source, "--db", db)
    assert run.code == 1
    lines = [line.replace(str(tmp_path) + "/", "") for line in run.err.splitlines()]
    assert any(line.startswith("bad.csv:2:5: error: hire date '2023-13-01' is not a date") for line in lines)
    assert any(line.startswith("bad.csv:3:3: error: unknown subsidiary 'gz'") for line in lines)
    assert any(line.startswith("bad.csv:4:1: error: employee id 'A1' appears twice") for line in lines)
    assert any(line.startswith("bad.csv:4:4: error: department is empty") for line in lines)
    assert "Traceback" not in run.err
    assert "暂无签收任务" in cli("ack", "report", "--db", db).out
    assert "no assignments" in cli("ack", "report", "--db", db, "--lang", "en").out
    assert "0 to remind" in cli("ack", "remind", "--db", db).err


def test_roster_gbk_csv_and_xlsx(cli, sample: Sample, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from openpyxl import Workbook

    db = str(tmp_path / "ledger.db")
    gbk = write(tmp_path / "gbk.csv", ROSTER, encoding="gbk")
    assert "5 added" in cli("roster", "import", gbk, "--source", sample.old.source, "--db", db).err
    book = Workbook()
    sheet = book.active
    sheet.append(["员工编号", "姓名", "子公司", "部门", "入职日期", "手机"])
    sheet.append([1001, "孙强", "上海科技", "财务部", datetime.datetime(2020, 5, 1), 13900000000])
    sheet.append([1002, "周丽", "sh", "财务部", "2020-13-40", None])
    book.save(tmp_path / "hr.xlsx")
    run = cli("roster", "import", tmp_path / "hr.xlsx", "--source", sample.old.source, "--db", db)
    assert run.code == 1 and "hr.xlsx:3:5: error: hire date '2020-13-40' is not a date" in run.err
    sheet.delete_rows(3)
    book.save(tmp_path / "hr.xlsx")
    run = cli("roster", "import", tmp_path / "hr.xlsx", "--source", sample.old.source, "--db", db)
    assert run.code == 0, run.err
    cli("ack", "assign", sample.old.source, "--dist", sample.old.dist, "--db", db, "--date", "2026-12-01")
    rows = report(cli, db, "2026-12-02")
    assert rows["1001"]["name"] == "孙强" and rows["1001"]["subsidiary"] == "sh"


def test_bad_acknowledgements_are_reported_and_nothing_is_recorded(cli, assigned: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = write(
        tmp_path / "acks.csv",
        "工号,版本,方式,签收日期,凭证\nSZ001,3.2,paper,2026-12-03,\n"
        "SZ002,3.1,click,2026-12-03,\nNOBODY,3.2,click,2026-12-03,\nSH001,3.2,fax,12/03,missing.pdf\n",
    )
    run = cli("ack", "import", bad, "--db", assigned)
    assert run.code == 1
    err = run.err.replace(str(tmp_path) + "/", "")
    assert "acks.csv:3:2: error: employee 'SZ002' (王芳) has no assignment for version '3.1'" in err
    assert "acks.csv:4:1: error: unknown employee 'NOBODY'" in err
    assert "acks.csv:5:3: error: unknown method 'fax'" in err
    assert "acks.csv:5:4: error: '12/03' is not a date" in err
    assert "acks.csv:5:5: error: evidence file not found" in err
    assert all(r["status"] != "signed" for r in report(cli, assigned, "2026-12-02").values())  # SZ001 not either


def test_correction_supersedes_and_rows_are_append_only(cli, assigned: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    base = ("ack", "record", "--employee", "SZ001", "--version", "3.2", "--db", assigned)
    assert cli(*base, "--method", "click", "--date", "2026-12-03").code == 0
    run = cli(*base, "--method", "paper", "--date", "2026-12-04")
    assert "1 corrected" in run.out
    assert report(cli, assigned, "2026-12-05")["SZ001"]["signed_at"] == "2026-12-04"
    _assert_append_only(assigned)


def test_append_only_on_postgresql(cli, sample: Sample, postgres: Postgres, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    db = postgres.create_database(f"t_{uuid.uuid4().hex[:12]}")
    cli("roster", "import", write(tmp_path / "roster.csv", ROSTER), "--source", sample.old.source, "--db", db)
    cli("ack", "assign", sample.old.source, "--dist", sample.old.dist, "--db", db, "--date", "2026-12-01")
    assert cli("ack", "record", "--employee", "SH001", "--version", "3.2", "--method", "esign", "--db", db).code == 0
    _assert_append_only(db)


def _assert_append_only(db: str) -> None:
    with opened(db) as ledger:
        with ledger.transaction() as session:  # the application refuses ...
            ack = session.scalars(select(Acknowledgement)).first()
            assert ack is not None
            ack.method = "proxy"
            with pytest.raises(RuntimeError, match="append-only"):
                session.flush()
            session.rollback()
        with (
            pytest.raises(DBAPIError, match="append-only"),
            ledger.engine.begin() as conn,
        ):  # ... and so does the database
            conn.execute(update(Acknowledgement).values(method="proxy"))
        with ledger.transaction() as session:
            assert {a.method for a in session.scalars(select(Acknowledgement))} != {"proxy"}


def test_report_formats_chart_and_reminders(cli, assigned: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from openpyxl import load_workbook

    cli("ack", "record", "--employee", "SH001", "--version", "3.2", "--method", "click", "--db", assigned)
    table = cli("ack", "report", "--db", assigned, "--date", "2027-02-01", "--chart", tmp_path / "chart.png")
    assert table.out.splitlines()[0] == "华远科技（上海）有限公司 · 研发部：逾期 1，签收 1"
    assert table.out.splitlines()[-1] == "合计：逾期 3，待签 0，签收 1"
    english = cli("ack", "report", "--db", assigned, "--date", "2027-02-01", "--lang", "en")
    assert english.out.splitlines()[0] == "sh · 研发部: 1 overdue, 1 signed"
    assert (tmp_path / "chart.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    csv_out = cli("ack", "report", "--db", assigned, "--format", "csv", "--status", "signed").out
    assert (
        csv_out.lstrip("\ufeff").splitlines()[0].startswith("工号,姓名,公司,部门,版本,状态,截止日期,签收日期,签收方式")
    )
    assert csv_out.lstrip("\ufeff").splitlines()[1].startswith("SH001,刘洋,华远科技（上海）有限公司,研发部,v3.2,签收,")
    csv_en = cli("ack", "report", "--db", assigned, "--format", "csv", "--status", "signed", "--lang", "en").out
    assert csv_en.lstrip("\ufeff").splitlines()[1].startswith("SH001,刘洋,sh,研发部,3.2,signed")
    json_rows = cli("ack", "report", "--db", assigned, "--format", "json").json()
    assert {r["status"] for r in json_rows} == {"pending", "signed"} and "employee" in json_rows[0]
    assert cli("ack", "report", "--db", assigned, "--format", "xlsx", "-o", tmp_path / "r.xlsx").code == 0
    sheet = load_workbook(tmp_path / "r.xlsx").active
    assert sheet is not None and sheet.max_row == 5 and sheet["B1"].value == "姓名"
    assert isinstance(sheet["G2"].value, datetime.datetime) and sheet["E2"].value == "3.2"
    assert sheet.freeze_panes == "A2" and sheet.page_setup.fitToWidth == 1
    assert sheet.column_dimensions["C"].width > 20  # the company's full name fits
    remind = cli("ack", "remind", "--db", assigned, "--date", "2027-02-01", "-o", tmp_path / "remind.csv")
    lines = (tmp_path / "remind.csv").read_text(encoding="utf-8-sig").splitlines()
    assert "3 to remind (nothing was sent)" in remind.err
    assert lines[0] == "工号,姓名,公司,部门,邮箱,手机,版本,截止日期,逾期天数"
    assert lines[1] == "SH002,陈静,华远科技（上海）有限公司,研发部,,,v3.2,2026-12-31,32"
    assert "SZ001,张伟,华远客户服务（深圳）有限公司,客服一部,zw@example.com,13800000001,v3.2,2026-12-31,32" in lines
    hk = cli("ack", "remind", "--db", assigned, "-s", "sz", "--lang", "en").out.lstrip("\ufeff")
    assert hk.splitlines()[0].startswith("employee,name,subsidiary,department,email,phone")


def test_distribute_personal_copies(cli, sample: Sample, assigned: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cli("ack", "record", "--employee", "SZ002", "--version", "3.2", "--method", "paper", "--db", assigned)
    run = cli(
        "distribute",
        sample.old.source,
        "-s",
        "sz",
        "--dist",
        sample.old.dist,
        "-o",
        tmp_path / "copies",
        "--db",
        assigned,
    )
    assert run.code == 0, run.err
    copies = sorted((tmp_path / "copies").glob("*.pdf"))
    assert [p.name for p in copies] == ["HY-HR-001-SZ-v3.2-SZ001-张伟.pdf"]  # SZ002 has signed
    original = PdfReader(sample.old.dist / "sz" / "HY-HR-001-SZ-v3.2.pdf")
    copy = PdfReader(copies[0])
    assert len(copy.pages) == len(original.pages)
    for page in copy.pages:
        assert "本册发给 张伟（工号 SZ001，客服一部）" in page.extract_text()
    check = subprocess.run(["qpdf", "--check", str(copies[0])], capture_output=True, text=True, check=False)
    assert check.returncode == 0, check.stdout + check.stderr


def test_assign_refuses_a_changed_pdf_for_a_recorded_version(
    cli, sample: Sample, assigned: str, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    import shutil

    dist = tmp_path / "dist"
    shutil.copytree(sample.old.dist, dist)
    pdf = dist / "sz" / "HY-HR-001-SZ-v3.2.pdf"
    pdf.write_bytes(pdf.read_bytes() + b"\n% changed\n")
    run = cli("ack", "assign", sample.old.source, "--dist", dist, "--db", assigned)
    assert run.code == 1 and "differs from the SHA-256 in manifest.json" in run.err


# ---------------------------------------------------------------- reliability: kill, concurrency


# runs policybook with one function wrapped: "after" pauses inside the command's transaction
# (marker file written, then waits for a go file); "before" writes the marker and goes on
HELPER = """
import sys, time
from pathlib import Path
import {module} as target
from policybook.cli import main

inner = target.{function}
def wrapped(*args, **kwargs):
    if "{when}" == "before":
        Path(sys.argv[1]).touch()
        return inner(*args, **kwargs)
    result = inner(*args, **kwargs)
    Path(sys.argv[1]).touch()
    deadline = time.monotonic() + 60
    while not Path(sys.argv[2]).exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)  # let the other process get into its wait
    return result
target.{function} = wrapped
sys.exit(main(sys.argv[3:]))
"""


def _paused(
    module: str, function: str, inside: Path, go: Path, *args: str | Path, when: str = "after"
) -> subprocess.Popen[str]:
    code = HELPER.format(module=module, function=function, when=when)
    return subprocess.Popen(
        [sys.executable, "-c", code, str(inside), str(go), *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).parent.parent,
    )


def _wait_for(path: Path, proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 120
    while not path.exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the helper process never reached its pause"
        time.sleep(0.05)


def test_killed_import_leaves_the_ledger_as_it_was(cli, sample: Sample, db: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    first = "工号,姓名,公司,部门,入职日期\nSZ001,张伟,sz,客服一部,2023-03-01\n"
    cli("roster", "import", write(tmp_path / "first.csv", first), "--source", sample.old.source, "--db", db)
    inside = tmp_path / "inside"
    proc = _paused(
        "policybook.ledger.roster",
        "upsert",
        inside,
        tmp_path / "never",
        "roster",
        "import",
        write(tmp_path / "roster.csv", ROSTER),
        "--source",
        sample.old.source,
        "--db",
        db,
    )
    _wait_for(inside, proc)
    proc.kill()
    proc.wait()
    cli("ack", "assign", sample.old.source, "--dist", sample.old.dist, "--db", db)
    assert list(report(cli, db, "2026-12-02")) == ["SZ001"]  # the killed import added nobody


def test_two_processes_record_at_once(cli, sample: Sample, db: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cli("roster", "import", write(tmp_path / "roster.csv", ROSTER), "--source", sample.old.source, "--db", db)
    cli("ack", "assign", sample.old.source, "--dist", sample.old.dist, "--db", db)
    inside, go = tmp_path / "a-inside", tmp_path / "b-started"
    record = ("ack", "record", "--version", "3.2", "--method", "click", "--db", db)
    a = _paused("policybook.ledger.acks", "record", inside, go, *record, "--employee", "SZ001")
    _wait_for(inside, a)  # A holds its transaction open, rows written
    # B opens the ledger while A's transaction is open: SQLite makes it wait, PostgreSQL lets it through
    b = _paused(
        "policybook.ledger.db", "_migrate", go, tmp_path / "unused", *record, "--employee", "SH001", when="before"
    )
    results = [p.communicate(timeout=120) + (p.returncode,) for p in (a, b)]
    assert [r[2] for r in results] == [0, 0], results
    signed = {k for k, r in report(cli, db, "2026-12-02").items() if r["status"] == "signed"}
    assert signed == {"SZ001", "SH001"}
    with opened(db) as ledger, ledger.transaction() as session:
        assert len(session.scalars(select(Assignment)).all()) == 4


def test_unknown_database_is_a_user_error(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run = cli("ack", "report", "--db", str(tmp_path / "no" / "such" / "dir" / "x.db"))
    assert run.code == 1 and "no folder for the ledger file" in run.err
    env_run = cli("ack", "report", "--db", "postgresql://nobody@127.0.0.1:1/none")
    assert env_run.code == 1 and "cannot open the ledger" in env_run.err
