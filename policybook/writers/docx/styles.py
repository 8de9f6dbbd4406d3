"""Write stage (DOCX): the named styles every paragraph and run refers to.

Styles come from the kit's reference .docx when it has one (the Pandoc way:
its styles and page setup win, missing ones are added); otherwise from a clean
default built here from the brand: python-docx's template with its unused
styles dropped and theme fonts/colours removed, then every role defined through
python-docx's style API (so properties land in schema order) plus the few
attributes it has no API for (``w:eastAsia`` fonts, ``firstLineChars``, borders).
Body code only ever sees style ids, looked up once by role.
"""

from __future__ import annotations

from dataclasses import dataclass

from docx.document import Document as DocxDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.shared import Pt, RGBColor, Twips
from docx.styles.style import BaseStyle
from docx.styles.styles import Styles

from policybook.writers.docx import oxml
from policybook.writers.docx.kit import Kit

KIND = {"paragraph": WD_STYLE_TYPE.PARAGRAPH, "character": WD_STYLE_TYPE.CHARACTER, "table": WD_STYLE_TYPE.TABLE}
ALIGN = {
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
    "both": WD_ALIGN_PARAGRAPH.JUSTIFY,
}
KEEP = {"Normal", "Default Paragraph Font", "Normal Table", "No List"}


@dataclass(frozen=True)
class Spec:
    """How one role's style looks in the built-in default (sizes: half-points offset from body)."""

    name: str
    kind: str = "paragraph"
    base: str = ""
    font: str = ""  # body | heading | mono ("" = inherit)
    size: int = 0  # half-points added to the body size (0 = inherit)
    heading: bool = False  # size relative to the kit's heading size instead of body size
    color: str = ""  # brand colour name
    bold: bool | None = None
    italic: bool | None = None
    align: str = ""
    before: float | None = None  # points; None = inherit
    after: float | None = None
    line: float | None = None  # multiple of the body line pitch (exact); 0 = single; None = inherit
    first_line: bool = False  # 2-character first-line indent
    left_chars: int = 0  # hundredths of a character
    hanging_chars: int = 0
    tabs: tuple[tuple[str, str, str], ...] = ()  # (position: "width" | "half" | chars, alignment, leader)
    keep_next: bool = False
    page_break: bool = False
    outline: int | None = None
    shade: str = ""  # brand colour name
    left_border: str = ""  # brand colour name
    bottom_border: str = ""
    next: str = ""


