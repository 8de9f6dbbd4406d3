"""Write stage (forms): the DOCX version of a form — a bordered table with content controls.

Laid out like the PDF: one table whose column grid is the union of every row's
cell boundaries, so labels line up; labels shaded with the brand colours;
fields are content controls tagged with the PDF field names (plain text and
date picker with placeholder text, a w14 checkbox per option of a checkbox
group, one drop-down list for a single choice, whose items store the PDF's
on-states 1…n). Fonts and language follow the variant as in the PDF (zh-HK →
HK faces); rows never split across pages. Raw XML comes from the DOCX writer's
oxml module; the only extra XML (checkbox symbols) is built here.
"""

from __future__ import annotations

from dataclasses import dataclass

import docx
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_ALIGN_VERTICAL, WD_ROW_HEIGHT_RULE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.shared import Mm, Pt, RGBColor
from docx.table import _Cell, _Row
from docx.text.paragraph import Paragraph
from lxml import etree

from policybook.dates import build_time
from policybook.language import Language
from policybook.language import of as language_of
from policybook.model import Appendix, Brand, Document, FormCell, FormRow
from policybook.writers.docx import oxml
from policybook.writers.docx.properties import package_bytes
from policybook.writers.forms.typeset import COMPACT, METRICS, WORDS, LabelWidths, form_tag
from policybook.writers.typst_fonts import families

W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
PAPER_MM = {"A4": (210, 297), "A5": (148, 210), "A4-landscape": (297, 210)}
MARGIN_MM = 15
BOX_SYMBOLS = ("2612", "2610", "☐")  # checked, unchecked, shown
# the form's own Normal paragraph (2 pt after, single spacing, no indent), written out for a host document
HOST_NEUTRAL = {
    "spacing": {"before": "0", "after": "40", "line": "240", "lineRule": "auto"},
    "ind": {"left": "0", "right": "0", "firstLine": "0"},
}


@dataclass
class Sheet:
    """What every cell writer needs: the brand, the variant's language (its faces), words and sizes."""

    brand: Brand
    words: dict[str, str]
    metrics: dict[str, float]  # row and line heights (mm), body size (pt): typeset.METRICS or COMPACT
    lang: Language

    @property
    def size(self) -> float:
        return self.metrics["size"]

    def color(self, key: str) -> RGBColor:
        return RGBColor.from_string(self.brand.colors[key].lstrip("#").upper())

    def font(self, role: str) -> str:
        return self.lang.family((self.brand.fonts.get(role) or ["Noto Sans CJK SC"])[0], families())


def render(doc: Document, appendix: Appendix, compact: bool = False) -> bytes:
    """The form as .docx bytes; ``compact``: the denser metrics the PDF needed to fit one page."""
    document = docx.Document()
    sheet = _sheet(doc, compact)
    width = _page(document, appendix.form.paper)
    _styles(document, sheet)
    _compose(document, sheet, doc, appendix, width)
    _footer(document, sheet, doc, appendix)
    _core(document, doc, appendix)
    return package_bytes(document)  # fixed zip dates and member order


def form_elements(doc: Document, appendix: Appendix, width_mm: float, compact: bool = False) -> list[oxml.Element]:
    """The form as body elements for another document (the handbook's appendix), ``width_mm`` wide.

    Everything the form's own Normal style would give is written on the paragraphs
    and runs, so the host document's styles (a 16 pt 仿宋 body, indents, exact line
    pitch) do not change how the form looks."""
    document = docx.Document()
    sheet = _sheet(doc, compact)
    _compose(document, sheet, doc, appendix, width_mm)
    body = [child for child in document.element.body if etree.QName(child).localname != "sectPr"]
    for p in (p for child in body for p in child.iter(oxml.w("p"))):
        ppr = oxml.properties(p, "pPr")
        for tag, values in HOST_NEUTRAL.items():
            prop = oxml.prop(ppr, tag)
            for name, value in values.items():
                if prop.get(oxml.w(name)) is None:
                    prop.set(oxml.w(name), value)
    for r in (r for child in body for r in child.iter(oxml.w("r"))):
        rpr = oxml.properties(r, "rPr")
        if rpr.find(oxml.w("sz")) is None:
            oxml.prop(rpr, "sz", {"val": str(round(sheet.size * 2))})
            oxml.prop(rpr, "szCs", {"val": str(round(sheet.size * 2))})
        if rpr.find(oxml.w("rFonts")) is None:
            oxml.set_fonts(rpr, sheet.font("body"), sheet.font("body"))
    return body


def _sheet(doc: Document, compact: bool) -> Sheet:
    assert doc.brand is not None
    lang = language_of(doc.meta, doc.subsidiary)
    metrics = COMPACT if compact else METRICS
    return Sheet(doc.brand, WORDS.get(lang.locale, WORDS["zh-Hans"]), metrics, lang)


