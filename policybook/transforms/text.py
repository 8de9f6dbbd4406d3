"""Resolve stage: every text of a variant rendered (variables), joined and localised.

After this step no text holds a template: soft line breaks are joined (no space
between two CJK characters) and the text is converted to the variant's script
(see transforms/script.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from policybook.model import (
    Appendix,
    Attachment,
    Block,
    Chapter,
    Emph,
    Inline,
    Item,
    Link,
    Loc,
    Paragraph,
    Ref,
    Section,
    Text,
    plain_text,
)
from policybook.transforms.variables import Renderer
from policybook.transforms.walk import blocks_in, filter_blocks, inline_lists, map_blocks

# \ue010/\ue011 mark a name inserted by a variable (conversion.KEEP_OPEN/KEEP_CLOSE): CJK for line joins
CJK_RE = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f\ue010\ue011\U00020000-\U0003ffff]")


def join_soft_breaks(value: str, before: str = "", after: str = "") -> str:
    """Source line breaks inside a paragraph: nothing between CJK, a space otherwise.

    ``before``/``after`` are the characters around this run, for a break that
    sits at the edge of an emphasis or a reference.
    """
    if "\n" not in value:
        return value
    parts = [p.strip() if 0 < i < value.count("\n") else p for i, p in enumerate(value.split("\n"))]
    result = parts[0].rstrip()
    for part in parts[1:]:
        part = part.lstrip()
        left = result[-1:] or before[-1:]
        right = part[:1] or after[:1]
        cjk = not left or not right or (CJK_RE.match(left) and CJK_RE.match(right))
        result += ("" if cjk else " ") + part
    return result


class TextPass:
    """Applies render → join → localise to every text of the selected content."""

    def __init__(self, renderer: Renderer, convert: Callable[[str], str]) -> None:
        self.renderer = renderer
        self.convert = convert
        self.reported: set[tuple[str, int, str]] = set()

    def plain(self, value: str, loc: Loc | None) -> str:
        return self.localise(join_soft_breaks(self.renderer.text(value, loc)), loc)

    def localise(self, text: str, loc: Loc | None) -> str:
        """``text`` in the variant's script; characters of the other script left in it are reported."""
        text = self.convert(text)
        take = getattr(self.convert, "take", None)
        foreign = take() if take else ""
        if foreign and loc is not None and (loc.path, loc.line, foreign) not in self.reported:
            self.reported.add((loc.path, loc.line, foreign))  # every line that has them, not the first
            self.renderer.diags.warning(
                loc,
                f"characters of the other script left in this variant: {foreign}",
                "script.mixed",
                "write them in the source's script, or mark a name -{…}- or list it under names:",
            )
        return text

    def chapters(self, chapters: list[Chapter]) -> None:
        for chapter in chapters:
            chapter.title = self.plain(chapter.title, chapter.loc)
            for node in chapter.body:
                if isinstance(node, Section):
                    node.title = self.plain(node.title, node.loc)
            for article in chapter.articles():
                article.title = self.plain(article.title, article.loc)
        map_blocks(chapters, self.blocks)

    def blocks(self, blocks: list[Block]) -> list[Block]:
        """Render every text; a paragraph that a false ``{% if %}`` left empty goes."""
        for block in blocks_in(blocks):
            for run in inline_lists(block):
                self.inlines(run)
        return filter_blocks(blocks, _not_empty)

    def inlines(self, run: list[Inline]) -> None:
        joint = _spans_nodes(run)
        if joint:
            run[:] = self.render_together(run)
        for node in run:
            if isinstance(node, Text):
                if not joint:
                    node.text = self.renderer.text(node.text, node.loc)
            elif isinstance(node, Emph | Link | Ref):
                self.inlines(node.children)
        for index, node in enumerate(run):
            if isinstance(node, Text):
                before = _edge(run[index - 1], -1) if index else ""
                after = _edge(run[index + 1], 0) if index + 1 < len(run) else ""
                node.text = self.localise(join_soft_breaks(node.text, before, after), node.loc)

    def render_together(self, run: list[Inline]) -> list[Inline]:
        """One template for a whole run, so ``{% if %}…[](#form)…{% endif %}`` may enclose
        references and emphasis: those stand in the template as placeholders, and come
        back (or stay out) with the text around them."""
        source = "".join(n.text if isinstance(n, Text) else f"{HOLE[0]}{i}{HOLE[1]}" for i, n in enumerate(run))
        loc = next((n.loc for n in run if isinstance(n, Text) and n.loc), None)
        out: list[Inline] = []
        for index, piece in enumerate(HOLE_RE.split(self.renderer.text(source, loc))):
            if index % 2:
                out.append(run[int(piece)])
            elif piece:
                out.append(Text(piece, loc))
        return out

    def attachments(self, attachments: list[Attachment]) -> None:
        for attachment in attachments:
            attachment.title = self.plain(attachment.title, attachment.loc)
            attachment.blocks = self.blocks(attachment.blocks)

    def appendices(self, appendices: list[Appendix]) -> None:
        for appendix in appendices:
            form = appendix.form
            form.title = self.plain(form.title, form.locs.get("title", form.loc))
            form.intro = self.plain(form.intro, form.locs.get("intro", form.loc))
            form.notes = [self.plain(n, form.locs.get(f"notes.{i}", form.loc)) for i, n in enumerate(form.notes)]
            for row in form.rows:
                row.section = self.plain(row.section, row.loc)
                for cell in row.cells:
                    cell.label = self.plain(cell.label, cell.loc)
                    cell.text = self.plain(cell.text, cell.loc)
                    cell.options = [self.plain(o, cell.loc) for o in cell.options]


def _not_empty(block: Block | Item) -> bool:
    return not isinstance(block, Paragraph) or bool(plain_text(block.inlines).strip())


HOLE = ("\ue000", "\ue001")  # private-use characters: never in source text
HOLE_RE = re.compile(f"{HOLE[0]}(\\d+){HOLE[1]}")


def _spans_nodes(run: list[Inline]) -> bool:
    """A run whose ``{% … %}`` blocks (if, for) may enclose other nodes."""
    return any(isinstance(n, Text) and "{%" in n.text for n in run) and any(not isinstance(n, Text) for n in run)


def _edge(node: Inline, side: int) -> str:
    """The first (side 0) or last (side -1) character a neighbouring inline shows."""
    if isinstance(node, Text):
        return node.text[side:] if side else node.text[:1]
    if isinstance(node, Emph | Link) and node.children:
        return _edge(node.children[side], side)
    if isinstance(node, Ref):
        return "字"  # a reference prints as CJK (第十二条) or a bracketed title
    return ""
