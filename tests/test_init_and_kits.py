"""`policybook init` gets a new user to a first build; brand kits: extends, chapter_break."""

from __future__ import annotations

import io
import re
import subprocess
import zipfile
from pathlib import Path

import pytest

from policybook.diagnostics import Diagnostics
from policybook.source.brand import read_brand
from tests.clients import libreoffice_pdf

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def started(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from policybook.cli import main

    folder = tmp_path_factory.mktemp("init") / "rules"
    assert main(["init", str(folder)]) == 0
    assert main(["build", str(folder / "handbook"), "-o", str(folder / "dist"), "--no-cache"]) == 0
    return folder


def test_init_then_build_gives_every_output(started: Path) -> None:
    built = sorted(str(p.relative_to(started / "dist")) for p in (started / "dist").rglob("*.*"))
    for sub, code in (("north", "BJ"), ("south", "SZ")):
        assert f"{sub}/HR-001-{code}-v1.0.pdf" in built and f"{sub}/HR-001-{code}-v1.0.docx" in built
        assert f"{sub}/forms/附件一-HR-F-001-请假申请表-{code}-v1.0.pdf" in built
    text = subprocess.run(
        ["pdftotext", str(started / "dist/south/HR-001-SZ-v1.0.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    compact = "".join(text.split())
    assert "工作时间为08:30至17:30。生产岗位实行轮班制，排班由生产部排班室安排。" in compact
    assert "附件二人力资源部联系方式" in compact and "各部门联系方式见附件二。" in compact


def test_init_refuses_a_folder_with_files(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    run = cli("init", tmp_path)
    assert run.code == 2 and "not empty" in run.err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def _kit(tmp_path: Path, name: str, body: str) -> None:
    (tmp_path / "templates" / name).mkdir(parents=True, exist_ok=True)
    (tmp_path / "templates" / name / "brand.yaml").write_text(body, encoding="utf-8")


def test_extends_starts_from_another_kit(tmp_path: Path) -> None:
    _kit(tmp_path, "red", 'extends: gbt9704\ncolors:\n  accent: "#123456"\n')
    _kit(tmp_path, "redder", "extends: red\nchapter_break: none\n")
    diags = Diagnostics()
    kit = read_brand(tmp_path / "templates", tmp_path, "redder", None, diags)  # type: ignore[arg-type]
    assert not diags.items and kit is not None
    assert (kit.style, kit.cover, kit.text["body-size"]) == ("gbt9704", "official", "16pt")
    assert kit.colors["accent"] == "#123456" and kit.chapter_break == "none"


def test_kits_extending_each_other_are_an_error(tmp_path: Path) -> None:
    _kit(tmp_path, "a", "extends: b\n")
    _kit(tmp_path, "b", "extends: a\n")
    diags = Diagnostics()
    read_brand(tmp_path / "templates", tmp_path, "a", None, diags)  # type: ignore[arg-type]
    assert any("extend each other in a circle (a → b → a)" in str(d) for d in diags.errors)


def test_chapter_break_none_runs_chapters_on(cli, root_copy, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = root_copy("basic")
    _kit(root, "compact", "chapter_break: none\n")
    for sub in ("a", "b"):
        path = root / "handbook" / "subsidiaries" / f"{sub}.yaml"
        path.write_text(path.read_text(encoding="utf-8") + "brand: compact\n", encoding="utf-8")
    assert cli("build", root / "handbook", "-s", "a", "-f", "pdf,docx", "-o", tmp_path / "out").code == 0
    [pdf] = (tmp_path / "out" / "a").glob("*.pdf")
    pages = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout.split("\f")
    assert any("第一章" in page and "第二章" in page for page in pages)
    [docx] = (tmp_path / "out" / "a").glob("*.docx")
    with zipfile.ZipFile(io.BytesIO(docx.read_bytes())) as package:
        styles = package.read("word/styles.xml").decode()
    heading1 = styles[styles.index('w:styleId="Heading1"') :]
    assert "pageBreakBefore" not in heading1[: heading1.index("</w:style>")]
    # the body starts on the page after the contents (no empty page), numbered 1 as the contents says
    printed = libreoffice_pdf(docx, tmp_path)
    text = subprocess.run(["pdftotext", str(printed), "-"], capture_output=True, text=True, check=True).stdout
    pages = text.split("\f")
    contents = next(i for i, page in enumerate(pages) if "录" in page and "第一章" in page)
    first = pages[contents + 1]
    assert "第一章" in first and "第一条" in first, f"page after the contents: {first[:200]!r}"
    assert re.search(r"第一章\s*总则\.*\s*1\b", pages[contents]) and re.search(r"第\s*1\s*页", first)


def test_docx_and_pdf_share_revision_and_footer_words(cli, root_copy, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The revision history's third column and the footer's version read the same in PDF and DOCX."""
    root = root_copy("basic")
    assert cli("build", root / "handbook", "-s", "a", "-f", "pdf,docx", "-o", tmp_path / "out").code == 0
    [pdf] = (tmp_path / "out" / "a").glob("*.pdf")
    [docx] = (tmp_path / "out" / "a").glob("*.docx")
    pdf_text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    with zipfile.ZipFile(io.BytesIO(docx.read_bytes())) as package:
        xml = package.read("word/document.xml").decode()
        footers = "".join(package.read(n).decode() for n in package.namelist() if n.startswith("word/footer"))
    assert "修订内容" in pdf_text and "修订内容" in xml and "修订说明" not in xml
    assert "版本 1.0" in pdf_text and "版本 1.0" in footers and "第1.0版" not in footers
