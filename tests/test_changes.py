"""Releases: change tables (修订对照表), git revisions, manifest, revision history."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

from tests.clients import libreoffice_pdf
from tests.conftest import ROOTS


def _tables(out: Path) -> dict[str, dict[str, Any]]:
    return {p.parent.name: json.loads(p.read_text(encoding="utf-8")) for p in out.glob("*/*修订对照表.json")}


def _rows(table: dict[str, Any]) -> list[tuple[str, str, str, list[str], list[str]]]:
    return [(r["kind"], r["old_number"], r["new_number"], r["old_changed"], r["new_changed"]) for r in table["rows"]]


FLEX = "弹性工作\n经部门负责人批准，员工可以在七点半至九点半之间弹性上班。"
ABSENT = "旷工\n无故缺勤的，按旷工处理，每日扣除三日工资。"


def test_diff_of_two_folders(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run = cli("diff", ROOTS / "diff-old", ROOTS / "diff-new", "-o", tmp_path, "-f", "json")
    assert run.code == 0, run.err
    tables = _tables(tmp_path)
    assert _rows(tables["a"]) == [
        ("added", "", "第三条", [], [FLEX]),
        ("modified", "第四条", "第五条", ["三"], ["两"]),  # the untitled article, matched by content
        ("deleted", "第五条", "", [ABSENT], []),
    ]
    # the fine changed only in subsidiary b, so only b's table has that row
    assert _rows(tables["b"]) == [
        ("added", "", "第三条", [], [FLEX]),
        ("modified", "第三条", "第四条", ["50"], ["80"]),
        ("modified", "第四条", "第五条", ["三"], ["两"]),
        ("deleted", "第五条", "", [ABSENT], []),
    ]
    assert (
        tables["a"]["renumbered_summary"]
        == "原第三条至第四条依次调整为第四条至第五条；其中内容有修改的条款见上表，其余条款内容未作修改。"
    )
    assert tables["a"]["rows"][1]["note"] == "修改；条款序号由第四条调整为第五条"
    assert (tables["a"]["old_version"], tables["a"]["new_version"]) == ("1.0", "1.1")


def test_unchanged_source_gives_empty_table(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run = cli("diff", ROOTS / "diff-old", ROOTS / "diff-old", "-o", tmp_path, "-f", "json", "-s", "a")
    assert run.code == 0, run.err
    table = _tables(tmp_path)["a"]
    assert table["rows"] == [] and table["renumbered"] == []


def _git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=repo, check=True, capture_output=True
    )


def test_diff_of_git_revisions(cli, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    repo = tmp_path / "repo"
    shutil.copytree(ROOTS / "diff-old", repo)
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "v1.0")
    _git(repo, "tag", "v1.0")
    shutil.rmtree(repo / "handbook")
    shutil.copytree(ROOTS / "diff-new" / "handbook", repo / "handbook")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "v1.1")
    monkeypatch.chdir(repo)
    run = cli("diff", "v1.0", "HEAD", "-o", tmp_path / "out", "-f", "json", "-s", "b")
    assert run.code == 0, run.err
    assert len(_tables(tmp_path / "out")["b"]["rows"]) == 4
    bad = cli("diff", "v0.9", "HEAD", "-o", tmp_path / "out2")
    assert bad.code == 1 and "cannot read revision 'v0.9'" in bad.err
    assert not (tmp_path / "out2").exists() or not any((tmp_path / "out2").rglob("*.json"))


def test_manifest_lists_every_file_with_its_hash(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run = cli("build", ROOTS / "variants", "-f", "json", "-o", tmp_path)
    assert run.code == 0, run.err
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert {f["subsidiary"] for f in manifest["files"]} == {"cs", "hk", "plain"}
    for entry in manifest["files"]:
        data = (tmp_path / entry["path"]).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        assert entry["size"] == len(data) and entry["version"] == "2.0" and entry["kind"] == "model-json"
    assert "source_revision" in manifest


def test_release_needs_a_revision_entry(cli, root_copy) -> None:  # type: ignore[no-untyped-def]
    root = root_copy("basic")
    path = root / "handbook" / "handbook.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace('version: "1.0"', 'version: "1.1"', 1), encoding="utf-8")
    run = cli("build", root / "handbook", "-f", "json", "-o", root / "dist")
    assert run.code == 1
    assert "handbook.yaml:3: error: version 1.1 has no entry in the revision history" in run.err
    assert not (root / "dist").exists() or not any((root / "dist").rglob("*.json"))


def test_change_table_pdf(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run = cli("diff", ROOTS / "diff-old", ROOTS / "diff-new", "-o", tmp_path, "-f", "pdf", "-s", "b")
    assert run.code == 0, run.err
    (pdf,) = (tmp_path / "b").glob("*修订对照表.pdf")
    assert subprocess.run(["qpdf", "--check", str(pdf)], capture_output=True, check=False).returncode == 0
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for expected in ("修订对照表", "序号", "原条款", "修订后条款", "说明", "新增条款", "删除条款", "1.0 版", "1.1 版"):
        assert expected in text
    assert text.index("弹性工作") < text.index("每次扣款") < text.index("补卡") < text.index("无故缺勤")


def _docx_table(cli, out: Path) -> Path:  # type: ignore[no-untyped-def]
    run = cli("diff", ROOTS / "diff-old", ROOTS / "diff-new", "-o", out, "-f", "docx", "-s", "b")
    assert run.code == 0, run.err
    (path,) = (out / "b").glob("*修订对照表.docx")
    return path


def _marked(table: Any, style: str) -> list[str]:
    """Texts of the runs in ``style`` across the table's body rows."""
    return [
        r.text
        for row in table.rows[1:]
        for c in row.cells
        for p in c.paragraphs
        for r in p.runs
        if r.style is not None and r.style.name == style
    ]


