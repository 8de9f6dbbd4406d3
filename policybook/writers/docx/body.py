"""Write stage (DOCX): chapters, sections, articles and their blocks as WordprocessingML.

Prints the model's numbers as plain text (never Word auto-numbering) and refers
only to style ids; cross-references become internal hyperlinks to bookmarks on
their targets. Elements are built directly (few runs per paragraph, no
per-paragraph python-docx proxies) because a 1,000-page handbook must stay fast.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

from policybook.model import (
    Appendix,
    Article,
    Attachment,
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
    Section,
    Span,
    Table,
    Text,
    plain_text,
)
from policybook.writers.docx import identity, oxml
from policybook.writers.docx.context import Context, Heading
from policybook.writers.docx.oxml import Element
from policybook.writers.tables import column_widths, display_width

BULLET = "•"
LIST_START = 200  # a list's numbers start two characters in, where a paragraph's first line does
JC = {"center": "center", "right": "right", "left": "left"}


def chapters(ctx: Context, doc: Document) -> Iterator[Element]:
    ctx.state.root = identity.source_root(doc)
    # The body starts a page without a break of its own: the front matter's section break
    # (a next-page break) starts it; a page break here too printed an empty page before
    # 第一章 when chapters run on (chapter_break: none), and the contents said page 1 for page 2.
    for chapter in doc.chapters:
        yield from _chapter(ctx, chapter)


def _chapter(ctx: Context, chapter: Chapter) -> Iterator[Element]:
    heading = _heading(ctx, "chapter", 1, chapter.number, chapter.title, chapter.anchor)
    yield from identity.spanned(ctx, identity.node_key(ctx, chapter), [heading, *_intro(ctx, chapter.intro)])
    for node in chapter.body:
        if isinstance(node, Section):
            heading = _heading(ctx, "section", 2, node.number, node.title, node.anchor)
            yield from identity.spanned(ctx, identity.node_key(ctx, node), [heading, *_intro(ctx, node.intro)])
            for article in node.articles:
                yield from identity.spanned(ctx, identity.article_key(ctx, article), _article(ctx, article))
        else:
            yield from identity.spanned(ctx, identity.article_key(ctx, node), _article(ctx, node))


def _intro(ctx: Context, blocks: list[Block]) -> Iterator[Element]:
    """A chapter's (section's) opening text: body paragraphs, no number; in its heading's span."""
    for block in blocks:
        yield from block_elements(ctx, block, "body")


def _heading(ctx: Context, role: str, level: int, number: str, title: str, anchor: str) -> Element:
    text = f"{number}{ctx.kit.words.gap}{title}" if title else number
    bookmark = oxml.bookmark_name(anchor) if anchor else ""
    ctx.state.headings.append(Heading(level, text, bookmark))
    return oxml.paragraph(ctx.style(role), ctx.bookmarked(anchor, [oxml.run(text)]))


# ---------------------------------------------------------------- articles


def _article(ctx: Context, article: Article) -> Iterator[Element]:
    number = oxml.run(article.number, ctx.style("article-number"))
    blocks = list(article.blocks)
    if article.title:
        title = oxml.run(f"{ctx.kit.words.gap}{article.title}")
        yield oxml.paragraph(ctx.style("article"), ctx.bookmarked(article.anchor, [number, title]))
    elif blocks and isinstance(blocks[0], Paragraph):
        first = blocks.pop(0)
        assert isinstance(first, Paragraph)
        lead = [*ctx.bookmarked(article.anchor, [number]), oxml.run(ctx.kit.words.gap)]
        yield oxml.paragraph(ctx.style("article-lead"), [*lead, *inlines(ctx, first.inlines)])
    else:
        yield oxml.paragraph(ctx.style("article-lead"), ctx.bookmarked(article.anchor, [number]))
    for block in blocks:
        yield from block_elements(ctx, block, "body")


