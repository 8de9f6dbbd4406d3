"""The ledger under hostile files, names and databases (issue 25).

Evidence files come only from the import file's folder (or ``--evidence-from``),
never through a symbolic link, and are stored owner-only; every database fault is
one line naming the database, exit 1 or 2; the ledger does not move into another
application's database without ``--init``; SQLite's REPLACE and UPSERT cannot
rewrite a signed acknowledgement; names reach the terminal without escape
sequences; chart labels are plain text; ``-o`` does not invent folders.
"""

from __future__ import annotations

import datetime
import os
import sqlite3
import stat
from pathlib import Path

import pytest
from sqlalchemy import select

from policybook.ledger.db import opened
from policybook.ledger.schema import Acknowledgement, Assignment, Employee, Release

NOW = datetime.datetime(2026, 12, 1, 9, 0)
EVIL_NAME = "\x1b]0;pwned\x07张\x1b[2J伟\u202e"
MATH_DEPT = "$\\frac{1}{0}$ 客服部$x^{2}"


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    """A ledger with release 3.2 assigned to three employees (one named with escape sequences)."""
    db = tmp_path / "ledger.db"
    with opened(str(db)) as opened_ledger, opened_ledger.transaction() as session:
        release = Release(
            version="3.2",
            code="T-001",
            effective="2026-12-01",
            recorded_at=NOW,
            recorded_on=NOW.date(),
            source_revision="",
            snapshot=b"",
            snapshot_sha256="0" * 64,
        )
        session.add(release)
        for emp_id, name, dept in (
            ("SZ001", "张伟", "客服一部"),
            ("SZ002", EVIL_NAME, MATH_DEPT),
            ("SZ003", "李娜", "=1+1"),
        ):
            session.add(
                Employee(
                    id=emp_id,
                    name=name,
                    subsidiary="sz",
                    department=dept,
                    hire_date=datetime.date(2023, 1, 1),
                    updated_at=NOW,
                )
            )
            session.flush()
            session.add(
                Assignment(
                    employee_id=emp_id,
                    release_id=release.id,
                    subsidiary="sz",
                    due=datetime.date(2026, 12, 31),
                    reason="first",
                    assigned_at=NOW,
                )
            )
    return db


def acks_csv(folder: Path, evidence: str, name: str = "acks.csv") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(f"工号,版本,方式,签收日期,凭证\nSZ001,3.2,paper,2026-12-03,{evidence}\n", encoding="utf-8")
    return path


def recorded(db: Path) -> int:
    with opened(str(db)) as led, led.transaction() as session:
        return len(session.scalars(select(Acknowledgement)).all())


def clean(run) -> None:  # type: ignore[no-untyped-def]
    assert run.code in (0, 1, 2)
    assert "Traceback" not in run.err and "internal error" not in run.err
    assert "\x1b" not in run.err + run.out


# ------------------------------------------------------------------ evidence


@pytest.mark.parametrize(
    "evidence,says",
    [
        ("../outside.pdf", "outside the folders"),
        ("sub/../../outside.pdf", "outside the folders"),
        ("{outside}", "outside the folders"),  # an absolute path elsewhere
        ("/etc/passwd", "outside the folders"),
        ("file:///etc/passwd", "not a file name"),
        ("C:\\Windows\\win.ini", "not a path on this machine"),
        ("~/.ssh/id_rsa", "not a path on this machine"),
        ("link.pdf", "symbolic link"),  # a link beside the CSV to a file outside
        ("linkdir/x.pdf", "symbolic link"),  # through a linked folder
        ("inner-link.pdf", "symbolic link"),  # a link even to a file inside
        ("fifo.pdf", "not a plain file"),
        ("sub", "not a plain file"),  # a folder
        ("missing.pdf", "not found"),
    ],
)
def test_evidence_only_from_the_files_folder(cli, ledger: Path, tmp_path: Path, evidence: str, says: str) -> None:  # type: ignore[no-untyped-def]
    outside = tmp_path / "outside.pdf"
    outside.write_bytes(b"%PDF private")
    folder = tmp_path / "import"
    (folder / "sub").mkdir(parents=True)
    (folder / "scan.pdf").write_bytes(b"%PDF scan")
    (folder / "link.pdf").symlink_to(outside)
    (folder / "inner-link.pdf").symlink_to(folder / "scan.pdf")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "x.pdf").write_bytes(b"%PDF x")
    (folder / "linkdir").symlink_to(tmp_path / "elsewhere")
    os.mkfifo(folder / "fifo.pdf")
    csv = acks_csv(folder, evidence.replace("{outside}", str(outside)))
    store = tmp_path / "store"
    run = cli("ack", "import", csv, "--db", ledger, "--evidence-dir", store)
    clean(run)
    assert run.code == 1 and says in run.err, run.err
    assert "acks.csv:2:5: error:" in run.err  # row 2, the evidence column
    assert recorded(ledger) == 0
    assert not store.exists() or not [p for p in store.rglob("*") if p.is_file()]


