"""Which identity carrier survives a LibreOffice review? (the measurement behind writers/docx/identity.py)

Builds a small DOCX with four articles, each carrying its identity another way —
a bookmark spanning the article, a block content control (w:sdt with w:tag), a
hidden run (w:vanish), a spanning bookmark whose first paragraph gets deleted —
plus custom document properties; LibreOffice headless opens it, tracks changes,
edits and comments (tests/review.bas), saves it as DOCX; then it counts what came
back. Then the same for the sample handbook's sz DOCX (every pb_ bookmark).

    PYTHONPATH=. python bench/docx_identity_carriers.py
"""

from __future__ import annotations

import re
import sys
import tempfile
import zipfile
from pathlib import Path

import docx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from policybook.writers.docx import identity, oxml  # noqa: E402
from tests.review_support import libreoffice_review  # noqa: E402

STEPS = [
    ("replace", "甲乙", "甲甲乙乙"),
    ("insert", "戊己庚辛正文二。", "新增二。"),
    ("comment", "壬癸", "张三", "请核实此条"),
    ("delpara", "第四条 标题四"),
    ("delete", "第二段落一。"),
]


def carriers_docx(path: Path) -> None:
    document = docx.Document()
    end_of_body = document.element.body.find(oxml.w("sectPr"))
    add = end_of_body.addprevious
    start, end = oxml.bookmark(1, "pb_bookmark_one")
    add(oxml.paragraph("", [start, oxml.run("第一条 标题一")]))
    add(oxml.paragraph("", [oxml.run("甲乙丙丁正文一。")]))
    add(oxml.paragraph("", [oxml.run("第二段落一。"), end]))
    sdt = oxml.el("sdt")
    oxml.sub(oxml.sub(sdt, "sdtPr"), "tag", {"val": "pb:sdt-two"})
    content = oxml.sub(sdt, "sdtContent")
    content.append(oxml.paragraph("", [oxml.run("第二条 标题二")]))
    content.append(oxml.paragraph("", [oxml.run("戊己庚辛正文二。")]))
    add(sdt)
    hidden = oxml.run("[pb:hidden-three]")
    oxml.prop(oxml.properties(hidden, "rPr"), "vanish")
    add(oxml.paragraph("", [hidden, oxml.run("第三条 标题三")]))
    add(oxml.paragraph("", [oxml.run("壬癸子丑正文三。")]))
    start, end = oxml.bookmark(2, "pb_bookmark_four")
    add(oxml.paragraph("", [start, oxml.run("第四条 标题四")]))
    add(oxml.paragraph("", [oxml.run("寅卯辰巳正文四。"), end]))
    identity.set_custom(document, {"subsidiary": "sz", "source": "0" * 64})
    document.save(str(path))


def survey(path: Path) -> dict[str, object]:
    with zipfile.ZipFile(path) as package:
        xml = package.read("word/document.xml").decode()
        custom = package.read("docProps/custom.xml").decode() if "docProps/custom.xml" in package.namelist() else ""
    return {
        "bookmark spanning (kept)": "pb_bookmark_one" in xml,
        "bookmark spanning (first paragraph deleted)": "pb_bookmark_four" in xml,
        "w:sdt w:tag": "pb:sdt-two" in xml,
        "w:sdt first paragraph written": xml.count("第二条 标题二"),
        "hidden run": "pb:hidden-three" in xml,
        "custom properties": "policybook.subsidiary" in custom,
    }


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        sent, back = Path(tmp) / "sent.docx", Path(tmp) / "back.docx"
        carriers_docx(sent)
        libreoffice_review(sent, STEPS, "bench", back)
        for name, value in survey(back).items():
            print(f"{name:48} {value}")
        handbook = sorted((ROOT / "dist" / "sz").glob("*.docx"))
        if handbook:
            libreoffice_review(handbook[0], [("comment", "补卡", "bench", "x")], "bench", back)
            names = {path: set(re.findall(r'w:name="(pb_[^"]+)"', _xml(path))) for path in (handbook[0], back)}
            print(f"sample sz DOCX: {len(names[back] & names[handbook[0]])} of {len(names[handbook[0]])} pb_ bookmarks")


def _xml(path: Path) -> str:
    with zipfile.ZipFile(path) as package:
        return package.read("word/document.xml").decode()


if __name__ == "__main__":
    main()
