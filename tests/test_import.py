"""`policybook import`: text, Word and PDF regulations → a source tree that builds into the same articles."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import opencc
import pytest
import typst

from policybook.transforms.numerals import chinese
from tests import regulations
from tests.clients import libreoffice_pdf
from tests.conftest import articles


def imported_model(cli: Any, source: Path, out: Path, *extra: str) -> dict[str, Any]:
    run = cli("import", source, "-o", out, *extra)
    assert run.code == 0, run.err
    assert re.search(r"kept \d+ of \d+ characters; removed: ", run.err) and "UNACCOUNTED" not in run.err
    check = cli("check", "--strict", out / "handbook")  # the importer causes no warning
    assert check.code == 0, check.err
    model = cli("model", out / "handbook", "-s", "main", "--json")
    assert model.code == 0, model.err
    return model.json()  # type: ignore[no-any-return]


def compare(model: dict[str, Any], convert: Any = str) -> int:
    """Article by article: number, title and text equal the original; returns how many matched."""
    built = articles(model)
    original = regulations.articles()
    assert len(built) == len(original)
    for number, (art, node) in enumerate(zip(original, built, strict=True), 1):
        unit = convert("条")
        assert node["number"] == f"第{convert(chinese(number))}{unit}"
        assert node["title"] == convert(art.title)
        assert node["text"] == convert(regulations.expected_text(art)), node["number"]
    return len(built)


def test_text_round_trip(cli: Any, tmp_path: Path) -> None:
    source = tmp_path / "attendance.txt"
    source.write_text(regulations.as_text(wrap=30), encoding="utf-8")
    model = imported_model(cli, source, tmp_path / "out", "--company", regulations.COMPANY)
    assert compare(model) == 11
    report = (tmp_path / "out" / "import-report.md").read_text(encoding="utf-8")
    assert "line breaks inside paragraphs joined" in report
    assert "todo.amount_1" in report and "todo.days_1" in report


def test_references_and_blanks_are_markup(cli: Any, tmp_path: Path) -> None:
    source = tmp_path / "attendance.txt"
    source.write_text(regulations.as_text(), encoding="utf-8")
    cli("import", source, "-o", tmp_path / "out", "--company", regulations.COMPANY)
    chapter = (tmp_path / "out/handbook/chapters/02.md").read_text(encoding="utf-8")
    assert "本办法[](#art-9)" in chapter and "依照[](#art-5)" in chapter
    assert "《中华人民共和国劳动合同法》第三十九条" in chapter  # another law: text
    assert "{{ todo.days_1 }}个工作日" in chapter and "{{ todo.amount_1 }}元" in chapter
    assert "### 补休 {#art-9}" in chapter
    first = (tmp_path / "out/handbook/chapters/01.md").read_text(encoding="utf-8")
    assert "本办法适用于{{ company }}全体员工" in first
    yaml = (tmp_path / "out/handbook/handbook.yaml").read_text(encoding="utf-8")
    assert 'amount_1: "[X]"' in yaml and "effective: 2026-01-01" in yaml


def test_traditional_round_trip(cli: Any, tmp_path: Path) -> None:
    convert = opencc.OpenCC("s2tw").convert
    source = tmp_path / "考勤.txt"
    source.write_text(convert(regulations.as_text(article="條")), encoding="utf-8")
    model = imported_model(cli, source, tmp_path / "out", "--company", convert(regulations.COMPANY))
    assert model["meta"]["locale"] == "zh-Hant"
    assert compare(model, convert) == 11
    assert [r["summary"] for r in model["revisions"]] == ["導入自 考勤.txt"]  # the importer's words in its script


def test_traditional_regulation_saved_as_big5_round_trips(cli: Any, tmp_path: Path) -> None:
    """Notepad on a Taiwan Windows writes Big5, whose bytes also decode as GBK: read as Big5."""
    convert = opencc.OpenCC("s2tw").convert
    text = convert(regulations.as_text(article="條"))
    source = tmp_path / "考勤.txt"
    source.write_bytes(text.encode("cp950"))
    assert source.read_bytes().decode("gb18030") != text  # the trap
    model = imported_model(cli, source, tmp_path / "out", "--company", convert(regulations.COMPANY))
    assert compare(model, convert) == 11
    assert "decoded as Big5" in (tmp_path / "out" / "import-report.md").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def word_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("word") / "考勤管理办法.docx"
    regulations.as_docx(path)
    return path


def test_word_round_trip(cli: Any, tmp_path: Path, word_file: Path) -> None:
    model = imported_model(cli, word_file, tmp_path / "out", "--company", regulations.COMPANY)
    assert compare(model) == 11
    chapters = [c["number"] + " " + c["title"] for c in model["children"] if c.get("kind") == "chapter"]
    assert chapters == ["第一章 总则", "第二章 工作时间与考勤", "第三章 附则"]
    form = (tmp_path / "out/forms/appendix-1.yaml").read_text(encoding="utf-8")
    assert '"type": "checkbox", "options": ["未打卡", "外出", "其他"]' in form
    assert '"label": "部门负责人签字", "name": "f4_1", "type": "signature"' in form
    built = cli("build", tmp_path / "out/handbook", "-f", "pdf", "-o", tmp_path / "dist")
    assert built.code == 0, built.err
    handbook = next((tmp_path / "dist/main").glob("*.pdf"))
    text = subprocess.run(["pdftotext", str(handbook), "-"], capture_output=True, text=True).stdout.replace("\n", "")
    assert "填写《考勤异常说明表》（附件一）" in text and "依照第五条和本办法第八条" in text


def test_word_numbers_agree_with_libreoffice(tmp_path: Path, word_file: Path) -> None:
    """LibreOffice, a real client, prints the same numbers the resolver computes."""
    from policybook.importers.docx_reader import read_docx
    from policybook.importers.report import Record

    ours = [p.numbered for p in read_docx(word_file, Record()) if p.numbered]
    pdf = libreoffice_pdf(word_file, tmp_path)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True)
    numbers = re.compile(r"^\f?(第[一二三四五六七八九十]+[章条]|（[一二三四五六七八九十]+）|\d+\.)")
    theirs = [m.group(1) for line in text.stdout.splitlines() if (m := numbers.match(line.strip()))]
    assert ours == theirs
    assert "第十一条" in ours and ours.count("（一）") == 2  # continuous articles; item lists restart


def test_pdf_round_trip(cli: Any, tmp_path: Path) -> None:
    source = tmp_path / "考勤管理办法.pdf"
    regulations.as_pdf(source, regulations.as_text())
    model = imported_model(cli, source, tmp_path / "out", "--company", regulations.COMPANY)
    assert compare(model) == 11
    report = (tmp_path / "out/import-report.md").read_text(encoding="utf-8")
    assert re.search(r"PDF page numbers removed: [2-9]", report)
    assert re.search(r"PDF running headers/footers removed: [2-9]", report)
    assert "内部资料" not in "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "out/handbook").rglob("*.md"))
    assert "page furniture" in report  # listed as removed, with its page


def test_errors_are_one_located_line(cli: Any, tmp_path: Path) -> None:
    fake = tmp_path / "规定.docx"
    fake.write_text("not a zip", encoding="utf-8")
    run = cli("import", fake, "-o", tmp_path / "a")
    assert run.code == 1 and "规定.docx: error: not a Word .docx file" in run.err and "Traceback" not in run.err
    blank = tmp_path / "scan.pdf"
    (tmp_path / "scan.typ").write_text("#rect(width: 8cm, height: 12cm, fill: gray)", encoding="utf-8")
    blank.write_bytes(typst.compile(str(tmp_path / "scan.typ")))  # a page image, no text layer
    run = cli("import", blank, "-o", tmp_path / "b")
    assert run.code == 1 and "no text layer" in run.err
    locked = tmp_path / "locked.pdf"
    regulations.as_pdf(tmp_path / "open.pdf", regulations.as_text())
    subprocess.run(
        ["qpdf", "--encrypt", "secret", "owner", "256", "--", str(tmp_path / "open.pdf"), str(locked)], check=True
    )
    run = cli("import", locked, "-o", tmp_path / "c")
    assert run.code == 1 and "encrypted with a password" in run.err
    restricted = tmp_path / "restricted.pdf"  # an owner password only: opens without one
    subprocess.run(
        ["qpdf", "--encrypt", "", "owner", "256", "--", str(tmp_path / "open.pdf"), str(restricted)], check=True
    )
    assert cli("import", restricted, "-o", tmp_path / "e").code == 0
    odd = tmp_path / "rules.rtf"
    odd.write_text("x", encoding="utf-8")
    assert cli("import", odd, "-o", tmp_path / "d").code == 1
    assert not (tmp_path / "a").exists() and not (tmp_path / "c").exists()


def test_refuses_a_non_empty_folder(cli: Any, tmp_path: Path) -> None:
    source = tmp_path / "r.txt"
    source.write_text(regulations.as_text(), encoding="utf-8")
    (tmp_path / "out").mkdir()
    (tmp_path / "out/keep.txt").write_text("mine", encoding="utf-8")
    run = cli("import", source, "-o", tmp_path / "out")
    assert run.code == 2 and "not empty" in run.err
    assert cli("import", source, "-o", tmp_path / "out", "--force").code == 0
    assert (tmp_path / "out/keep.txt").read_text(encoding="utf-8") == "mine"


ITEMS_ONLY = """关于加班管理的规定