def block_elements(ctx: Context, block: Block, role: str, start: int = LIST_START) -> Iterator[Element]:
    """One block; ``role`` is the paragraph style of plain paragraphs at this depth, ``start``
    where a list's numbers begin (hundredths of a character from the margin)."""
    if isinstance(block, Paragraph):
        yield oxml.paragraph(ctx.style(role), inlines(ctx, block.inlines))
    elif isinstance(block, ItemList):
        width = label_width([item.number or BULLET for item in block.items])
        for item in block.items:
            yield from _item(ctx, item, start, width)
    elif isinstance(block, Note):
        for inner in block.blocks:
            yield from block_elements(ctx, inner, "note", start)
    else:
        yield table(ctx, block)
        yield oxml.paragraph(ctx.style("table-after"))  # Word has no space below a table


def label_width(labels: list[str]) -> int:
    """Room for the widest number of a list, in hundredths of a character: every item's text
    then starts at the same place. Full-width 、 and ） carry their own space (a tenth of a
    character keeps the tab from landing exactly on its stop, which would send the text on to
    the next one); 1. and (1) get half a character more."""
    gap = 10 if all(label.endswith(("、", "）")) for label in labels) else 50
    return max(display_width(label) for label in labels) * 50 + gap


def _item(ctx: Context, item: Item, start: int, width: int) -> Iterator[Element]:
    level = min(max(item.level, 1), 3)
    blocks = list(item.blocks)
    anchor = item.anchor if item.anchor in ctx.referenced else ""
    number = ctx.bookmarked(anchor, [oxml.run(f"{item.number or BULLET}\t")])
    first = blocks.pop(0) if blocks and isinstance(blocks[0], Paragraph) else None
    content = inlines(ctx, first.inlines) if isinstance(first, Paragraph) else []
    text = start + width  # where this item's text, and everything inside it, begins
    yield _hang(ctx, oxml.paragraph(ctx.style(f"item-{level}"), [*number, *content]), text, width)
    for block in blocks:
        for element in block_elements(ctx, block, f"item-text-{level}", text):
            inside = isinstance(block, Paragraph | Note) and element.tag == oxml.w("p")
            yield _hang(ctx, element, text, 0) if inside else element


