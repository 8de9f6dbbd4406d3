"""A chapter's or section's opening text (before its first article): read, resolved, printed unnumbered."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from policybook.cli import main
from tests.conftest import ROOTS, articles

ROOT = ROOTS / "chapter-intro"
INTRO = "为规范甲公司的管理，维护员工的合法权益，制定本手册。"  # {{ company }} resolved for a
FACTORY = "本章前言仅适用于工厂。"  # a paragraph with a condition: only subsidiary a has the tag
SECTION = "请假须事先申请，填写《请假申请表》（附件一）。"


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Subsidiary a built once in every format the intro shows in."""
    folder = tmp_path_factory.mktemp("intro")
    assert main(["build", str(ROOT / "handbook"), "-s", "a", "-f", "pdf,docx,html,json", "-o", str(folder)]) == 0
    return folder / "a"


def _model(cli: Any, root: Path, sub: str) -> dict[str, Any]:
    run = cli("model", root / "handbook", "-s", sub, "--json")
    assert run.code == 0, run.err
    return run.json()  # type: ignore[no-any-return]


def _chapters(model: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for c in model["children"] if c["kind"] == "chapter"]


def _texts(blocks: list[dict[str, Any]]) -> list[str]:
    return [b.get("text") or "\n".join(i["number"] + i["text"] for i in b["children"]) for b in blocks]


def test_model_holds_intros_resolved_with_their_lines(cli) -> None:  # type: ignore[no-untyped-def]
    first, second = _chapters(_model(cli, ROOT, "a"))
    assert _texts(first["intro"]) == [INTRO, FACTORY]
    assert first["intro"][0]["loc"].endswith("chapters/01.md:3")
    assert _texts(second["intro"]) == ["本章规定考勤与请假，依照第二条处理。"]  # a reference, numbered
    section = second["children"][0]
    assert section["kind"] == "section" and _texts(section["intro"]) == [SECTION, "（一）事假\n（二）病假"]
    other, _ = _chapters(_model(cli, ROOT, "b"))
    assert _texts(other["intro"]) == [INTRO.replace("甲", "乙")]  # the condition is false for b
    hant, _ = _chapters(_model(cli, ROOT, "c"))
    assert _texts(hant["intro"]) == ["為規範丙公司的管理，維護員工的合法權益，制定本手冊。"]  # converted


def _without_intros(plain: Path) -> Path:
    """A copy of the root with the chapters' and the section's opening text taken out."""
    shutil.copytree(ROOT, plain)
    for name, drop in (("01.md", range(2, 7)), ("02.md", [*range(2, 4), *range(6, 11)])):
        path = plain / "handbook" / "chapters" / name
        lines = path.read_text(encoding="utf-8").split("\n")
        path.write_text("\n".join(t for n, t in enumerate(lines) if n not in drop), encoding="utf-8")
    return plain