一、总则
（一）为规范加班管理，制定本规定。
（二）本规定适用于全体员工。
二、加班审批
（一）加班审批
员工加班应当事先申请，经批准后方可加班：
1.工作日加班由部门负责人审批；
2.休息日加班由分管领导审批。
（二）加班费的计算依照附件1执行。

附件1
加班费计算标准
加班费按下列标准计算：
| 情形 | 标准 |
|---|---|
| 工作日延长 | 150% |
| 休息日 | 200% |
"""


def test_a_document_with_only_item_markers(cli: Any, tmp_path: Path) -> None:
    """一、 are chapters, （一） articles, 1. items; a prose appendix becomes a document appendix."""
    source = tmp_path / "加班.md"
    source.write_text(ITEMS_ONLY, encoding="utf-8")
    model = imported_model(cli, source, tmp_path / "out")
    chapters = [c["title"] for c in model["children"] if c.get("kind") == "chapter"]
    assert chapters == ["总则", "加班审批"]
    found = [(a["title"], a["text"]) for a in articles(model)]
    assert found[:2] == [("", "为规范加班管理，制定本规定。"), ("", "本规定适用于全体员工。")]
    assert found[2] == (
        "加班审批",
        "员工加班应当事先申请，经批准后方可加班：\n1.工作日加班由部门负责人审批；\n2.休息日加班由分管领导审批。",
    )
    assert found[3] == ("", "加班费的计算依照附件一执行。")
    assert (
        (tmp_path / "out/handbook/appendices/01.md")
        .read_text(encoding="utf-8")
        .startswith("# 加班费计算标准 {#appendix-1}\n\n加班费按下列标准计算：\n\n| 情形 | 标准 |")
    )
    assert 'items: ["1."]' in (tmp_path / "out/handbook/handbook.yaml").read_text(encoding="utf-8")


ANCHORED = """第一章　總則
第一節　一般規定
第1條　目的
為規範管理，制定本辦法。
第2條　本辦法依照第十二條及《勞動基準法》第三十條辦理。
第十二條規定的情形，另行處理。
第3條　【適用範圍】本辦法適用於全體員工。
"""


def test_headings_are_line_anchored(cli: Any, tmp_path: Path) -> None:
    """In-sentence 第十二條 is text; so is a paragraph opening with 第十二條 that is not the next article."""
    source = tmp_path / "辦法.txt"
    source.write_text(ANCHORED, encoding="utf-8")
    model = imported_model(cli, source, tmp_path / "out")
    assert model["meta"]["locale"] == "zh-Hant"
    found = [(a["number"], a["title"], a["text"]) for a in articles(model)]
    assert found == [
        ("第一條", "目的", "為規範管理，制定本辦法。"),
        ("第二條", "", "本辦法依照第十二條及《勞動基準法》第三十條辦理。\n第十二條規定的情形，另行處理。"),
        ("第三條", "適用範圍", "本辦法適用於全體員工。"),
    ]
    assert model["children"][0]["children"][0]["kind"] == "section"
    report = (tmp_path / "out/import-report.md").read_text(encoding="utf-8")
    assert "reference “第十二條” names nothing detected: left as text" in report


def test_word_table_with_merged_cells(cli: Any, tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("第一条　假期天数")
    document.add_paragraph("各类假期天数如下：")
    table = document.add_table(rows=4, cols=3)
    for r, row in enumerate([["假别", "情形", "天数"], ["婚假", "", "3"], ["", "晚婚", "另加7"], ["合计", "", "10"]]):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    table.cell(1, 0).merge(table.cell(2, 0))  # 婚假 spans two rows
    table.cell(3, 0).merge(table.cell(3, 1))  # 合计 spans two columns
    source = tmp_path / "假期.docx"
    document.save(str(source))
    imported_model(cli, source, tmp_path / "out")
    chapter = (tmp_path / "out/handbook/chapters/01.md").read_text(encoding="utf-8")
    assert "| 婚假 |   | 3 |\n| ^^ | 晚婚 | 另加7 |\n| 合计 | << | 10 |" in chapter
