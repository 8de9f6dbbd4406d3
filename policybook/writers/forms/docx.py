"""Write stage (forms): the DOCX version of a form — a bordered table with content controls.

Laid out like the PDF: one table whose column grid is the union of every row's
cell boundaries, so labels line up; labels shaded with the brand colours;
fields are content controls tagged with the PDF field names (plain text and
date picker with placeholder text, a w14 checkbox per option of a checkbox
group, one drop-down list for a single choice, whose items store the PDF's
on-states 1…n). Fonts and language follow the variant as in the PDF (zh-HK →
HK faces); rows never split across pages. The body is built as raw XML with the
DOCX writer's oxml module (python-docx's proxies cost ~0.05 CPU-s a form, and a
form is drawn twice a build: here and in the handbook's appendix); python-docx
only makes the package (template, section, styles, footer, save). The only
extra XML (checkbox symbols) is built here.
"""

from __future__ import annotations

from dataclasses import dataclass

import docx
from docx.enum.section import WD_ORIENT
from docx.shared import Mm, Pt, RGBColor
from lxml import etree

from policybook.dates import build_time
from policybook.language import Language
from policybook.language import of as language_of
from policybook.model import Appendix, Brand, Document, FormCell, FormRow
from policybook.writers.docx import oxml
from policybook.writers.docx.properties import package_bytes
from policybook.writers.forms.typeset import (
    COMPACT,
    MARGINS,
    METRICS,
    WORDS,
    LabelWidths,
    form_tag,
)
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
# the table look python-docx's add_table wrote (Word's default), kept so the XML stays as it was
TABLE_LOOK = {
    "firstColumn": "1",
    "firstRow": "1",
    "lastColumn": "0",
    "lastRow": "0",
    "noHBand": "0",
    "noVBand": "1",
    "val": "04A0",
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

    def color(self, key: str) -> str:
        """A brand colour as Word writes it (RRGGBB)."""
        return self.brand.colors[key].lstrip("#").upper()

    def font(self, role: str) -> str:
        return self.lang.family((self.brand.fonts.get(role) or ["Noto Sans CJK SC"])[0], families())


def render(doc: Document, appendix: Appendix, compact: bool = False) -> bytes:
    """The form as .docx bytes; ``compact``: the denser metrics the PDF needed to fit one page."""
    document = docx.Document()
    sheet = _sheet(doc, compact)
    width = _page(document, appendix.form.paper)
    _styles(document, sheet)
    section = document.element.body.sectPr  # the template's body holds only its w:sectPr
    for element in _compose(sheet, doc, appendix, width):
        section.addprevious(element)
    _footer(document, sheet, doc, appendix)
    _core(document, doc, appendix)
    return package_bytes(document)  # fixed zip dates and member order


def form_elements(
    doc: Document, appendix: Appendix, width_mm: float, compact: bool = False, height_mm: float = 0
) -> list[oxml.Element]:
    """The form as body elements for another document (the handbook's appendix), ``width_mm`` wide.

    Everything the form's own Normal style would give is written on the paragraphs
    and runs, so the host document's styles (a 16 pt 仿宋 body, indents, exact line
    pitch) do not change how the form looks. ``height_mm``: the host page's text height;
    where it is less than the form's own page leaves, rows and ruled lines are lower
    by as much (the 客户服务记录单 ran onto a second page in the handbook)."""
    sheet = _sheet(doc, compact, _fit(appendix, height_mm))
    body = _compose(sheet, doc, appendix, width_mm)
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


def _sheet(doc: Document, compact: bool, scale: float = 1.0) -> Sheet:
    assert doc.brand is not None
    lang = language_of(doc.meta, doc.subsidiary)
    metrics = dict(COMPACT if compact else METRICS)
    metrics["row"], metrics["line"] = metrics["row"] * scale, metrics["line"] * scale
    return Sheet(doc.brand, WORDS.get(lang.locale, WORDS["zh-Hans"]), metrics, lang)


def _fit(appendix: Appendix, host_mm: float) -> float:
    """How much lower rows must be for the form to fit a host page ``host_mm`` of text high
    (1: the form's own page leaves no more). The header, title and notes keep their height,
    so the rows give up the whole difference."""
    if host_mm <= 0:
        return 1.0
    own = _own_height(appendix.form.paper)
    fixed = FIXED_MM  # header, title, intro and notes: about this much of the form's own page
    return max(min(1.0, (host_mm - fixed) / (own - fixed)), 0.5)


def _own_height(paper: str) -> float:
    return PAPER_MM.get(paper, PAPER_MM["A4"])[1] - MARGINS["margin-top"] - MARGINS["margin-bottom"]


FIXED_MM = 60.0  # header, title, intro, notes and the taller cells (signatures) that rows cannot shrink


def _compose(sheet: Sheet, doc: Document, appendix: Appendix, width: float) -> list[oxml.Element]:
    """Header, title, intro, the grid of fields and the notes, as body elements."""
    form = appendix.form
    body = _header(sheet, doc, appendix, width)
    if form.intro:
        body.append(oxml.paragraph(children=[_run(form.intro, sheet, color="muted", size=sheet.size * 0.92)]))
    body.append(_table(sheet, form.rows, width))
    body.extend(_notes(sheet, form.notes))
    return body


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
    normal.font.color.rgb = RGBColor.from_string(sheet.color("text"))
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


def _header(sheet: Sheet, doc: Document, appendix: Appendix, width: float) -> list[oxml.Element]:
    """The subsidiary and the form's tag over a rule, then the title."""
    top = oxml.paragraph()
    ppr = oxml.properties(top, "pPr")
    oxml.borders(ppr, "pBdr", {"bottom": (sheet.brand.colors["primary"], 12, 1)})
    oxml.sub(oxml.prop(ppr, "tabs"), "tab", {"pos": str(Mm(width).twips), "val": "right"})
    top.append(_run(doc.subsidiary.name, sheet, font="heading", color="primary", bold=True, size=11))
    top.append(_run("\t" + form_tag(doc, appendix), sheet, font="heading", color="muted", size=8.5))
    title = oxml.paragraph()
    ppr = oxml.properties(title, "pPr")
    oxml.prop(ppr, "spacing", {"before": _twips_pt(8), "after": _twips_pt(6)})
    oxml.prop(ppr, "jc", {"val": "center"})
    title.append(_run(appendix.form.title, sheet, font="heading", bold=True, size=20, spacing=6))
    return [top, title]


def _footer(document: docx.document.Document, sheet: Sheet, doc: Document, appendix: Appendix) -> None:
    footer = document.sections[0].footer.paragraphs[0]
    form = appendix.form
    text = f"{doc.subsidiary.name} · {doc.meta.title}{appendix.number} · {form.code} · V{form.version}"
    footer._p.append(_run(text, sheet, color="muted", size=8))


def _core(document: docx.document.Document, doc: Document, appendix: Appendix) -> None:
    props = document.core_properties
    props.title = appendix.form.title
    props.author = doc.subsidiary.name
    props.subject = form_tag(doc, appendix)
    props.keywords = appendix.form.code
    props.version = appendix.form.version
    props.created = props.modified = build_time().replace(tzinfo=None)  # SOURCE_DATE_EPOCH, not now


def _notes(sheet: Sheet, notes: list[str]) -> list[oxml.Element]:
    paragraphs = []
    for i, note in enumerate(notes, start=1):
        prefix = (sheet.words["notes"] + sheet.words["colon"]) if i == 1 else "\u3000" * 2
        p = oxml.paragraph()
        oxml.prop(oxml.properties(p, "pPr"), "spacing", {"before": _twips_pt(4 if i == 1 else 0)})
        p.append(_run(f"{prefix}{i}. {note}", sheet, color="muted", size=sheet.size * 0.88))
        paragraphs.append(p)
    return paragraphs


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


def _table(sheet: Sheet, rows: list[FormRow], width: float) -> oxml.Element:
    labels = LabelWidths(rows, width, sheet.size)
    edges = grid(rows, width, labels)
    widths = [Mm(b - a).twips for a, b in zip([0.0, *edges], edges, strict=False)]
    tbl = oxml.el("tbl")
    pr = oxml.sub(tbl, "tblPr")
    oxml.sub(pr, "tblW", {"type": "auto", "w": "0"})
    color = sheet.brand.colors["text"]
    sides = ("top", "left", "bottom", "right", "insideH", "insideV")
    oxml.borders(pr, "tblBorders", {s: (color, 5, 0) for s in sides})
    oxml.prop(pr, "tblLayout", {"type": "fixed"})
    oxml.prop(pr, "tblLook", TABLE_LOOK)
    columns = oxml.sub(tbl, "tblGrid")
    for twips in widths:
        oxml.sub(columns, "gridCol", {"w": str(twips)})
    for row in rows:
        tbl.append(_row(sheet, row, edges, widths, width, labels))
    return tbl


def _row(
    sheet: Sheet, row: FormRow, edges: list[float], widths: list[int], width: float, labels: LabelWidths
) -> oxml.Element:
    """One w:tr: a row never breaks across pages; a multi-line field sets its height."""
    tr = oxml.el("tr")
    trpr = oxml.sub(tr, "trPr")
    oxml.sub(trpr, "cantSplit")
    height = sheet.metrics["row"]
    for cell in row.cells:
        if cell.type == "multiline":
            height = cell.lines * sheet.metrics["line"] + 2
    oxml.sub(trpr, "trHeight", {"hRule": "atLeast", "val": str(Mm(height).twips)})
    if row.cells:
        placed = _cells(sheet, row, edges, width, labels.row(row))
    else:
        placed = [(0, len(widths) - 1, _section(sheet, row.section))]
    tr.extend(_spans(placed, widths))
    return tr


def _spans(placed: list[tuple[int, int, list[oxml.Element]]], widths: list[int]) -> list[oxml.Element]:
    """The row's w:tc: each placed cell across its grid columns (w:gridSpan), any column
    left over as an empty cell."""
    by_first = {first: (last, content) for first, last, content in placed}
    tcs = []
    column = 0
    while column < len(widths):
        last, content = by_first.get(column, (column, []))
        tcs.append(_tc(widths[column : last + 1], content))
        column = last + 1
    return tcs


def _tc(widths: list[int], content: list[oxml.Element]) -> oxml.Element:
    """A w:tc over grid columns ``widths``: its first child is the tcPr content gives (shading,
    vertical alignment), then content's paragraphs; no content: an empty cell."""
    tc = oxml.el("tc")
    tcpr = content[0] if content and content[0].tag == oxml.w("tcPr") else oxml.el("tcPr")
    oxml.prop(tcpr, "tcW", {"type": "dxa", "w": str(sum(widths))})
    if len(widths) > 1:
        oxml.prop(tcpr, "gridSpan", {"val": str(len(widths))})
    tc.append(tcpr)
    tc.extend(child for child in content if child is not tcpr)
    if len(tc) == 1:
        tc.append(oxml.paragraph())
    return tc


def _section(sheet: Sheet, title: str) -> list[oxml.Element]:
    """A bar across the whole row; a section bar never ends a page."""
    p = oxml.paragraph()
    oxml.prop(oxml.properties(p, "pPr"), "keepNext")
    p.append(_run(title, sheet, font="heading", bold=True, color_hex="FFFFFF"))
    return [_cell_pr(sheet.brand.colors["primary"]), p]


def _cells(
    sheet: Sheet, row: FormRow, edges: list[float], width: float, labels: list[float]
) -> list[tuple[int, int, list[oxml.Element]]]:
    """Each field of the row (its label, shaded, then its value) as (first column, last column, content)."""
    placed = []
    total = sum(c.span for c in row.cells)
    start = 0.0
    for cell, label in zip(row.cells, labels, strict=True):
        end = start + width * cell.span / total
        value_from = start
        if cell.label:
            value_from = start + label
            head = oxml.paragraph()
            oxml.prop(oxml.properties(head, "pPr"), "jc", {"val": "center"})
            head.append(_run(cell.label, sheet, font="heading", bold=True, color="primary"))
            placed.append((*_columns(edges, start, value_from), [_cell_pr(sheet.brand.colors["shade"]), head]))
        placed.append((*_columns(edges, value_from, end), [_cell_pr(), *_value(sheet, cell)]))
        start = end
    return placed


def _columns(edges: list[float], start: float, end: float) -> tuple[int, int]:
    """The first and last grid column of start..end."""
    return _index(edges, start, after=True), _index(edges, end, after=False)


def _cell_pr(fill: str = "") -> oxml.Element:
    """A cell's tcPr: shaded with ``fill`` (RRGGBB), centred vertically."""
    tcpr = oxml.el("tcPr")
    if fill:
        oxml.shade(tcpr, fill)
    oxml.prop(tcpr, "vAlign", {"val": "center"})
    return tcpr


def _index(edges: list[float], position: float, after: bool) -> int:
    """The grid column that starts at ``position`` (after=True) or ends at it."""
    position = round(position, 1)
    if after:
        return 0 if position <= 0 else edges.index(position) + 1
    return edges.index(position)


# ---------------------------------------------------------------- field cells


def _value(sheet: Sheet, field: FormCell) -> list[oxml.Element]:
    """The value side of a field: its paragraph(s) with the content control."""
    p = oxml.paragraph()
    kind = field.type
    words = sheet.words
    label = field.label or field.name
    if kind == "static":
        p.append(_run(field.text, sheet))
    elif kind == "checkbox":
        p.extend(_options(sheet, field))
    elif kind == "choice":
        p.append(_choice_control(sheet, field))
    elif kind == "signature":
        p.append(_run(words["sign"] + words["colon"], sheet, color="muted"))
        signer = label if label.endswith(words["sign"]) else label + words["sign"]
        p.append(_text_control(sheet, field.name, signer, underline=True))
        second = oxml.paragraph()  # the date on its own line: reads well in narrow cells too
        second.append(_run(words["date"] + words["colon"], sheet, color="muted"))
        second.append(_date_control(sheet, f"{field.name}_date", signer + words["date"]))
        return [p, second]
    elif kind == "date":
        p.append(_date_control(sheet, field.name, label))
    else:
        p.append(_text_control(sheet, field.name, label, multiline=kind == "multiline"))
    return [p]


def _text_control(sheet: Sheet, tag: str, alias: str, multiline: bool = False, underline: bool = False) -> oxml.Element:
    """A text control whose placeholder is blank (ideographic spaces, a signature's underlined):
    a printed blank form shows an empty box to write in, as the PDF does — not 请填写 in every
    field. Word names the field (``alias``) when the control is entered."""
    run = _hint_run(BLANK * (SIGN_BLANK if underline else FIELD_BLANK), sheet)
    if underline:
        oxml.prop(oxml.properties(run, "rPr"), "u", {"val": "single"})
    kind = "multiline" if multiline else "text"
    return oxml.content_control([run], tag, alias, kind, placeholder=True)


BLANK = "\u3000"  # an ideographic space: Word and LibreOffice keep it, and it prints nothing
FIELD_BLANK, SIGN_BLANK = 2, 3  # no wider than the 请填写 they replace: dense forms stay on one page


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


def _options(sheet: Sheet, field: FormCell) -> list[oxml.Element]:
    """A checkbox control and the option's words, for every option."""
    checked, unchecked, shown = BOX_SYMBOLS
    elements = []
    for i, option in enumerate(field.options, start=1):
        control = oxml.content_control(
            [_xrun(shown, sheet)], f"{field.name}.{i}", f"{field.label}：{option}", "checkbox"
        )
        _box_states(control, checked, unchecked)
        elements += [control, _run(f"\u00a0{option}\u3000", sheet)]
    return elements


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
    text: str,
    sheet: Sheet,
    font: str = "body",
    color: str = "text",
    bold: bool = False,
    size: float | None = None,
    color_hex: str = "",
    spacing: float = 0,
) -> oxml.Element:
    """A run of ``text`` in the sheet's ``font`` and ``color`` (a brand key, or ``color_hex``)."""
    r = oxml.run(text)
    rpr = oxml.properties(r, "rPr")
    oxml.set_fonts(rpr, sheet.font(font), sheet.font(font))
    oxml.prop(rpr, "b", {} if bold else {"val": "0"})
    oxml.prop(rpr, "color", {"val": color_hex or sheet.color(color)})
    if spacing:
        oxml.prop(rpr, "spacing", {"val": _twips_pt(spacing)})
    oxml.prop(rpr, "sz", {"val": _half_points(size or sheet.size)})
    return r


def _half_points(pt: float) -> str:
    """A font size as w:sz writes it, rounded as python-docx's ``font.size = Pt(pt)`` did."""
    return str(int(Pt(pt).pt * 2))


def _twips_pt(pt: float) -> str:
    """Points as twips, for w:spacing (a paragraph's or a run's), rounded as python-docx's ``Pt(pt)`` did."""
    return str(Pt(pt).twips)
