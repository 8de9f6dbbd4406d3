"""Write stage (DOCX): front matter — cover, revision history, table of contents.

The table of contents is a real TOC field (Word can update it) whose cached
result already lists every chapter and section as a hyperlink to its bookmark,
with page numbers when the pagination pass could learn them; it never shows an
empty "update this field" placeholder.
"""

from __future__ import annotations

from collections.abc import Iterator

from docx.shared import Mm

from policybook.dates import long_date
from policybook.model import Document
from policybook.naming import document_code
from policybook.writers.docx import oxml
from policybook.writers.docx.body import table_of
from policybook.writers.docx.context import Context, Heading
from policybook.writers.docx.oxml import Element
from policybook.writers.docx.pagination import Pages
from policybook.writers.tables import display_width

TOC_FIELD = 'TOC \\o "1-2" \\h \\z \\u'
COVER_LOGO_HEIGHT = Mm(16)
BAND_PADDING = 340  # twips inside the cover band
CELL_MARGIN = 108  # twips, Word's default left/right cell margin


# ---------------------------------------------------------------- cover


def cover(ctx: Context, doc: Document, logo: bytes | None) -> Iterator[Element]:
    if logo is not None:
        yield oxml.paragraph(ctx.style("cover-logo"), [picture(ctx.part, logo, COVER_LOGO_HEIGHT)])
    if ctx.kit.brand.cover == "band":
        yield from _band_cover(ctx, doc)
    else:
        yield from _centred_cover(ctx, doc)
    yield _meta_table(ctx, doc)
    yield oxml.paragraph("", [oxml.page_break()])


