"""Ledger stage: write tables HR opens in Excel or LibreOffice Calc — CSV and XLSX, safely.

- No cell is ever a formula: a CSV cell starting with ``= + - @``, a tab or a
  carriage return gets a leading apostrophe (the OWASP rule against CSV
  injection); an XLSX text cell is written as text (``t="inlineStr"``), never
  as a formula, whatever it starts with.
- CSV is UTF-8 with a BOM (Excel reads the Chinese names) and CRLF line ends.
- XLSX has real dates, text that stays text (a version 3.10 is not the number
  3.1), column widths from the content, a frozen, repeated header row and a
  page setup one page wide; rows are streamed (write-only workbook).
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Sequence

from policybook.widths import display_width

Value = str | int | float | datetime.date | None
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
MAX_WIDTH = 48  # characters: a very long department path wraps instead of widening the page
DATE_FORMAT = "yyyy-mm-dd"


def neutral(text: str) -> str:
    """A CSV cell no spreadsheet evaluates: a leading apostrophe before = + - @ tab CR."""
    return "'" + text if text.startswith(DANGEROUS) else text


def as_csv(header: Sequence[str], rows: Iterable[Sequence[Value]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([neutral(h) for h in header])
    for row in rows:
        writer.writerow([_csv_cell(v) for v in row])
    return "\ufeff" + out.getvalue()  # a BOM, so Excel opens the Chinese names as UTF-8


def _csv_cell(value: Value) -> str | int | float:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, int | float):
        return value
    return neutral(value)


def as_xlsx(
    title: str, header: Sequence[str], rows: Iterable[Sequence[Value]], text_columns: Sequence[int] = ()
) -> bytes:
    """A one-sheet workbook; ``text_columns`` (0-based) are text even when they look like numbers."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    body = list(rows)
    widths = _widths(header, body)
    for index, width in enumerate(widths):
        sheet.column_dimensions[_letter(index)].width = width
    sheet.freeze_panes = "A2"
    sheet.print_title_rows = "1:1"
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # as many pages down as it takes, one page across
    sheet.page_setup.orientation = "landscape" if sum(widths) > 100 else "portrait"
    sheet.page_setup.paperSize = "9"  # A4
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    sheet.append([_cell(sheet, h, text=True, font=bold) for h in header])
    texts = set(text_columns)
    for row in body:
        sheet.append([_cell(sheet, v, text=i in texts, alignment=wrap) for i, v in enumerate(row)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(sheet: object, value: Value, text: bool = False, font: object = None, alignment: object = None) -> object:
    from openpyxl.cell import WriteOnlyCell

    if isinstance(value, str) or (text and value is not None):
        cell = WriteOnlyCell(sheet, value=str(value))
        cell.data_type = "s"  # text, even when it starts with '=' (openpyxl would write a formula)
        cell.number_format = "@"
    else:
        cell = WriteOnlyCell(sheet, value=value)
        if isinstance(value, datetime.date):
            cell.number_format = DATE_FORMAT
    if font is not None:
        cell.font = font
    if alignment is not None and isinstance(value, str):
        cell.alignment = alignment
    return cell


def _widths(header: Sequence[str], rows: list[Sequence[Value]]) -> list[float]:
    widths = [display_width(h) for h in header]
    for row in rows:
        for index, value in enumerate(row[: len(widths)]):
            shown = 10 if isinstance(value, datetime.date) else display_width(str(value)) if value is not None else 0
            widths[index] = max(widths[index], shown)
    return [min(MAX_WIDTH, w) + 2.0 for w in widths]


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(index + 1))
