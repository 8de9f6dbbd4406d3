"""Ledger stage: pre-filled 签收单 — the handbook's own acknowledgement form, one page per employee.

Each page is the form as ``policybook forms`` prints it (same layout, code,
version and appendix number), flattened with the employee's name, id and
department, plus a box with the handbook's code, version, effective date, file
name, the PDF's SHA-256 and a QR code of it, so a signed sheet names the exact
file the employee received.
"""

from __future__ import annotations

import io
from pathlib import Path

from pypdf import PdfReader, PdfWriter

from policybook.dates import long_date
from policybook.diagnostics import Diagnostics, fail
from policybook.ledger.handout import Handout, handout
from policybook.ledger.stamp import Place, mm, qr_svg, stamp_pages, typeset, words
from policybook.naming import safe
from policybook.output import atomic_write
from policybook.writers.forms import pdf
from policybook.writers.forms.fill import find_form
from policybook.writers.forms.typeset import MARGINS

FORM_ID = "acknowledgement"
FIELDS = ("employee_name", "employee_no", "department")
BOX_W, BOX_H = 180.0, 30.0  # mm: the text width of an A4 form
BOX_BOTTOM = MARGINS["margin-bottom"] + 8.0  # mm above the page's lower edge, clear of the footer


def write_sheets(
    source: str | Path, sub_id: str, department: str, out: Path, url: str, diags: Diagnostics
) -> tuple[Path | None, int]:
    """One PDF of sheets for everyone in ``sub_id`` who has not signed; (file, pages)."""
    given = handout(source, sub_id, department, False, url, diags)
    if not given.people:
        return None, 0
    appendix = find_form(given.doc, FORM_ID)
    form = pdf.prepare(given.doc, appendix)
    missing = [f for f in FIELDS if f not in {s.name for s in form.specs}]
    if missing:
        raise fail(appendix.form.loc, f"the 签收单 form has no field {', '.join(missing)}", "ack.form")
    values = [{"employee_name": p.name, "employee_no": p.id, "department": p.department} for p in given.people]
    font = form.font(values)
    writer = PdfWriter()
    for row in values:
        writer.append(PdfReader(io.BytesIO(pdf.fillable(form, row, flatten=True, font=font))))
    writer.compress_identical_objects()  # the field font once, not once per page
    stamp = typeset(given.doc, [checksum_box(given)], appendix.form.title)[0]
    stamp_pages(writer, stamp, lambda _page: Place(mm(MARGINS["margin-x"]), mm(BOX_BOTTOM)))
    target = out / sheet_name(given, department)
    buffer = io.BytesIO()
    writer.write(buffer)
    atomic_write(target, buffer.getvalue())
    return target, len(values)


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
