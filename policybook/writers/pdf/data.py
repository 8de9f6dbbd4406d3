"""Write stage (pdf): the numbered model as compact JSON data for the Typst template.

The template reads this with ``json(...)``: user text only ever travels as JSON
strings, never as Typst markup, so ``#import``, ``]``, ``$``, ``@x`` or ``<b>`` in
the source print literally. Keys are short because a 100-article handbook holds
thousands of nodes; plain text runs are bare strings.
"""

from __future__ import annotations

from typing import Any

from policybook.model import (
    Appendix,
    Article,
    Block,
    Chapter,
    Code,
    Document,
    Emph,
    Inline,
    Item,
    ItemList,
    LineBreak,
    Link,
    Note,
    Paragraph,
    Ref,
    Revision,
    Section,
    Table,
    Text,
    plain_text,
)
from policybook.writers.pdf.forms import sheet_name

Json = dict[str, Any]


def document_data(doc: Document) -> Json:
    """Everything the template prints except brand, labels and settings."""
    return {
        "meta": _meta(doc),
        "revisions": [_revision(r) for r in sorted(doc.revisions, key=_revision_key, reverse=True)],
        "chapters": [_chapter(c) for c in doc.chapters],
        "appendices": [_appendix(a) for a in doc.appendices],
    }


def _meta(doc: Document) -> Json:
    meta, sub = doc.meta, doc.subsidiary
    return {
        "title": meta.title,
        "code": meta.code,
        "version": meta.version,
        "effective": meta.effective,
        "group": meta.group,
        "locale": meta.locale,
        "subsidiary": sub.name,
        "short_name": sub.short_name,
        "sub_code": sub.code,
    }


def _revision_key(rev: Revision) -> tuple[str, str]:
    return (rev.date, rev.version)


def _revision(rev: Revision) -> Json:
    return {"v": rev.version, "d": rev.date, "s": rev.summary}


def _chapter(chapter: Chapter) -> Json:
    body = [_section(n) if isinstance(n, Section) else _article(n) for n in chapter.body]
    return {"n": chapter.number, "t": chapter.title, "a": chapter.anchor, "b": body}


def _section(section: Section) -> Json:
    return {
        "k": "s",
        "n": section.number,
        "t": section.title,
        "a": section.anchor,
        "b": [_article(a) for a in section.articles],
    }


def _article(article: Article) -> Json:
    return {"k": "a", "n": article.number, "t": article.title, "a": article.anchor, "b": _blocks(article.blocks)}


def _blocks(blocks: list[Block]) -> list[Json]:
    return [_block(b) for b in blocks]


def _block(block: Block) -> Json:
    if isinstance(block, Paragraph):
        return {"k": "p", "i": inlines(block.inlines)}
    if isinstance(block, ItemList):
        return {"k": "l", "o": block.ordered, "i": [_item(i) for i in block.items]}
    if isinstance(block, Note):
        return {"k": "n", "b": _blocks(block.blocks)}
    return _table(block)


def _item(item: Item) -> Json:
    return {"n": item.number, "a": item.anchor if item.label else "", "lv": item.level, "b": _blocks(item.blocks)}


def _table(table: Table) -> Json:
    cells = [table.header, *table.rows]
    return {
        "k": "t",
        "h": [inlines(c) for c in table.header],
        "r": [[inlines(c) for c in row] for row in table.rows],
        "al": table.aligns,
        "w": column_weights([[plain_text(c) for c in row] for row in cells]),
    }


def column_weights(rows: list[list[str]]) -> list[int]:
    """Relative column widths from the longest cell of each column (CJK counts double)."""
    count = max((len(r) for r in rows), default=0)
    widths = [0] * count
    for row in rows:
        for n, cell in enumerate(row):
            widths[n] = max(widths[n], _display_width(cell))
    return [min(w, 48) + 4 for w in widths]


def _display_width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def inlines(nodes: list[Inline]) -> list[Any]:
    """Inline nodes; adjacent text runs merge into one bare string."""
    out: list[Any] = []
    for node in nodes:
        item = _inline(node)
        if isinstance(item, str) and out and isinstance(out[-1], str):
            out[-1] += item
        elif item != "":
            out.append(item)
    return out


def _inline(node: Inline) -> Any:
    if isinstance(node, Text):
        return node.text
    if isinstance(node, Code):
        return {"k": "c", "t": node.text}
    if isinstance(node, LineBreak):
        return {"k": "br"}
    if isinstance(node, Ref):
        text = plain_text(node.children) if node.children else node.display or node.target
        return {"k": "r", "t": text, "a": node.anchor}
    if isinstance(node, Link):
        return {"k": "u", "u": node.url, "c": inlines(node.children)}
    assert isinstance(node, Emph)
    return {"k": "b" if node.strong else "e", "c": inlines(node.children)}


def _appendix(appendix: Appendix) -> Json:
    form = appendix.form
    return {
        "n": appendix.number,
        "a": appendix.anchor,
        "code": form.code,
        "t": form.title,
        "v": form.version,
        "paper": form.paper,
        "sheet": sheet_name(appendix),
    }
