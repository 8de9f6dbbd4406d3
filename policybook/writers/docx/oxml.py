"""Write stage (DOCX): the one module that builds raw WordprocessingML.

python-docx has no API for fields, bookmarks, internal hyperlinks, content
controls (``w:sdt``) or repeating table headers; everything of that kind is
built here, with small general functions other writers (forms) may import.
Elements are created with python-docx's parser so its proxy classes still work
on them, and property children are always inserted in schema order (Word
silently ignores an out-of-order ``w:ind``).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from functools import cache
from typing import TypeAlias

from docx.oxml.ns import qn
from docx.oxml.parser import oxml_parser
from lxml import etree

Element: TypeAlias = etree._Element


def _names(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# Schema order of the children of property elements (ECMA-376 part 1, §17.3.1.26, §17.3.2.28, §17.4, §17.6, §17.7).
PPR_ORDER = _names(
    "pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr suppressLineNumbers pBdr shd tabs "
    "suppressAutoHyphens kinsoku wordWrap overflowPunct topLinePunct autoSpaceDE autoSpaceDN bidi "
    "adjustRightInd snapToGrid spacing ind contextualSpacing mirrorIndents suppressOverlap jc textDirection "
    "textAlignment textboxTightWrap outlineLvl divId cnfStyle rPr sectPr pPrChange"
)
RPR_ORDER = _names(
    "rStyle rFonts b bCs i iCs caps smallCaps strike dstrike outline shadow emboss imprint noProof snapToGrid "
    "vanish webHidden color spacing w kern position sz szCs highlight u effect bdr shd fitText vertAlign rtl cs "
    "em lang eastAsianLayout specVanish oMath"
)
TCPR_ORDER = _names(
    "cnfStyle tcW gridSpan hMerge vMerge tcBorders shd noWrap tcMar textDirection tcFitText vAlign hideMark"
)
TRPR_ORDER = _names(
    "cnfStyle divId gridBefore gridAfter wBefore wAfter cantSplit trHeight tblHeader tblCellSpacing jc hidden"
)
TBLPR_ORDER = _names(
    "tblStyle tblpPr tblOverlap bidiVisual tblStyleRowBandSize tblStyleColBandSize tblW jc tblCellSpacing tblInd "
    "tblBorders shd tblLayout tblCellMar tblLook tblCaption tblDescription"
)
SECTPR_ORDER = _names(
    "headerReference footerReference footnotePr endnotePr type pgSz pgMar paperSrc pgBorders lnNumType pgNumType "
    "cols formProt vAlign noEndnote titlePg textDirection bidi rtlGutter docGrid printerSettings"
)
STYLE_ORDER = _names(
    "name aliases basedOn next link autoRedefine hidden uiPriority semiHidden unhideWhenUsed qFormat locked "
    "personal personalCompose personalReply rsid pPr rPr tblPr trPr tcPr tblStylePr"
)
ORDERS = {
    "style": STYLE_ORDER,
    "pPr": PPR_ORDER,
    "rPr": RPR_ORDER,
    "tcPr": TCPR_ORDER,
    "trPr": TRPR_ORDER,
    "tblPr": TBLPR_ORDER,
    "sectPr": SECTPR_ORDER,
}
THEME_FONT_ATTRS = ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme")
THEME_COLOR_ATTRS = ("themeColor", "themeTint", "themeShade", "themeFill", "themeFillTint", "themeFillShade")
BAD_XML_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
BOOKMARK_OK = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,39}$")
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


@cache
def w(tag: str) -> str:
    """The Clark name of a ``w:`` tag or attribute (``w("p")``), cached."""
    return qn(f"w:{tag}")


@cache
def _clark(name: str) -> str:
    """The Clark name of ``prefix:name``, ``w:`` when no prefix is given; cached."""
    return qn(name if ":" in name else f"w:{name}")


@cache
def _local(tag: str) -> str:
    return etree.QName(tag).localname


@cache
def _ranks(parent_tag: str) -> dict[str, int]:
    """The schema rank of each child (by local name) of a property element, from ORDERS."""
    return {name: rank for rank, name in enumerate(ORDERS[_local(parent_tag)])}


def el(tag: str, attrs: dict[str, str] | None = None, *children: Element) -> Element:
    """A new element; ``tag`` is ``prefix:name`` (``w:`` may be left out), attributes likewise."""
    elem = oxml_parser.makeelement(_clark(tag))
    for name, value in (attrs or {}).items():
        elem.set(_clark(name), value)
    elem.extend(children)
    return elem


def sub(parent: Element, tag: str, attrs: dict[str, str] | None = None) -> Element:
    """Append a new ``w:`` child (no ordering: for containers such as w:p, w:tbl)."""
    child = etree.SubElement(parent, w(tag))
    for name, value in (attrs or {}).items():
        child.set(w(name), value)
    return child


def prop(parent: Element, tag: str, attrs: dict[str, str] | None = None) -> Element:
    """Get or add the ``w:`` property child ``tag`` of a *Pr element, in schema order; set ``attrs``."""
    child = parent.find(w(tag))
    if child is None:
        child = el(tag)
        _insert_ordered(parent, child, _ranks(parent.tag))
    for name, value in (attrs or {}).items():
        child.set(w(name), value)
    return child


def _insert_ordered(parent: Element, child: Element, ranks: dict[str, int]) -> None:
    rank = ranks[_local(child.tag)]
    for i, existing in enumerate(parent):
        other = ranks.get(_local(existing.tag))
        if other is not None and other > rank:
            parent.insert(i, child)
            return
    parent.append(child)


def properties(elem: Element, tag: str) -> Element:
    """Get or add the properties child (``pPr``, ``rPr``, ``tcPr``, ``trPr``, ``tblPr``) — always first."""
    found = elem.find(w(tag))
    if found is None:
        found = el(tag)
        elem.insert(0, found)
    return found


def clean_text(text: str) -> str:
    """Text with the characters XML 1.0 cannot hold removed."""
    return BAD_XML_CHARS.sub("", text)


# ---------------------------------------------------------------- paragraphs and runs


def paragraph(style_id: str = "", children: Iterable[Element] = ()) -> Element:
    p = el("p")
    if style_id:
        sub(sub(p, "pPr"), "pStyle", {"val": style_id})
    p.extend(children)
    return p


def run(text: str = "", style_id: str = "") -> Element:
    """A run of plain text; ``"\\t"`` and ``"\\n"`` become w:tab and w:br."""
    r = el("r")
    if style_id:
        sub(sub(r, "rPr"), "rStyle", {"val": style_id})
    for i, part in enumerate(re.split(r"([\t\n])", clean_text(text))):
        if i % 2:
            sub(r, "tab" if part == "\t" else "br")
        elif part:
            t = sub(r, "t")
            t.text = part
            if part[0].isspace() or part[-1].isspace():
                t.set(XML_SPACE, "preserve")
    return r


def page_break() -> Element:
    r = el("r")
    sub(r, "br", {"type": "page"})
    return r


# ---------------------------------------------------------------- bookmarks and hyperlinks


def bookmark_name(anchor: str) -> str:
    """A valid Word bookmark name for ``anchor``: deterministic, ≤40 chars, starts with a letter.

    Valid anchors are kept; others are cleaned and given a hash of the original,
    so two anchors never map to the same name.
    """
    if BOOKMARK_OK.match(anchor):
        return anchor
    cleaned = re.sub(r"[^A-Za-z0-9_]", "_", anchor).lstrip("_0123456789") or "a"
    digest = hashlib.sha1(anchor.encode("utf-8")).hexdigest()[:8]
    return f"{cleaned[:31]}_{digest}"


def bookmark(bookmark_id: int, name: str) -> tuple[Element, Element]:
    """The w:bookmarkStart and w:bookmarkEnd pair; put content between them."""
    start = el("bookmarkStart", {"id": str(bookmark_id), "name": name})
    end = el("bookmarkEnd", {"id": str(bookmark_id)})
    return start, end


def hyperlink(children: Iterable[Element], anchor: str = "", rel_id: str = "") -> Element:
    """An internal (``anchor`` = bookmark name) or external (``rel_id``) hyperlink around runs."""
    link = el("hyperlink", {"anchor": anchor} if anchor else {"r:id": rel_id})
    if anchor:
        link.set(w("history"), "1")
    link.extend(children)
    return link


# ---------------------------------------------------------------- fields


def field(instruction: str, result: Iterable[Element], style_id: str = "") -> list[Element]:
    """A complex field (begin · instruction · separate · cached result · end) as runs.

    ``result`` holds the runs a reader sees before the field is updated, so the
    document shows real content in every client.
    """
    return [
        _fld_char("begin", style_id),
        _instr(instruction, style_id),
        _fld_char("separate", style_id),
        *result,
        _fld_char("end", style_id),
    ]


def field_begin(instruction: str, style_id: str = "") -> list[Element]:
    """The opening runs of a field whose result spans several paragraphs (e.g. TOC)."""
    return [_fld_char("begin", style_id), _instr(instruction, style_id), _fld_char("separate", style_id)]


def field_end(style_id: str = "") -> Element:
    return _fld_char("end", style_id)


def _fld_char(kind: str, style_id: str) -> Element:
    r = run(style_id=style_id)
    sub(r, "fldChar", {"fldCharType": kind})
    return r


def _instr(instruction: str, style_id: str) -> Element:
    r = run(style_id=style_id)
    t = sub(r, "instrText")
    t.text = f" {instruction.strip()} "
    t.set(XML_SPACE, "preserve")
    return r


# ---------------------------------------------------------------- tables


def repeat_header(tr: Element) -> None:
    """Mark a table row as a header row, repeated at the top of every page."""
    prop(properties(tr, "trPr"), "tblHeader")


def cant_split(tr: Element) -> None:
    prop(properties(tr, "trPr"), "cantSplit")


def shade(pr: Element, fill: str) -> None:
    """Solid shading (``fill`` = RRGGBB) on a pPr, rPr, tcPr or tblPr."""
    prop(pr, "shd", {"val": "clear", "color": "auto", "fill": fill.lstrip("#").upper()})


def cell_margins(tblpr: Element, margins: dict[str, int]) -> None:
    """Default cell margins of a table (``side: twips``; top, left, bottom, right), replacing the style's."""
    box = prop(tblpr, "tblCellMar")
    for child in list(box):
        box.remove(child)
    for side in ("top", "left", "bottom", "right"):
        if side in margins:
            sub(box, side, {"w": str(margins[side]), "type": "dxa"})


