"""Write stage (pdf): the numbered model as compact JSON data for the Typst template.

The template reads this with ``json(...)``: user text only ever travels as JSON
strings, never as Typst markup, so ``#import``, ``]``, ``$``, ``@x`` or ``<b>`` in
the source print literally. Keys are short because a 100-article handbook holds
thousands of nodes; plain text runs are bare strings.
"""

from __future__ import annotations

from typing import Any

from policybook.dates import long_date
from policybook.model import (
    Appendix,
    Article,
    Attachment,
    Block,
    Brand,
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
    Span,
    Table,
    Text,
    plain_text,
)
from policybook.naming import document_code
from policybook.source.brand import default_brand
from policybook.writers.pdf.forms import sheet_name
from policybook.writers.tables import column_widths, display_width, text_units
from policybook.writers.units import page_twips, twips

Json = dict[str, Any]


def document_data(doc: Document) -> Json:
    """Everything the template prints except brand, labels and settings."""
    units = table_units(doc.brand or default_brand())
    return {
        "meta": _meta(doc),
        "revisions": [_revision(r, doc.meta.locale) for r in sorted(doc.revisions, key=_revision_key, reverse=True)],
        "chapters": [_chapter(c, units) for c in doc.chapters],
        "toc": _contents_numbers(doc),
        "appendices": [
            _attachment(a, units) if isinstance(a, Attachment) else _appendix(a) for a in doc.all_appendices()
        ],
    }


def _meta(doc: Document) -> Json:
    meta, sub = doc.meta, doc.subsidiary
    return {
        "title": meta.title,
        "code": document_code(doc),  # HY-HR-001-SZ: the code the 签收单 and the site print
        "version": meta.version,
        "effective": long_date(meta.effective, meta.locale),  # 2026年12月1日 / 1 December 2026
        "group": meta.group,
        "locale": meta.locale,
        "subsidiary": sub.name,
        "short_name": sub.short_name,
        "sub_code": sub.code,
    }


def _contents_numbers(doc: Document) -> Json:
    """The numbers printed in the contents at each level, and the widest of them."""
    levels = {
        "1": [c.number for c in doc.chapters],
        "2": [n.number for c in doc.chapters for n in c.body if isinstance(n, Section)]
        + [a.number for a in doc.all_appendices()],
    }
    return {
        level: {"all": numbers, "widest": max(numbers, key=display_width)}
        for level, numbers in levels.items()
        if numbers
    }


def _revision_key(rev: Revision) -> tuple[str, str]:
    return (rev.date, rev.version)


def _revision(rev: Revision, locale: str) -> Json:
    return {"v": rev.version, "d": long_date(rev.date, locale), "s": rev.summary}


def _chapter(chapter: Chapter, units: float) -> Json:
    body = [_section(n, units) if isinstance(n, Section) else _article(n, units) for n in chapter.body]
    intro = blocks_data(chapter.intro, units)  # "o": text before the first article, unnumbered
    return {"n": chapter.number, "t": chapter.title, "a": chapter.anchor, "o": intro, "b": body}


def _section(section: Section, units: float) -> Json:
    return {
        "k": "s",
        "n": section.number,
        "t": section.title,
        "a": section.anchor,
        "o": blocks_data(section.intro, units),
        "b": [_article(a, units) for a in section.articles],
    }


def _article(article: Article, units: float) -> Json:
    return {
        "k": "a",
        "n": article.number,
        "t": article.title,
        "a": article.anchor,
        "b": blocks_data(article.blocks, units),
    }


def blocks_data(blocks: list[Block], units: float) -> list[Json]:
    """Blocks for the template; ``units`` is the text width in half-ems of table text."""
    return [_block(b, units) for b in blocks]


def _block(block: Block, units: float) -> Json:
    if isinstance(block, Paragraph):
        return {"k": "p", "i": inlines(block.inlines)}
    if isinstance(block, ItemList):
        return {"k": "l", "o": block.ordered, "i": [_item(i, units) for i in block.items]}
    if isinstance(block, Note):
        return {"k": "n", "b": blocks_data(block.blocks, units)}
    return _table(block, units)


def _item(item: Item, units: float) -> Json:
    blocks = blocks_data(item.blocks, units)
    return {"n": item.number, "a": item.anchor if item.label else "", "lv": item.level, "b": blocks}


def _table(table: Table, units: float) -> Json:
    """Rows of cells; a merged cell is ``{"c": …, "rs": rows, "cs": columns}``, the cells
    it covers are left out (Typst places cells around it)."""
    hidden = table.covered()
    spans = {(s.row, s.column): s for s in table.spans}
    grid = [
        [_cell(cell, spans.get((r, c))) for c, cell in enumerate(row) if (r, c) not in hidden]
        for r, row in enumerate([table.header, *table.rows])
    ]
    widths = column_widths(table, units)
    return {
        "k": "t",
        "h": grid[0],
        "r": grid[1:],
        "al": table.aligns,
        "w": [round(w, 2) for w in widths],
        "m": bool(table.spans),  # merged cells: column rules help the eye
    }


def _cell(cell: list[Inline], span: Span | None) -> Any:
    if span is None:
        return inlines(cell)
    return {"c": inlines(cell), "rs": span.rows, "cs": span.columns}


def table_units(brand: Brand) -> float:
    """The text width in half-ems of table text (0.9 × body size)."""
    page_width, _ = page_twips(brand.page.get("size", "A4"))
    margins = sum(twips(brand.page.get(f"margin-{side}", "25mm"), 25) for side in ("inside", "outside"))
    return text_units(brand, (page_width - margins) / 20)


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


def _attachment(attachment: Attachment, units: float) -> Json:
    """A Markdown appendix: ``"k": "d"`` (a form appendix is ``"k": "f"``)."""
    return {
        "k": "d",
        "n": attachment.number,
        "a": attachment.anchor,
        "t": attachment.title,
        "code": "",
        "v": "",
        "b": blocks_data(attachment.blocks, units),
    }


def _appendix(appendix: Appendix) -> Json:
    form = appendix.form
    return {
        "k": "f",
        "n": appendix.number,
        "a": appendix.anchor,
        "code": form.code,
        "t": form.title,
        "v": form.version,
        "paper": form.paper,
        "sheet": sheet_name(appendix),
    }