def _compose(document: docx.document.Document, sheet: Sheet, doc: Document, appendix: Appendix, width: float) -> None:
    """Header, title, intro, the grid of fields and the notes."""
    _header(document, sheet, doc, appendix, width)
    if appendix.form.intro:
        _para(document.add_paragraph(), appendix.form.intro, sheet, color="muted", size=sheet.size * 0.92)
    _table(document, sheet, appendix.form.rows, width)
    _notes(document, sheet, appendix.form.notes)


# ---------------------------------------------------------------- page, styles, header


def _page(document: docx.document.Document, paper: str) -> float:
    """Set paper and margins; returns the text width in mm."""
    width, height = PAPER_MM.get(paper, PAPER_MM["A4"])
    section = document.sections[0]
    section.page_width, section.page_height = Mm(width), Mm(height)
    if width > height:
        section.orientation = WD_ORIENT.LANDSCAPE
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(MARGIN_MM))
    return width - 2 * MARGIN_MM


def _styles(document: docx.document.Document, sheet: Sheet) -> None:
    normal = document.styles["Normal"]
    normal.font.size = Pt(sheet.size)
    normal.font.color.rgb = sheet.color("text")
    rpr = normal.element.get_or_add_rPr()
    oxml.set_fonts(rpr, sheet.font("body"), sheet.font("body"))
    tag = sheet.lang.tag
    for props in (rpr, _default_rpr(document)):  # python-docx's template declares en-US in docDefaults
        oxml.prop(props, "lang", {"val": tag, "eastAsia": tag if sheet.lang.chinese else "zh-CN"})
    normal.paragraph_format.space_after = Pt(2)
    normal.paragraph_format.space_before = Pt(0)


def _default_rpr(document: docx.document.Document) -> oxml.Element:
    """The document defaults' run properties (python-docx's template declares en-US there)."""
    styles = document.styles.element
    defaults = styles.find(oxml.w("docDefaults"))
    assert defaults is not None, "python-docx's default template has docDefaults"
    rpr_default = defaults.find(oxml.w("rPrDefault"))
    assert rpr_default is not None
    return oxml.properties(rpr_default, "rPr")


def _header(document: docx.document.Document, sheet: Sheet, doc: Document, appendix: Appendix, width: float) -> None:
    top = document.add_paragraph()
    top.paragraph_format.tab_stops.add_tab_stop(Mm(width), WD_TAB_ALIGNMENT.RIGHT)
    _run(top, doc.subsidiary.name, sheet, font="heading", color="primary", bold=True, size=11)
    _run(top, "\t" + form_tag(doc, appendix), sheet, font="heading", color="muted", size=8.5)
    oxml.borders(top._p.get_or_add_pPr(), "pBdr", {"bottom": (sheet.brand.colors["primary"], 12, 1)})
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.space_before = Pt(8)
    title.paragraph_format.space_after = Pt(6)
    _run(title, appendix.form.title, sheet, font="heading", bold=True, size=20, spacing=6)


def _footer(document: docx.document.Document, sheet: Sheet, doc: Document, appendix: Appendix) -> None:
    footer = document.sections[0].footer.paragraphs[0]
    form = appendix.form
    _para(
        footer,
        f"{doc.subsidiary.name} · {doc.meta.title}{appendix.number} · {form.code} · V{form.version}",
        sheet,
        color="muted",
        size=8,
    )


def _core(document: docx.document.Document, doc: Document, appendix: Appendix) -> None:
    props = document.core_properties
    props.title = appendix.form.title
    props.author = doc.subsidiary.name
    props.subject = form_tag(doc, appendix)
    props.keywords = appendix.form.code
    props.version = appendix.form.version
    props.created = props.modified = build_time().replace(tzinfo=None)  # SOURCE_DATE_EPOCH, not now


def _notes(document: docx.document.Document, sheet: Sheet, notes: list[str]) -> None:
    for i, note in enumerate(notes, start=1):
        prefix = (sheet.words["notes"] + sheet.words["colon"]) if i == 1 else "\u3000" * 2
        p = document.add_paragraph()
        p.paragraph_format.space_before = Pt(4 if i == 1 else 0)
        _para(p, f"{prefix}{i}. {note}", sheet, color="muted", size=sheet.size * 0.88)


# ---------------------------------------------------------------- the table


