"""Write stage (forms): ``policybook forms`` — blank forms, CSV filling, flattening, numbered pads.

CSV files are UTF-8 (a BOM is fine) with a header of field names (see
acroform.py); a checkbox group's value is its options joined by ``;`` or ``|``,
a choice's value is one option's text. Every row is checked before anything is
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
from policybook.diagnostics import Diagnostics, fail
from policybook.limits import too_big
from policybook.model import Appendix, Document, Loc
from policybook.naming import form_stem, safe
from policybook.output import staged
from policybook.source.textfile import looks_gbk, read_bytes
from policybook.writers.forms import docx, pdf
from policybook.writers.forms.acroform import FieldSpec, Value

SPLIT_RE = re.compile(r"\s*[;|；]\s*")
SERIAL_MAX = 40  # characters of one serial number


@dataclass
class Request:
    """What ``policybook forms`` was asked to do (already parsed by the CLI)."""

    form_id: str = ""  # "" = every form (blank only)
    fill: Path | None = None
    flatten: bool = False
    serial_start: int | None = None
    count: int = 1
    serial_format: str = "{n}"


def run(doc: Document, request: Request, out: Path) -> list[Path]:
    """Carry out ``request`` for one subsidiary; returns the files written."""
    appendices = [find_form(doc, request.form_id)] if request.form_id else doc.appendices
    if request.serial_start is not None:
        name = _pad_name(doc, appendices[0], request)
        return _publish(out, iter([(name, _pad(doc, appendices[0], request))]))
    if request.fill is not None:
        return _publish(out, _filled(doc, appendices[0], request.fill, request.flatten))
    return _publish(out, _blanks(doc, appendices, request.flatten))


def _blanks(doc: Document, appendices: list[Appendix], flatten: bool) -> Iterator[tuple[str, bytes]]:
    for appendix in appendices:
        stem = form_stem(doc, appendix)
        yield f"{stem}.pdf", pdf.fillable(pdf.prepare(doc, appendix), flatten=flatten)
        yield f"{stem}.docx", docx.render(doc, appendix)


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


def _filled(doc: Document, appendix: Appendix, source: Path, flatten: bool) -> Iterator[tuple[str, bytes]]:
    """One filled PDF per row, made one at a time (the caller streams each to disk)."""
    form = pdf.prepare(doc, appendix)
    rows = read_csv(source, form.specs, appendix.form.id)
    font = form.font(rows)
    stem = form_stem(doc, appendix)
    width = max(3, len(str(len(rows))))
    for i, row in enumerate(rows, start=1):
        yield f"{stem}-{i:0{width}d}.pdf", pdf.fillable(form, row, flatten, font)


def read_csv(path: Path, specs: list[FieldSpec], form_id: str) -> list[dict[str, Value]]:
    """Every row as field values; all problems reported together (file, row, column)."""
    reader = csv.reader(io.StringIO(_decode(path), newline=""))
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise _csv_error(path, reader.line_num, exc) from None
    if not header:
        raise fail(Loc(str(path), 1), "the CSV file is empty; its first row must name the fields", "forms.csv-header")
    by_name = {s.name: s for s in specs}
    diags = Diagnostics()
    columns = _columns(path, header, by_name, form_id, diags)
    diags.raise_if_errors()
    rows = []
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
                rows.append(_row(path, reader.line_num, number, columns, record, by_name, diags))
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
    data = read_bytes(path)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        guess = " (it looks like GBK/GB18030)" if looks_gbk(data) else ""
        raise fail(
            Loc(str(path), line),
            f"the CSV file is not UTF-8{guess}",
            "forms.csv-encoding",
            "save it as 'CSV UTF-8' (Excel) or convert it: iconv -f GBK -t UTF-8",
        ) from None


def _columns(
    path: Path, header: list[str], by_name: dict[str, FieldSpec], form_id: str, diags: Diagnostics
) -> list[str]:
    columns = [h.strip() for h in header]
    for index, name in enumerate(columns, start=1):
        if name not in by_name:
            diags.error(
                Loc(str(path), 1),
                f"column {index} '{name}' is not a field of form '{form_id}'",
                "forms.csv-column",
                f"fields: {', '.join(by_name)}",
            )
        elif columns.index(name) != index - 1:
            diags.error(Loc(str(path), 1), f"column {index} '{name}' appears twice", "forms.csv-column")
    return columns


def _row(
    path: Path,
    line: int,
    number: int,
    columns: list[str],
    record: list[str],
    by_name: dict[str, FieldSpec],
    diags: Diagnostics,
) -> dict[str, Value]:
    if len(record) > len(columns):
        diags.error(
            Loc(str(path), line), f"row {number} has {len(record)} cells, the header {len(columns)}", "forms.csv-row"
        )
    values: dict[str, Value] = {}
    for column, raw in zip(columns, record, strict=False):
        spec = by_name.get(column)
        text = raw.strip()
        if spec is None or not text:
            continue
        if len(text) > limits.CSV_CELL:
            diags.error(
                Loc(str(path), line),
                f"row {number}, column '{column}': {len(text):,} characters (limit {limits.CSV_CELL:,})",
                "limit.csv-cell",
                "a form field holds a few lines",
            )
            continue
        value = _value(spec, text)
        bad = [v for v in ([value] if isinstance(value, str) else value) if spec.options and v not in spec.options]
        for item in bad:
            diags.error(
                Loc(str(path), line),
                f"row {number}, column '{column}': '{item}' is not an option",
                "forms.csv-option",
                f"options: {', '.join(spec.options)}",
            )
        values[column] = value
    return values


def _value(spec: FieldSpec, text: str) -> Value:
    if spec.kind == "checkbox":
        return [part for part in SPLIT_RE.split(text) if part]
    return text


# ---------------------------------------------------------------- atomic output


def _publish(out: Path, files: Iterator[tuple[str, bytes]]) -> list[Path]:
    """Stream every file into a staging folder, then publish them all at once (output.staged)."""
    with staged(out) as staging:
        for name, data in files:
            (staging.folder / name).write_bytes(data)
    return [out / rel for rel in staging.written]
