"""Write stage: the change table (修订对照表) as an editable landscape DOCX.

Laid out like the PDF version (``changes.typ``) with the DOCX handbook writer's
building blocks: the brand kit turned landscape, its named styles plus a few
roles of our own, its table frame with a repeating header row, PAGE/NUMPAGES
fields and the deterministic package. Deleted words are struck through and new
words underlined through two character styles, so an editor can restyle them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT

from policybook.model import ChangeRow, ChangeTable, Segment
from policybook.writers.changes import (
    changes_stem,
    document_view,
    full_title,
    headings,
    labels_for,
    register,
    versions,
)
from policybook.writers.docx import base_document, fill, oxml, page, properties, styles
from policybook.writers.docx.body import table_of_runs
from policybook.writers.docx.context import Context
from policybook.writers.docx.kit import Kit, kit_for
from policybook.writers.docx.oxml import Element
from policybook.writers.docx.styles import Spec, specs
from policybook.writers.units import TWIPS_PER, page_twips

# The marks of changes.typ (not brand colours: red and green mean deleted and new in every kit).
DELETED = ("B42318", "FBE3E4")  # strike and text colour, shading
INSERTED = ("137333", "DFF3E4")  # underline colour, shading
MARGINS_MM = {"top": 20, "bottom": 18, "inside": 16, "outside": 16}
FIXED_COLUMNS_MM = (12, 42)  # 序号 and 说明; 原条款 and 修订后条款 share the rest
CELL_MARGINS = {"top": 80, "left": 100, "bottom": 80, "right": 100}  # twips, about the PDF's 5 pt inset
BODY_SIZE = 20  # half-points: table text (body − ½ pt) is 9.5 pt as in the PDF
TABLE_LINE = 290  # twips: the line pitch of the PDF's 9.5 pt table text with its 0.7 em leading


def write(table: ChangeTable, out: Path) -> list[Path]:
    path = out / f"{changes_stem(table)}.docx"
    path.write_bytes(render(table))
    return [path]


def render(table: ChangeTable) -> bytes:
    """The change table as .docx bytes."""
    kit = landscape(kit_for(document_view(table)))
    document = base_document(kit)
    ids = styles.prepare(document, kit, bool(kit.brand.reference_docx), role_specs())
    _marks(document, ids)
    ctx = Context(kit, ids, document.part, set())
    _page(document, ctx, table)
    fill(document, list(content(ctx, table)))
    _properties(document, table, kit)
    return properties.package_bytes(document)


def landscape(kit: Kit) -> Kit:
    """The kit on A4 landscape with the PDF's margins, text size and line pitch."""
    margins = {side: round(mm * TWIPS_PER["mm"]) for side, mm in MARGINS_MM.items()}
    line = round(TABLE_LINE / (specs(kit)["table-text"].line or 1.0))  # Table Text is a multiple of it
    return replace(kit, page=page_twips("A4-landscape"), margins=margins, body_size=BODY_SIZE, line=line)


def role_specs() -> dict[str, Spec]:
    """The styles a change table adds to the handbook's (sizes: half-points from the 10 pt body)."""
    return {
        "change-title": Spec(
            "Change Table Title",
            base="Normal",
            font="heading",
            size=16,
            color="primary",
            bold=True,
            align="center",
            line=0,
            after=2,
        ),
        "change-subtitle": Spec(
            "Change Table Subtitle", base="Normal", color="muted", align="center", line=0, after=10
        ),
        "change-empty": Spec("Change Table Empty", base="Normal", color="muted", align="center", line=0, before=12),
        "change-summary": Spec(
            "Renumbering", base="Normal", size=-2, line=0, before=8, left_chars=100, left_border="accent"
        ),  # the border, 8 pt left of the text, meets the table edge
        "change-legend": Spec("Change Legend", base="Normal", size=-4, color="muted", line=0, before=8),
        "change-note": Spec("Change Note", kind="character", size=-3),
        "deleted": Spec("Deleted Text", kind="character"),
        "inserted": Spec("Inserted Text", kind="character"),
    }


def _marks(document: DocxDocument, ids: dict[str, str]) -> None:
    """Strike and underline on the two mark styles, unless a reference .docx already marks them."""
    for role, (color, fill_color) in (("deleted", DELETED), ("inserted", INSERTED)):
        rpr = document.styles.element.get_by_id(ids[role]).get_or_add_rPr()
        if rpr.find(oxml.w("strike")) is not None or rpr.find(oxml.w("u")) is not None:
            continue
        (oxml.strike if role == "deleted" else oxml.underline)(rpr, color)
        oxml.shade(rpr, fill_color)