def grid(rows: list[FormRow], width: float, labels: LabelWidths) -> list[float]:
    """Column boundaries (mm, after 0) shared by all rows: every label and cell edge."""
    edges = {round(width, 1)}
    for row in rows:
        total = sum(c.span for c in row.cells) or 1
        start = 0.0
        for cell, label in zip(row.cells, labels.row(row), strict=True):
            if cell.label:
                edges.add(round(start + label, 1))
            start += width * cell.span / total
            edges.add(round(start, 1))
    return sorted(e for e in edges if e > 0)


def _table(document: docx.document.Document, sheet: Sheet, rows: list[FormRow], width: float) -> None:
    labels = LabelWidths(rows, width, sheet.size)
    edges = grid(rows, width, labels)
    table = document.add_table(rows=len(rows), cols=len(edges))
    table.autofit = False
    widths = [b - a for a, b in zip([0.0, *edges], edges, strict=False)]
    for column, mm in zip(table.columns, widths, strict=True):
        column.width = Mm(mm)
    for tr in table._tbl.tr_lst:  # straight to the cells: column.cells rebuilds the whole grid each call
        for tc, mm in zip(tr.tc_lst, widths, strict=True):
            tc.width = Mm(mm)
    color = sheet.brand.colors["text"]
    oxml.borders(
        table._tbl.tblPr,
        "tblBorders",
        {s: (color, 5, 0) for s in ("top", "left", "bottom", "right", "insideH", "insideV")},
    )
    for row, tr in zip(rows, table.rows, strict=True):
        tr.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
        tr.height = Mm(sheet.metrics["row"])
        oxml.prop(tr._tr.get_or_add_trPr(), "cantSplit")  # a row never breaks across pages
        if row.cells:
            _cells(tr, sheet, row, edges, width, labels.row(row))
        else:
            _section(_span(tr, list(tr._tr.tc_lst), edges, 0.0, edges[-1]), sheet, row.section)


def _section(bar: _Cell, sheet: Sheet, title: str) -> None:
    """A bar across the whole row (the grid's columns spanned as :func:`_span` does, not
    python-docx's merge, which walks the table's whole grid)."""
    oxml.shade(bar._tc.get_or_add_tcPr(), sheet.brand.colors["primary"])
    bar.vertical_alignment = WD_ALIGN_VERTICAL.CENTER
    bar.paragraphs[0].paragraph_format.keep_with_next = True  # a section bar never ends a page
    _run(bar.paragraphs[0], title, sheet, font="heading", bold=True, color_hex="FFFFFF")


def _cells(tr: _Row, sheet: Sheet, row: FormRow, edges: list[float], width: float, labels: list[float]) -> None:
    tcs = list(tr._tr.tc_lst)
    total = sum(c.span for c in row.cells)
    start = 0.0
    for cell, label in zip(row.cells, labels, strict=True):
        end = start + width * cell.span / total
        value_from = start
        if cell.label:
            value_from = start + label
            head = _span(tr, tcs, edges, start, value_from)
            oxml.shade(head._tc.get_or_add_tcPr(), sheet.brand.colors["shade"])
            head.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
            _run(head.paragraphs[0], cell.label, sheet, font="heading", bold=True, color="primary")
        _value(_span(tr, tcs, edges, value_from, end), sheet, cell)
        if cell.type == "multiline":
            tr.height = Mm(cell.lines * sheet.metrics["line"] + 2)
        start = end


def _span(tr: _Row, tcs: list[oxml.Element], edges: list[float], start: float, end: float) -> _Cell:
    """Grid columns start..end as one cell: w:gridSpan on the first, the others removed."""
    first, last = _index(edges, start, after=True), _index(edges, end, after=False)
    tc = tcs[first]
    if last > first:
        oxml.prop(oxml.properties(tc, "tcPr"), "gridSpan", {"val": str(last - first + 1)})
        tc.tcPr.tcW.w = sum((tcs[i].tcPr.tcW.w for i in range(first, last + 1)), start=0)
        for i in range(first + 1, last + 1):
            tr._tr.remove(tcs[i])
    cell = _Cell(tc, tr.table)
    cell.vertical_alignment = WD_ALIGN_VERTICAL.CENTER
    return cell


def _index(edges: list[float], position: float, after: bool) -> int:
    """The grid column that starts at ``position`` (after=True) or ends at it."""
    position = round(position, 1)
    if after:
        return 0 if position <= 0 else edges.index(position) + 1
    return edges.index(position)


# ---------------------------------------------------------------- field cells


