"""A regulation as data, written out as text, Word and PDF for the import round-trip tests.

The data is the truth: each test renders it into a source format, imports it,
builds the model and compares article by article with what is here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from policybook.transforms.numerals import chinese

Items = list[tuple[str, list[str]]]  # (item text, sub-items)


@dataclass
class Art:
    title: str
    paras: list[str]
    items: Items = field(default_factory=list)


COMPANY = "华远科技有限公司"
TITLE = "员工考勤管理办法"
CHAPTERS: list[tuple[str, list[Art]]] = [
    (
        "总则",
        [
            Art(
                "目的",
                [
                    "为规范公司考勤管理，维护正常的工作秩序，根据《中华人民共和国劳动法》第三十六条及有关规定，结合公司实际，制定本办法。"
                ],
            ),
            Art("", ["本办法适用于华远科技有限公司全体员工，包括试用期员工。实习人员参照本办法执行。"]),
            Art(
                "定义",
                ["本办法所称考勤，是指公司对员工出勤情况的记录与管理，包括："],
                [("出勤、迟到、早退、旷工的记录；", []), ("请假、加班、补休的记录。", [])],
            ),
        ],
    ),
    (
        "工作时间与考勤",
        [
            Art(
                "工作时间",
                [
                    "公司实行标准工时制度，每日工作8小时，每周工作40小时。因工作需要延长工作时间的，依照本办法第九条的规定安排补休。"
                ],
            ),
            Art(
                "",
                [
                    "员工应当按时上下班，不得迟到、早退或者旷工。员工因故不能按时打卡的，应当在[X]个工作日内填写《考勤异常说明表》（附件一），经部门负责人确认；逾期未说明的，按本办法第七条处理。"
                ],
            ),
            Art(
                "考勤方式",
                ["公司采用以下方式记录考勤："],
                [("电子打卡，包括：", ["门禁打卡；", "手机定位打卡。"]), ("书面登记，适用于不能电子打卡的岗位。", [])],
            ),
            Art(
                "迟到与早退",
                [
                    "员工迟到或者早退的，每次扣款[X]元；当月累计超过三次的，按旷工半日处理。",
                    "因公外出、经批准的事假除外。",
                ],
            ),
            Art(
                "旷工", ["连续旷工超过三个工作日的，依照《中华人民共和国劳动合同法》第三十九条，公司可以解除劳动合同。"]
            ),
            Art("补休", ["员工加班的，应当在三个月内安排补休；无法安排补休的，依照第五条和本办法第八条的规定处理。"]),
        ],
    ),
    (
        "附则",
        [
            Art("", ["本办法由华远科技有限公司人力资源部负责解释。"]),
            Art("", ["本办法自2026年1月1日起施行。"]),
        ],
    ),
]


def articles() -> list[Art]:
    return [a for _, arts in CHAPTERS for a in arts]


def expected_text(art: Art, marks: tuple[str, str] = ("（{}）", "{}.")) -> str:
    """The article's text as policybook's model prints it: items numbered （一） then 1."""
    lines = list(art.paras)
    for index, (text, subs) in enumerate(art.items, 1):
        lines.append(marks[0].format(chinese(index)) + text)
        lines += [marks[1].format(i) + sub for i, sub in enumerate(subs, 1)]
    return "\n".join(lines)


def as_text(wrap: int = 0, article: str = "条", chapter: str = "章") -> str:
    """The regulation as plain text; ``wrap`` hard-wraps long lines at that many characters."""
    lines = [TITLE, "", "目录"] + [f"第{chinese(i)}{chapter}　{t}" for i, (t, _) in enumerate(CHAPTERS, 1)] + [""]
    number = 0
    for index, (title, arts) in enumerate(CHAPTERS, 1):
        lines += [f"第{chinese(index)}{chapter}　{title}", ""]
        for art in arts:
            number += 1
            head = f"第{chinese(number)}{article}　"
            body = [head + art.title, *art.paras] if art.title else [head + art.paras[0], *art.paras[1:]]
            body += item_lines(art)
            lines += [w for line in body for w in _wrap(line, wrap)] + [""]
    return "\n".join(lines)


def item_lines(art: Art) -> list[str]:
    out = []
    for index, (text, subs) in enumerate(art.items, 1):
        out.append(f"（{chinese(index)}）{text}")
        out += [f"{i}.{s}" for i, s in enumerate(subs, 1)]
    return out


def _wrap(line: str, width: int) -> list[str]:
    if not width or len(line) <= width:
        return [line]
    return [line[i : i + width] for i in range(0, len(line), width)]


APPENDIX_TITLE = "考勤异常说明表"
NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _lvl(ilvl: int, fmt: str, text: str, *, style: str = "", restart: int | None = None, suffix: str = "") -> str:
    extra = f'<w:pStyle w:val="{style}"/>' if style else ""
    extra += f'<w:lvlRestart w:val="{restart}"/>' if restart is not None else ""
    suff = f'<w:suff w:val="{suffix}"/>' if suffix else ""
    return (
        f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>{extra}{suff}'
        f'<w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/></w:lvl>'
    )


def word_numbering() -> tuple[str, str, str]:
    """List definitions as Word writes them: chapters (by style), articles (continuous), items."""
    chapters = (
        f'<w:abstractNum {NS} w:abstractNumId="90"><w:multiLevelType w:val="singleLevel"/>'
        + _lvl(0, "chineseCounting", "第%1章", style="ChapterHeading", suffix="space")
        + "</w:abstractNum>"
    )
    articles = (
        f'<w:abstractNum {NS} w:abstractNumId="92"><w:multiLevelType w:val="singleLevel"/>'
        + _lvl(0, "chineseCountingThousand", "第%1条")
        + "</w:abstractNum>"
    )
    items = (
        f'<w:abstractNum {NS} w:abstractNumId="91"><w:multiLevelType w:val="multilevel"/>'
        + _lvl(0, "chineseCounting", "（%1）", suffix="nothing")
        + _lvl(1, "decimal", "%2.", suffix="nothing")
        + "</w:abstractNum>"
    )
    return chapters, articles, items


def as_docx(path: object, company: str = COMPANY) -> None:
    """The regulation as Word writes it: every 第X章, 第X条 and （一）/1. is Word auto-numbering."""
    import docx
    from docx.enum.style import WD_STYLE_TYPE
    from docx.oxml import parse_xml

    document = docx.Document()
    numbering = document.part.numbering_part.element
    first_num = numbering.find(f"{{{numbering.nsmap['w']}}}num")
    for definition in word_numbering():
        (first_num.addprevious if first_num is not None else numbering.append)(parse_xml(definition))
    for num in ("90", "92"):
        numbering.append(parse_xml(f'<w:num {NS} w:numId="{num}"><w:abstractNumId w:val="{num}"/></w:num>'))
    chapter_style = document.styles.add_style("ChapterHeading", WD_STYLE_TYPE.PARAGRAPH)
    chapter_style.base_style = document.styles["Heading 1"]
    chapter_style.element.get_or_add_pPr().append(parse_xml(f'<w:numPr {NS}><w:numId w:val="90"/></w:numPr>'))
    document.add_paragraph(TITLE, style="Title")
    next_num = 100
    for title, arts in CHAPTERS:
        document.add_paragraph(title, style="ChapterHeading")  # numbered by its style alone
        for art in arts:
            _numbered(document, art.title or art.paras[0], "92", 0)
            for para in art.paras if art.title else art.paras[1:]:
                document.add_paragraph(para)
            if art.items:  # each list restarts: a new w:num with a startOverride
                next_num += 1
                numbering.append(
                    parse_xml(
                        f'<w:num {NS} w:numId="{next_num}"><w:abstractNumId w:val="91"/>'
                        '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride></w:num>'
                    )
                )
            for text, subs in art.items:
                _numbered(document, text, str(next_num), 0)
                for sub in subs:
                    _numbered(document, sub, str(next_num), 1)
    _appendix(document)
    document.save(str(path))


def _numbered(document: object, text: str, num_id: str, ilvl: int) -> None:
    from docx.oxml import parse_xml

    paragraph = document.add_paragraph(text)  # type: ignore[attr-defined]
    paragraph._p.get_or_add_pPr().append(
        parse_xml(f'<w:numPr {NS}><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr>')
    )


def _appendix(document: object) -> None:
    document.add_paragraph("附件一")  # type: ignore[attr-defined]
    document.add_paragraph(APPENDIX_TITLE)  # type: ignore[attr-defined]
    table = document.add_table(rows=4, cols=4)  # type: ignore[attr-defined]
    cells = [["姓名", "", "部门", ""], ["异常日期", "", "异常类型", "□未打卡 □外出 □其他"]]
    for r, row in enumerate(cells):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    for r, label in ((2, "说明事由"), (3, "部门负责人签字")):
        table.cell(r, 0).text = label
        table.cell(r, 1).merge(table.cell(r, 3))


TYPST_PAGE = (
    '#set page(paper: "a5", margin: 2cm, header: align(center)[{title}（内部资料）],'
    " footer: context align(center)[第 #counter(page).display() 页　共 #counter(page).final().first() 页])\n"
    '#set text(font: "Noto Serif CJK {face}", size: 10.5pt, lang: "zh")\n'
    "#set par(justify: true, first-line-indent: (amount: 2em, all: true))\n"
)


def as_pdf(path: object, text: str, face: str = "SC") -> None:
    """The text typeset as a PDF (justified, indented paragraphs, running header, page numbers) with Typst."""
    from pathlib import Path

    import typst

    source = TYPST_PAGE.format(title=TITLE, face=face)
    for line in text.split("\n"):
        if line.strip():
            source += "".join("\\" + c if c in "\\#[]*_$<>@`~" else c for c in line) + "\n\n"
    target = Path(str(path))
    typ = target.with_suffix(".typ")
    typ.write_text(source, encoding="utf-8")
    target.write_bytes(typst.compile(str(typ)))