# ---------------------------------------------------------------- page


def _page(document: DocxDocument, ctx: Context, table: ChangeTable) -> None:
    """Landscape page; header company · code · 修订对照表; footer versions · 第 X 页 共 Y 页."""
    page.size_and_margins(document, ctx.kit)
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.different_first_page_header_footer = False
    labels = labels_for(table)
    header = f"{table.subsidiary.name}\t\t{table.meta.code} · {labels['title']}"
    page.replace_story(section.header, oxml.paragraph(ctx.style("header"), [oxml.run(header)]))
    before, _, rest = labels["page"].partition("{x}")
    between, _, after = rest.partition("{y}")
    runs = [
        oxml.run(f"{versions(table)}\t\t{before}"),
        *oxml.field("PAGE", [oxml.run("1")]),
        oxml.run(between),
        *oxml.field("NUMPAGES", [oxml.run("1")]),
        oxml.run(after),
    ]
    page.replace_story(section.footer, oxml.paragraph(ctx.style("footer"), runs))


def _properties(document: DocxDocument, table: ChangeTable, kit: Kit) -> None:
    properties.set_core(document, document_view(table), kit)
    meta, props = table.meta, document.core_properties
    props.title = full_title(table)
    props.subject = headings(table)[1]
    props.keywords = "; ".join(
        [
            meta.title,
            labels_for(table)["title"],
            meta.code,
            f"v{table.old_version}",
            f"v{meta.version}",
            table.subsidiary.code,
        ]
    )
    props.comments = f"{versions(table)}, effective {meta.effective}"
    props.identifier = changes_stem(table)


# ---------------------------------------------------------------- content


def content(ctx: Context, table: ChangeTable) -> Iterator[Element]:
    labels = labels_for(table)
    heading, subheading = headings(table)
    yield oxml.paragraph(ctx.style("change-title"), [oxml.run(heading)])
    yield oxml.paragraph(ctx.style("change-subtitle"), [oxml.run(subheading)])
    if table.rows:
        yield _table(ctx, table.rows, labels["columns"])
    else:
        yield oxml.paragraph(ctx.style("change-empty"), [oxml.run(labels["empty"])])
    if table.renumbered_summary:
        summary = labels["renumbered"] + table.renumbered_summary
        yield oxml.paragraph(ctx.style("change-summary"), [oxml.run(summary)])
    yield oxml.paragraph(ctx.style("change-legend"), [oxml.run(labels["legend"])])


def _table(ctx: Context, rows: list[ChangeRow], columns: list[str]) -> Element:
    cells = [
        [
            [oxml.run(str(row.seq))],
            _clause(ctx, row.old_number, row.old, "deleted"),
            _clause(ctx, row.new_number, row.new, "inserted"),
            [oxml.run(row.note, ctx.style("change-note"))],
        ]
        for row in rows
    ]
    tbl = table_of_runs(ctx, columns, cells, column_widths(ctx.kit.text_width), ["center", "", "", ""])
    oxml.cell_margins(oxml.properties(tbl, "tblPr"), CELL_MARGINS)
    _band(ctx, tbl)
    return tbl


def _clause(ctx: Context, number: str, segments: list[Segment], mark: str) -> list[Element]:
    """The article number on its own line, then the text with changed segments in the mark style."""
    runs = [oxml.run(f"{number}\n", ctx.style("article-number"))] if number else []
    return runs + [oxml.run(s.text, ctx.style(mark) if s.changed else "") for s in segments]


def column_widths(total: int) -> list[int]:
    first, last = (round(mm * TWIPS_PER["mm"]) for mm in FIXED_COLUMNS_MM)
    half = (total - first - last) // 2
    return [first, half, total - first - last - half, last]


def _band(ctx: Context, tbl: Element) -> None:
    """Body cells aligned to the top, every second row shaded (as the PDF)."""
    for i, tr in enumerate(tbl.findall(oxml.w("tr"))[1:], start=1):
        for tc in tr.findall(oxml.w("tc")):
            tcpr = oxml.properties(tc, "tcPr")
            oxml.prop(tcpr, "vAlign", {"val": "top"})
            if i % 2 == 0:
                oxml.shade(tcpr, ctx.kit.color("shade"))


register("docx", write)
