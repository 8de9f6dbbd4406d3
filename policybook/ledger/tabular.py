"""Ledger stage: read a table someone exported (CSV in UTF-8 or GBK, or XLSX) by its header.

Columns are found by name, in English or Chinese (``COLUMNS`` of the caller
maps each field to the names it accepts); other columns are ignored, since HR
systems export many. Every cell keeps its file, row and column, so a problem
is reported as ``roster.csv:7:5: error: …``.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from policybook.dates import written
from policybook.diagnostics import Diagnostics, fail
from policybook.model import Loc
from policybook.source.textfile import decode_table

Cell = str | datetime.date
MAX_ROWS, MAX_COLUMNS = 200_000, 200  # a roster or sign-off list; a far "used range" is not read cell by cell
EXCEL_ROWS = 1_048_576  # a row numbered beyond Excel's last is not waited for


@dataclass
class Record:
    """One data row: field → (value, column); ``loc`` is the row."""

    loc: Loc
    cells: dict[str, tuple[Cell, int]]

    def text(self, name: str) -> str:
        value = self.cells.get(name, ("", 0))[0]
        return value.isoformat() if isinstance(value, datetime.date) else value.strip()

    def at(self, name: str) -> Loc:
        return Loc(self.loc.path, self.loc.line, self.cells.get(name, ("", 0))[1])


def read_table(
    path: Path, columns: Mapping[str, Sequence[str]], required: Sequence[str], diags: Diagnostics
) -> list[Record]:
    """The rows of ``path`` (blank rows skipped); missing or repeated columns are errors."""
    rows = _xlsx_rows(path) if path.suffix.lower() in (".xlsx", ".xlsm") else _csv_rows(path)
    header = next(rows, None)
    if header is None:
        raise fail(Loc(str(path), 1), "the file is empty; its first row must name the columns", "ledger.header")
    found = _columns(path, header[1], columns, required, diags)
    records = []
    for line, cells in rows:
        if any(_present(c) for c in cells):
            got = {field: (cells[i] if i < len(cells) else "", i + 1) for field, i in found.items()}
            records.append(Record(Loc(str(path), line), got))
    return records


def parse_date(value: Cell) -> datetime.date | None:
    """2026-03-01, 2026/3/1, 2026.3.1, 2026年3月1日 or a spreadsheet date."""
    return value if isinstance(value, datetime.date) else written(value)


def _present(cell: Cell) -> bool:
    return isinstance(cell, datetime.date) or bool(cell.strip())


def _columns(
    path: Path, header: list[Cell], columns: Mapping[str, Sequence[str]], required: Sequence[str], diags: Diagnostics
) -> dict[str, int]:
    wanted = {_key(name): field for field, names in columns.items() for name in (field, *names)}
    found: dict[str, int] = {}
    for index, cell in enumerate(header):
        field = wanted.get(_key(str(cell)))
        if field is None:
            continue
        if field in found:
            diags.error(
                Loc(str(path), 1, index + 1),
                f"column '{str(cell).strip()}' repeats column {found[field] + 1}",
                "ledger.header",
            )
        found.setdefault(field, index)
    for field in required:
        if field not in found:
            names = " / ".join((field, *columns[field]))
            diags.error(Loc(str(path), 1), f"no column for {field}", "ledger.header", f"name a column {names}")
    diags.raise_if_errors()
    return found


def _key(name: str) -> str:
    return re.sub(r"[\s_\-]+", "", name).lower()


def _csv_rows(path: Path) -> Iterator[tuple[int, list[Cell]]]:
    reader = csv.reader(io.StringIO(_decode(path), newline=""))
    try:
        for record in reader:
            yield reader.line_num, list(record)
    except csv.Error as exc:  # a field over csv's limit (128 KiB), a NUL …
        raise fail(Loc(str(path), max(reader.line_num, 1)), f"cannot read this row: {exc}", "ledger.read") from None


def _decode(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise fail(Loc(str(path)), f"cannot read the file: {exc.strerror}", "ledger.read") from None
    return decode_table(data, path, "ledger.encoding")


def _xlsx_rows(path: Path) -> Iterator[tuple[int, list[Cell]]]:
    from openpyxl import load_workbook

    from policybook.archives import check_archive

    check_archive(path, "ledger.read", "workbook")  # zip bombs, DTDs and entities refused before openpyxl
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (OSError, KeyError, ValueError) as exc:
        raise fail(Loc(str(path)), f"cannot read the workbook: {exc}", "ledger.read") from None
    except Exception as exc:  # noqa: BLE001 - openpyxl raises zipfile and XML errors of many kinds
        raise fail(Loc(str(path)), f"not an XLSX workbook ({type(exc).__name__})", "ledger.read") from None
    line = filled = 0
    try:
        sheet = book.worksheets[0]
        sheet.reset_dimensions()  # the stored used range may claim A1:XFD1048576: read the rows there are
        rows = sheet.iter_rows(max_row=EXCEL_ROWS, max_col=MAX_COLUMNS, values_only=True)
        for line, row in enumerate(rows, 1):
            if row.count(None) == len(row):
                continue  # the gap before a far row comes as empty rows: skipped, not converted
            filled += 1
            if filled > MAX_ROWS:
                raise fail(Loc(str(path), line), f"more than {MAX_ROWS:,} rows", "ledger.read", "split the file")
            yield line, [_xlsx_cell(v) for v in row]
    except (IndexError, KeyError, ValueError, TypeError, OSError, EOFError, SyntaxError) as exc:
        raise fail(Loc(str(path), line + 1), f"cannot read the workbook: {type(exc).__name__}", "ledger.read") from None
    finally:
        book.close()


def _xlsx_cell(value: object) -> Cell:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # 工号 1001 typed as a number
    return "" if value is None else str(value)