def _band_cover(ctx: Context, doc: Document) -> Iterator[Element]:
    yield oxml.paragraph(ctx.style("cover-group"), [oxml.run(doc.meta.group)])
    yield oxml.paragraph(ctx.style("cover-spacer"))
    band = oxml.el("tbl")
    pr = oxml.sub(band, "tblPr")
    oxml.prop(pr, "tblW", {"w": str(ctx.kit.text_width), "type": "dxa"})
    oxml.prop(pr, "tblLayout", {"type": "fixed"})
    oxml.sub(oxml.sub(band, "tblGrid"), "gridCol", {"w": str(ctx.kit.text_width)})
    tr = oxml.sub(band, "tr")
    oxml.prop(oxml.properties(tr, "trPr"), "trHeight", {"val": str(ctx.kit.page[1] // 6), "hRule": "atLeast"})
    tc = oxml.sub(tr, "tc")
    tcpr = oxml.sub(tc, "tcPr")
    oxml.prop(tcpr, "tcW", {"w": str(ctx.kit.text_width), "type": "dxa"})
    oxml.shade(tcpr, ctx.kit.color("primary"))
    padding = oxml.prop(tcpr, "tcMar")
    for side in ("left", "right"):
        oxml.sub(padding, side, {"w": str(BAND_PADDING), "type": "dxa"})
    oxml.prop(tcpr, "vAlign", {"val": "center"})
    tc.append(oxml.paragraph(ctx.style("band-title"), [oxml.run(doc.meta.title)]))
    tc.append(oxml.paragraph(ctx.style("band-subtitle"), [oxml.run(doc.subsidiary.name)]))
    yield band
    yield oxml.paragraph(ctx.style("cover-spacer"))


def _centred_cover(ctx: Context, doc: Document) -> Iterator[Element]:
    yield oxml.paragraph(ctx.style("cover-spacer"))
    yield oxml.paragraph(ctx.style("title"), [oxml.run(doc.meta.title)])
    yield oxml.paragraph(ctx.style("subtitle"), [oxml.run(doc.subsidiary.name)])
    yield oxml.paragraph(ctx.style("cover-spacer"))


def _meta_table(ctx: Context, doc: Document) -> Element:
    """Document code, version, effective date and issuer, in a quiet two-column block."""
    labels = ctx.kit.words.cover_labels
    values = (document_code(doc), doc.meta.version, long_date(doc.meta.effective, doc.meta.locale), doc.meta.group)
    size = ctx.kit.body_size + 2  # half-points, as the Cover Meta and Cover Label styles
    label_width = _text_twips(labels, size)
    width = min(ctx.kit.text_width, max(ctx.kit.text_width // 2, label_width + _text_twips(values, size)))
    tbl = oxml.el("tbl")
    pr = oxml.sub(tbl, "tblPr")
    oxml.prop(pr, "tblW", {"w": str(width), "type": "dxa"})
    oxml.prop(pr, "jc", {"val": "center" if ctx.kit.brand.cover != "band" else "left"})
    oxml.prop(pr, "tblLayout", {"type": "fixed"})
    oxml.borders(pr, "tblBorders", {"top": (ctx.kit.color("primary"), 12, 0)})
    grid = oxml.sub(tbl, "tblGrid")
    for w in (label_width, width - label_width):
        oxml.sub(grid, "gridCol", {"w": str(w)})
    for label, value in zip(labels, values, strict=True):
        tr = oxml.sub(tbl, "tr")
        for text, w, role in ((label, label_width, "cover-label"), (value, width - label_width, "cover-meta")):
            tc = oxml.sub(tr, "tc")
            oxml.prop(oxml.sub(tc, "tcPr"), "tcW", {"w": str(w), "type": "dxa"})
            tc.append(oxml.paragraph(ctx.style(role), [oxml.run(text)]))
    return tbl


def _text_twips(texts: tuple[str, ...], half_points: int) -> int:
    """Width of the widest text in a table cell (twips), cell margins included."""
    return max(display_width(t) for t in texts) * half_points * 5 + 2 * CELL_MARGIN + 120


def picture(part: object, image: bytes, height: object) -> Element:
    """An inline picture run; ``part`` is the story part (document, header) that owns the image."""
    import io

    inline = part.new_pic_inline(io.BytesIO(image), None, height)  # type: ignore[attr-defined]
    r = oxml.el("r")
    oxml.sub(r, "drawing").append(inline)
    return r


# ---------------------------------------------------------------- revision history


def revisions(ctx: Context, doc: Document) -> Iterator[Element]:
    if not doc.revisions:
        return
    yield oxml.paragraph(ctx.style("front-heading"), [oxml.run(ctx.kit.words.revisions)])
    newest_first = sorted(doc.revisions, key=lambda r: (r.date, r.version), reverse=True)
    rows = [[r.version, long_date(r.date, doc.meta.locale), r.summary] for r in newest_first]
    total = ctx.kit.text_width
    widths = [round(total * 0.14), round(total * 0.24)]
    widths.append(total - sum(widths))
    yield table_of(ctx, list(ctx.kit.words.revision_columns), rows, widths)
    yield oxml.paragraph("", [oxml.page_break()])


# ---------------------------------------------------------------- table of contents


def toc(ctx: Context, headings: list[Heading], pages: Pages | None) -> list[Element]:
    """The TOC heading and one paragraph per entry; the field spans from the first entry to the last."""
    out = [oxml.paragraph(ctx.style("front-heading"), [oxml.run(ctx.kit.words.contents)])]
    stops = _title_stops(ctx, headings)
    entries = [_toc_entry(ctx, h, pages.bookmarks.get(h.bookmark) if pages else None, stops) for h in headings]
    if not entries:
        return out
    first = entries[0]
    for i, run in enumerate(oxml.field_begin(TOC_FIELD)):
        first.insert(1 + i, run)  # after the w:pPr
    entries[-1].append(oxml.field_end())
    return out + entries


TOC_INDENT = {1: 0, 2: 200}  # hundredths of a character: where each level's entries start (styles toc 1, toc 2)


def _title_stops(ctx: Context, headings: list[Heading]) -> dict[int, int]:
    """Per level, a tab stop (twips) just past its widest number: 第一章 and 第十一章 are
    followed by titles that line up."""
    widest: dict[int, int] = {}
    for heading in headings:
        if ctx.kit.words.gap in heading.text:
            number = heading.text.split(ctx.kit.words.gap, 1)[0]
            widest[heading.level] = max(widest.get(heading.level, 0), display_width(number))
    return {
        level: (TOC_INDENT.get(level, 0) + width * 50 + 100) * ctx.kit.body_size // 10
        for level, width in widest.items()
    }


def _toc_entry(ctx: Context, heading: Heading, page: int | None, stops: dict[int, int]) -> Element:
    number, gap, title = heading.text.partition(ctx.kit.words.gap)
    runs = [oxml.run(f"{number}\t{title}" if gap and heading.level in stops else heading.text)]
    if page is not None:
        runs.append(oxml.run("\t"))
        runs.extend(oxml.field(f"PAGEREF {heading.bookmark} \\h", [oxml.run(str(page))]))
    link = oxml.hyperlink(runs, anchor=heading.bookmark)
    paragraph = oxml.paragraph(ctx.style(f"toc-{heading.level}"), [link])
    if gap and heading.level in stops:
        tabs = oxml.prop(oxml.properties(paragraph, "pPr"), "tabs")
        oxml.sub(tabs, "tab", {"val": "left", "pos": str(stops[heading.level])})
    return paragraph
