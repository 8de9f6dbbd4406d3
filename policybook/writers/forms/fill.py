"""Write stage (forms): ``policybook forms`` — blank forms, CSV filling, flattening, numbered pads.

CSV files are UTF-8 (a BOM is fine) with a header of field names (see
acroform.py) or of the labels printed on the form (姓名, 起始日期 …); a checkbox
group's value is its options joined by ``;`` or ``|``, a choice's value is one
option's text, a date is YYYY-MM-DD (or 2026年12月3日) and must exist, a number
is digits. Every row is checked before anything is
written, and every problem names the CSV file, row and column. Outputs are
written to temporary files and renamed into place only when all succeeded.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from policybook import limits
from policybook.dates import written
from policybook.diagnostics import Diagnostics, fail
from policybook.limits import too_big
from policybook.model import Appendix, Document, Loc
from policybook.naming import form_stem, safe
from policybook.output import staged
from policybook.source.textfile import CONTROL_RE, decode_table, read_bytes
from policybook.writers.forms import pdf
from policybook.writers.forms.acroform import FieldSpec, Value
from policybook.writers.forms.appearance import MIN_SIZE

SPLIT_RE = re.compile(r"\s*[;|；]\s*")
SERIAL_MAX = 40  # characters of one serial number
NUMBER_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


@dataclass
class Request:
    """What ``policybook forms`` was asked to do (already parsed by the CLI)."""

    form_id: str = ""  # "" = every form (blank only)
    fill: Path | None = None
    flatten: bool = False
    serial_start: int | None = None
    count: int = 1
    serial_format: str = "{n}"
    merge: bool = False  # with ``fill``: every row in one print-ready PDF


def run(doc: Document, request: Request, out: Path, diags: Diagnostics | None = None) -> list[Path]:
    """Carry out ``request`` for one subsidiary; returns the files written. ``diags`` receives
    a warning for every value that had to be set below the smallest readable size."""
    appendices = [find_form(doc, request.form_id)] if request.form_id else doc.appendices
    if request.fill is not None:
        return _publish(out, _filled(doc, appendices[0], request, diags if diags is not None else Diagnostics()))
    if request.serial_start is not None:
        name = _pad_name(doc, appendices[0], request)
        return _publish(out, iter([(name, _pad(doc, appendices[0], request))]))
    return _publish(out, _blanks(doc, appendices, request.flatten))


def _blanks(doc: Document, appendices: list[Appendix], flatten: bool) -> Iterator[tuple[str, bytes]]:
    from policybook.writers.forms import docx  # python-docx only for blanks: filling a CSV never loads it

    for appendix in appendices:
        stem = form_stem(doc, appendix)
        form = pdf.prepare(doc, appendix)
        yield f"{stem}.pdf", pdf.fillable(form, flatten=flatten)
        yield f"{stem}.docx", docx.render(doc, appendix, form.sheet.compact)


def find_form(doc: Document, form_id: str) -> Appendix:
    for appendix in doc.appendices:
        if appendix.form.id == form_id:
            return appendix
    known = ", ".join(a.form.id for a in doc.appendices) or "none"
    raise fail(
        None, f"form '{form_id}' is not an appendix of '{doc.subsidiary.id}'", "forms.unknown", f"known: {known}"
    )


def serial_text(fmt: str, n: int) -> str:
    """``{:09d}`` → 202611001 · ``SZ-{n:05d}`` → SZ-00042 (raises ValueError/KeyError/IndexError if bad)."""
    return fmt.format(n, n=n)


# ---------------------------------------------------------------- pads


def _pad(doc: Document, appendix: Appendix, request: Request) -> bytes:
    assert request.serial_start is not None
    numbers = range(request.serial_start, request.serial_start + request.count)
    return pdf.pad(doc, appendix, [serial_text(request.serial_format, n) for n in numbers])


def check_serials(request: Request) -> str:
    """Why the pad cannot be made as asked ("" if it can): too many pages, serials too long."""
    assert request.serial_start is not None
    if request.count > limits.PAD_COUNT:
        return f"--count {request.count:,} is more than {limits.PAD_COUNT:,} pages in one pad; make several pads"
    for n in (request.serial_start, request.serial_start + request.count - 1):
        if len(serial_text(request.serial_format, n)) > SERIAL_MAX:
            return f"serial numbers longer than {SERIAL_MAX} characters ({serial_text(request.serial_format, n)[:20]}…)"
    return ""


def _pad_name(doc: Document, appendix: Appendix, request: Request) -> str:
    assert request.serial_start is not None
    first = serial_text(request.serial_format, request.serial_start)
    last = serial_text(request.serial_format, request.serial_start + request.count - 1)
    return f"{form_stem(doc, appendix)}-{safe(first)}-{safe(last)}.pdf"


# ---------------------------------------------------------------- CSV filling


def _filled(doc: Document, appendix: Appendix, request: Request, diags: Diagnostics) -> Iterator[tuple[str, bytes]]:
    """One filled PDF per row, made one at a time (the caller streams each to disk), or
    (``merge``) all rows in one; ``serial_start`` numbers the rows."""
    assert request.fill is not None
    form = pdf.prepare(doc, appendix)
    rows: list[dict[str, Value]] = list(read_csv(request.fill, form.specs, appendix.form.id))
    if request.serial_start is not None:
        serial = pdf.serial_field(appendix)
        for i, row in enumerate(rows):
            row.setdefault(serial, serial_text(request.serial_format, request.serial_start + i))
    stem = form_stem(doc, appendix)
    width = max(3, len(str(len(rows))))
    if request.merge:
        small: list[dict[str, float]] = []
        yield f"{stem}-{1:0{width}d}-{len(rows):0{width}d}.pdf", pdf.merged(form, list(rows), small)
        for number, row_sizes in enumerate(small, start=1):
            _warn_small(diags, request.fill, number, row_sizes, rows[number - 1])
        return
    font = form.font(rows)
    for i, row in enumerate(rows, start=1):
        sizes: dict[str, float] = {}
        yield f"{stem}-{i:0{width}d}.pdf", pdf.fillable(form, row, request.flatten, font, sizes)
        _warn_small(diags, request.fill, i, sizes, row)


def _warn_small(diags: Diagnostics, path: Path, number: int, sizes: dict[str, float], row: dict[str, Value]) -> None:
    """A value drawn whole but smaller than appearance.MIN_SIZE: say so (it is never cut)."""
    for name, size in sizes.items():
        value = row.get(name, "")
        text = value if isinstance(value, str) else "".join(value)
        shown = text if len(text) <= 24 else text[:23] + "…"
        diags.warning(
            Loc(str(path), number + 1),
            f"row {number} ({name}): '{shown}' is printed at {size:.1f} pt to fit its box "
            f"(smaller than {MIN_SIZE:g} pt)",
            "forms.value-small",
            "shorten the value, or give the field more room (span, lines) in the form",
        )


def read_csv(path: Path, specs: list[FieldSpec], form_id: str) -> list[dict[str, Value]]:
    """Every row as field values; all problems reported together (file, row, column)."""
    reader = csv.reader(io.StringIO(_decode(path), newline=""))
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise _csv_error(path, reader.line_num, exc) from None
    if not header:
        raise fail(Loc(str(path), 1), "the CSV file is empty; its first row must name the fields", "forms.csv-header")
    diags = Diagnostics()
    columns = _columns(path, header, specs, form_id, diags)
    rows = []
    line = reader.line_num + 1  # where the next record starts (a quoted cell may span lines)
    try:
        for number, record in enumerate(reader, start=1):
            if number > limits.CSV_ROWS:
                raise too_big(
                    Loc(str(path), reader.line_num),
                    "too many rows in the CSV file",
                    limits.CSV_ROWS,
                    "csv-rows",
                    "split it into several files",
                )
            if any(cell.strip() for cell in record):
                rows.append(_row(Loc(str(path), line), number, columns, record, diags))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise _csv_error(path, reader.line_num, exc) from None
    diags.raise_if_errors()
    if not rows:
        raise fail(Loc(str(path), 1), "the CSV file has a header but no rows to fill", "forms.csv-empty")
    return rows


def _csv_error(path: Path, line: int, exc: csv.Error) -> Exception:
    return fail(
        Loc(str(path), max(line, 1)),
        f"cannot read the CSV file: {exc}",
        "forms.csv-syntax",
        "save it from a spreadsheet as 'CSV UTF-8'",
    )


def _decode(path: Path) -> str:
    return decode_table(read_bytes(path), path, "forms.csv-encoding")


def headers(specs: list[FieldSpec]) -> dict[str, list[FieldSpec]]:
    """What a CSV column may be called: a field name, or the label printed on the form."""
    out: dict[str, list[FieldSpec]] = {}
    for spec in specs:
        out.setdefault(spec.name, []).append(spec)
    for spec in specs:
        if spec.label and spec.label != spec.name and spec not in out.get(spec.label, []):
            out.setdefault(spec.label, []).append(spec)
    return out


def _columns(
    path: Path, header: list[str], specs: list[FieldSpec], form_id: str, diags: Diagnostics
) -> list[FieldSpec | None]:
    known = headers(specs)
    columns: list[FieldSpec | None] = []
    for index, raw in enumerate(header, start=1):
        title = raw.strip()
        found = known.get(title, [])
        spec = found[0] if len(found) == 1 else None
        if not found:
            names = ", ".join(f"{s.name} ({s.label})" for s in specs)
            diags.error(
                Loc(str(path), 1),
                f"column {index} '{title}' is not a field of form '{form_id}'",
                "forms.csv-column",
                f"fields: {names}",
            )
        elif spec is None:
            names = ", ".join(s.name for s in found)
            diags.error(
                Loc(str(path), 1),
                f"column {index} '{title}' could be {names}",
                "forms.csv-column",
                "use the field name",
            )
        elif spec in columns:
            diags.error(Loc(str(path), 1), f"column {index} '{title}' fills '{spec.name}' again", "forms.csv-column")
        columns.append(spec)
    return columns


def _row(
    loc: Loc, number: int, columns: list[FieldSpec | None], record: list[str], diags: Diagnostics
) -> dict[str, Value]:
    if len(record) > len(columns):
        diags.error(loc, f"row {number} has {len(record)} cells, the header {len(columns)}", "forms.csv-row")
    values: dict[str, Value] = {}
    for index, (spec, raw) in enumerate(zip(columns, record, strict=False), start=1):
        text = raw.strip()
        if spec is None or not text:
            continue
        where = f"row {number}, column {index} ({spec.name})"
        if CONTROL_RE.search(text):
            diags.error(loc, f"{where}: a control character (such as NUL) in the value", "forms.csv-control")
            continue
        if len(text) > limits.CSV_CELL:
            message = f"{where}: {len(text):,} characters (limit {limits.CSV_CELL:,})"
            diags.error(loc, message, "limit.csv-cell", "a form field holds a few lines")
            continue
        value, problems = _value(spec, text)
        for message, kind, hint in problems:
            diags.error(loc, f"{where}: {message}", kind, hint)
        values[spec.name] = value
    return values


def _value(spec: FieldSpec, text: str) -> tuple[Value, list[tuple[str, str, str]]]:
    """The cell as a field value, and what is wrong with it (message, kind, hint)."""
    options = ", ".join(spec.options)
    if spec.kind == "checkbox":
        chosen = [part for part in SPLIT_RE.split(text) if part]
        bad = [c for c in chosen if c not in spec.options]
        return chosen, [(f"'{c}' is not an option", "forms.csv-option", f"options: {options}") for c in bad]
    if spec.kind == "radio" and text not in spec.options:
        return text, [(f"'{text}' is not an option", "forms.csv-option", f"options: {options}")]
    if spec.kind == "date":
        day = written(text)
        if day is None:
            return text, [(f"'{text}' is not a date", "forms.csv-date", "write dates as YYYY-MM-DD, e.g. 2026-12-03")]
        return day.isoformat(), []
    if spec.kind == "number" and not NUMBER_RE.match(text):
        return text, [(f"'{text}' is not a number", "forms.csv-number", "digits, an optional sign and decimal point")]
    return text, []


# ---------------------------------------------------------------- atomic output


def _publish(out: Path, files: Iterator[tuple[str, bytes]]) -> list[Path]:
    """Stream every file into a staging folder, then publish them all at once (output.staged)."""
    with staged(out) as staging:
        for name, data in files:
            (staging.folder / name).write_bytes(data)
    return [out / rel for rel in staging.written]