def borders(pr: Element, tag: str, sides: dict[str, tuple[str, int, int]]) -> Element:
    """Border set ``tag`` (pBdr, tblBorders, tcBorders) with ``side: (colour, eighths of pt, space pt)``."""
    box = prop(pr, tag)
    for side in ("top", "left", "start", "bottom", "right", "end", "insideH", "insideV", "between"):
        if side in sides:
            color, size, space = sides[side]
            val = "single" if size else "nil"
            sub(box, side, {"val": val, "sz": str(size), "space": str(space), "color": color.lstrip("#").upper()})
    return box


# ---------------------------------------------------------------- content controls


def content_control(
    content: Iterable[Element],
    tag: str,
    alias: str = "",
    kind: str = "text",
    options: Sequence[str] = (),
    date_format: str = "yyyy-MM-dd",
    lock: str = "",
    placeholder: bool = False,
    values: Sequence[str] = (),
) -> Element:
    """A content control (``w:sdt``) around runs (``kind``: text · multiline · date · dropdown · checkbox).

    ``tag`` is the machine name (e.g. a form field name), ``alias`` the title Word
    shows; ``lock`` is ``sdtLocked`` / ``contentLocked`` / ``sdtContentLocked``;
    ``placeholder``: the runs are placeholder text (Word selects it whole and
    replaces it with what is typed); a dropdown's ``values`` (default: the
    ``options`` themselves) are what a chosen item stores.
    """
    sdt = el("sdt")
    pr = sub(sdt, "sdtPr")
    if alias:
        sub(pr, "alias", {"val": alias})
    sub(pr, "tag", {"val": tag})
    if lock:
        sub(pr, "lock", {"val": lock})
    if placeholder:
        sub(pr, "showingPlcHdr")
    _sdt_kind(pr, kind, options, date_format, values or options)
    sub(sdt, "sdtContent").extend(content)
    return sdt


