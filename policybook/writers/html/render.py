"""Write stage (html): model blocks and inlines → escaped HTML.

Every string from the source goes through ``escape``; markup is only ever
made here, from the model's node types, so no source text can become a tag
(there is no raw HTML pass-through). Links leave the site only for http(s)
and mailto addresses; any other scheme prints as text.
"""

from __future__ import annotations

from collections.abc import Callable

from markupsafe import Markup, escape

from policybook.model import (
    Block,
    Code,
    Emph,
    Inline,
    Item,
    ItemList,
    LineBreak,
    Link,
    Note,
    Paragraph,
    Ref,
    Span,
    Table,
    Text,
    plain_text,
    shown_ref,
)
from policybook.writers.tables import least_widths

SAFE_SCHEMES = ("http://", "https://", "mailto:")
ALIGNS = {"left", "center", "right"}


def esc(text: str) -> str:
    """Text as HTML (``&``, ``<``, ``>``, quotes escaped)."""
    return str(escape(text))


class Renderer:
    """Renders one document's blocks; ``href`` says where a model anchor lives on the site.

    Works on plain strings that are already HTML (every source string passes
    ``esc``): an order of magnitude faster than formatting Markup objects."""

    def __init__(self, href: Callable[[str], str], item_ids: Callable[[Item], str]) -> None:
        self.href = href
        self.item_id = item_ids

    def inlines(self, nodes: list[Inline]) -> str:
        return "".join(self.inline(n) for n in nodes)

    def inline(self, node: Inline) -> str:
        if isinstance(node, Text):
            return esc(node.text)
        if isinstance(node, Emph):
            tag = "strong" if node.strong else "em"
            return f"<{tag}>{self.inlines(node.children)}</{tag}>"
        if isinstance(node, Code):
            return f"<code>{esc(node.text)}</code>"
        if isinstance(node, LineBreak):
            return "<br>"
        if isinstance(node, Ref):
            return self.ref(node)
        return self.link(node)

    def ref(self, ref: Ref) -> str:
        href = self.href(ref.anchor) if ref.anchor else ""
        text = esc(shown_ref(ref))
        return f'<a class="xref" href="{esc(href)}">{text}</a>' if href else f'<span class="xref">{text}</span>'

    def link(self, link: Link) -> str:
        shown = self.inlines(link.children) if link.children else esc(link.url)
        if not link.url.lower().startswith(SAFE_SCHEMES):
            return shown  # another scheme (javascript:, file:, data:) never becomes a link
        return f'<a class="ext" href="{esc(link.url)}">{shown}</a>'

    def blocks(self, blocks: list[Block], lead: str = "") -> Markup:
        """Blocks in order; ``lead`` (already HTML: an untitled article's number) opens the first paragraph."""
        out: list[str] = []
        for n, block in enumerate(blocks):
            first = lead if n == 0 else ""
            if first and not isinstance(block, Paragraph):
                out.append(f"<p>{first}</p>")
                first = ""
            out.append(self.block(block, first))
        if lead and not blocks:
            out.append(f"<p>{lead}</p>")
        return Markup("\n".join(out))

    def block(self, block: Block, lead: str = "") -> str:
        if isinstance(block, Paragraph):
            return f"<p>{lead}{self.inlines(block.inlines)}</p>"
        if isinstance(block, ItemList):
            return self.item_list(block)
        if isinstance(block, Note):
            return f'<aside class="note">{self.blocks(block.blocks)}</aside>'
        return self.table(block)

    def item_list(self, block: ItemList) -> str:
        tag = "ol" if block.ordered else "ul"
        return f'<{tag} class="items">{"".join(self.item(i) for i in block.items)}</{tag}>'

    def item(self, item: Item) -> str:
        number = f'<span class="num">{esc(item.number)}</span>' if item.number else ""
        ident = self.item_id(item)
        attr = f' id="{esc(ident)}"' if ident else ""
        return f'<li{attr} class="lv{item.level}">{self.blocks(item.blocks, number)}</li>'

    def table(self, table: Table) -> str:
        """A table as the model holds it: merged cells (spans) and column widths included."""
        grid = [table.header, *table.rows]
        hidden = table.covered()
        spans = {(s.row, s.column): s for s in table.spans}
        rows = []
        for r, row in enumerate(grid):
            tag = "th" if r == 0 and table.header else "td"
            cells = [
                self.cell(tag, c, table.aligns, n, spans.get((r, n))) for n, c in enumerate(row) if (r, n) not in hidden
            ]
            rows.append(f"<tr>{''.join(cells)}</tr>")
        head, body = (rows[0], rows[1:]) if table.header else ("", rows)
        label = esc(" / ".join(plain_text(c) for c in table.header))
        return (
            f'<div class="table-wrap" role="region" tabindex="0" aria-label="{label}">'
            f'<table style="min-width: {sum(least_widths(table)) / 2:.1f}em">{_colgroup(table)}'
            f"<thead>{head}</thead><tbody>{''.join(body)}</tbody></table></div>"
        )

    def cell(self, tag: str, content: list[Inline], aligns: list[str], column: int, span: Span | None) -> str:
        align = aligns[column] if column < len(aligns) else ""
        attrs = f' class="al-{align}"' if align in ALIGNS else ""
        if tag == "th":
            attrs += ' scope="colgroup"' if span and span.columns > 1 else ' scope="col"'
        if span and span.rows > 1:
            attrs += f' rowspan="{span.rows}"'
        if span and span.columns > 1:
            attrs += f' colspan="{span.columns}"'
        return f"<{tag}{attrs}>{self.inlines(content)}</{tag}>"


def _colgroup(table: Table) -> str:
    """The author's relative column widths as percentages; without them, each column's least
    readable width (an auto-layout table takes a column's width as its minimum): on a phone a
    column was squeezed to three characters, now a wide table scrolls inside its frame."""
    widths = table.widths
    total = sum(w for w in widths if w > 0)
    if widths and total > 0:
        cols = "".join(f'<col style="width: {100 * max(w, 0) / total:.1f}%">' for w in widths)
    else:
        cols = "".join(f'<col style="width: {w / 2:.1f}em">' for w in least_widths(table))
    return f"<colgroup>{cols}</colgroup>" if cols else ""
