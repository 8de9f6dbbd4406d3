"""Tables for real regulations: merged cells, multi-line cells, column widths — read from
Markdown markers, laid out once (writers/tables.py), printed the same in PDF and DOCX."""

from __future__ import annotations

import io
import subprocess
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from policybook.diagnostics import Diagnostics
from policybook.model import LineBreak, Loc, Span, Table, Text
from policybook.source.markdown import ChapterReader
from policybook.writers.tables import column_widths, display_width
from tests.conftest import ROOTS

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _table(markdown: str) -> Table:
    diags = Diagnostics()
    chapter = ChapterReader("t.md", diags).read("# 章\n\n### 条\n\n" + markdown)
    assert chapter is not None and not diags.items, [str(d) for d in diags.items]
    table = chapter.articles()[0].blocks[0]
    assert isinstance(table, Table)
    return table


def test_markers_make_spans_and_br_makes_lines() -> None:
    table = _table(
        '{widths="2,3,1"}\n| 维度 | 指标 | 分值 |\n|---|---|---|\n| 业绩 | 完成率<br>效率 | 40 |\n'
        "| ^^ | 质量 | 20 |\n| 合计 | << | 60 |\n"
    )
    assert table.spans == [Span(1, 0, 2, 1), Span(3, 0, 1, 2)]
    assert table.covered() == {(2, 0), (3, 1)}
    assert table.widths == [2.0, 3.0, 1.0]
    assert any(isinstance(n, LineBreak) for n in table.rows[0][1])
    assert table.rows[1][0] == [] and table.rows[2][1] == []  # markers leave empty covered cells


def _plain(header: list[str], rows: list[list[str]]) -> Table:
    def cells(texts: list[str]) -> list[list[Text | LineBreak]]:
        return [[Text(t)] for t in texts]

    return Table(cells(header), [cells(r) for r in rows], [""] * len(header), Loc("t.md", 1))  # type: ignore[arg-type]


def test_a_short_header_never_breaks_and_long_text_gets_the_room() -> None:
    long = "完成率百分之百以上得满分；每低一个百分点扣一分，扣完为止；连续两期低于百分之八十的记为零分"
    table = _plain(["考核维度", "评分标准", "分值"], [["工作业绩", long, "40"], ["工作态度", long[:20], "20"]])
    widths = column_widths(table, 90)
    assert sum(widths) == pytest.approx(90)
    assert widths[2] >= display_width("分值") + 2  # 分值 fits on one line
    assert widths[0] >= display_width("考核维度")
    assert widths[1] == max(widths)  # the long text has the widest column
    assert column_widths(_plain(["a", "b"], [["x", "y"]]), 10) == pytest.approx([5, 5])


def test_author_widths_win() -> None:
    table = _plain(["一", "二", "三"], [["x", "y", "z"]])
    table.widths = [1, 3, 1]
    assert column_widths(table, 50) == pytest.approx([10, 30, 10])


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from policybook.cli import main

    out = tmp_path_factory.mktemp("tables")
    assert main(["build", str(ROOTS / "tables" / "handbook"), "-f", "pdf,docx", "-o", str(out), "--no-cache"]) == 0
    return {p.suffix: p for p in (out / "a").iterdir()}


def test_pdf_prints_merged_cells_once_and_headers_whole(outputs: dict[str, Path]) -> None:
    text = subprocess.run(["pdftotext", "-layout", str(outputs[".pdf"]), "-"], capture_output=True, text=True).stdout
    assert text.count("工作业绩") == 2  # once per table, not once per merged row
    assert "分值" in text and "考核维度" in text  # headers on one line each
    assert "专业知识与技能" in text and "问题分析与解决" in text
    lines = [line for line in text.splitlines() if "专业知识与技能" in line or "问题分析与解决" in line]
    assert len(lines) == 2  # two lines in one cell


def test_docx_spans_are_grid_span_and_vmerge(outputs: dict[str, Path]) -> None:
    with zipfile.ZipFile(io.BytesIO(outputs[".docx"].read_bytes())) as package:
        root = etree.fromstring(package.read("word/document.xml"))
    tables = [t for t in root.iter(f"{W}tbl") if "考核维度" in "".join(t.itertext())]
    assert len(tables) == 2
    weights, scoring = tables
    rows = weights.findall(f"{W}tr")
    assert [len(r.findall(f"{W}tc")) for r in rows] == [5, 5, 5, 5, 5, 4]  # 合计 spans two columns
    assert rows[-1].find(f"{W}tc/{W}tcPr/{W}gridSpan").get(f"{W}val") == "2"
    merges = [tc.find(f"{W}tcPr/{W}vMerge") for tc in (rows[1][1], rows[2][1])]
    assert merges[0] is not None and merges[0].get(f"{W}val") == "restart"
    assert merges[1] is not None and merges[1].get(f"{W}val") is None  # continue
    grid = [int(g.get(f"{W}w")) for g in scoring.iter(f"{W}gridCol")]
    assert grid[2] == max(grid) and grid[3] >= 2 * 20 * 10  # 评分标准 widest; 分值 at least two characters wide
