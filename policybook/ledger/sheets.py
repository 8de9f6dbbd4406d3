"""Ledger stage: pre-filled 签收单 — the handbook's own acknowledgement form, one page per employee.

Each page is the form as ``policybook forms`` prints it (same layout, code,
version and appendix number), flattened with the employee's name, id and
department, plus a box with the handbook's code, version, effective date, file
name, the PDF's SHA-256 and a QR code of it, so a signed sheet names the exact
file the employee received.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping
from dataclasses import replace
from itertools import groupby
from pathlib import Path

from pypdf import PageObject, PdfReader, PdfWriter

from policybook.dates import long_date
from policybook.diagnostics import Diagnostics, fail
from policybook.language import of as language_of
from policybook.ledger.handout import Handout, handout
from policybook.ledger.pdfstream import StreamingPdf, frozen
from policybook.ledger.stamp import Place, mm, qr_svg, stamp_pages, typeset, words
from policybook.naming import safe
from policybook.output import staged
from policybook.writers.forms import pdf
from policybook.writers.forms.acroform import TEXT_SIZE, FieldSpec, Value, render_merged
from policybook.writers.forms.appearance import PAD
from policybook.writers.forms.cjkfont import CutFont
from policybook.writers.forms.fill import find_form
from policybook.writers.forms.typeset import MARGINS

FORM_ID = "acknowledgement"
FIELDS = ("employee_name", "employee_no", "department")
BOX_W, BOX_H = 180.0, 30.0  # mm: the text width of an A4 form
BOX_BOTTOM = MARGINS["margin-bottom"] + 8.0  # mm above the page's lower edge, clear of the footer
BATCH = 250  # sheets filled at a time before they are streamed to the file
SHRINK = 0.6  # how far a one-line value is shrunk before it wraps (see forms.appearance.text_line)


def write_sheets(
    source: str | Path, sub_id: str, department: str, out: Path, url: str, diags: Diagnostics
) -> tuple[Path | None, int]:
    """One PDF of sheets for everyone in ``sub_id`` who has not signed; (file, pages).

    The checksum box is stamped once onto the blank form; the sheets are filled a
    batch at a time and streamed to disk (:class:`StreamingPdf`), so memory does
    not grow with the number of employees."""
    given = handout(source, sub_id, department, False, url, diags)
    if not given.people:
        return None, 0
    appendix = find_form(given.doc, FORM_ID)
    form = pdf.prepare(given.doc, appendix)
    missing = [f for f in FIELDS if f not in {s.name for s in form.specs}]
    if missing:
        raise fail(appendix.form.loc, f"the 签收单 form has no field {', '.join(missing)}", "ack.form")
    values: list[Row] = [
        {"employee_name": p.name, "employee_no": p.id, "department": p.department} for p in given.people
    ]
    font = form.font(values)
    template = _with_box(form.sheet.pdf, typeset(given.doc, [checksum_box(given)], appendix.form.title)[0])
    name = sheet_name(given, department)
    with staged(out) as staging, (staging.folder / name).open("wb") as handle, frozen():
        stream = StreamingPdf(handle, language_of(given.doc.meta, given.doc.subsidiary).tag)
        for start in range(0, len(values), BATCH):
            for specs, run in _runs(form, font, values[start : start + BATCH]):
                stream.add(render_merged(template, specs, run, font, form.color, given.doc.meta.locale))
        stream.close()
    return out / name, stream.pages


def _with_box(blank: bytes, box: PageObject) -> bytes:
    """The blank form with the checksum box drawn on each of its pages."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(blank)))
    stamp_pages(writer, box, lambda _page: Place(mm(MARGINS["margin-x"]), mm(BOX_BOTTOM)))
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


Row = Mapping[str, Value]


def _runs(form: pdf.Prepared, font: CutFont | None, rows: list[Row]) -> Iterator[tuple[list[FieldSpec], list[Row]]]:
    """Consecutive rows that print alike: a value too long for its line even shrunk (a long name or
    department path) is wrapped onto two lines of its box instead — never cut off."""
    for wraps, run in groupby(rows, key=lambda row: _too_long(form.specs, font, row)):
        specs = [replace(s, kind="multiline", lines=2) if s.name in wraps else s for s in form.specs]
        yield specs, list(run)


def _too_long(specs: list[FieldSpec], font: CutFont | None, row: Row) -> frozenset[str]:
    if font is None:
        return frozenset()
    out = set()
    for spec in specs:
        value = row.get(spec.name)
        if spec.kind == "text" and isinstance(value, str) and value:
            room = spec.boxes[0].w - 2 * PAD
            if font.width(" ".join(value.split()), TEXT_SIZE * SHRINK) > room:
                out.add(spec.name)
    return frozenset(out)


def checksum_box(given: Handout) -> dict[str, object]:
    doc = given.doc
    say = words(doc)
    return {
        "kind": "sheet",
        "w": BOX_W,
        "h": BOX_H,
        "qr": qr_svg(given.sha256),
        "heading": say("所收手册文件"),
        "lines": [
            {"label": say("手册编号"), "value": f"{doc.meta.code}-{doc.subsidiary.code}"},
            {
                "label": say("版本"),
                "value": f"{doc.meta.version}　{say('施行日期')}：{long_date(doc.meta.effective, doc.meta.locale)}",
            },
            {"label": say("文件"), "value": Path(given.file).name},
            {"label": "SHA-256", "value": given.sha256, "mono": True},
        ],
        "note": say("二维码内容即上列 SHA-256 校验值，可与所收 PDF 文件的校验值核对（如 sha256sum 文件名）。"),
    }


def sheet_name(given: Handout, department: str) -> str:
    doc = given.doc
    stem = safe(f"{doc.meta.code}-{doc.subsidiary.code}-v{doc.meta.version}-{words(doc)('签收单')}")
    return f"{stem}-{safe(department)}.pdf" if department else f"{stem}.pdf"
