"""Import stage: the regulation as detected — chapters, sections, articles, items, appendices.

Numbers are those the source printed (for the report and for resolving its
references); the written source leaves numbering to policybook.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from policybook.importers.paragraphs import Table


@dataclass
class Text:
    text: str
    where: str


@dataclass
class Item:
    text: str
    where: str
    number: int
    kind: str
    children: list[Item] = field(default_factory=list)
    sample: str = ""  # its marker as written for item 1 ("（一）", "1.")
    head: str = ""  # its marker as written here ("（三）"): counted by the accounting, not printed


@dataclass
class ItemList:
    items: list[Item]


@dataclass
class TableBlock:
    table: Table
    where: str


Block = Text | ItemList | TableBlock


@dataclass
class Article:
    number: int
    title: str
    blocks: list[Block]
    where: str
    label: str = ""
    head: str = ""  # the marker as written ("第十二条"): counted by the accounting, not printed


@dataclass
class Section:
    number: int
    title: str
    articles: list[Article]
    where: str
    label: str = ""
    head: str = ""  # the marker as written ("第十二条"): counted by the accounting, not printed
    intro: list[Block] = field(default_factory=list)  # text before its first article (unnumbered)


@dataclass
class Chapter:
    number: int
    title: str
    body: list[Article | Section]
    where: str
    label: str = ""
    head: str = ""  # the marker as written ("第十二条"): counted by the accounting, not printed
    made: bool = False  # its title was made by the importer (not text of the source)
    intro: list[Block] = field(default_factory=list)  # text before its first article or section (unnumbered)

    def articles(self) -> list[Article]:
        return [a for node in self.body for a in (node.articles if isinstance(node, Section) else [node])]


@dataclass
class Appendix:
    number: int
    title: str
    blocks: list[Block]
    where: str
    label: str = ""  # its label; the form id when it is a form
    form: bool = False  # a form to fill in (forms/<id>.yaml), else a document appendix (Markdown)
    head: str = ""  # the marker as written ("附件一")


@dataclass
class Regulation:
    title: str
    chapters: list[Chapter]
    appendices: list[Appendix]
    effective: str = ""

    def articles(self) -> list[Article]:
        return [a for chapter in self.chapters for a in chapter.articles()]


Rewrite = Callable[[str, str], str]  # (text, where) → new text


def item_lists(regulation: Regulation) -> Iterator[tuple[list[Item], int]]:
    """Every list of items with its depth (0 = a list directly in an article)."""

    def walk(items: list[Item], depth: int) -> Iterator[tuple[list[Item], int]]:
        yield items, depth
        for item in items:
            if item.children:
                yield from walk(item.children, depth + 1)

    for blocks in _all_blocks(regulation):
        for block in blocks:
            if isinstance(block, ItemList):
                yield from walk(block.items, 0)


def rewrite_texts(regulation: Regulation, func: Rewrite, forms: bool = True) -> None:
    """Apply ``func`` to every running text: paragraphs, items, table cells (not headings; forms optional)."""
    for blocks in _all_blocks(regulation, forms):
        for block in blocks:
            _rewrite_block(block, func)


def _all_blocks(regulation: Regulation, forms: bool = True) -> Iterator[list[Block]]:
    """Every list of blocks: the intros of chapters and sections, articles, appendices."""
    for chapter in regulation.chapters:
        yield chapter.intro
        for node in chapter.body:
            yield node.intro if isinstance(node, Section) else node.blocks
            if isinstance(node, Section):
                yield from (article.blocks for article in node.articles)
    for appendix in regulation.appendices:
        if forms or not appendix.form:
            yield appendix.blocks


def _rewrite_block(block: Block, func: Rewrite) -> None:
    if isinstance(block, Text):
        block.text = func(block.text, block.where)
    elif isinstance(block, ItemList):
        for item in block.items:
            _rewrite_item(item, func)
    else:
        for row in block.table.rows:
            for cell in row:
                cell.text = func(cell.text, block.where)


def _rewrite_item(item: Item, func: Rewrite) -> None:
    item.text = func(item.text, item.where)
    for child in item.children:
        _rewrite_item(child, func)
