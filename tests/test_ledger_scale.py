"""The ledger's shape at scale, measured on small inputs: a bounded number of SQL statements
whatever the number of employees, sheets streamed with flat memory, copies stamped as an
incremental update of the release file, and no employee (a long name or department path)
that stops `distribute` or `ack sheets`. The 100,000-employee figures come from bench/ledger.py."""

from __future__ import annotations

import datetime
import io
import shutil
import subprocess
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter
from sqlalchemy import event

from policybook.build import build
from policybook.ledger.assignments import assign, standing_rows, standings
from policybook.ledger.db import opened
from policybook.ledger.overlay import supported
from policybook.ledger.pdfstream import StreamingPdf
from policybook.ledger.roster import upsert
from policybook.ledger.schema import Release

REPO = Path(__file__).parent.parent
NOW = datetime.datetime(2026, 12, 1, 9, 0)
LONG_NAME = "阿卜杜热合曼·买买提明" * 3
LONG_DEPT = "客服中心/华南大区客户服务二部/夜班第三小组/质量与培训支持组"


def people(count: int) -> list[dict[str, object]]:
    return [
        {
            "id": f"E{n:05d}",
            "name": f"员工{n}",
            "subsidiary": "sz",
            "department": "客服中心/客服二部",
            "hire_date": datetime.date(2024, 1, 1),
            "email": "",
            "phone": "",
            "status": "active",
        }
        for n in range(count)
    ]


@contextmanager
def counted(engine) -> Iterator[list[str]]:  # type: ignore[no-untyped-def]
    statements: list[str] = []

    def record(_conn, _cursor, statement, _params, _context, _many) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def statements_for(tmp_path: Path, count: int) -> dict[str, int]:
    db = tmp_path / f"l{count}.db"
    found: dict[str, int] = {}
    with opened(str(db)) as ledger:
        with counted(ledger.engine) as seen, ledger.transaction() as session:
            upsert(session, people(count), NOW)
        found["import"] = len(seen)
        with ledger.transaction() as session:
            release = Release(version="1", code="HY", effective="2026-12-01", recorded_at=NOW)
            release.recorded_on, release.snapshot, release.snapshot_sha256 = NOW.date(), b"", ""
            session.add(release)
        with counted(ledger.engine) as seen, ledger.transaction() as session:
            release = session.get(Release, release.id)
            assert release is not None
            assert len(assign(session, release, ["sz"], 30, NOW).new) == count
        found["assign"] = len(seen)
        with counted(ledger.engine) as seen, ledger.transaction() as session:
            rows = standing_rows(session, NOW.date(), "sz")
        found["report"] = len(seen)
        with ledger.transaction() as session:  # the same as the ORM objects other callers use
            orm = standings(session, NOW.date(), "sz")
            assert [(s.employee.id, s.assignment.release.version, s.status) for s in orm] == [
                (s.employee.id, s.assignment.release.version, s.status) for s in rows
            ]
            assert len(rows) == count
    return found


def test_statements_do_not_grow_with_the_number_of_employees(tmp_path: Path) -> None:
    small, large = statements_for(tmp_path, 20), statements_for(tmp_path, 2000)
    assert large == small, (small, large)  # executemany: one statement per table and chunk, not per row
    assert small["import"] <= 4 and small["assign"] <= 8 and small["report"] <= 6