def test_an_intro_changes_no_number(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    plain = _without_intros(tmp_path / "plain")
    without = _model(cli, plain, "a")
    assert all(c["intro"] == [] for c in _chapters(without))
    numbers = [(a["number"], a["anchor"], a["title"]) for a in articles(_model(cli, ROOT, "a"))]
    assert numbers == [(a["number"], a["anchor"], a["title"]) for a in articles(without)]
    assert [n for n, _, _ in numbers] == ["第一条", "第二条", "第三条", "第四条"]


def test_text_before_the_chapter_heading_stays_an_error(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path / "r"
    shutil.copytree(ROOT, root)
    path = root / "handbook" / "chapters" / "01.md"
    path.write_text("前置文字。\n\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    run = cli("check", root / "handbook")
    assert run.code == 1 and "01.md:1: error: text before the chapter heading" in run.err
    assert "[markdown.orphan-text]" in run.err


def _pdftotext(path: Path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout.replace(
        " ", ""
    )


def test_pdf_prints_the_intro_between_heading_and_first_article(out: Path) -> None:
    text = _pdftotext(next(out.glob("*.pdf")))
    body = text[text.rindex("第一章总则") :]  # past the contents
    assert body.index(INTRO) < body.index(FACTORY) < body.index("第一条目的")
    assert body.index("第一节请假") < body.index(SECTION) < body.index("（一）事假") < body.index("第三条申请")
    assert "第五条" not in body


def test_docx_prints_the_intro_as_body_text_inside_the_chapter_span(out: Path) -> None:
    import docx
    from docx.oxml.ns import qn

    document = docx.Document(str(next(out.glob("*.docx"))))
    paragraphs = [p for p in document.paragraphs if p.text.strip()]
    texts = [p.text for p in paragraphs]
    start = (
        texts.index("第一章\u3000总则")
        if "第一章\u3000总则" in texts
        else next(i for i, t in enumerate(texts) if t.startswith("第一章") and t.endswith("总则") and i > 5)
    )
    assert texts[start + 1 : start + 3] == [INTRO, FACTORY] and texts[start + 3].startswith("第一条")
    body_style = next(p.style.name for p in paragraphs if p.text == "本手册适用于全体员工。")
    assert paragraphs[start + 1].style.name == body_style
    # the chapter's identity bookmark spans its heading and its opening text
    elements = list(document.element.body.iter())
    marks = [
        e for e in elements if e.tag == qn("w:bookmarkStart") and e.get(qn("w:name"), "").startswith("pb_ch_general")
    ]
    assert marks, "no bookmark for the chapter"
    mark_id = marks[-1].get(qn("w:id"))
    end = next(e for e in elements if e.tag == qn("w:bookmarkEnd") and e.get(qn("w:id")) == mark_id)
    intro = paragraphs[start + 2]._p
    assert elements.index(marks[-1]) < elements.index(intro) < elements.index(end)


def test_html_prints_the_intro_under_the_headings(out: Path) -> None:
    html = (out / "html" / "ch-general.html").read_text(encoding="utf-8")
    assert html.index("</h1>") < html.index('<div class="intro">') < html.index(INTRO) < html.index('id="art-purpose"')
    pages = [p.read_text(encoding="utf-8") for p in (out / "html").glob("ch-*.html")]
    (attendance,) = [p for p in pages if "考勤" in p and "sec-leave" in p]
    assert attendance.index("</h2>") < attendance.index("请假须事先申请") < attendance.index('id="art-apply"')
    index = (out / "html" / "assets" / "search-index.js").read_text(encoding="utf-8")
    assert INTRO in index and "请假须事先申请" in index  # found by the site's search, like an article


def test_json_output_carries_the_intro(out: Path) -> None:
    model = json.loads(next(out.glob("*.model.json")).read_text(encoding="utf-8"))
    assert _texts(_chapters(model)[0]["intro"]) == [INTRO, FACTORY]


def test_change_table_has_a_row_for_a_changed_intro(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    new = tmp_path / "new"
    shutil.copytree(ROOT, new)
    yaml = new / "handbook" / "handbook.yaml"
    revision = '  - {version: "1.1", date: 2026-03-01, summary: 修订前言}\n'
    yaml.write_text(yaml.read_text(encoding="utf-8").replace('"1.0"\n', '"1.1"\n', 1) + revision, encoding="utf-8")
    for name, old, changed in (("01.md", "维护", "保障"), ("02.md", "事先", "提前")):
        path = new / "handbook" / "chapters" / name
        path.write_text(path.read_text(encoding="utf-8").replace(old, changed), encoding="utf-8")
    run = cli("diff", ROOT, new, "-o", tmp_path / "out", "-f", "json,pdf", "-s", "a")
    assert run.code == 0, run.err
    table = json.loads(next((tmp_path / "out" / "a").glob("*.json")).read_text(encoding="utf-8"))
    rows = [(r["kind"], r["new_number"], r["old_changed"], r["new_changed"]) for r in table["rows"]]
    assert rows == [
        ("modified", "第一章 总则（前言）", ["维护"], ["保障"]),
        ("modified", "第二章第一节 请假（前言）", ["事先"], ["提前"]),
    ]
    assert table["renumbered"] == []
    text = _pdftotext(next((tmp_path / "out" / "a").glob("*.pdf")))
    assert "第一章总则（前言）" in text and "保障" in text


def test_studio_reading_page_shows_the_intros(tmp_path: Path) -> None:
    from policybook.ledger.db import opened
    from policybook.studio import StudioConfig, create_app, users
    from tests.studio_support import PASSWORD, login

    shutil.copytree(ROOT, tmp_path / "p")
    db = str(tmp_path / "policybook.db")
    with opened(db) as ledger, ledger.transaction() as session:
        users.add_user(session, "zhou", "周查阅", PASSWORD, "viewer")  # one reader is enough
    config = StudioConfig(source=tmp_path / "p" / "handbook", db=db, output=tmp_path / "dist", testing=True)
    client = create_app(config).test_client()
    login(client, "zhou")
    first = client.get("/sub/a/1").get_data(as_text=True)
    assert first.index("</h1>") < first.index(INTRO) < first.index(FACTORY) < first.index("第一条")
    second = client.get("/sub/a/2").get_data(as_text=True)
    assert second.index("第一节") < second.index("请假须事先申请") < second.index("第三条")


def test_a_review_of_intro_text_maps_back_to_the_chapter_text(tmp_path: Path) -> None:
    from policybook.build import check
    from policybook.diagnostics import Diagnostics
    from policybook.review.importer import import_review
    from policybook.writers.docx import Draft
    from tests.review_support import WordReview

    shutil.copytree(ROOT / "handbook", tmp_path / "p" / "handbook")
    shutil.copytree(ROOT / "forms", tmp_path / "p" / "forms")
    handbook = tmp_path / "p" / "handbook"
    doc = check(handbook, ["a"], Diagnostics(), formats=[]).documents["a"]
    review = WordReview(Draft(doc).data)
    review.replace("维护员工", "保障员工")
    path = tmp_path / "reviewed.docx"
    path.write_bytes(review.data())
    result = import_review(path, handbook, Diagnostics())
    (chapter,) = [a for a in result.articles if a.article.label == "ch-general"]
    assert chapter.matches is True
    assert "+为规范{{ company }}的管理，保障员工的合法权益，制定本手册。" in result.patch
    assert "-# 总则" not in result.patch  # the heading is untouched


def test_labour_law_checks_read_the_intro_text() -> None:
    from policybook.build import check
    from policybook.diagnostics import Diagnostics
    from policybook.law.checker import passages

    doc = check(ROOT / "handbook", ["a"], Diagnostics(), formats=[]).documents["a"]
    found = {p.text: p.where for p in passages(doc)}
    assert found[INTRO] == "第一章 总则" and found[SECTION] == "第一节 请假"


def test_an_added_intro_is_an_added_row_and_renumbers_nothing(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run = cli("diff", _without_intros(tmp_path / "old"), ROOT, "-o", tmp_path / "out", "-f", "json", "-s", "a")
    assert run.code == 0, run.err
    table = json.loads(next((tmp_path / "out" / "a").glob("*.json")).read_text(encoding="utf-8"))
    rows = [(r["kind"], r["new_number"], r["note"]) for r in table["rows"]]
    assert rows == [
        ("added", "第一章 总则（前言）", "新增"),
        ("added", "第二章 考勤（前言）", "新增"),
        ("added", "第二章第一节 请假（前言）", "新增"),
    ]
    assert table["renumbered"] == [] and table["renumbered_summary"] == ""
