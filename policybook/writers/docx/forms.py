"""Write stage (DOCX): the handbook's form appendices — each form as the forms writer draws it.

The forms writer's DOCX (forms/docx.py) builds the form's header, grid of content
controls and notes; here they are taken as body elements, as wide as the
handbook's text, with the denser metrics the printed form needed to fit a page,
and rows lower still where the handbook's page leaves less height than the form's own.
"""

from __future__ import annotations

from dataclasses import replace

from policybook.model import Document
from policybook.writers.docx.kit import Kit
from policybook.writers.docx.oxml import Element

TWIPS_PER_MM = 1440 / 25.4
HEADING_MM = 20.0  # the appendix's own heading (附件三　客户服务记录单　CS-F-001) above the form


def form_pages(doc: Document, kit: Kit) -> dict[str, list[Element]]:
    """Every form appendix's elements, by the appendix's anchor."""
    # imported here: the forms writer imports this package's oxml (an import cycle otherwise)
    from policybook.writers.forms.docx import form_elements
    from policybook.writers.forms.typeset import typeset

    doc = doc if doc.brand is not None else replace(doc, brand=kit.brand)
    width, height = kit.text_width / TWIPS_PER_MM, kit.text_height / TWIPS_PER_MM - HEADING_MM
    return {
        a.anchor: form_elements(doc, a, width, typeset(doc, a, dated=False).compact, height) for a in doc.appendices
    }