def peak_streaming(tmp_path: Path, pages: int) -> tuple[int, int]:
    batch = PdfWriter()
    for _ in range(50):
        batch.add_blank_page(595, 842)
    data = io.BytesIO()
    batch.write(data)
    tracemalloc.start()
    with (tmp_path / f"s{pages}.pdf").open("wb") as handle:
        stream = StreamingPdf(handle, "zh-CN")
        for _ in range(pages // 50):
            stream.add(data.getvalue())
        stream.close()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak, stream.pages


def test_sheets_stream_to_disk_with_flat_memory(tmp_path: Path) -> None:
    small, n_small = peak_streaming(tmp_path, 100)
    large, n_large = peak_streaming(tmp_path, 2000)
    assert (n_small, n_large) == (100, 2000)
    # 20 times the pages: the peak grows only by the offsets and page numbers kept for the
    # cross-reference table (a few bytes a page), not by pages held in memory
    assert (large - small) / (n_large - n_small) < 256, (small, large)
    check = subprocess.run(["qpdf", "--check", tmp_path / "s2000.pdf"], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    assert len(PdfReader(tmp_path / "s2000.pdf").pages) == 2000


# ---------------------------------------------------------------- long values, real handout


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = tmp_path_factory.mktemp("scale-sample")
    for part in ("handbook", "forms", "templates"):
        shutil.copytree(REPO / part, project / part)
    build(project / "handbook", project / "dist", ["sz"], ["pdf"])
    return project


def test_long_names_and_paths_never_stop_distribute_or_sheets(cli, built: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "l.db"
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "工号,姓名,公司,部门,入职日期\n"
        f"L1,{LONG_NAME},sz,{LONG_DEPT},2024-01-01\n"
        "L2,张伟,sz,客服中心/客服二部,2024-01-01\n"
        f"L3-{'X' * 40},王芳,sz,客服中心/客服二部,2024-01-01\n",
        encoding="utf-8",
    )
    source, dist = built / "handbook", built / "dist"
    assert cli("roster", "import", roster, "--source", source, "--db", db).code == 0
    run = cli("ack", "assign", source, "--dist", dist, "--db", db, "--date", "2026-12-01")
    assert run.code == 0, run.err
    run = cli("distribute", source, "-s", "sz", "--dist", dist, "-o", tmp_path / "copies", "--db", db)
    assert run.code == 0, run.err
    assert "3/3 copies" in run.err  # the progress line
    original = next((dist / "sz").glob("*.pdf")).read_bytes()
    pages = len(PdfReader(io.BytesIO(original)).pages)
    assert supported(original)  # Typst's classic cross-reference table: stamped as an incremental update
    streamed = tmp_path / "xref-stream.pdf"
    subprocess.run(["qpdf", "--object-streams=generate", next((dist / "sz").glob("*.pdf")), streamed], check=True)
    assert not supported(streamed.read_bytes())  # such a file is rewritten whole instead
    copies = sorted((tmp_path / "copies").glob("*.pdf"))
    assert len(copies) == 3
    for copy in copies:
        data = copy.read_bytes()
        assert data.startswith(original)  # an incremental update: the release file is a prefix
        assert len(data) - len(original) < 200_000
        check = subprocess.run(["qpdf", "--check", copy], capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr
    long_copy = next(c for c in copies if "L1" in c.name)
    reader = PdfReader(long_copy)
    assert len(reader.pages) == pages
    for index in (0, pages - 1):
        text = "".join(reader.pages[index].extract_text().split())
        assert LONG_NAME in text and LONG_DEPT in text, text[-300:]  # wrapped, never cut

    run = cli("ack", "sheets", source, "-s", "sz", "-o", tmp_path / "sheets", "--db", db)
    assert run.code == 0, run.err
    sheet = PdfReader(run.out.strip())
    assert len(sheet.pages) == 3
    first = "".join(sheet.pages[0].extract_text().split())  # sorted by department: the long path first
    assert LONG_NAME in first and LONG_DEPT in first and "L1" in first

    run = cli("ack", "sheets", source, "-s", "sz", "--department", "客服二步", "-o", tmp_path / "s2", "--db", db)
    assert run.code == 2 and "did you mean '客服中心/客服二部'?" in run.err
    run = cli("ack", "sheets", source, "-s", "sz", "--department", "客服二部", "-o", tmp_path / "s3", "--db", db)
    assert run.code == 0 and len(PdfReader(run.out.strip()).pages) == 2  # by the path's last part
