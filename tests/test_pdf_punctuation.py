"""Justified PDF lines keep full-width punctuation full width, in every script.

Typst's optimising line breaker fitted one more character on a justified line by
squeezing ，。；： (to 0.4 em in zh-Hans; zh-TW/HK, where they are centred, looked
worse). Only the compression CLREQ asks for remains: two punctuation marks in a row
(》、《), and a mark at the end of a line.
"""

from __future__ import annotations

from pathlib import Path

import pymupdf
import pytest

PUNCT = "，。；：、"
LONG = (
    "員工應當遵守本規則，按時出勤，不得遲到、早退或曠工；因故不能出勤者，應當事先請假，"
    "經主管核准後方可離開工作崗位。違反前款規定者，依本規則第十二條處理，情節嚴重者，"
    "公司得依法終止勞動契約，並不另行給予補償。員工對處理有異議者，得於十日內提出申訴，"
    "公司應當於收到申訴之日起十五日內答覆；逾期未答覆者，視為申訴成立。"
)


@pytest.mark.parametrize("sub", ["cn", "tw", "hk"])
def test_justified_lines_never_squeeze_punctuation(cli, root_copy, tmp_path: Path, sub: str) -> None:  # type: ignore[no-untyped-def]
    root = root_copy("hant-source")
    chapter = root / "handbook" / "chapters" / "01-general.md"
    chapter.write_text(chapter.read_text(encoding="utf-8") + f"\n### 出勤紀律\n\n{LONG * 3}\n", encoding="utf-8")
    assert cli("build", root / "handbook", "-s", sub, "-f", "pdf", "-o", tmp_path / "out").code == 0
    [pdf] = (tmp_path / "out" / sub).glob("*.pdf")
    squeezed = _squeezed(pdf)
    assert not squeezed, f"{sub}: punctuation squeezed on justified lines: {squeezed[:10]}"


def test_poppler_reads_the_handbook_without_a_syntax_error(cli, root_copy, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """pdfinfo and pdftotext print nothing on stderr (they said "Suspects object is wrong type
    (boolean)" for /MarkInfo's /Suspects false on every handbook), on both finishing paths."""
    import importlib
    import subprocess

    finish = importlib.import_module("policybook.writers.pdf.finish")  # the package exports the function

    root = root_copy("basic")
    assert cli("build", root / "handbook", "-s", "a", "-f", "pdf", "-o", tmp_path / "out").code == 0
    [pdf] = (tmp_path / "out" / "a").glob("*.pdf")
    other = tmp_path / "other.pdf"
    typst_bytes = pdf.read_bytes()[: pdf.read_bytes().index(b"%%EOF") + 6]  # Typst's own revision
    other.write_bytes(finish._finish_any(typst_bytes))
    for path in (pdf, other):
        for tool in (["pdfinfo"], ["pdftotext", "-layout"]):
            run = subprocess.run([*tool, str(path), *(["-"] if tool[0] == "pdftotext" else [])], capture_output=True)
            assert run.returncode == 0 and run.stderr == b"", (path.name, tool, run.stderr)


def test_the_change_table_never_squeezes_punctuation(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    roots = Path(__file__).parent / "roots"
    assert cli("diff", roots / "diff-old", roots / "diff-new", "-o", tmp_path, "-f", "pdf", "-s", "b").code == 0
    [pdf] = (tmp_path / "b").glob("*.pdf")
    assert not _squeezed(pdf)


def _squeezed(pdf: Path) -> list[tuple[str, float]]:
    """Full-width marks followed by a hanzi on the same line whose advance is under 0.9 em."""
    found = []
    for page in pymupdf.open(str(pdf)):
        for block in page.get_text("rawdict")["blocks"]:
            for line in block.get("lines", []):
                chars = [(c, span["size"]) for span in line["spans"] for c in span["chars"]]
                for (mark, em), (after, _) in zip(chars, chars[1:], strict=False):
                    advance = after["origin"][0] - mark["origin"][0]
                    if mark["c"] in PUNCT and "\u4e00" <= after["c"] <= "\u9fff" and 0 < advance < 0.9 * em:
                        found.append((mark["c"], round(advance / em, 2)))
    return found