def specs(kit: Kit) -> dict[str, Spec]:
    """Every role the writer uses, keyed by role."""
    item = _item_specs()
    text_height = (kit.page[1] - kit.margins["top"] - kit.margins["bottom"]) / 20  # points
    return {
        "normal": Spec("Normal", font="body", color="text", line=1.0),
        "body": Spec("Body Text", base="Normal", first_line=True, align="both"),
        "article-lead": Spec("Article Lead", base="Body Text", first_line=True, before=6, next="Body Text"),
        "title": Spec(
            "Title",
            base="Normal",
            font="heading",
            heading=True,
            size=26,
            color="primary",
            bold=True,
            align="center",
            line=0,
            after=12,
        ),
        "subtitle": Spec(
            "Subtitle",
            base="Normal",
            font="heading",
            heading=True,
            size=-6,
            color="text",
            italic=False,
            align="center",
            line=0,
            after=6,
        ),
        "band-title": Spec("Cover Band Title", base="Title", color="shade", align="left", before=6, after=6),
        "band-subtitle": Spec("Cover Band Subtitle", base="Subtitle", color="shade", align="left", before=2, after=8),
        "cover-meta": Spec("Cover Meta", base="Normal", size=2, color="text", line=1.5, before=2),
        "cover-label": Spec("Cover Label", base="Cover Meta", font="heading", color="muted"),
        "cover-logo": Spec(
            "Cover Logo", base="Normal", line=0, after=18, align="left" if kit.brand.cover == "band" else "center"
        ),
        "cover-spacer": Spec("Cover Spacer", base="Normal", line=0, before=round(text_height * 0.12)),
        "cover-group": Spec(
            "Cover Group",
            base="Normal",
            font="heading",
            size=4,
            color="primary",
            line=0,
            before=6,
            align="left" if kit.brand.cover == "band" else "center",
        ),
        "chapter": Spec(
            "Heading 1",
            base="Normal",
            font="heading",
            heading=True,
            color="primary",
            bold=True,
            align="center",
            line=0,
            before=12,
            after=18,
            keep_next=True,
            page_break=kit.brand.chapter_break == "page",
            outline=0,
            next="Body Text",
        ),
        "section": Spec(
            "Heading 2",
            base="Normal",
            font="heading",
            size=5,
            color="primary",
            bold=True,
            align="center",
            line=0,
            before=12,
            after=8,
            keep_next=True,
            outline=1,
            next="Body Text",
        ),
        "article": Spec(
            "Heading 3",
            base="Normal",
            font="heading",
            size=1,
            color="text",
            bold=True,
            align="left",
            line=0,
            before=9,
            after=3,
            first_line=True,  # article numbers start where paragraphs do, as in the PDF
            keep_next=True,
            outline=2,
            next="Body Text",
        ),
        "front-heading": Spec(
            "TOC Heading",
            base="Normal",
            font="heading",
            heading=True,
            color="primary",
            bold=True,
            align="center",
            line=0,
            before=0,
            after=18,
            keep_next=True,
        ),
        **item,
        "note": Spec(
            "Note",
            base="Normal",
            size=-1,
            color="text",
            line=0.95,
            shade="shade",
            left_border="accent",
            before=4,
            after=4,
            left_chars=0,
            align="both",
        ),
        "table-text": Spec("Table Text", base="Normal", size=-1, line=0.9, align="left"),
        "table-after": Spec("Table Spacer", base="Normal", line=0.4),
        "table-header": Spec(
            "Table Header", base="Table Text", font="heading", bold=True, color="shade", align="center"
        ),
        "toc-1": Spec(
            "toc 1",
            base="Normal",
            font="heading",
            bold=True,
            before=6,
            after=0,
            line=1.1,
            tabs=(("width", "right", "dots"),),
            next="toc 2",
        ),
        "toc-2": Spec("toc 2", base="Normal", left_chars=200, line=1.0, tabs=(("width", "right", "dots"),)),
        "appendix-entry": Spec(
            "Appendix Entry", base="Normal", line=1.3, tabs=(("450", "left", ""), ("width", "right", "dots"))
        ),
        "header": Spec(
            "Header",
            base="Normal",
            font="heading",
            size=-3,
            color="muted",
            line=0,
            bottom_border="rule",
            tabs=(("half", "center", ""), ("width", "right", "")),
        ),
        "footer": Spec(
            "Footer",
            base="Normal",
            size=-3,
            color="muted",
            line=0,
            tabs=(("half", "center", ""), ("width", "right", "")),
        ),
        "article-number": Spec("Article Number", kind="character", font="heading", bold=True, color="primary"),
        "strong": Spec("Strong", kind="character", bold=True),
        "emphasis": Spec("Emphasis", kind="character", color="accent", italic=False),  # as the PDF: CJK has no italics
        "xref": Spec("Hyperlink", kind="character", color="accent"),
        "code": Spec("Code", kind="character", font="mono", size=-1),
        "table": Spec("Handbook Table", kind="table", base="Normal Table"),
    }


def _item_specs() -> dict[str, Spec]:
    """Items per level: the model's number, a tab, then text hanging at the same edge."""
    geometry = {1: (520, 320), 2: (720, 200), 3: (940, 220)}  # (left, hanging) in hundredths of a char
    out: dict[str, Spec] = {}
    for level, (left, hanging) in geometry.items():
        out[f"item-{level}"] = Spec(
            f"Item {level}",
            base="Body Text",
            left_chars=left,
            hanging_chars=hanging,
            tabs=((str(left + 200), "left", ""),),
        )
        out[f"item-text-{level}"] = Spec(f"Item Text {level}", base="Body Text", left_chars=left)
    return out


# ---------------------------------------------------------------- building


