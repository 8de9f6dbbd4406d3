"""Write stage (DOCX): what one render reads (kit, style ids) and what it counts as it goes.

Read-only environment and mutable state are kept apart, as in Pandoc's DOCX
writer: the :class:`Context` holds the kit and style ids (never changed after
setup) and a small :class:`State` (bookmark ids, headings seen for the TOC).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.parts.document import DocumentPart

from policybook.model import Document, Inline, ItemList, Note, Paragraph, Ref, Table
from policybook.transforms.walk import block_lists
from policybook.writers.docx import oxml
from policybook.writers.docx.kit import Kit
from policybook.writers.docx.oxml import Element


@dataclass
class Heading:
    """An entry of the table of contents: level 1 (chapter) or 2 (section)."""

    level: int
    text: str
    bookmark: str


@dataclass
class State:
    next_bookmark: int = 1
    headings: list[Heading] = field(default_factory=list)
    root: str = ""  # the source folder, which identity keys are relative to


@dataclass
class Context:
    kit: Kit
    ids: dict[str, str]  # role → style id
    part: DocumentPart
    referenced: set[str]  # anchors some cross-reference points at
    state: State = field(default_factory=State)

    def style(self, role: str) -> str:
        return self.ids[role]

    def bookmarked(self, anchor: str, content: list[Element]) -> list[Element]:
        """``content`` wrapped in a bookmark named for ``anchor`` (unchanged when there is no anchor)."""
        if not anchor:
            return content
        start, end = oxml.bookmark(self.state.next_bookmark, oxml.bookmark_name(anchor))
        self.state.next_bookmark += 1
        return [start, *content, end]

    def external(self, url: str) -> str:
        """The relationship id of an external hyperlink (one per address)."""
        return self.part.relate_to(url, RT.HYPERLINK, is_external=True)


def referenced_anchors(doc: Document) -> set[str]:
    """Every anchor a cross-reference in ``doc`` points at (items are bookmarked only then)."""
    return {ref.anchor for ref in _refs(doc) if ref.anchor}


def _refs(doc: Document) -> Iterator[Ref]:
    for blocks in block_lists(doc.chapters):  # chapter and section intros included
        for block in blocks:
            yield from _block_refs(block)


def _block_refs(block: Paragraph | ItemList | Table | Note) -> Iterator[Ref]:
    if isinstance(block, Paragraph):
        yield from _inline_refs(block.inlines)
    elif isinstance(block, ItemList):
        for item in block.items:
            for inner in item.blocks:
                yield from _block_refs(inner)
    elif isinstance(block, Note):
        for inner in block.blocks:
            yield from _block_refs(inner)
    else:
        for row in [block.header, *block.rows]:
            for cell in row:
                yield from _inline_refs(cell)


def _inline_refs(inlines: list[Inline]) -> Iterator[Ref]:
    for node in inlines:
        if isinstance(node, Ref):
            yield node
        children = getattr(node, "children", None)
        if children:
            yield from _inline_refs(children)