def _sdt_kind(pr: Element, kind: str, options: Sequence[str], date_format: str, values: Sequence[str]) -> None:
    if kind in ("text", "multiline"):
        sub(pr, "text", {"multiLine": "1"} if kind == "multiline" else {})
    elif kind == "date":
        sub(sub(pr, "date"), "dateFormat", {"val": date_format})
    elif kind == "dropdown":
        box = sub(pr, "dropDownList")
        for option, value in zip(options, values, strict=True):
            sub(box, "listItem", {"displayText": option, "value": value})
    elif kind == "checkbox":
        w14 = "http://schemas.microsoft.com/office/word/2010/wordml"
        box = etree.SubElement(pr, f"{{{w14}}}checkbox")
        etree.SubElement(box, f"{{{w14}}}checked").set(f"{{{w14}}}val", "0")
    else:
        raise ValueError(f"unknown content control kind {kind!r}")


# ---------------------------------------------------------------- styles


def strike(rpr: Element, color: str = "") -> None:
    """Single strikethrough on an rPr; Word draws it in the text colour, so ``color`` (RRGGBB) sets both."""
    prop(rpr, "strike")
    if color:
        prop(rpr, "color", {"val": color.lstrip("#").upper()})


def underline(rpr: Element, color: str = "", kind: str = "single") -> None:
    """An underline on an rPr, in its own ``color`` (RRGGBB; the text keeps its colour)."""
    prop(rpr, "u", {"val": kind, **({"color": color.lstrip("#").upper()} if color else {})})


def strip_theme(root: Element) -> None:
    """Remove theme-font and theme-colour attributes below ``root`` so explicit names win."""
    for fonts in root.iter(w("rFonts")):
        for attr in THEME_FONT_ATTRS:
            fonts.attrib.pop(w(attr), None)
    for colored in root.iter(w("color"), w("shd")):
        for attr in THEME_COLOR_ATTRS:
            colored.attrib.pop(w(attr), None)


def set_fonts(rpr: Element, latin: str, east_asian: str, hint: str = "eastAsia") -> None:
    """Name the fonts of an rPr for Latin and East Asian text (theme attributes removed).

    ``hint="eastAsia"`` makes characters shared by both scripts (“”、…) use the CJK font.
    """
    fonts = prop(rpr, "rFonts")
    for attr in THEME_FONT_ATTRS:
        fonts.attrib.pop(w(attr), None)
    for attr, name in (("ascii", latin), ("hAnsi", latin), ("eastAsia", east_asian), ("cs", latin)):
        fonts.set(w(attr), name)
    if hint:
        fonts.set(w("hint"), hint)