def _value(cell: _Cell, sheet: Sheet, field: FormCell) -> None:
    p = cell.paragraphs[0]
    kind = field.type
    words = sheet.words
    label = field.label or field.name
    if kind == "static":
        _run(p, field.text, sheet)
    elif kind == "checkbox":
        _options(p, sheet, field)
    elif kind == "choice":
        p._p.append(_choice_control(sheet, field))
    elif kind == "signature":
        _run(p, words["sign"] + words["colon"], sheet, color="muted")
        signer = label if label.endswith(words["sign"]) else label + words["sign"]
        p._p.append(_text_control(sheet, field.name, signer, words["fill"]))
        second = cell.add_paragraph()  # the date on its own line: reads well in narrow cells too
        _run(second, words["date"] + words["colon"], sheet, color="muted")
        second._p.append(_date_control(sheet, f"{field.name}_date", signer + words["date"]))
    elif kind == "date":
        p._p.append(_date_control(sheet, field.name, label))
    else:
        p._p.append(_text_control(sheet, field.name, label, words["fill"], kind == "multiline"))


def _text_control(sheet: Sheet, tag: str, alias: str, hint: str, multiline: bool = False) -> oxml.Element:
    kind = "multiline" if multiline else "text"
    return oxml.content_control([_hint_run(hint, sheet)], tag, alias, kind, placeholder=True)


def _date_control(sheet: Sheet, tag: str, alias: str) -> oxml.Element:
    """A date picker whose placeholder is the paper form's blank: ``　年　月　日``."""
    words = sheet.words
    blank = f"\u3000\u3000{words['year']}\u3000{words['month']}\u3000{words['day']}"
    return oxml.content_control(
        [_hint_run(blank, sheet)], tag, alias, "date", date_format="yyyy-MM-dd", placeholder=True
    )


def _choice_control(sheet: Sheet, field: FormCell) -> oxml.Element:
    """A single choice as one drop-down list; its items store 1…n, the PDF radio on-states.

    The placeholder lists the options (优／良／中／差), so a printed blank is circled by hand."""
    hint = sheet.words["or"].join(field.options)
    values = [str(i) for i in range(1, len(field.options) + 1)]
    return oxml.content_control(
        [_hint_run(hint, sheet)],
        field.name,
        field.label or field.name,
        "dropdown",
        options=field.options,
        values=values,
        placeholder=True,
    )


def _options(p: Paragraph, sheet: Sheet, field: FormCell) -> None:
    checked, unchecked, shown = BOX_SYMBOLS
    for i, option in enumerate(field.options, start=1):
        control = oxml.content_control(
            [_xrun(shown, sheet)], f"{field.name}.{i}", f"{field.label}：{option}", "checkbox"
        )
        _box_states(control, checked, unchecked)
        p._p.append(control)
        _run(p, f"\u00a0{option}\u3000", sheet)


def _box_states(control: oxml.Element, checked: str, unchecked: str) -> None:
    """The symbols Word shows for a ticked and an empty box (w14:checkedState/uncheckedState)."""
    box = control.find(f".//{{{W14}}}checkbox")
    assert box is not None
    for tag, value in (("checkedState", checked), ("uncheckedState", unchecked)):
        state = etree.SubElement(box, f"{{{W14}}}{tag}")
        state.set(f"{{{W14}}}val", value)
        state.set(f"{{{W14}}}font", "Segoe UI Symbol")


# ---------------------------------------------------------------- runs


def _hint_run(text: str, sheet: Sheet) -> oxml.Element:
    """Placeholder text: the muted colour, the heading face."""
    r = oxml.run(text)
    rpr = oxml.properties(r, "rPr")
    oxml.set_fonts(rpr, sheet.font("heading"), sheet.font("heading"))
    oxml.prop(rpr, "color", {"val": sheet.brand.colors["muted"].lstrip("#").upper()})
    return r


def _xrun(text: str, sheet: Sheet) -> oxml.Element:
    r = oxml.run(text)
    rpr = oxml.properties(r, "rPr")
    oxml.set_fonts(rpr, sheet.font("heading"), sheet.font("heading"))
    oxml.prop(rpr, "color", {"val": sheet.brand.colors["accent"].lstrip("#").upper()})
    return r


def _run(
    p: Paragraph,
    text: str,
    sheet: Sheet,
    font: str = "body",
    color: str = "text",
    bold: bool = False,
    size: float | None = None,
    color_hex: str = "",
    spacing: float = 0,
) -> None:
    r = p.add_run(text)
    r.bold = bold
    r.font.size = Pt(size or sheet.size)
    r.font.color.rgb = RGBColor.from_string(color_hex) if color_hex else sheet.color(color)
    oxml.set_fonts(r._r.get_or_add_rPr(), sheet.font(font), sheet.font(font))
    if spacing:
        oxml.prop(r._r.get_or_add_rPr(), "spacing", {"val": str(int(spacing * 20))})


def _para(p: Paragraph, text: str, sheet: Sheet, color: str = "text", size: float | None = None) -> None:
    _run(p, text, sheet, color=color, size=size)
