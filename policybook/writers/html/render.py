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
    Table,
    Text,
    plain_text,
    shown_ref,
)

SAFE_SCHEMES = ("http://", "https://", "mailto:")
ALIGNS = {"left", "center", "right"}


class Renderer:
    """Renders one document's blocks; ``href`` says where a model anchor lives on the site."""

    def __init__(self, href: Callable[[str], str], item_ids: Callable[[Item], str]) -> None:
        self.href = href
        self.item_id = item_ids

    def inlines(self, nodes: list[Inline]) -> Markup:
        return Markup("").join(self.inline(n) for n in nodes)

    def inline(self, node: Inline) -> Markup:
        if isinstance(node, Text):
            return escape(node.text)
        if isinstance(node, Emph):
            tag = "strong" if node.strong else "em"
            return Markup(f"<{tag}>{self.inlines(node.children)}</{tag}>")
        if isinstance(node, Code):
            return Markup("<code>{}</code>").format(node.text)
        if isinstance(node, LineBreak):
            return Markup("<br>")
        if isinstance(node, Ref):
            return self.ref(node)
        return self.link(node)

    def ref(self, ref: Ref) -> Markup:
        href = self.href(ref.anchor) if ref.anchor else ""
        text = shown_ref(ref)
        if not href:
            return Markup('<span class="xref">{}</span>').format(text)
        return Markup('<a class="xref" href="{}">{}</a>').format(href, text)

    def link(self, link: Link) -> Markup:
        shown = self.inlines(link.children) if link.children else escape(link.url)
        if not link.url.lower().startswith(SAFE_SCHEMES):
            return shown if link.children else Markup("<span>{}</span>").format(link.url)
        return Markup('<a class="ext" href="{}">{}</a>').format(link.url, shown)

    def blocks(self, blocks: list[Block], lead: Markup | None = None) -> Markup:
        """Blocks in order; ``lead`` (an untitled article's number) opens the first paragraph."""
        out: list[Markup] = []
        for n, block in enumerate(blocks):
            first = lead if n == 0 else None
            if first is not None and not isinstance(block, Paragraph):
                out.append(Markup("<p>{}</p>").format(first))
                first = None
            out.append(self.block(block, first))
        if lead is not None and not blocks:
            out.append(Markup("<p>{}</p>").format(lead))
        return Markup("\n").join(out)

    def block(self, block: Block, lead: Markup | None = None) -> Markup:
        if isinstance(block, Paragraph):
            return Markup("<p>{}{}</p>").format(lead or "", self.inlines(block.inlines))
        if isinstance(block, ItemList):
            return self.item_list(block)
        if isinstance(block, Note):
            return Markup('<aside class="note">{}</aside>').format(self.blocks(block.blocks))
        return self.table(block)

    def item_list(self, block: ItemList) -> Markup:
        tag = "ol" if block.ordered else "ul"
        items = Markup("").join(self.item(i) for i in block.items)
        return Markup(f'<{tag} class="items">{items}</{tag}>')

    def item(self, item: Item) -> Markup:
        number = Markup('<span class="num">{}</span>').format(item.number) if item.number else None
        ident = self.item_id(item)
        attr = Markup(' id="{}"').format(ident) if ident else Markup("")
        level = Markup(' class="lv{}"').format(item.level)
        return Markup("<li{}{}>{}</li>").format(attr, level, self.blocks(item.blocks, number))

    def table(self, table: Table) -> Markup:
        head = Markup("").join(self.cell("th", c, table.aligns, n) for n, c in enumerate(table.header))
        rows = Markup("").join(
            Markup("<tr>{}</tr>").format(Markup("").join(self.cell("td", c, table.aligns, n) for n, c in enumerate(r)))
            for r in table.rows
        )
        caption = plain_text(table.header[0]) if table.header else ""
        return Markup(
            '<div class="table-wrap" role="region" tabindex="0" aria-label="{}">'
            "<table><thead><tr>{}</tr></thead><tbody>{}</tbody></table></div>"
        ).format(caption, head, rows)

    def cell(self, tag: str, content: list[Inline], aligns: list[str], column: int) -> Markup:
        align = aligns[column] if column < len(aligns) else ""
        style = Markup(' class="al-{}"').format(align) if align in ALIGNS else Markup("")
        scope = Markup(' scope="col"') if tag == "th" else Markup("")
        return Markup(f"<{tag}{{}}{{}}>{{}}</{tag}>").format(scope, style, self.inlines(content))
