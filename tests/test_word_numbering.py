"""The Word numbering resolver: the numbers Word prints, from numbering.xml and styles.xml alone."""

from __future__ import annotations

from lxml import etree

from policybook.importers.word_numbering import Numbering, Styles

NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def lvl(ilvl: int, fmt: str, text: str, extra: str = "", start: int = 1) -> str:
    return (
        f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="{start}"/><w:numFmt w:val="{fmt}"/>{extra}'
        f'<w:lvlText w:val="{text}"/></w:lvl>'
    )


def numbering(*parts: str) -> Numbering:
    root = etree.fromstring(f"<w:numbering {NS}>{''.join(parts)}</w:numbering>")
    styles = etree.fromstring(
        f"<w:styles {NS}>"
        '<w:style w:type="paragraph" w:styleId="Art"><w:pPr><w:numPr><w:numId w:val="1"/><w:ilvl w:val="1"/>'
        "</w:numPr></w:pPr></w:style>"
        '<w:style w:type="paragraph" w:styleId="ArtBig"><w:basedOn w:val="Art"/></w:style>'
        '<w:style w:type="numbering" w:styleId="LegalList"><w:pPr><w:numPr><w:numId w:val="5"/></w:numPr></w:pPr>'
        "</w:style>"
        "</w:styles>"
    )
    return Numbering(root, Styles(styles))


def para(num: str = "", ilvl: int | None = None, style: str = "") -> etree._Element:
    pr = f'<w:pStyle w:val="{style}"/>' if style else ""
    if num:
        level = f'<w:ilvl w:val="{ilvl}"/>' if ilvl is not None else ""
        pr += f'<w:numPr>{level}<w:numId w:val="{num}"/></w:numPr>'
    return etree.fromstring(f"<w:p {NS}><w:pPr>{pr}</w:pPr></w:p>")


def shown(resolver: Numbering, *paras: etree._Element) -> list[str]:
    return [(n[0] if (n := resolver.paragraph(p)) else "") for p in paras]


HEADINGS = (
    f'<w:abstractNum {NS} w:abstractNumId="0">'
    + lvl(0, "chineseCounting", "第%1章")
    + lvl(1, "chineseCountingThousand", "第%2条", '<w:lvlRestart w:val="0"/>')
    + lvl(2, "chineseCounting", "（%3）")
    + lvl(3, "decimal", "%1.%2.%4", "<w:isLgl/>")
    + "</w:abstractNum>"
)


def test_levels_restarts_and_style_inheritance() -> None:
    resolver = numbering(HEADINGS, '<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>')
    got = shown(
        resolver,
        para("1", 0),
        para(style="Art"),  # numbered by its style
        para("1", 2),
        para("1", 2),
        para(style="ArtBig"),  # by the style its style is based on
        para("1", 2),  # restarts under a new article
        para("1", 3),  # isLgl: every level decimal
        para("1", 0),
        para("1", 1),  # lvlRestart 0: articles run on across chapters
        para(),
    )
    assert got == ["第一章", "第一条", "（一）", "（二）", "第二条", "（一）", "1.2.1", "第二章", "第三条", ""]


def test_start_override_restarts_a_shared_list() -> None:
    items = f'<w:abstractNum {NS} w:abstractNumId="3">' + lvl(0, "chineseCounting", "（%1）") + "</w:abstractNum>"
    nums = (
        '<w:num w:numId="7"><w:abstractNumId w:val="3"/></w:num>'
        '<w:num w:numId="8"><w:abstractNumId w:val="3"/></w:num>'  # same list, continues
        '<w:num w:numId="9"><w:abstractNumId w:val="3"/>'
        '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride></w:num>'
        '<w:num w:numId="10"><w:abstractNumId w:val="3"/>'
        '<w:lvlOverride w:ilvl="0"><w:lvl w:ilvl="0"><w:start w:val="5"/><w:numFmt w:val="decimal"/>'
        '<w:lvlText w:val="%1、"/></w:lvl></w:lvlOverride></w:num>'
    )
    resolver = numbering(HEADINGS, items, nums)
    got = shown(resolver, para("7", 0), para("7", 0), para("8", 0), para("9", 0), para("9", 0), para("10", 0))
    assert got == ["（一）", "（二）", "（三）", "（一）", "（二）", "3、"]


def test_number_formats() -> None:
    formats = [
        ("chineseCountingThousand", 21, "二十一"),
        ("chineseLegalSimplified", 12, "壹拾贰"),
        ("ideographLegalTraditional", 3, "參"),
        ("ideographTraditional", 3, "丙"),
        ("ideographZodiac", 2, "丑"),
        ("decimalEnclosedCircle", 3, "③"),
        ("decimalEnclosedParen", 2, "⑵"),
        ("decimalFullWidth", 12, "１２"),
        ("ideographDigital", 10, "一〇"),
        ("upperRoman", 4, "IV"),
        ("lowerLetter", 2, "b"),
        ("decimalZero", 7, "07"),
        ("taiwaneseCountingThousand", 10000, "一萬"),
    ]
    for fmt, start, expected in formats:
        abstract = f'<w:abstractNum {NS} w:abstractNumId="4">' + lvl(0, fmt, "%1", start=start) + "</w:abstractNum>"
        resolver = numbering(abstract, '<w:num w:numId="4"><w:abstractNumId w:val="4"/></w:num>')
        assert shown(resolver, para("4", 0)) == [expected], fmt


def test_numbering_style_link() -> None:
    """An abstractNum that only names a numbering style takes the levels of the list that style uses."""
    legal = f'<w:abstractNum {NS} w:abstractNumId="5">' + lvl(0, "chineseCounting", "第%1条") + "</w:abstractNum>"
    linked = f'<w:abstractNum {NS} w:abstractNumId="6"><w:numStyleLink w:val="LegalList"/></w:abstractNum>'
    nums = (
        '<w:num w:numId="5"><w:abstractNumId w:val="5"/></w:num><w:num w:numId="6"><w:abstractNumId w:val="6"/></w:num>'
    )
    resolver = numbering(legal, linked, nums)
    assert shown(resolver, para("6", 0), para("5", 0), para("6", 0)) == ["第一条", "第二条", "第三条"]
