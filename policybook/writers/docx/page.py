"""Write stage (DOCX): page setup, running header and footer.

Two sections, as in the PDF: the front matter (a blank cover, then revision
history and contents numbered I, II …) and the body, numbered from 1 with a
header holding the subsidiary's logo and name and the handbook title, and a
footer with the document code and version and 第 X 页 共 Y 页 (PAGE and
SECTIONPAGES: the cover and front matter are not counted). Page size and margins
come from the kit (inside/outside as mirrored margins when they differ).
"""

from __future__ import annotations

from copy import deepcopy

from docx.document import Document as DocxDocument
from docx.shared import Mm, Twips

from policybook.dates import long_date
from policybook.model import Document
from policybook.naming import document_code
from policybook.writers.docx import oxml
from policybook.writers.docx.context import Context
from policybook.writers.docx.front import picture
from policybook.writers.docx.kit import Kit
from policybook.writers.docx.oxml import Element

HEADER_LOGO_HEIGHT = Mm(6)


def setup(document: DocxDocument, ctx: Context, doc: Document, logo: bytes | None, from_reference: bool) -> Element:
    """Page setup (the reference .docx's, else the kit's), the body's header and footer; returns the
    SECTIONPAGES result run."""
    section = document.sections[0]
    if not from_reference:
        size_and_margins(document, ctx.kit)
    _header(section.header, ctx, doc, logo)
    oxml.prop(section._sectPr, "pgNumType", {"fmt": "decimal", "start": "1"})
    return _footer(section.footer, ctx, doc)


def front_break(document: DocxDocument) -> Element:
    """An empty paragraph that ends the front matter's section (put it after the contents)."""
    front = deepcopy(document.sections[-1]._sectPr)
    for ref in [*front.findall(oxml.w("headerReference")), *front.findall(oxml.w("footerReference"))]:
        front.remove(ref)
    oxml.prop(front, "pgNumType", {"fmt": "upperRoman", "start": "0"})  # the cover is page 0: revisions are I
    oxml.prop(front, "titlePg")  # the cover's own (empty) header and footer
    paragraph = oxml.paragraph()
    oxml.properties(paragraph, "pPr").append(front)
    return paragraph


def front_matter(document: DocxDocument, ctx: Context, doc: Document) -> None:
    """Header and footer of the front section (once it is in the body): none on the cover,
    then the roman page number with code and edition."""
    section = document.sections[0]
    replace_story(section.header, oxml.paragraph(ctx.style("header")))
    version = ctx.kit.words.edition.format(doc.meta.version)
    runs = [*oxml.field("PAGE", [oxml.run("I")]), oxml.run(f"\t\t{document_code(doc)}　{version}")]
    replace_story(section.footer, oxml.paragraph(ctx.style("footer"), runs))


def size_and_margins(document: DocxDocument, kit: Kit) -> None:
    """The kit's page size and margins on the (only) section; mirrored when inside ≠ outside."""
    section = document.sections[0]
    section.page_width, section.page_height = Twips(kit.page[0]), Twips(kit.page[1])
    section.top_margin, section.bottom_margin = Twips(kit.margins["top"]), Twips(kit.margins["bottom"])
    section.left_margin, section.right_margin = Twips(kit.margins["inside"]), Twips(kit.margins["outside"])
    section.header_distance = Twips(kit.margins["top"] * 2 // 5)
    section.footer_distance = Twips(kit.margins["bottom"] * 2 // 5)
    section.gutter = Twips(0)
    if kit.margins["inside"] != kit.margins["outside"]:
        _mirror(document)


def _mirror(document: DocxDocument) -> None:
    settings = document.settings.element
    if settings.find(oxml.w("mirrorMargins")) is None:
        # settings children have a schema order too: mirrorMargins comes before proofState
        later = [settings.find(oxml.w(tag)) for tag in ("alignBordersAndEdges", "proofState", "defaultTabStop")]
        anchor = next((e for e in later if e is not None), None)
        mirror = oxml.el("mirrorMargins")
        if anchor is not None:
            anchor.addprevious(mirror)
        else:
            settings.append(mirror)


def replace_story(story: object, paragraph: Element) -> None:
    """A header or footer holding just ``paragraph`` (not linked to the previous section)."""
    story.is_linked_to_previous = False  # type: ignore[attr-defined]
    root = story._element  # type: ignore[attr-defined]
    for child in list(root):
        root.remove(child)
    root.append(paragraph)


def _header(header: object, ctx: Context, doc: Document, logo: bytes | None) -> None:
    runs: list[Element] = []
    if logo is not None:
        runs += [picture(header.part, logo, HEADER_LOGO_HEIGHT), oxml.run(" ")]  # type: ignore[attr-defined]
    runs += [oxml.run(f"{doc.subsidiary.name}\t\t{doc.meta.title}")]
    replace_story(header, oxml.paragraph(ctx.style("header"), runs))


def _footer(footer: object, ctx: Context, doc: Document) -> Element:
    before, between, after = ctx.kit.words.page
    total = oxml.run("1")
    version = ctx.kit.words.edition.format(doc.meta.version)
    runs = [
        oxml.run(f"{document_code(doc)}　{version}\t{before}"),
        *oxml.field("PAGE", [oxml.run("1")]),
        oxml.run(between),
        *oxml.field("SECTIONPAGES", [total]),
        oxml.run(f"{after}\t{long_date(doc.meta.effective, doc.meta.locale)}"),
    ]
    replace_story(footer, oxml.paragraph(ctx.style("footer"), runs))
    return total
