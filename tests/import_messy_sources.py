"""Sources of the messy-import tests that are made, not typed: a Writer-printed PDF, a Word file of plain paragraphs.

Both are written here from data (so a test knows what a person would mark by
hand) and produced the way HR gets them: LibreOffice Writer prints the PDF;
the Word file holds only typed paragraphs (no numbering, no styles), as when
a web page is pasted into Word.
"""

from __future__ import annotations

from pathlib import Path

from policybook.transforms.numerals import chinese
from tests.clients import libreoffice_pdf

NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'

WRITER_TITLE = "员工考勤与休假管理办法"
WRITER_BODY: list[tuple[str, str]] = [  # (kind, text): heading, article, item (hanging indent)
    ("heading", "第一章　总则"),
    (
        "article",
        "第一条　为规范公司考勤与休假管理，维护正常的工作秩序，保障员工的合法权益，"
        "根据国家有关法律法规，结合公司实际情况，制定本办法。",
    ),
    (
        "article",
        "第二条　本办法适用于公司A类及B类员工，公司通过OA系统记录员工的出勤情况，"
        "员工应当每日登录OA系统确认本人的考勤记录。",
    ),
    ("heading", "第二章　考勤"),
    ("article", "第三条　员工有下列情形之一的，按迟到或者旷工处理："),
    ("item", "（一）上班时间开始后到岗，迟到超过15分钟但不超过60分钟的，按迟到处理，每次扣除当月绩效工资的5%；"),
    ("item", "（二）迟到超过60分钟的，或者未经批准擅自离岗超过2小时的，按旷工半日处理，并由部门负责人在OA系统中登记；"),
    ("item", "（三）连续旷工超过3个工作日的，依照本办法第五条处理。"),
    ("article", "第四条　员工每年享有带薪年休假，工作满1年不满10年的，年休假5天；已满10年不满20年的，年休假10天。"),
    ("article", "第五条　员工严重违反本办法的，公司可以依法解除劳动合同。"),
    ("heading", "第三章　休假"),
]
for _number, _leave in enumerate(("婚假", "产假", "陪产假", "丧假", "病假", "事假", "探亲假", "工伤假"), 6):
    WRITER_BODY += [
        ("article", f"第{chinese(_number)}条　员工申请{_leave}的，应当通过OA系统提交申请，并按下列规定办理："),
        ("item", f"（一）{_leave}在3天以内的，由部门负责人审批，审批结果在OA系统中留存不少于2年，供人力资源部核查；"),
        ("item", f"（二）{_leave}超过3天的，由分管领导审批，并报人力资源部备案，备案材料应当包括A类证明文件。"),
    ]
WRITER_BODY += [("article", "第十四条　本办法自2025年7月1日起施行。")]
WRITER_HEADER = "华远科技有限公司　内部资料"


def writer_pdf(folder: Path, script: str = "zh-Hans") -> Path:
    """The regulation typed in Writer (items with a hanging indent, a running header, page numbers) and
    printed to PDF by LibreOffice."""
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import parse_xml
    from docx.shared import Pt

    convert = _converter(script)
    document = docx.Document()
    section = document.sections[0]
    section.header.paragraphs[0].text = convert(WRITER_HEADER)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer._p.append(parse_xml(f'<w:fldSimple {NS} w:instr="PAGE"><w:r><w:t>1</w:t></w:r></w:fldSimple>'))
    title = document.add_paragraph(convert(WRITER_TITLE))
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for kind, text in WRITER_BODY:
        paragraph = document.add_paragraph(convert(text))
        if kind == "heading":
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif kind == "item":  # hanging indent: the item's lines align after its marker
            paragraph.paragraph_format.left_indent = Pt(63)
            paragraph.paragraph_format.first_line_indent = Pt(-31.5)
        else:
            paragraph.paragraph_format.first_line_indent = Pt(21)
    for run in (r for p in document.paragraphs for r in p.runs):
        run.font.size = Pt(10.5)
    source = folder / f"考勤与休假管理办法-{script}.docx"
    document.save(str(source))
    return libreoffice_pdf(source, folder)


def _converter(script: str):  # type: ignore[no-untyped-def]
    import opencc

    return opencc.OpenCC("s2tw").convert if script == "zh-Hant" else str


PASTED = [
    "员工保密管理规定",
    "",
    "为保护公司商业秘密，维护公司合法权益，根据《中华人民共和国反不正当竞争法》，制定本规定。",
    "第一条 本规定所称商业秘密，是指不为公众所知悉、具有商业价值并经公司采取保密措施的技术信息和经营信息。",
    "第二条 员工应当遵守下列保密义务：（一）不得向第三方披露公司商业秘密；"
    "（二）不得利用公司商业秘密为本人或者他人谋取利益；（三）离职时应当交回全部涉密资料。",
    "第三条 员工违反第二条规定的，公司可以依照",
    "《中华人民共和国劳动合同法》第三十九条解除劳动合同，并要求赔偿损失。",
    "",
    "第四条 本规定自2025年1月1日起施行。",
]


def pasted_docx(folder: Path) -> Path:
    """A web page pasted into Word: plain typed paragraphs, run-in items, a sentence broken over two."""
    import docx

    document = docx.Document()
    for text in PASTED:
        document.add_paragraph(text)
    path = folder / "保密管理规定.docx"
    document.save(str(path))
    return path