def test_evidence_from_a_named_folder_is_stored_owner_only(cli, ledger: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    scans = tmp_path / "scans"
    scans.mkdir()
    (scans / "SZ001.pdf").write_bytes(b"%PDF signed")
    csv = acks_csv(tmp_path / "import", str(scans / "SZ001.pdf"))
    store = tmp_path / "store"
    refused = cli("ack", "import", csv, "--db", ledger, "--evidence-dir", store)
    assert refused.code == 1 and "outside the folders" in refused.err
    run = cli("ack", "import", csv, "--db", ledger, "--evidence-dir", store, "--evidence-from", scans)
    clean(run)
    assert run.code == 0, run.err
    stored = [p for p in store.rglob("*") if p.is_file()]
    assert len(stored) == 1 and stored[0].read_bytes() == b"%PDF signed"
    assert stat.S_IMODE(stored[0].stat().st_mode) == 0o400
    assert stat.S_IMODE(store.stat().st_mode) & 0o077 == 0
    assert stat.S_IMODE(stored[0].parent.stat().st_mode) & 0o077 == 0
    assert recorded(ledger) == 1


def test_a_killed_copy_leaves_no_temporary_file(cli, ledger: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A run killed mid-copy leaves .evidence-<pid>-…; the next run into that folder removes it."""
    import hashlib

    folder = tmp_path / "import"
    folder.mkdir()
    (folder / "scan.pdf").write_bytes(b"%PDF scan")
    digest = hashlib.sha256(b"%PDF scan").hexdigest()
    store = tmp_path / "store"
    (store / digest[:2]).mkdir(parents=True)
    dead = 2**22 + 12345  # above pid_max's default: no such process
    leftover = store / digest[:2] / f".evidence-{dead}-abc"
    leftover.write_bytes(b"%PDF sc")
    run = cli("ack", "import", acks_csv(folder, "scan.pdf"), "--db", ledger, "--evidence-dir", store)
    assert run.code == 0, run.err
    assert not leftover.exists()
    assert [p.name for p in (store / digest[:2]).iterdir()] == [f"{digest}.pdf"]


# ------------------------------------------------------------------ append-only


@pytest.mark.parametrize(
    "statement",
    [
        "INSERT OR REPLACE INTO acknowledgements (id, assignment_id, method, signed_on, recorded_at, recorded_by,"
        " evidence_sha256, evidence_name, origin) VALUES (1, 1, 'click', '2026-12-09', '2026-12-09', 'x', '', '', '')",
        "REPLACE INTO acknowledgements (id, assignment_id, method, signed_on, recorded_at, recorded_by,"
        " evidence_sha256, evidence_name, origin) VALUES (1, 1, 'click', '2026-12-09', '2026-12-09', 'x', '', '', '')",
        "INSERT INTO acknowledgements (id, assignment_id, method, signed_on, recorded_at, recorded_by,"
        " evidence_sha256, evidence_name, origin) VALUES (1, 1, 'click', '2026-12-09', '2026-12-09', 'x', '', '', '')"
        " ON CONFLICT (id) DO UPDATE SET method = 'click'",
        "INSERT OR REPLACE INTO acknowledgements (assignment_id, supersedes_id, method, signed_on, recorded_at,"
        " recorded_by, evidence_sha256, evidence_name, origin)"
        " SELECT assignment_id, supersedes_id, 'proxy', signed_on, recorded_at, 'x', '', '', '' FROM acknowledgements",
        "UPDATE acknowledgements SET method = 'click'",
        "DELETE FROM acknowledgements",
    ],
)
def test_signed_acknowledgement_cannot_be_rewritten(cli, ledger: Path, tmp_path: Path, statement: str) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "import"
    folder.mkdir()
    (folder / "acks.csv").write_text(
        "工号,版本,方式,签收日期\nSZ001,3.2,paper,2026-12-03\nSZ002,3.2,paper,2026-12-03\n", encoding="utf-8"
    )
    (folder / "fix.csv").write_text("工号,版本,方式,签收日期\nSZ002,3.2,click,2026-12-04\n", encoding="utf-8")
    assert cli("ack", "import", folder / "acks.csv", "--db", ledger).code == 0
    assert cli("ack", "import", folder / "fix.csv", "--db", ledger).code == 0  # row 3 supersedes row 2
    before = sqlite3.connect(ledger).execute("SELECT * FROM acknowledgements ORDER BY id").fetchall()
    connection = sqlite3.connect(ledger)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        connection.execute(statement)
        connection.commit()
    connection.close()
    assert sqlite3.connect(ledger).execute("SELECT * FROM acknowledgements ORDER BY id").fetchall() == before


# ------------------------------------------------------------------ database faults


def _sqlite_file(path: Path, *statements: str) -> Path:
    connection = sqlite3.connect(path)
    for statement in statements:
        connection.execute(statement)
    connection.commit()
    connection.close()
    return path


def _foreign(tmp_path: Path) -> Path:
    return _sqlite_file(
        tmp_path / "crm.db",
        "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)",
        "INSERT INTO customers VALUES (1, 'x')",
    )


def _alembic_of_another(tmp_path: Path) -> Path:
    return _sqlite_file(
        tmp_path / "app.db",
        "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)",
        "INSERT INTO alembic_version VALUES ('ae1027a6acf')",
    )


def _text(tmp_path: Path) -> Path:
    path = tmp_path / "notes.db"
    path.write_text("这不是数据库\n" * 100, encoding="utf-8")
    return path


def _read_only(tmp_path: Path) -> str:
    """The test runs as root, which file modes do not stop: SQLite's read-only open stands in."""
    return f"sqlite:///file:{tmp_path / 'ledger.db'}?mode=ro&uri=true"


DATABASES = {
    "text-file": (_text, "file is not a database"),
    "foreign-tables": (_foreign, "holds other tables (customers)"),
    "foreign-alembic": (_alembic_of_another, "another application's schema"),
    "read-only": (_read_only, "readonly"),
    "folder": (lambda t: t, "unable to open"),
    "unknown-kind": (lambda t: "foo://x/y", "unknown kind of database"),
    "http-url": (lambda t: "http://example.com/db", "unknown kind of database"),
    "missing-driver": (lambda t: "mysql://u@localhost/db", "no driver"),
    "bad-port": (lambda t: "postgresql://u@localhost:port/db", "not a database URL"),
    "unreachable": (lambda t: "postgresql://nobody@127.0.0.1:1/db", "127.0.0.1"),
    "no-folder": (lambda t: str(t / "no" / "such" / "l.db"), "no folder"),
    "nul": (lambda t: str(t / "a\x00b.db"), "ledger"),
}


@pytest.mark.parametrize("kind", DATABASES)
def test_database_fault_is_one_line(cli, ledger: Path, tmp_path: Path, kind: str) -> None:  # type: ignore[no-untyped-def]
    make, says = DATABASES[kind]
    db = make(tmp_path)
    run = cli("ack", "import", acks_csv(tmp_path / "import", ""), "--db", db)
    clean(run)
    assert run.code in (1, 2) and says in run.err, run.err
    errors = [line for line in run.err.splitlines() if "error:" in line]
    assert len(errors) == 1, run.err
    if kind == "foreign-tables":
        tables = sqlite3.connect(db).execute("SELECT name FROM sqlite_master WHERE type='table'").fetchall()
        assert tables == [("customers",)]  # nothing created


def test_init_adds_the_ledger_beside_other_tables(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    db = _foreign(tmp_path)
    run = cli("ack", "report", "--db", db, "--init")
    assert run.code == 0, run.err
    tables = {row[0] for row in sqlite3.connect(db).execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"customers", "acknowledgements", "employees"} <= tables
    assert cli("ack", "report", "--db", db).code == 0  # a ledger now: no --init needed again


# ------------------------------------------------------------------ what reaches the terminal and the chart


def test_names_reach_the_terminal_without_escapes(cli, ledger: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run = cli("ack", "report", "--db", ledger, "--date", "2026-12-02")
    clean(run)
    assert run.code == 0 and "\\x1b" in run.out and "张" in run.out
    assert "\u202e" not in run.out
    bad = tmp_path / "acks.csv"
    bad.write_text("工号,版本,方式,签收日期\n\x1b[31mX\x1b]8;;http://x\x07,3.2,paper,2026-12-03\n", encoding="utf-8")
    run = cli("ack", "import", bad, "--db", ledger)
    clean(run)
    assert run.code == 1 and "unknown employee" in run.err


def test_chart_labels_are_plain_text(cli, ledger: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    chart = tmp_path / "chart.png"
    run = cli("ack", "report", "--db", ledger, "--chart", chart)
    clean(run)
    assert run.code == 0 and chart.stat().st_size > 1000


@pytest.mark.parametrize("option", ["-o", "--chart"])
def test_report_does_not_create_missing_folders(cli, ledger: Path, tmp_path: Path, option: str) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "no" / "such" / "report.csv"
    run = cli("ack", "report", "--db", ledger, "--format", "csv", option, target)
    clean(run)
    assert run.code == 2 and "no folder" in run.err
    assert not (tmp_path / "no").exists()


def test_postgres_refuses_truncate(tmp_path: Path) -> None:
    """PostgreSQL fires no row trigger for TRUNCATE: a statement trigger refuses it (migration 0002)."""
    import uuid

    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    from tests.ledger_support import start_postgres

    for server in start_postgres():
        url = server.create_database(f"t_{uuid.uuid4().hex[:12]}")
        with opened(url) as led, pytest.raises(DBAPIError, match="append-only"), led.engine.begin() as connection:
            connection.execute(text("TRUNCATE acknowledgements CASCADE"))
