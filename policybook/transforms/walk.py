"""Tree walking shared by the transforms (one place that knows the model's shape)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from policybook.model import (
    Article,
    Block,
    Chapter,
    Emph,
    Inline,
    Item,
    ItemList,
    Link,
    Note,
    Paragraph,
    Ref,
    Section,
    Table,
)

Labelled = Chapter | Section | Article | Item


def blocks_in(blocks: list[Block]) -> Iterator[Block]:
    """Every block, depth first, including those inside items and notes."""
    for block in blocks:
        yield block
        if isinstance(block, ItemList):
            for item in block.items:
                yield from blocks_in(item.blocks)
        elif isinstance(block, Note):
            yield from blocks_in(block.blocks)


def items_in(blocks: list[Block]) -> Iterator[Item]:
    for block in blocks_in(blocks):
        if isinstance(block, ItemList):
            yield from block.items


def inline_lists(block: Block) -> Iterator[list[Inline]]:
    """The inline runs a block holds directly (not those of nested blocks)."""
    if isinstance(block, Paragraph):
        yield block.inlines
    elif isinstance(block, Table):
        yield from block.header
        for row in block.rows:
            yield from row


def inlines_in(inlines: list[Inline]) -> Iterator[Inline]:
    for node in inlines:
        yield node
        if isinstance(node, Emph | Link | Ref):
            yield from inlines_in(node.children)


Holder = Chapter | Section | Article  # a node holding body blocks: an intro or an article's text


def holders(chapters: list[Chapter]) -> Iterator[Holder]:
    """Chapters, sections and articles in document order: each holds blocks (``blocks_of``)."""
    for chapter in chapters:
        yield chapter
        for node in chapter.body:
            yield node
            if isinstance(node, Section):
                yield from node.articles


def blocks_of(node: Holder) -> list[Block]:
    """An article's blocks, or the opening text (intro) of a chapter or section."""
    return node.blocks if isinstance(node, Article) else node.intro


def block_lists(chapters: list[Chapter]) -> Iterator[list[Block]]:
    """Every list of body blocks — chapter and section intros and articles — in document order."""
    return (blocks_of(node) for node in holders(chapters))


def map_blocks(chapters: list[Chapter], change: Callable[[list[Block]], list[Block]]) -> None:
    """Replace every list of body blocks (intros included) by ``change(blocks)``."""
    for node in holders(chapters):
        if isinstance(node, Article):
            node.blocks = change(node.blocks)
        else:
            node.intro = change(node.intro)


def labelled(chapters: list[Chapter]) -> Iterator[Labelled]:
    """Every node that can carry a label, in document order."""
    for node in holders(chapters):
        yield node
        yield from items_in(blocks_of(node))


def labelled_in(node: Chapter | Section | Article | Item | Block) -> Iterator[Labelled]:
    """``node`` itself (when it can carry a label) and every labelled node inside it."""
    if isinstance(node, Chapter):
        yield from labelled([node])
    elif isinstance(node, Section):
        yield node
        yield from items_in(node.intro)
        for article in node.articles:
            yield from labelled_in(article)
    elif isinstance(node, Article | Item):
        yield node
        yield from items_in(node.blocks)
    else:
        yield from items_in([node])


def all_inlines(chapters: list[Chapter]) -> Iterator[Inline]:
    yield from all_inlines_of(block_lists(chapters))


def all_inlines_of(block_lists: Iterable[list[Block]]) -> Iterator[Inline]:
    for blocks in block_lists:
        for block in blocks_in(blocks):
            for run in inline_lists(block):
                yield from inlines_in(run)


def filter_blocks(blocks: list[Block], keep: Callable[[Block | Item], bool]) -> list[Block]:
    """Blocks (and, inside them, nested blocks and list items) that ``keep`` accepts."""
    out: list[Block] = []
    for block in blocks:
        if not keep(block):
            continue
        if isinstance(block, ItemList):
            block.items = [i for i in block.items if keep(i)]
            for item in block.items:
                item.blocks = filter_blocks(item.blocks, keep)
        elif isinstance(block, Note):
            block.blocks = filter_blocks(block.blocks, keep)
        out.append(block)
    return out