def prepare(
    document: DocxDocument, kit: Kit, from_reference: bool, extra: dict[str, Spec] | None = None
) -> dict[str, str]:
    """Make sure every role (the writer's and ``extra`` ones) has a style; returns role → style id."""
    styles = document.styles
    table = {**specs(kit), **(extra or {})}
    if not from_reference:
        _clean_default(document, {s.name for s in table.values()})
        _defaults(document, kit)
    found = {role: _existing(document, spec) for role, spec in table.items()}
    made = {role: style or styles.add_style(table[role].name, KIND[table[role].kind]) for role, style in found.items()}
    for role, style in made.items():
        if found[role] is None or not from_reference:
            _apply(styles, style, table[role], kit)
    return {role: style.style_id for role, style in made.items()}


def _existing(document: DocxDocument, spec: Spec) -> BaseStyle | None:
    try:
        style = document.styles[spec.name]
    except KeyError:
        return None
    return style if style.type == KIND[spec.kind] else None


def _clean_default(document: DocxDocument, wanted: set[str]) -> None:
    """Drop the template's unused styles, style links and theme fonts/colours."""
    root = document.styles.element
    for style in list(document.styles):
        if style.name not in wanted | KEEP:
            root.remove(style.element)
    for link in root.iter(oxml.w("link")):
        link.getparent().remove(link)
    oxml.strip_theme(root)


def _defaults(document: DocxDocument, kit: Kit) -> None:
    """Document defaults: fonts (Latin + East Asian), size, language, no paragraph spacing."""
    defaults = document.styles.element.find(oxml.w("docDefaults"))
    rpr = defaults.find(f"{oxml.w('rPrDefault')}/{oxml.w('rPr')}")
    oxml.set_fonts(rpr, *kit.body_font, hint=_hint(kit))
    oxml.prop(rpr, "sz", {"val": str(kit.body_size)})
    oxml.prop(rpr, "szCs", {"val": str(kit.body_size)})
    lang = "en-US" if kit.locale == "en" else kit.lang
    oxml.prop(rpr, "lang", {"val": lang, "eastAsia": kit.lang if kit.locale != "en" else "zh-CN", "bidi": "ar-SA"})
    ppr = defaults.find(f"{oxml.w('pPrDefault')}/{oxml.w('pPr')}")
    oxml.prop(ppr, "spacing", {"after": "0", "line": "240", "lineRule": "auto"})


def _hint(kit: Kit) -> str:
    return "" if kit.locale == "en" else "eastAsia"


def _apply(styles: Styles, style: BaseStyle, spec: Spec, kit: Kit) -> None:
    _reset(style)
    if spec.base:
        style.base_style = styles[spec.base]  # type: ignore[attr-defined]  # every style kind has one
    if spec.kind == "paragraph" or spec.kind == "character":
        _font(style, spec, kit)
    if spec.kind == "paragraph":
        _paragraph(style, spec, kit)
        if spec.next:
            style.next_paragraph_style = styles[spec.next]  # type: ignore[attr-defined]  # a ParagraphStyle
    if spec.kind == "table":
        _table(style, kit)
    style.quick_style = spec.kind != "table"


def _reset(style: BaseStyle) -> None:
    """Forget the template's look of a style we define (borders, italics, theme colours …)."""
    for tag in ("pPr", "rPr", "tblPr", "trPr", "tcPr", "tblStylePr"):
        for child in style.element.findall(oxml.w(tag)):
            style.element.remove(child)


def _font(style: BaseStyle, spec: Spec, kit: Kit) -> None:
    font = style.font  # type: ignore[attr-defined]
    if spec.size or spec.heading:
        base = kit.heading_size if spec.heading else kit.body_size
        font.size = Pt((base + spec.size) / 2)
    if spec.color:
        font.color.rgb = RGBColor.from_string(kit.color(spec.color))
    if spec.bold is not None:
        font.bold = spec.bold
    if spec.italic is not None:
        font.italic = spec.italic
    rpr = style.element.get_or_add_rPr()
    if spec.font:
        faces = {"body": kit.body_font, "heading": kit.heading_font, "mono": kit.mono_font}[spec.font]
        oxml.set_fonts(rpr, *faces, hint=_hint(kit))
    if spec.bold:
        oxml.prop(rpr, "bCs")


