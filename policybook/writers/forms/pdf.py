"""Write stage (forms): the PDF products of one form — fillable blank, filled, pad.

A :class:`Prepared` form is typeset once (one Typst compile per form and
subsidiary); the blank and every filled copy are drawn from that one layout.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from policybook.diagnostics import fail
from policybook.language import Language
from policybook.language import of as language_of
from policybook.model import Appendix, Document
from policybook.writers.forms.acroform import FieldSpec, Value, field_specs, render
from policybook.writers.forms.cjkfont import CutFont, field_font
from policybook.writers.forms.typeset import Typeset, typeset


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

    def font(self, values: Iterable[Mapping[str, Value]] = ()) -> CutFont:
        """The field font: the charset cut, extended by any rarer character in ``values``."""
        assert self.doc.brand is not None
        base = field_font(self.doc.brand, self.language)
        extra = {ch for row in values for value in row.values() for ch in _text(value) if ch not in base.cids}
        extra -= set("\n\r\t")
        return field_font(self.doc.brand, self.language, extra) if extra else base

    @property
    def language(self) -> Language:
        return language_of(self.doc.meta, self.doc.subsidiary)


def prepare(doc: Document, appendix: Appendix) -> Prepared:
    sheet = typeset(doc, appendix)
    return Prepared(
        doc, appendix, sheet, field_specs(appendix.form, sheet.boxes, language_of(doc.meta, doc.subsidiary))
    )


def fillable(
    form: Prepared, values: Mapping[str, Value] | None = None, flatten: bool = False, font: CutFont | None = None
) -> bytes:
    """The form with AcroForm fields (optionally filled), or flattened with values printed."""
    values = values or {}
    font = font or form.font([values])
    return render(form.sheet.pdf, form.specs, values, font, form.color, flatten)


def pad(doc: Document, appendix: Appendix, serials: list[str]) -> bytes:
    """One printable PDF, a page (copy) per serial number pre-printed in the 编号 cell."""
    if not any(c.type == "serial" for c in appendix.form.fields()):
        raise fail(
            appendix.form.loc,
            f"form '{appendix.form.id}' has no serial (编号) field to number",
            "forms.no-serial",
            "add a cell with type: serial",
        )
    return typeset(doc, appendix, serials).pdf


def hex_rgb(value: str) -> tuple[float, float, float]:
    value = value.lstrip("#")
    return (int(value[0:2], 16) / 255, int(value[2:4], 16) / 255, int(value[4:6], 16) / 255)


def _text(value: Value) -> str:
    return value if isinstance(value, str) else "".join(value)
