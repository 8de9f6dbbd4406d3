"""Write stage (pdf): the handbook's form appendices — each form typeset exactly as it prints alone.

The forms writer's layout (forms/typeset.py) sets every form as a PDF of its own;
the handbook places those pages as images (Typst draws a PDF page as vector
content, its fonts and text kept), so the printed book carries the very blank
form HR hands out, with its 附件 number and code.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from policybook.model import Appendix, Brand, Document

if TYPE_CHECKING:
    from policybook.writers.forms.typeset import Typeset


@dataclass(frozen=True)
class Sheet:
    """One form as printed: the files of its pages (PDF, or SVG for PDF/A) and page size (points)."""

    files: dict[str, bytes]
    pages: list[tuple[str, int | None]]  # (file, page in it) — PDF: one file, pages 1…n
    width: float
    height: float


def sheet_name(appendix: Appendix) -> str:
    """The name a form's sheet goes by in the template's data."""
    return f"form-{appendix.ordinal}"


def form_sheets(doc: Document, brand: Brand, svg: bool = False) -> dict[str, Sheet]:
    """Every appendix's form, typeset with the subsidiary's brand kit.

    ``svg``: PDF/A cannot embed PDF pages (Typst refuses), so the pages come as SVG
    — drawn the same, but their text is outlines."""
    # imported here: the forms writer reads this package's settings (an import cycle otherwise)
    from policybook.writers.forms.typeset import typeset

    doc = doc if doc.brand is not None else replace(doc, brand=brand)
    return {sheet_name(a): _sheet(sheet_name(a), typeset(doc, a, svg=svg, dated=False)) for a in doc.appendices}


def sheet_files(sheets: dict[str, Sheet]) -> dict[str, bytes]:
    return {name: data for sheet in sheets.values() for name, data in sheet.files.items()}


def sheet_info(sheets: dict[str, Sheet]) -> dict[str, Any]:
    """What the template needs to place each sheet: its pages and size."""
    return {
        name: {"pages": [{"file": f, "page": p} for f, p in s.pages], "w": s.width, "h": s.height}
        for name, s in sheets.items()
    }


def _sheet(name: str, sheet: Typeset) -> Sheet:
    """Pages and size come with the layout (Typst's query, the form's paper): no PDF is read."""
    if sheet.svgs:
        files = {f"{name}-{i}.svg": page for i, page in enumerate(sheet.svgs, start=1)}
        pages: list[tuple[str, int | None]] = [(f, None) for f in files]
    else:
        files = {f"{name}.pdf": sheet.pdf}
        pages = [(f"{name}.pdf", n) for n in range(1, sheet.pages + 1)]
    return Sheet(files, pages, *sheet.size)
