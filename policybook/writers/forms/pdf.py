"""Write stage (forms): the PDF products of one form — fillable blank, filled, pad.

A :class:`Prepared` form is typeset once (one Typst compile per form and
subsidiary); the blank and every filled copy are drawn from that one layout.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from policybook.diagnostics import fail
from policybook.model import Appendix, Document
from policybook.writers.forms.acroform import FieldSpec, Value, field_specs, render, render_merged
from policybook.writers.forms.cjkfont import ALWAYS, CutFont, value_font
from policybook.writers.forms.typeset import Typeset, typeset
from policybook.writers.pdf.settings import variant_fonts

SHARED_MAX = 32_000  # bytes of a batch's font cut that every filled copy may carry whole


@dataclass
class Prepared:
    doc: Document
    appendix: Appendix
    sheet: Typeset
    specs: list[FieldSpec]

    @property
    def color(self) -> tuple[float, float, float]:
        brand = self.doc.brand
        return hex_rgb(brand.colors.get("text", "#000000") if brand else "#000000")

    def font(self, values: Iterable[Mapping[str, Value]] = ()) -> CutFont | None:
        """A cut with every character of ``values`` (None when there is nothing to draw)."""
        assert self.doc.brand is not None
        chars = {ch for row in values for value in row.values() for ch in _text(value)}
        fonts = variant_fonts(self.doc, self.doc.brand)
        return value_font(self.doc.brand, fonts["heading"] + fonts["body"], chars) if chars else None


def prepare(doc: Document, appendix: Appendix) -> Prepared:
    sheet = typeset(doc, appendix)
    return Prepared(doc, appendix, sheet, field_specs(appendix.form, sheet.boxes, doc.meta.locale))


def fillable(
    form: Prepared,
    values: Mapping[str, Value] | None = None,
    flatten: bool = False,
    font: CutFont | None = None,
    small: dict[str, float] | None = None,
) -> bytes:
    """The form with AcroForm fields (optionally filled), or flattened with values printed.

    ``font``: a batch's cut (:meth:`Prepared.font` of every row). Up to SHARED_MAX
    bytes every copy carries it whole — narrowing it to a copy's own characters cost
    more than writing the copy; a larger cut is narrowed, so each file stays small."""
    values = values or {}
    if font is None:
        font = form.font([values])
    elif len(font.cff) > SHARED_MAX:
        font = font.narrow(_chars(values))
    return render(form.sheet.pdf, form.specs, values, font, form.color, flatten, form.doc.meta.locale, small)


def merged(form: Prepared, rows: list[Mapping[str, Value]], small: list[dict[str, float]] | None = None) -> bytes:
    """Every row flattened into one PDF to print: a copy of the form per row, one font cut."""
    locale = form.doc.meta.locale
    return render_merged(form.sheet.pdf, form.specs, rows, form.font(rows), form.color, locale, small)


def pad(doc: Document, appendix: Appendix, serials: list[str]) -> bytes:
    """One printable PDF, a page (copy) per serial number pre-printed in the 编号 cell."""
    serial_field(appendix)
    return typeset(doc, appendix, serials).pdf


def serial_field(appendix: Appendix) -> str:
    """The form's serial number (编号) field; an error if it has none."""
    serials = [c.name for c in appendix.form.fields() if c.type == "serial"]
    if not serials:
        raise fail(
            appendix.form.loc,
            f"form '{appendix.form.id}' has no serial (编号) field to number",
            "forms.no-serial",
            "add a cell with type: serial",
        )
    return serials[0]


def hex_rgb(value: str) -> tuple[float, float, float]:
    value = value.lstrip("#")
    return (int(value[0:2], 16) / 255, int(value[2:4], 16) / 255, int(value[4:6], 16) / 255)


def _chars(values: Mapping[str, Value]) -> set[str]:
    return {ch for value in values.values() for ch in _text(value)} | set(ALWAYS)


def _text(value: Value) -> str:
    return value if isinstance(value, str) else "".join(value)
