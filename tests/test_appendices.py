"""Appendices of any kind, and the second sample regulation (tests/roots/perf-regulation):
a 绩效考核管理办法 with Markdown appendices beside a form, merged tables, GB/T 9704
item levels and cn_number / cn_upper — built to PDF and DOCX and checked structurally."""

from __future__ import annotations

import io
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from policybook.cli import main
from tests.conftest import ROOTS, articles

ROOT = ROOTS / "perf-regulation"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _model(cli, sub: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    run = cli("model", ROOT / "handbook", "-s", sub, "--json")
    assert run.code == 0, run.err
    return run.json()  # type: ignore[no-any-return]


def _numbers(doc: dict[str, Any]) -> list[tuple[str, str]]:
    found = [(a["number"], a["title"]) for a in [*doc["appendices"], *doc["attachments"]]]
    return sorted(found, key=lambda pair: "一二三四五".index(pair[0][-1]))


def test_documents_and_forms_share_one_numbering(cli) -> None:  # type: ignore[no-untyped-def]
    doc = _model(cli, "tj")
    assert _numbers(doc) == [("附件一", "考核评分标准"), ("附件二", "绩效考核表"), ("附件三", "考核申诉流程")]
    texts = [a["text"] for a in articles(doc)]
    assert any("各项指标、分值和评分标准见附件一。" in t for t in texts)
    assert any("员工填写《绩效考核表》（附件二）完成自评" in t for t in texts)
    assert any("申诉流程见附件三。" in t for t in texts)


def test_a_condition_on_a_document_appendix_renumbers_the_rest(cli) -> None:  # type: ignore[no-untyped-def]
    doc = _model(cli, "hk")  # the appeal flow is not part of Hong Kong's regulation
    assert [n for n, _ in _numbers(doc)] == ["附件一", "附件二"]
    assert not any("附件三" in a["text"] for a in articles(doc))


def test_gbt9704_items_cn_number_and_cn_upper(cli) -> None:  # type: ignore[no-untyped-def]
    doc = _model(cli, "tj")
    by_label = {a["label"]: a for a in articles(doc)}
    steps = by_label["art-steps"]["text"]
    assert steps.splitlines()[1:4] == [
        "一、目标设定",
        "（一）周期开始后五个工作日内，部门负责人与员工共同确定本期目标",
        "1.目标应当具体、可衡量；",
    ]
    assert "周期结束后五个工作日内" in steps
    assert "以三个月为一个周期" in by_label["art-cycle"]["text"]
    bonus = by_label["art-bonus"]["text"]
    assert "绩效奖金3500元（大写：叁仟伍佰元整）" in bonus
    assert "三、考核等级为合格的，按照基本工资的百分之二十" in bonus  # the list after the note keeps 3
    gz = {a["label"]: a for a in articles(_model(cli, "gz"))}
    assert "以一个月为一个周期" in gz["art-cycle"]["text"]
    assert "另发冷链专项奖捌佰元整，发放程序依照第九条执行。" in gz["art-bonus"]["text"]
    assert "冷链" not in bonus  # the inline condition is false for tj


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("perf")
    args = ["build", str(ROOT / "handbook"), "-s", "tj", "-s", "hk", "-f", "pdf,docx", "-o", str(out), "--no-cache"]
    assert main(args) == 0
    return {f"{p.parent.name}{p.suffix}": p for p in out.glob("*/*.*")}


def _pdf_text(path: Path, *pages: str) -> str:
    return subprocess.run(["pdftotext", *pages, str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_pdf_lists_appendices_in_contents_and_prints_them(built: dict[str, Path]) -> None:
    contents = "".join(_pdf_text(built["tj.pdf"], "-f", "3", "-l", "3").split())  # cover, revisions, contents
    for entry in ("附件一考核评分标准", "附件二绩效考核表", "附件三考核申诉流程"):
        assert entry in contents
    pages = ["".join(page.split()) for page in _pdf_text(built["tj.pdf"]).split("\f")]
    [appendix] = [page for page in pages if "评分时应当注意以下事项" in page]
    assert "考核评分标准" in appendix and "一、各项评分必须有事实依据" in appendix
    assert appendix.count("工作业绩") == 1  # a merged cell printed once
    assert subprocess.run(["qpdf", "--check", str(built["tj.pdf"])], capture_output=True).returncode == 0


def test_pdf_hong_kong_variant_is_traditional(built: dict[str, Path]) -> None:
    text = "".join(_pdf_text(built["hk.pdf"]).split())
    assert "肆仟元整" in text and "附件一考核評分標準" in text and "附件三" not in text


def test_docx_has_the_appendix_headings_bookmarked_and_in_the_contents(built: dict[str, Path]) -> None:
    with zipfile.ZipFile(io.BytesIO(built["tj.docx"].read_bytes())) as package:
        root = etree.fromstring(package.read("word/document.xml"))
    paragraphs = ["".join(p.itertext()) for p in root.iter(f"{W}p")]
    headings = [t for t in paragraphs if t.startswith("附件一") or t.startswith("附件三")]
    assert "附件一　考核评分标准" in headings and "附件三　考核申诉流程" in headings
    marks = {b.get(f"{W}name") for b in root.iter(f"{W}bookmarkStart")}
    assert "app_scoring" in marks or any("scoring" in (m or "") for m in marks)
    links = [h.get(f"{W}anchor") for h in root.iter(f"{W}hyperlink") if "".join(h.itertext()) == "附件一"]
    assert links and all(link in marks for link in links)
    spans = [g for g in root.iter(f"{W}gridSpan")]
    assert spans, "the 合计 row of the scoring table spans columns"


def test_item_text_starts_at_one_place_in_a_list(built: dict[str, Path]) -> None:
    """However a line is justified and however wide each number is, a list's items start
    their text at the same x (PDF) and share one indent (DOCX)."""
    import pymupdf as fitz

    with fitz.open(built["tj.pdf"]) as pdf:
        page = next(p for p in pdf if p.search_for("目标需要调整"))
        xs = [page.search_for(t)[0].x0 for t in ("目标设定", "自评与评分", "结果确认")]
        inner = [page.search_for(t)[0].x0 for t in ("周期开始后五个", "目标需要调整")]
    assert max(xs) - min(xs) < 0.5 and max(inner) - min(inner) < 0.5
    assert inner[0] > xs[0]  # the second level starts where the first level's text does, or further
    with zipfile.ZipFile(io.BytesIO(built["tj.docx"].read_bytes())) as package:
        root = etree.fromstring(package.read("word/document.xml"))
    lefts = {}
    for p in root.iter(f"{W}p"):
        text = "".join(p.itertext())
        ind = p.find(f"{W}pPr/{W}ind")
        if text[:2] in ("一、", "二、", "三、") and ind is not None:
            lefts[text[:2]] = (ind.get(f"{W}left"), ind.get(f"{W}hanging"))
    assert len(set(lefts.values())) == 1 and len(lefts) == 3, lefts
