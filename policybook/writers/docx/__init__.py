"""Write stage: the editable DOCX handbook (python-docx), one per subsidiary.

``dist/<subsidiary>/<handbook_stem>.docx``: cover, revision history, a table of
contents that already lists its entries, chapters/sections/articles/items with
the model's literal numbers, tables with repeating headers, cross-references as
internal hyperlinks, the appendix list; named styles from the kit's reference
.docx or a clean default; deterministic bytes for a fixed ``SOURCE_DATE_EPOCH``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import docx
from docx.document import Document as DocxDocument

from policybook.model import Document
from policybook.naming import handbook_stem
from policybook.writers import Writer, register
from policybook.writers.docx import (
    body,
    front,
    identity,
    images,
    page,
    page_cache,
    pagination,
    properties,
    styles,
)
from policybook.writers.docx.context import Context, referenced_anchors
from policybook.writers.docx.forms import form_pages
from policybook.writers.docx.kit import Kit, kit_for
from policybook.writers.docx.oxml import Element


def write(doc: Document, out: Path) -> list[Path]:
    return write_many([(doc, out)])[0]


def write_many(jobs: list[tuple[Document, Path]]) -> list[list[Path]]:
    """Several handbooks at once: one LibreOffice lays out every draft it has not laid out
    before (its start-up costs more than a document), then each contents page gets its page
    numbers. It starts with the first draft that needs it, and lays each out while the next
    is built."""
    drafts: list[Draft] = []
    with page_cache.Pagination() as paging:
        for doc, _ in jobs:
            drafts.append(Draft(doc))
            paging.add(drafts[-1].data)
        all_pages = paging.pages()
    written: list[list[Path]] = []
    for (doc, out), draft, pages in zip(jobs, drafts, all_pages, strict=True):
        path = out / f"{handbook_stem(doc)}.docx"
        path.write_bytes(draft.finish(pages))
        written.append([path])
    return written


def write_draft(doc: Document, out: Path) -> list[Path]:
    """The DOCX without the LibreOffice pass: its contents list every entry, without page numbers."""
    path = out / f"{handbook_stem(doc)}.docx"
    path.write_bytes(Draft(doc).data)
    return [path]


def render(doc: Document) -> bytes:
    """The handbook as .docx bytes."""
    draft = Draft(doc)
    return draft.finish(page_cache.page_numbers_many([draft.data])[0])


class Draft:
    """A handbook built in full, waiting for its contents page numbers."""

    def __init__(self, doc: Document) -> None:
        kit = kit_for(doc)
        self.document = document = base_document(kit)
        from_reference = bool(kit.brand.reference_docx)
        self.ctx = ctx = Context(
            kit, styles.prepare(document, kit, from_reference), document.part, referenced_anchors(doc)
        )
        logo = _logo(kit)
        self.total = page.setup(document, ctx, doc, logo, from_reference)
        forms = form_pages(doc, kit)
        main = [*body.chapters(ctx, doc), *body.appendices(ctx, doc.all_appendices(), forms)]
        self.contents = front.toc(ctx, ctx.state.headings, None)
        front_matter = [*front.cover(ctx, doc, logo), *front.revisions(ctx, doc), *self.contents]
        fill(document, [*front_matter, page.front_break(document), *main])
        page.front_matter(document, ctx, doc)
        self.first = ctx.state.headings[0].bookmark if doc.chapters else ""
        properties.set_core(document, doc, kit)
        identity.set_custom(document, identity.properties_of(doc))
        self.data = properties.package_bytes(document)

    def finish(self, pages: pagination.Pages | None) -> bytes:
        """The final bytes: the draft itself when no page numbers could be learnt."""
        if pages is None:
            return self.data
        pages = pages.from_page(pages.bookmarks.get(self.first) or 1)  # the body is numbered from 1
        _replace(self.contents, front.toc(self.ctx, self.ctx.state.headings, pages))
        self.total.append(_text(str(pages.total), self.total))
        return properties.package_bytes(self.document)


def base_document(kit: Kit) -> DocxDocument:
    """The reference .docx with its body emptied, or python-docx's template to be cleaned."""
    document = docx.Document(kit.brand.reference_docx or None)
    if not kit.brand.reference_docx:
        properties.drop_template_leftovers(document)
    content = document.element.body
    for child in list(content):
        if child.tag != body.oxml.w("sectPr"):
            content.remove(child)
    return document


def _logo(kit: Kit) -> bytes | None:
    logo = images.logo_image(kit.brand.logo)
    if kit.brand.logo and logo is None:
        print(
            f"{kit.brand.loc}: warning: logo {kit.brand.logo} could not be converted for DOCX; "
            "left out (hint: put a PNG of the same name next to it) [docx.logo]",
            file=sys.stderr,
        )
    return logo


def fill(document: DocxDocument, elements: list[Element]) -> None:
    """Put ``elements`` into the body, before its closing section properties."""
    content = document.element.body
    section = content.find(body.oxml.w("sectPr"))
    for element in elements:
        if section is not None:
            section.addprevious(element)
        else:
            content.append(element)


def _replace(old: list[Element], new: list[Element]) -> None:
    """Swap the TOC paragraphs in place (same position in the body)."""
    anchor = old[0]
    for element in new:
        anchor.addprevious(element)
    for element in old:
        element.getparent().remove(element)


def _text(value: str, run: Element) -> Element:
    for child in list(run):
        if child.tag == body.oxml.w("t"):
            run.remove(child)
    t = body.oxml.el("t")
    t.text = value
    return t


register(
    Writer(
        "docx",
        "editable DOCX handbook (named styles, live TOC, bookmarks)",
        write,
        write_many=write_many,
        draft=write_draft,
        early=pagination.early,
    )
)
