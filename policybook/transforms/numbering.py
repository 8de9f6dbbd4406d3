"""Number stage: chapters, sections, articles, items and appendices get their numbers,
then every cross-reference gets the number of its target.

This is the only place numbers are made. Numbering runs on one variant's
selected content, so a left-out article leaves no gap.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence

from policybook.diagnostics import Diagnostics
from policybook.model import Appendix, Article, Attachment, Block, Chapter, Item, ItemList, Note, Ref, Section
from policybook.transforms.labels import Target, label_table
from policybook.transforms.styles import ItemFormat, NumberingStyle, list_formats
from policybook.transforms.variants import Removed
from policybook.transforms.walk import all_inlines, all_inlines_of, blocks_of, holders


def number(chapters: list[Chapter], appendices: Sequence[Appendix | Attachment], style: NumberingStyle) -> None:
    """Number everything; ``appendices`` are forms and Markdown documents in one sequence."""
    article_no = 0
    for c_no, chapter in enumerate(chapters, start=1):
        _set(chapter, c_no, style.chapter(c_no), f"_ch{c_no}")
        _number_items(chapter.intro, style, chapter.anchor, level=1)  # the intro itself has no number
        s_no = 0
        for node in chapter.body:
            if isinstance(node, Section):
                s_no += 1
                _set(node, s_no, style.section(c_no, s_no), f"_ch{c_no}s{s_no}")
                _number_items(node.intro, style, node.anchor, level=1)
            for article in node.articles if isinstance(node, Section) else [node]:
                article_no += 1
                _set(article, article_no, style.article(c_no, article_no), f"_art{article_no}")
                _number_items(article.blocks, style, article.anchor, level=1)
    for a_no, appendix in enumerate(appendices, start=1):
        if isinstance(appendix, Attachment):
            _set(appendix, a_no, style.appendix(a_no), f"_app{a_no}")
            _number_items(appendix.blocks, style, appendix.anchor, level=1)
        else:
            _set(appendix, a_no, style.appendix(a_no), appendix.form.id)


def _set(
    node: Chapter | Section | Article | Item | Appendix | Attachment, ordinal: int, text: str, anchor: str
) -> None:
    node.ordinal, node.number = ordinal, text
    node.anchor = getattr(node, "label", "") or anchor


def _number_items(
    blocks: list[Block], style: NumberingStyle, prefix: str, level: int, own: tuple[ItemFormat, ...] = ()
) -> None:
    """``own``: the formats a list's ``items="…"`` set for it and the lists inside it."""
    for block in blocks:
        if isinstance(block, ItemList):
            formats = list_formats(block.style, own)
            fmt = formats[0] if formats else None
            for n, item in enumerate(block.items, start=block.start if block.ordered else 1):
                item.level = level
                text = style.item(level, n, fmt) if block.ordered else ""
                _set(item, n if block.ordered else 0, text, f"{prefix}-{n}")
                deeper = (level + 1, formats[1:]) if block.ordered else (level, formats)
                _number_items(item.blocks, style, item.anchor, *deeper)
        elif isinstance(block, Note):
            _number_items(block.blocks, style, prefix, level, own)


class RefResolver:
    """Gives every reference the printed number of its target."""

    def __init__(
        self, chapters: list[Chapter], appendices: Sequence[Appendix | Attachment], style: NumberingStyle
    ) -> None:
        kept = [a for a in appendices if isinstance(a, Appendix)]
        documents = [a for a in appendices if isinstance(a, Attachment)]
        self.table = label_table(chapters, {a.form.id: a.form for a in kept}, None, documents)
        self.appendix = {a.form.id: a for a in kept}
        self.style = style
        self.parents = _parents(chapters)

    def resolve(
        self,
        chapters: list[Chapter],
        removed: dict[str, Removed],
        known: dict[str, Target],
        diags: Diagnostics,
        attachments: Sequence[Attachment] = (),
    ) -> None:
        for node in [*all_inlines(chapters), *all_inlines_of(a.blocks for a in attachments)]:
            if isinstance(node, Ref):
                self.one(node, removed, known, diags)

    def one(self, ref: Ref, removed: dict[str, Removed], known: dict[str, Target], diags: Diagnostics) -> None:
        target = self.table.get(ref.target)
        if target is None:
            _report_missing(ref, removed, known, diags)
            return
        ref.target_kind, ref.anchor = target.kind, self.anchor(target)
        ref.display = self.display(target)

    def anchor(self, target: Target) -> str:
        if target.kind == "form":
            return self.appendix[target.node.id].anchor  # type: ignore[attr-defined]
        return target.node.anchor  # type: ignore[attr-defined, no-any-return]

    def display(self, target: Target) -> str:
        node = target.node
        if target.kind == "form":
            appendix = self.appendix[node.id]  # type: ignore[attr-defined]
            return self.style.form_ref(appendix.form.title, appendix.number)
        if target.kind == "section":
            chapter = self.parents[id(node)][0]
            return self.style.section_ref(chapter.number, node.number)  # type: ignore[attr-defined]
        if target.kind == "item":
            article, path = self.parents[id(node)]
            return self.style.item_ref(article.number, path)  # type: ignore[attr-defined]
        return node.number  # type: ignore[attr-defined, no-any-return]


ItemPath = list[tuple[int, int, ItemFormat | None]]  # (level, n, the list's own format) from the article down


def _parents(chapters: list[Chapter]) -> dict[int, tuple[object, ItemPath]]:
    """id(section) → (chapter, []); id(item) → (article, [(level, n, format), …])."""
    found: dict[int, tuple[object, ItemPath]] = {}
    for chapter in chapters:
        for node in chapter.body:
            if isinstance(node, Section):
                found[id(node)] = (chapter, [])
    for holder in holders(chapters):  # an item of an intro is cited after its chapter's (section's) number
        _item_paths(holder, blocks_of(holder), [], found)
    return found


def _item_paths(
    article: Article | Chapter | Section,
    blocks: list[Block],
    path: ItemPath,
    found: dict[int, tuple[object, ItemPath]],
    own: tuple[ItemFormat, ...] = (),
) -> None:
    for block in blocks:
        if isinstance(block, ItemList):
            formats = list_formats(block.style, own)
            fmt = formats[0] if formats else None
            for item in block.items:
                here = [*path, (item.level, item.ordinal, fmt)] if block.ordered else path
                found[id(item)] = (article, here)
                _item_paths(article, item.blocks, here, found, formats[1:] if block.ordered else formats)
        elif isinstance(block, Note):
            _item_paths(article, block.blocks, path, found, own)


def _report_missing(ref: Ref, removed: dict[str, Removed], known: dict[str, Target], diags: Diagnostics) -> None:
    gone = removed.get(ref.target)
    if gone is not None:
        diags.error(
            ref.loc,
            f"reference to '{ref.target}', which this variant leaves out: {gone.reason} ({gone.loc})",
            "xref.excluded",
            "drop the reference with a condition, or keep the target",
        )
        return
    close = difflib.get_close_matches(ref.target, list(known), n=1)
    hint = f"did you mean '{close[0]}'?" if close else "labels are set with {#label} on a heading or list item"
    diags.error(ref.loc, f"unknown reference '{ref.target}'", "xref.unknown", hint)