def _paragraph(style: BaseStyle, spec: Spec, kit: Kit) -> None:
    fmt = style.paragraph_format  # type: ignore[attr-defined]
    if spec.before is not None:
        fmt.space_before = Pt(spec.before)
    if spec.after is not None:
        fmt.space_after = Pt(spec.after)
    if spec.line:
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Twips(round(kit.line * spec.line))
    elif spec.line == 0:
        fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    if spec.align:
        fmt.alignment = ALIGN[spec.align]
    fmt.keep_with_next = spec.keep_next or None
    fmt.keep_together = spec.keep_next or None
    fmt.page_break_before = spec.page_break or None
    fmt.widow_control = True
    _indent(style, spec, kit)
    fmt.tab_stops.clear_all()
    for position, align, leader in spec.tabs:
        fmt.tab_stops.add_tab_stop(Twips(_tab_position(position, kit)), _TAB_ALIGN[align], _TAB_LEADER[leader])
    _decorate(style, spec, kit)


_TAB_ALIGN = {"left": WD_TAB_ALIGNMENT.LEFT, "center": WD_TAB_ALIGNMENT.CENTER, "right": WD_TAB_ALIGNMENT.RIGHT}
_TAB_LEADER = {"": WD_TAB_LEADER.SPACES, "dots": WD_TAB_LEADER.DOTS}


def _tab_position(position: str, kit: Kit) -> int:
    if position == "width":
        return kit.text_width
    if position == "half":
        return kit.text_width // 2
    return _chars_twips(int(position), kit)


def _chars_twips(hundredths: int, kit: Kit) -> int:
    """Character units (hundredths of the body character width) as twips, the fallback Word needs."""
    return round(hundredths * kit.body_size * 10 / 100)


def _indent(style: BaseStyle, spec: Spec, kit: Kit) -> None:
    fmt = style.paragraph_format  # type: ignore[attr-defined]
    if spec.left_chars:
        fmt.left_indent = Twips(_chars_twips(spec.left_chars, kit))
    if spec.hanging_chars:
        fmt.first_line_indent = Twips(-_chars_twips(spec.hanging_chars, kit))
    elif spec.first_line:
        fmt.first_line_indent = Twips(kit.indent)
    elif spec.kind == "paragraph" and spec.base:
        fmt.first_line_indent = Twips(0)
    ind = style.element.pPr.find(oxml.w("ind")) if style.element.pPr is not None else None
    if ind is None:
        return
    chars = _indent_chars(spec, kit)
    for attr, value in chars.items():
        ind.set(oxml.w(attr), str(value))


def _indent_chars(spec: Spec, kit: Kit) -> dict[str, int]:
    chars: dict[str, int] = {}
    if spec.left_chars:
        chars["leftChars"] = spec.left_chars
    if spec.hanging_chars:
        chars["hangingChars"] = spec.hanging_chars
    elif spec.first_line:
        chars["firstLineChars"] = round(100 * kit.indent / (kit.body_size * 10))
    elif spec.kind == "paragraph" and spec.base:
        chars["firstLineChars"] = 0
    return chars


def _decorate(style: BaseStyle, spec: Spec, kit: Kit) -> None:
    ppr = style.element.get_or_add_pPr()
    if spec.outline is not None:
        oxml.prop(ppr, "outlineLvl", {"val": str(spec.outline)})
    if spec.shade:
        oxml.shade(ppr, kit.color(spec.shade))
    sides: dict[str, tuple[str, int, int]] = {}
    if spec.left_border:
        sides["left"] = (kit.color(spec.left_border), 18, 8)
    if spec.bottom_border:
        sides["bottom"] = (kit.color(spec.bottom_border), 6, 4)
    if sides:
        oxml.borders(ppr, "pBdr", sides)


def _table(style: BaseStyle, kit: Kit) -> None:
    """Thin rules in the kit's rule colour, comfortable cell margins."""
    tblpr = oxml.prop(style.element, "tblPr")
    rule = (kit.color("rule"), 4, 0)
    oxml.borders(tblpr, "tblBorders", {s: rule for s in ("top", "left", "bottom", "right", "insideH", "insideV")})
    margins = oxml.prop(tblpr, "tblCellMar")
    for side, value in (("top", 40), ("left", 100), ("bottom", 40), ("right", 100)):
        oxml.sub(margins, side, {"w": str(value), "type": "dxa"})
