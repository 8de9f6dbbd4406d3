"""Large and odd inputs: a 50,000-character article, a 200-row table, rare CJK characters."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import docx
import pytest

from tests.conftest import ROOTS

SENTENCE = "员工应当遵守公司的各项规章制度，认真履行岗位职责，维护公司利益和声誉。"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("large") / "basic"
    shutil.copytree(ROOTS / "basic", root)
    long_text = (SENTENCE * (50_000 // len(SENTENCE) + 1))[:50_000] + "长条文结束标记。"
    rows = "\n".join(f"| 第{n}行 | 𠮷䶮{n} | {n * 10} 元 |" for n in range(1, 201))
    chapter = root / "handbook" / "chapters" / "02.md"
    chapter.write_text(
        chapter.read_text(encoding="utf-8")
        + f"\n### 超长条文 {{#art-long}}\n\n{long_text}\n\n### 大表格 {{#art-table}}\n\n"
        + "| 序号 | 名称 | 金额 |\n|---|---|---|\n"
        + rows
        + "\n",
        encoding="utf-8",
    )
    out = root / "dist"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "policybook",
            "build",
            str(root / "handbook"),
            "-s",
            "a",
            "-f",
            "pdf,docx",
            "-o",
            str(out),
        ],
        cwd=Path(__file__).parent.parent,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return out / "a"


def test_long_article_and_big_table_in_pdf(built: Path) -> None:
    pdf = next(built.glob("*.pdf"))
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    flat = text.replace("\n", "")
    assert "长条文结束标记。" in flat
    pages = text.split("\f")
    # every sentence is there, except where a page break puts the running header inside one
    assert flat.count(SENTENCE[:10]) >= 50_000 // len(SENTENCE) - len(pages)
    dense = "".join(text.split())  # Typst puts thin spaces between CJK and digits
    assert "第200行𠮷䶮2002000元" in dense
    with_rows = [p for p in pages if "第150行" in "".join(p.split()) or "第199行" in "".join(p.split())]
    assert with_rows and all("序号" in p for p in with_rows)  # header row repeated on continuation pages
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "CJK" in fonts


def test_long_article_and_big_table_in_docx(built: Path) -> None:
    document = docx.Document(str(next(built.glob("*.docx"))))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "长条文结束标记。" in text
    big = max(document.tables, key=lambda t: len(t.rows))
    assert len(big.rows) == 201
    assert big.rows[200].cells[1].text == "𠮷䶮200"
    assert (
        big.rows[0]._tr.trPr is not None
        and big.rows[0]._tr.trPr.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}tblHeader")
        is not None
    )


def test_rare_cjk_in_a_filled_form(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Names outside GB2312 and GBK's common range (𠮷 is in Extension B, 䶮 in Extension A) print."""
    csv = tmp_path / "staff.csv"
    csv.write_text("applicant,department,reason\n吉𠮷,研发部,䶮家中有事\n", encoding="utf-8")
    run = cli(
        "forms",
        ROOTS / "forms-leave",
        "-s",
        "sh",
        "--form",
        "leave-request",
        "--fill",
        csv,
        "--flatten",
        "-o",
        tmp_path / "out",
    )
    assert run.code == 0, run.err
    (pdf,) = (tmp_path / "out").glob("*.pdf")
    text = "".join(
        subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout.split()
    )
    assert "吉𠮷" in text and "䶮家中有事" in text
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "yes" in fonts  # the value font is embedded
