"""Ledger stage: read a table someone exported (CSV in UTF-8, GBK, Big5 or UTF-16, or XLSX) by its header.

Columns are found by name, in English or Chinese (``COLUMNS`` of the caller
maps each field to the names it accepts; Traditional spellings and full-width
forms match too); other columns are ignored, since HR systems export many. The
header need not be the first row: exports often put a title above it. Every
cell keeps its file, row and column, so a problem is reported as ``roster.csv:7:5: error: …``.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain, islice
from pathlib import Path

from policybook.dates import written
from policybook.diagnostics import Diagnostics, fail
from policybook.ledger.names import simplified
from policybook.model import Loc
from policybook.source.textfile import LEGACY, decode_table, legacy_readings

HEADER_SEARCH = 10  # rows searched for the header (titles and blank rows above it are skipped)
SAMPLE_BYTES = 1 << 16  # how much of a legacy-encoded file decides between GBK and Big5
LEGACY_CODECS = {name: codec for name, codec, *_rest in LEGACY}

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
    return list(iter_table(path, columns, required, diags))


def iter_table(
    path: Path, columns: Mapping[str, Sequence[str]], required: Sequence[str], diags: Diagnostics
) -> Iterator[Record]:
    """The rows of ``path`` one by one, after its header — found among the first rows, so a
    title row or blank rows above it are skipped (with a warning naming them)."""
    wanted = {_key(name): field for field, names in columns.items() for name in (field, *names)}
    rows = _xlsx_rows(path) if path.suffix.lower() in (".xlsx", ".xlsm") else _csv_rows(path, wanted)
    ahead = list(islice(rows, HEADER_SEARCH))
    if not any(any(_present(c) for c in cells) for _line, cells in ahead):
        raise fail(Loc(str(path), 1), "the file is empty; its first row must name the columns", "ledger.header")
    at = _header_index(ahead, wanted)
    header_line, header = ahead[at]
    skipped = [line for line, cells in ahead[:at] if any(_present(c) for c in cells)]
    if skipped:
        diags.warning(
            Loc(str(path), skipped[0]),
            f"skipped {len(skipped)} row(s) above the header on line {header_line} (a title, not data)",
            "ledger.title-row",
        )
    found = _columns(Loc(str(path), header_line), header, wanted, columns, required, diags)
    for line, cells in chain(ahead[at + 1 :], rows):
        if any(_present(c) for c in cells):
            got = {field: (cells[i] if i < len(cells) else "", i + 1) for field, i in found.items()}
            yield Record(Loc(str(path), line), got)


def _header_index(ahead: list[tuple[int, list[Cell]]], wanted: Mapping[str, str]) -> int:
    """The row naming most columns (the first such); the first non-blank row if none names any."""
    scores = [_score(cells, wanted) for _line, cells in ahead]
    best = max(scores)
    if best == 0:
        return next(i for i, (_line, cells) in enumerate(ahead) if any(_present(c) for c in cells))
    return scores.index(best)


def _score(cells: Sequence[Cell], wanted: Mapping[str, str]) -> int:
    return len({wanted[k] for k in (_key(str(c)) for c in cells if isinstance(c, str)) if k in wanted})


def parse_date(value: Cell) -> datetime.date | None:
    """2026-03-01, 2026/3/1, 2026.3.1, 2026年3月1日 or a spreadsheet date."""
    return value if isinstance(value, datetime.date) else written(value)


def _present(cell: Cell) -> bool:
    return isinstance(cell, datetime.date) or bool(cell.strip())


def _columns(
    at: Loc,
    header: list[Cell],
    wanted: Mapping[str, str],
    columns: Mapping[str, Sequence[str]],
    required: Sequence[str],
    diags: Diagnostics,
) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, cell in enumerate(header):
        field = wanted.get(_key(str(cell)))
        if field is None:
            continue
        if field in found:
            diags.error(
                Loc(at.path, at.line, index + 1),
                f"column '{str(cell).strip()}' repeats column {found[field] + 1}",
                "ledger.header",
            )
        found.setdefault(field, index)
    for field in required:
        if field not in found:
            names = " / ".join((field, *columns[field]))
            diags.error(at, f"no column for {field}", "ledger.header", f"name a column {names}")
    diags.raise_if_errors()
    return found


def _key(name: str) -> str:
    """A header's comparison key: width folded, Simplified, without spaces, _ - * or a unit in brackets."""
    folded = unicodedata.normalize("NFKC", name)
    folded = re.sub(r"[\s_\-*:：]+|\(.*?\)$", "", folded).lower()
    return simplified(folded)


def _csv_rows(path: Path, wanted: Mapping[str, str]) -> Iterator[tuple[int, list[Cell]]]:
    text = _decode(path, wanted)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        for record in reader:
            yield reader.line_num, list(record)
    except csv.Error as exc:  # a field over csv's limit (128 KiB), a NUL …
        raise fail(Loc(str(path), max(reader.line_num, 1)), f"cannot read this row: {exc}", "ledger.read") from None


def _delimiter(text: str) -> str:
    """Tab for Excel's "Unicode text" (UTF-16, tab-separated), else a comma."""
    head = text[:4096]
    return "\t" if head.count("\t") > head.count(",") else ","


def _decode(path: Path, wanted: Mapping[str, str]) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise fail(Loc(str(path)), f"cannot read the file: {exc.strerror}", "ledger.read") from None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")  # Excel's "Unicode text"
        except UnicodeDecodeError:
            raise fail(Loc(str(path)), "the file is not valid UTF-16", "ledger.encoding") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    sample = data[: data.rfind(b"\n", 0, SAMPLE_BYTES) + 1 or len(data)]  # whole lines only
    readings = legacy_readings(sample)  # which encoding, judged on the first lines (fast on 100,000 rows)
    if len(readings) == 2:  # a short file reads as GBK and as Big5: the reading whose header we know wins
        scored = sorted(readings, key=lambda r: -_header_score(r[1], wanted))
        if _header_score(scored[0][1], wanted) > _header_score(scored[1][1], wanted):
            readings = scored[:1]
    if len(readings) == 1:
        codec = LEGACY_CODECS[readings[0][0]]
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            pass  # the rest of the file is not what its first lines are: let decode_table say why
    return decode_table(data, path, "ledger.encoding")


def _header_score(text: str, wanted: Mapping[str, str]) -> int:
    lines = text.splitlines()[:HEADER_SEARCH]
    return max((_score(line.replace("\t", ",").split(","), wanted) for line in lines), default=0)


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