def test_change_table_docx(cli, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import docx
    from docx.enum.section import WD_ORIENT
    from docx.oxml.ns import qn

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    path = _docx_table(cli, tmp_path / "one")
    assert path.read_bytes() == _docx_table(cli, tmp_path / "two").read_bytes()  # reproducible
    document = docx.Document(str(path))
    section = document.sections[0]
    assert section.orientation == WD_ORIENT.LANDSCAPE and section.page_width > section.page_height
    (table,) = document.tables
    assert len(table.columns) == 4
    assert table.rows[0]._tr.find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") is not None
    assert [c.text for c in table.rows[0].cells] == ["序号", "原条款", "修订后条款", "说明"]
    body = [[c.text for c in row.cells] for row in table.rows[1:]]
    assert [r[0] for r in body] == ["1", "2", "3", "4"]
    assert body[0][2].startswith("第三条\n弹性工作") and body[3][1].startswith("第五条\n旷工")
    assert "每次扣款" in body[1][1] and "补卡" in body[2][2] and body[3][3] == "删除条款"
    assert document.styles["Deleted Text"].font.strike and document.styles["Inserted Text"].font.underline
    assert {"50", "三"} <= set(_marked(table, "Deleted Text"))
    assert {"80", "两"} <= set(_marked(table, "Inserted Text"))
    footer = "".join(t.text for t in section.footer._element.iter(qn("w:instrText")))
    assert "PAGE" in footer and "NUMPAGES" in footer
    props = document.core_properties
    assert props.title == "乙公司员工手册修订对照表" and {"v1.0", "v1.1"} <= set(props.keywords.split("; "))
    if shutil.which("soffice") is None:
        return
    pdf = libreoffice_pdf(path, tmp_path)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for expected in ("修订对照表", "序号", "原条款", "修订后条款", "1.0 版", "1.1 版"):
        assert expected in text
    assert "第1页共1页" in text.replace(" ", "")  # the PAGE and NUMPAGES fields, computed by LibreOffice
    assert text.index("弹性工作") < text.index("每次扣款") < text.index("补卡") < text.index("无故缺勤")
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    cjk = [line for line in fonts.splitlines() if "CJK" in line]
    assert cjk and all(line.split()[-5] == "yes" for line in cjk), fonts  # emb column


def test_diff_tells_each_warning_once_under_names_the_user_knows(cli, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A warning of the new version is printed once, its file named ``REV:handbook/…`` (not the
    temporary export's path); the old version's warnings (history) are not repeated."""
    repo = tmp_path / "repo"
    shutil.copytree(ROOTS / "diff-old", repo)
    chapter = next((repo / "handbook" / "chapters").glob("*.md"))
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\n规定,员工应当遵守。\n", encoding="utf-8")
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "v1.0")
    _git(repo, "tag", "v1.0")
    _git(repo, "commit", "-q", "--allow-empty", "-m", "v1.1")
    monkeypatch.chdir(repo)
    run = cli("diff", "v1.0", "HEAD", "-o", tmp_path / "out", "-f", "json")
    assert run.code == 0, run.err
    warned = [line for line in run.err.splitlines() if "[punctuation.half-width]" in line]
    assert len(warned) == 1, run.err
    assert warned[0].startswith(f"HEAD:handbook/chapters/{chapter.name}:"), warned[0]
    assert "/tmp" not in run.err.replace(str(tmp_path), "")
