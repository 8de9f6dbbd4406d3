"""`policybook import` on what HR really has: run-in web text, hard-wrapped lines, pasted pages, Writer PDFs.

Each regulation of tests/import_corpus/ (written for these tests) has the
structure a person would mark by hand; every character of it must be kept in
the tree or listed as removed with a reason and a line, and the imported tree
must pass ``check --strict``.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from policybook.importers.accounting import chars
from policybook.importers.markup import markup
from policybook.importers.pipeline import Result, run_import
from policybook.importers.tree import Regulation, item_lists
from tests import import_messy_sources as sources
from tests import regulations

CORPUS = Path(__file__).parent / "import_corpus"


@dataclass
class Expect:
    title: str
    chapters: int
    articles: int
    items: int
    removed: tuple[str, ...] = ()  # reasons that must be listed
    blanks: int = 0
    run_in: int = 0  # markers split out of run-in text


CASES = {
    "runin-hant.txt": Expect("員工考勤管理辦法", 3, 7, 0, run_in=10),
    "runin-items.txt": Expect("差旅费管理规定", 3, 5, 3, run_in=10),
    "hardwrap-title.txt": Expect("员工培训管理制度实施细则", 1, 2, 0, blanks=1),  # the preamble opens the chapter
    "hardwrap.txt": Expect("员工培训管理制度", 1, 5, 3, blanks=1),
    "runin-web-hant.txt": Expect("員工請假辦法", 1, 5, 0, ("breadcrumb", "footer"), run_in=5),
    "web-noend.txt": Expect("员工离职管理办法", 1, 4, 0, ("breadcrumb", "another document")),
    "web-page.txt": Expect("员工奖惩管理制度", 1, 10, 5, ("breadcrumb", "navigation", "another document"), blanks=1),
    "qa-page.txt": Expect("加班管理規定", 1, 10, 0, ("Q&A",)),
    "items-heading.txt": Expect("员工请假管理规定", 4, 7, 0),
    "preamble-blanks.txt": Expect("员工行为规范", 2, 6, 0, blanks=6),
    "blanks-hant.txt": Expect("員工出差管理辦法", 2, 7, 0, blanks=6),
    "runin-paren-items.txt": Expect("员工警告办法", 1, 2, 3, run_in=5),
    "runin-unnumbered.txt": Expect("考勤制度", 3, 7, 0, run_in=10),
    "items-end-midway.txt": Expect("员工考勤规定", 3, 6, 0, ("Q&A", "issuing unit")),
    "qa-noend.txt": Expect("年休假管理办法", 3, 6, 0, ("Q&A",)),
    "half-width.txt": Expect("员工着装规定（试行）", 1, 5, 0),
}


def items(regulation: Regulation) -> int:
    def count(found: list[Any]) -> int:
        return sum(1 + count(i.children) for i in found)

    return sum(count(found) for found, depth in item_lists(regulation) if depth == 0)


def imported(source: Path, out: Path, *extra: str) -> Result:
    return run_import([source], out, *extra)


def assert_accounted(result: Result, total: int) -> None:
    """Kept + removed = every character the file holds (counted here, independently of the importer)."""
    accounting = result.accounting
    assert accounting.total == total
    assert accounting.missing() == 0, accounting.line()
    assert accounting.kept + sum(accounting.removed.values()) == total
    for removal in result.record.removed:
        assert re.search(r"(line|page|paragraph) \d+", removal.where), removal


@pytest.mark.parametrize("name", sorted(CASES))
def test_messy_regulation(cli: Any, tmp_path: Path, name: str) -> None:
    expect = CASES[name]
    source = CORPUS / name
    result = imported(source, tmp_path / "out")
    regulation = result.regulation
    assert regulation.title == expect.title
    assert (len(regulation.chapters), len(regulation.articles()), items(regulation)) == (
        expect.chapters,
        expect.articles,
        expect.items,
    )
    assert_accounted(result, chars(source.read_text(encoding="utf-8")))
    reasons = " ".join(r.reason for r in result.record.removed)
    for reason in expect.removed:
        assert reason in reasons
    assert len(result.record.variables) == expect.blanks, result.record.variables
    assert result.record.counts["run-in"] == expect.run_in
    check = cli("check", "--strict", tmp_path / "out" / "handbook")
    assert check.code == 0, check.err
    assert "warning" not in check.err


def test_web_page_debris_and_the_appended_document(cli: Any, tmp_path: Path) -> None:
    """The appended document is left out (its 第四条 never links into the regulation), or imported with --split."""
    run = cli("import", CORPUS / "web-page.txt", "-o", tmp_path / "out")
    assert run.code == 0, run.err
    assert re.search(r"kept \d+ of \d+ characters; removed: another document after the regulation", run.err)
    chapter = (tmp_path / "out/handbook/chapters/01.md").read_text(encoding="utf-8")
    assert "宿舍" not in chapter and "当前位置" not in chapter and "2024年3月1日" not in chapter
    assert "员工有[](#art-4)第（三）项情形" in chapter
    report = (tmp_path / "out/import-report.md").read_text(encoding="utf-8")
    assert "web-page.txt line 1: web-page breadcrumb: “当前位置：文档之家›" in report
    assert (
        "web-page.txt lines 23–27: another document after the regulation (its numbers restart) (5 paragraphs)" in report
    )
    removed = (tmp_path / "out/import-removed.txt").read_text(encoding="utf-8")
    assert "第四条 违反第二条的，扣款**元/次。" in removed  # left out, not lost
    assert "import it separately with --split" in report
    assert "XX" not in (tmp_path / "out/handbook/handbook.yaml").read_text(encoding="utf-8")
    split = cli("import", CORPUS / "web-page.txt", "-o", tmp_path / "split", "--split")
    assert split.code == 0, split.err
    other = (tmp_path / "split/split-2/handbook/chapters/01.md").read_text(encoding="utf-8")
    assert other.startswith("# 员工宿舍管理规定\n") and "违反[](#art-2)的" in other
    assert cli("check", "--strict", tmp_path / "split/split-2/handbook").code == 0
    built = cli("build", tmp_path / "out/handbook", "-f", "pdf", "-o", tmp_path / "dist")
    assert built.code == 0, built.err
    pdf = next((tmp_path / "dist/main").glob("*.pdf"))
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout.replace("\n", "")
    assert "第十条本制度自2024年4月1日起施行" in text.replace(" ", "") and "宿舍" not in text


def test_appended_documents_without_an_end_marker_split_apart(cli: Any, tmp_path: Path) -> None:
    """A titled document restarting at 第一条 starts a new document even without 本办法自…施行 before it."""
    run = cli("import", CORPUS / "web-noend.txt", "-o", tmp_path / "out", "--split")
    assert run.code == 0, run.err
    titles = [
        line.split("(")[1].split(")")[0] for line in run.err.splitlines() if line.startswith("policybook: imported")
    ]
    assert titles == ["员工离职管理办法", "员工请假管理规定", "员工加班管理制度"]
    for folder in ("out", "out/split-2", "out/split-3"):
        assert cli("check", "--strict", tmp_path / folder / "handbook").code == 0
    assert "违反[](#art-2)的" in (tmp_path / "out/split-2/handbook/chapters/01.md").read_text(encoding="utf-8")


def test_half_width_punctuation_is_made_full_width(tmp_path: Path) -> None:
    imported(CORPUS / "half-width.txt", tmp_path / "out")
    text = (tmp_path / "out/handbook/chapters/01.md").read_text(encoding="utf-8")
    assert not re.search(r"[,;:?!.()]", text), text
    assert "周五可着便装！" in text and "扣款（第二次起）。" in text


def test_fragments_are_refused_with_what_was_looked_for(cli: Any, tmp_path: Path) -> None:
    run = cli("import", CORPUS / "fragments.txt", "-o", tmp_path / "out")
    assert run.code == 1
    assert "looked for 第X章/第X节/第X条" in run.err and "4× 第X条" in run.err and "not run in order" in run.err


@pytest.mark.parametrize("script", ["zh-Hans", "zh-Hant"])
def test_writer_pdf(cli: Any, tmp_path: Path, script: str) -> None:
    """Printed by Writer: hanging-indent items wrap under their text (across a page break too), spaces
    around digits and Latin, a running header and page numbers."""
    convert = sources._converter(script)
    source = sources.writer_pdf(tmp_path, script)
    result = imported(source, tmp_path / "out")
    regulation = result.regulation
    assert regulation.title == convert(sources.WRITER_TITLE)
    kinds = [kind for kind, _ in sources.WRITER_BODY]
    expected = (kinds.count("heading"), kinds.count("article"), kinds.count("item"))
    assert (len(regulation.chapters), len(regulation.articles()), items(regulation)) == expected == (3, 14, 19)
    typed = chars(convert(sources.WRITER_TITLE + "".join(text for _, text in sources.WRITER_BODY)))
    pages = 2
    furniture = pages * chars(sources.WRITER_HEADER) + sum(len(str(n)) for n in range(1, pages + 1))
    assert_accounted(result, typed + furniture)
    assert sum(chars(r.text) for r in result.record.removed) == furniture
    third = regulation.articles()[2].blocks
    first_item = third[1].items[0]  # type: ignore[union-attr]
    assert first_item.text == convert(
        "上班时间开始后到岗，迟到超过15分钟但不超过60分钟的，按迟到处理，每次扣除当月绩效工资的5%；"
    )
    second = regulation.articles()[1].blocks[0]
    assert second.text == convert(  # type: ignore[union-attr]
        "本办法适用于公司A类及B类员工，公司通过OA系统记录员工的出勤情况，员工应当每日登录OA系统确认本人的考勤记录。"
    )
    everything = [i.text for found, _ in item_lists(regulation) for i in found]
    assert all(text.endswith(("；", "。")) for text in everything), everything  # no item cut at a line end
    report = (tmp_path / "out/import-report.md").read_text(encoding="utf-8")
    assert "item number" not in report and "PDF continuation lines of hanging-indent items joined" in report
    check = cli("check", "--strict", tmp_path / "out" / "handbook")
    assert check.code == 0, check.err


def test_word_file_of_pasted_paragraphs(cli: Any, tmp_path: Path) -> None:
    """Typed paragraphs only: the preamble stays (the chapter's opening text), run-in items split, a broken
    sentence joined; the articles keep the source's numbers."""
    source = sources.pasted_docx(tmp_path)
    result = imported(source, tmp_path / "out")
    regulation = result.regulation
    assert regulation.title == "员工保密管理规定"
    assert (len(regulation.chapters), len(regulation.articles()), items(regulation)) == (1, 4, 3)
    assert result.record.counts["run-in"] == 3
    assert_accounted(result, chars("".join(sources.PASTED)))
    assert [a.number for a in regulation.articles()] == [1, 2, 3, 4]
    (preamble,) = regulation.chapters[0].intro
    assert preamble.text.startswith("为保护公司商业秘密")  # type: ignore[union-attr]
    *_, breach, _ = regulation.articles()
    assert breach.blocks[0].text == (  # type: ignore[union-attr]
        "员工违反"
        + markup("[](#art-2)")
        + "规定的，公司可以依照《中华人民共和国劳动合同法》第三十九条解除劳动合同，并要求赔偿损失。"
    )
    check = cli("check", "--strict", tmp_path / "out" / "handbook")
    assert check.code == 0, check.err
    model = cli("model", tmp_path / "out" / "handbook", "-s", "main", "--json").json()
    (chapter,) = model["children"]
    assert chapter["intro"][0]["text"].startswith("为保护公司商业秘密")
    assert [a["number"] for a in chapter["children"]] == ["第一条", "第二条", "第三条", "第四条"]


def test_preamble_before_the_first_chapter_opens_it(cli: Any, tmp_path: Path) -> None:
    """Text before 第一章 总则 is 总则's opening text, written between '#' and the first '###': 第一条 stays 第一条."""
    result = imported(CORPUS / "preamble-blanks.txt", tmp_path / "out")
    general = result.regulation.chapters[0]
    assert general.title == "总则" and general.intro[0].text.startswith("为塑造良好的企业形象")  # type: ignore[union-attr]
    assert [a.number for a in result.regulation.articles()] == [1, 2, 3, 4, 5, 6]
    (first, *_) = sorted((tmp_path / "out/handbook/chapters").glob("*.md"))
    text = first.read_text(encoding="utf-8")
    assert text.index("# 总则") < text.index("为塑造良好的企业形象") < text.index("###")
    report = (tmp_path / "out/import-report.md").read_text(encoding="utf-8")
    assert "untitled article" not in report and "opening text" in report


@pytest.mark.parametrize("script", ["zh-Hans", "zh-Hant"])
def test_hard_wrapped_with_blank_lines_round_trips(cli: Any, tmp_path: Path, script: str) -> None:
    """The round-trip regulation wrapped at 20 characters, a blank line after every line: the same articles."""
    import opencc

    from tests.test_import import compare, imported_model

    convert = opencc.OpenCC("s2tw").convert if script == "zh-Hant" else str
    plain = convert(regulations.as_text(article="條" if script == "zh-Hant" else "条"))  # converted, then wrapped
    text = "\n\n".join(piece for line in plain.split("\n") for piece in regulations._wrap(line, 20))
    source = tmp_path / "wrapped.txt"
    source.write_text(text, encoding="utf-8")
    model = imported_model(cli, source, tmp_path / "out", "--company", convert(regulations.COMPANY))
    assert compare(model, convert) == 11
    report = (tmp_path / "out/import-report.md").read_text(encoding="utf-8")
    assert "line breaks inside paragraphs joined (blank lines between the pieces)" in report


def test_run_in_citations_are_not_split() -> None:
    """A citation set apart by a space is not the next number: text. The articles around it are split."""
    from policybook.importers.paragraphs import Para
    from policybook.importers.report import Record
    from policybook.importers.runin import split_run_in

    line = (
        "第一条 为规范管理，制定本办法。 第二条 员工迟到的，按 第四条 处理。 第三条 员工早退的，依照第二条处理。"
        " 第四条 旷工的，扣发工资。 第五条 本办法自2025年1月1日起施行。"
    )
    record = Record()
    pieces = [p.text for p in split_run_in([Para(line, "line 1")], record)]
    assert [p[:3] for p in pieces] == ["第一条", "第二条", "第三条", "第四条", "第五条"]
    assert pieces[1] == "第二条 员工迟到的，按 第四条 处理。"
    assert record.counts["run-in"] == 4


def test_the_sample_handbook_printed_as_word_imports_whole(cli: Any, tmp_path: Path) -> None:
    """137 articles with a revision table and a contents list before them: the same articles come back,
    the revision table and 目录 listed as removed, nothing unaccounted, check --strict clean."""
    from tests.conftest import REPO, articles

    assert cli("build", REPO / "handbook", "-f", "docx", "-s", "bj", "-o", tmp_path / "dist").code == 0
    word = next((tmp_path / "dist/bj").glob("*.docx"))
    result = imported(word, tmp_path / "out")
    assert result.accounting.missing() == 0, result.accounting.line()
    assert set(result.accounting.removed) == {"front matter", "目录"}
    original = [a["title"] for a in articles(cli("model", REPO / "handbook", "-s", "bj", "--json").json())]
    assert [a.title for a in result.regulation.articles()] == original
    assert len(result.regulation.chapters) == 13
    check = cli("check", "--strict", tmp_path / "out/handbook")
    assert check.code == 0, check.err


def test_the_sample_handbook_printed_as_pdf_imports_whole(cli: Any, tmp_path: Path) -> None:
    """46 pages with a cover, 目录 and a running header naming each chapter: the same 137 articles, all but
    the few holding tables word for word; the header is page furniture, never article text."""
    from tests.conftest import REPO, articles

    assert cli("build", REPO / "handbook", "-f", "pdf", "-s", "bj", "-o", tmp_path / "dist").code == 0
    pdf = next((tmp_path / "dist/bj").glob("*.pdf"))
    result = imported(pdf, tmp_path / "out")
    assert result.regulation.title == "员工手册"
    assert result.accounting.missing() == 0, result.accounting.line()
    original = articles(cli("model", REPO / "handbook", "-s", "bj", "--json").json())
    back = articles(cli("model", tmp_path / "out/handbook", "-s", "main", "--json").json())
    assert [a["title"] for a in back] == [a["title"] for a in original]
    same = sum(1 for a, b in zip(original, back, strict=True) if _spaceless(a["text"]) == _spaceless(b["text"]))
    with_tables = sum(1 for a in original if "\t" in a["text"])
    assert same >= len(original) - with_tables - 1  # tables are rebuilt from the layout; the last takes the list
    chapters = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "out/handbook/chapters").glob("*.md"))
    assert "版本3.2生效日期" not in _spaceless(chapters) and "注意保存" not in chapters  # header, cover


def _spaceless(text: str) -> str:
    return re.sub(r"\s", "", text)