def _hang(ctx: Context, paragraph: Element, left: int, hanging: int) -> Element:
    """Indent a paragraph to ``left`` with its first ``hanging`` hundredths of a character hanging
    (the number), and a tab stop where the text begins."""

    def twips(chars: int) -> str:  # a character is the body size: half-points × 10 twips
        return str(chars * ctx.kit.body_size // 10)

    pr = oxml.properties(paragraph, "pPr")
    if hanging:
        oxml.sub(oxml.prop(pr, "tabs"), "tab", {"val": "left", "pos": twips(left)})
    ind = {"left": twips(left), "leftChars": str(left)}
    if hanging:
        ind |= {"hanging": twips(hanging), "hangingChars": str(hanging)}
    else:
        ind |= {"firstLine": "0", "firstLineChars": "0"}
    oxml.prop(pr, "ind", ind)
    return paragraph


# ---------------------------------------------------------------- inline


def inlines(ctx: Context, nodes: list[Inline], style_id: str = "") -> list[Element]:
    out: list[Element] = []
    for node in nodes:
        out.extend(_inline(ctx, node, style_id))
    return out


def _inline(ctx: Context, node: Inline, style_id: str) -> list[Element]:
    if isinstance(node, Text):
        return [oxml.run(node.text, style_id)]
    if isinstance(node, Emph):
        return inlines(ctx, node.children, ctx.style("strong" if node.strong else "emphasis"))
    if isinstance(node, Code):
        return [oxml.run(node.text, ctx.style("code"))]
    if isinstance(node, LineBreak):
        return [oxml.run("\n", style_id)]
    if isinstance(node, Ref):
        text = plain_text(node.children) if node.children else node.display or node.target
        runs = [oxml.run(text, ctx.style("xref"))]
        return [oxml.hyperlink(runs, anchor=oxml.bookmark_name(node.anchor))] if node.anchor else runs
    assert isinstance(node, Link)
    return _link(ctx, node, style_id)


def _link(ctx: Context, node: Link, style_id: str) -> list[Element]:
    """An outside address: the author's text, then the address itself, so print shows where it goes."""
    label = plain_text(node.children)
    text = node.url if not label or label == node.url else f"{label}（{node.url}）"
    return [oxml.hyperlink([oxml.run(text, ctx.style("xref"))], rel_id=ctx.external(node.url))]


# ---------------------------------------------------------------- tables


def table(ctx: Context, block: Table) -> Element:
    """A source table; merged cells become gridSpan (columns) and vMerge (rows)."""
    total = ctx.kit.text_width
    units = total / 20 / ((ctx.kit.body_size - 1) / 4)  # half-ems of table text (Table Text is body − ½pt)
    widths = _twips([w * total / units for w in column_widths(block, units)], total)
    tbl = _table_frame(ctx, widths)
    spans = {(s.row, s.column): s for s in block.spans}
    under = {cell: s for s in block.spans for cell in _cells_of(s)}
    for r, row in enumerate([block.header, *block.rows]):
        if r == 0 and not any(plain_text(cell) for cell in row):
            continue
        tr = _row_frame(r == 0)
        for c, width in enumerate(widths):
            span = spans.get((r, c)) or under.get((r, c))
            if span is not None and c != span.column:
                continue  # inside a merged cell's columns
            content = inlines(ctx, row[c]) if c < len(row) and (span is None or span.row == r) else []
            merge = "" if span is None or span.rows == 1 else ("restart" if span.row == r else "continue")
            columns = span.columns if span else 1
            width = sum(widths[c : c + columns])
            tr.append(
                _cell(ctx, content, width, block.aligns[c] if c < len(block.aligns) else "", r == 0, columns, merge)
            )
        tbl.append(tr)
    return tbl


def _cells_of(span: Span) -> list[tuple[int, int]]:
    return [
        (r, c) for r in range(span.row, span.row + span.rows) for c in range(span.column, span.column + span.columns)
    ]


def _twips(widths: list[float], total: int) -> list[int]:
    out = [round(w) for w in widths]
    if out:
        out[-1] += total - sum(out)
    return out


def table_of(ctx: Context, header: list[str], rows: list[list[str]], widths: list[int]) -> Element:
    """A table of plain strings (revision history and the like) in the handbook's table style."""
    return table_of_runs(ctx, header, [[[oxml.run(c)] for c in row] for row in rows], widths)


def table_of_runs(
    ctx: Context, header: list[str], rows: list[list[list[Element]]], widths: list[int], aligns: list[str] | None = None
) -> Element:
    """A table with a repeating header row of plain strings and body cells of ready-made runs."""
    tbl = _table_frame(ctx, widths)
    tbl.append(_row(ctx, [[oxml.run(h)] for h in header], widths, [], header=True))
    for row in rows:
        tbl.append(_row(ctx, row, widths, aligns or [], header=False))
    return tbl


def _table_frame(ctx: Context, widths: list[int]) -> Element:
    tbl = oxml.el("tbl")
    pr = oxml.sub(tbl, "tblPr")
    oxml.prop(pr, "tblStyle", {"val": ctx.style("table")})
    oxml.prop(pr, "tblW", {"w": str(sum(widths)), "type": "dxa"})
    oxml.prop(pr, "jc", {"val": "center"})
    oxml.prop(pr, "tblLayout", {"type": "fixed"})
    oxml.prop(
        pr,
        "tblLook",
        {
            "val": "04A0",
            "firstRow": "1",
            "lastRow": "0",
            "firstColumn": "0",
            "lastColumn": "0",
            "noHBand": "1",
            "noVBand": "1",
        },
    )
    grid = oxml.sub(tbl, "tblGrid")
    for width in widths:
        oxml.sub(grid, "gridCol", {"w": str(width)})
    return tbl


def _row(ctx: Context, cells: list[list[Element]], widths: list[int], aligns: list[str], header: bool) -> Element:
    tr = _row_frame(header)
    for i, width in enumerate(widths):
        tr.append(_cell(ctx, cells[i] if i < len(cells) else [], width, aligns[i] if i < len(aligns) else "", header))
    return tr


def _row_frame(header: bool) -> Element:
    tr = oxml.el("tr")
    oxml.cant_split(tr)
    if header:
        oxml.repeat_header(tr)
    return tr


def _cell(
    ctx: Context, content: list[Element], width: int, align: str, header: bool, columns: int = 1, merge: str = ""
) -> Element:
    """One w:tc; ``columns`` > 1 spans grid columns, ``merge`` (restart | continue) joins rows."""
    tc = oxml.el("tc")
    tcpr = oxml.sub(tc, "tcPr")
    oxml.prop(tcpr, "tcW", {"w": str(width), "type": "dxa"})
    if columns > 1:
        oxml.prop(tcpr, "gridSpan", {"val": str(columns)})
    if merge:
        oxml.prop(tcpr, "vMerge", {"val": merge} if merge == "restart" else {})
    if header:
        oxml.shade(tcpr, ctx.kit.color("primary"))
    oxml.prop(tcpr, "vAlign", {"val": "center"})
    p = oxml.paragraph(ctx.style("table-header" if header else "table-text"), content)
    if align in JC and not header:
        oxml.prop(p[0], "jc", {"val": JC[align]})
    tc.append(p)
    return tc


# ---------------------------------------------------------------- appendices


def appendices(
    ctx: Context, items: Sequence[Appendix | Attachment], forms: Mapping[str, list[Element]]
) -> Iterator[Element]:
    """The list of appendices (附件一 《请假申请表》 …… HR-F-003 第2.0版), then each one in turn:
    a Markdown appendix's blocks, a form as it prints (``forms``: its body elements by anchor)."""
    if not items:
        return
    words = ctx.kit.words
    ctx.state.headings.append(Heading(1, words.appendices.replace("\u3000", ""), "pb_appendices"))
    start, end = oxml.bookmark(ctx.state.next_bookmark, "pb_appendices")
    ctx.state.next_bookmark += 1
    lead = [] if ctx.kit.brand.chapter_break == "page" else [oxml.page_break()]  # appendices always start a page
    yield oxml.paragraph(ctx.style("chapter"), [*lead, start, oxml.run(words.appendices), end])
    for appendix in items:
        if isinstance(appendix, Attachment):  # its bookmark is on its own heading below
            yield oxml.paragraph(
                ctx.style("appendix-entry"), [oxml.run(f"{appendix.number}\t{_quoted(ctx, appendix.title)}")]
            )
            continue
        form = appendix.form
        version = words.form_version.format(form.version)
        runs = [oxml.run(f"{appendix.number}\t{_quoted(ctx, form.title)}\t{form.code}　{version}")]
        yield oxml.paragraph(ctx.style("appendix-entry"), runs)
    for appendix in items:
        key = identity.node_key(ctx, appendix)
        if isinstance(appendix, Attachment):
            yield from identity.spanned(ctx, key, _attachment(ctx, appendix))
        else:
            heading, *rest = _form(ctx, appendix, forms[appendix.anchor])
            yield from [*identity.spanned(ctx, key, [heading]), *rest]


def _form(ctx: Context, appendix: Appendix, elements: list[Element]) -> Iterator[Element]:
    """A form on a new page: its heading (附件一　请假申请表　HR-F-003, in the contents), then the
    form as it prints (the forms writer's own header, grid and notes)."""
    form = appendix.form
    heading = _heading(
        ctx, "section", 2, appendix.number, f"{form.title}{ctx.kit.words.gap}{form.code}", appendix.anchor
    )
    heading.insert(1, oxml.page_break())
    yield heading
    yield from elements


def _attachment(ctx: Context, attachment: Attachment) -> Iterator[Element]:
    """A Markdown appendix on a new page: its heading (in the contents), then its blocks."""
    heading = _heading(ctx, "section", 2, attachment.number, attachment.title, attachment.anchor)
    heading.insert(1, oxml.page_break())
    yield heading
    for block in attachment.blocks:
        yield from block_elements(ctx, block, "body")


def _quoted(ctx: Context, title: str) -> str:
    return f"《{title}》" if ctx.kit.locale != "en" else title
