"""Resolve + number: variants, conditions, exclusions, references, styles, locales."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policybook.diagnostics import Diagnostics
from policybook.source.project import read_project
from policybook.transforms import resolve
from policybook.transforms.numerals import chinese
from policybook.writers.json import document_json
from tests.conftest import ROOTS, articles


def model(cli, root: Path, sub: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    run = cli("model", root, "-s", sub, "--json")
    assert run.code == 0, run.err
    return run.json()  # type: ignore[no-any-return]


def paragraphs(model_json: dict[str, Any]) -> list[str]:
    found: list[str] = []

    def walk(node: dict[str, Any]) -> None:
        if node.get("kind") == "paragraph":
            found.append(node["text"])
        for child in node.get("children", []):
            walk(child)

    walk(model_json)
    return found


def test_every_node_has_kind_number_label_loc(cli) -> None:  # type: ignore[no-untyped-def]
    doc = model(cli, ROOTS / "basic", "a")
    chapter = doc["children"][0]
    assert chapter["kind"] == "chapter" and chapter["number"] == "第一章" and chapter["label"] == "ch-general"
    assert chapter["loc"].endswith("basic/handbook/chapters/01.md:1")
    art = articles(doc)[2]
    assert (art["number"], art["label"], art["title"]) == ("第三条", "art-late", "迟到")
    assert art["loc"].endswith("01.md:12")
    assert doc["appendices"][0]["number"] == "附件一" and doc["appendices"][0]["code"] == "F-1"


def test_untitled_article_and_variables(cli) -> None:  # type: ignore[no-untyped-def]
    doc = model(cli, ROOTS / "basic", "a")
    untitled = articles(doc)[1]
    assert untitled["title"] == ""
    assert untitled["text"] == "本手册适用于甲公司全体员工，上班时间为09:00。"  # soft break joined, no space
    assert "迟到每次扣款80元。" in articles(doc)[2]["text"]  # subsidiary override


def test_items_numbered_in_style(cli) -> None:  # type: ignore[no-untyped-def]
    doc = model(cli, ROOTS / "basic", "a")
    lst = articles(doc)[2]["children"][1]
    assert [i["number"] for i in lst["children"]] == ["（一）", "（二）"]
    assert lst["children"][0]["children"][1]["children"][0]["number"] == "1."


def test_references_render_as_numbers(cli) -> None:  # type: ignore[no-untyped-def]
    doc = model(cli, ROOTS / "basic", "a")
    text = articles(doc)[3]["text"]
    assert (
        text
        == "依照第三条，填写《请假申请表》（附件一），见第三条第（二）项与第三条第（一）项第1目、第一章、第二章第一节。"
    )


def test_exclusion_leaves_no_gap_and_refs_follow(cli) -> None:  # type: ignore[no-untyped-def]
    doc = model(cli, ROOTS / "basic", "b")
    numbers = [a["number"] for a in articles(doc)]
    assert numbers == ["第一条", "第二条", "第三条", "第四条"]
    assert "art-purpose" not in [a["label"] for a in articles(doc)]
    assert articles(doc)[2]["text"].startswith("依照第二条，")


def test_variants_differ(cli) -> None:  # type: ignore[no-untyped-def]
    plain = model(cli, ROOTS / "variants", "plain")
    cs = model(cli, ROOTS / "variants", "cs")
    assert [c["label"] for c in plain["children"]] == ["ch-one", "ch-three"]
    assert [c["label"] for c in cs["children"]] == ["ch-one", "ch-cs", "ch-two", "ch-three"]
    assert [a["number"] for a in plain["appendices"]] == ["附件一", "附件二"]
    assert [(a["number"], a["id"]) for a in cs["appendices"]] == [
        ("附件一", "leave"),
        ("附件二", "service"),
        ("附件三", "ack"),
    ]
    assert "仅客服中心可见的段落。" in paragraphs(cs) and "仅客服中心可见的段落。" not in paragraphs(plain)
    assert "见第二条第（二）项。" in paragraphs(plain)  # item-cs left out: item-last is (二)
    assert "见第一条第（三）项。" in paragraphs(cs)
    assert "第二条正文，参见第四条与《员工手册签收单》（附件三）。" in paragraphs(cs)
    assert "交接班时填写《客户服务记录单》（附件二）。" in paragraphs(cs)


def test_traditional_chinese_variant(cli) -> None:  # type: ignore[no-untyped-def]
    doc = model(cli, ROOTS / "variants", "hk")
    assert doc["meta"]["locale"] == "zh-Hant"
    assert [a["number"] for a in articles(doc)][:2] == ["第一條", "第二條"]
    assert doc["children"][0]["title"] == "總則"
    assert "填寫《請假申請表》（附件一）。" in paragraphs(doc)


def test_decimal_style(cli, root_copy) -> None:  # type: ignore[no-untyped-def]
    root = root_copy("basic")
    yaml_path = root / "handbook" / "handbook.yaml"
    yaml_path.write_text(
        yaml_path.read_text(encoding="utf-8").replace("group:", "locale: en\ngroup:"), encoding="utf-8"
    )
    doc = model(cli, root, "a")
    assert [c["number"] for c in doc["children"]] == ["Chapter 1", "Chapter 2"]
    assert [a["number"] for a in articles(doc)][:3] == ["Article 1", "Article 2", "Article 3"]
    assert doc["appendices"][0]["number"] == "Appendix A"
    assert doc["children"][1]["children"][0]["number"] == "Section 2.1"
    assert articles(doc)[3]["text"].startswith("依照Article 3，填写请假申请表 (Appendix A)，见Article 3(b)")


def test_check_counts_articles(cli) -> None:  # type: ignore[no-untyped-def]
    run = cli("check", ROOTS / "variants")
    assert run.code == 0, run.err
    assert "cs: 5 articles" in run.err and "hk: 5 articles" in run.err and "plain: 4 articles" in run.err


def test_raw_html_is_text(cli, root_copy) -> None:  # type: ignore[no-untyped-def]
    root = root_copy("basic")
    chapter = root / "handbook" / "chapters" / "01.md"
    chapter.write_text(
        chapter.read_text(encoding="utf-8").replace("为规范管理", "<script>x</script><b>为规范管理</b>"),
        encoding="utf-8",
    )
    doc = model(cli, root, "a")
    assert articles(doc)[0]["text"].startswith("<script>x</script><b>为规范管理</b>")


# ------------------------------------------------------------ property: numbering under exclusion


def _write_tree(root: Path, count: int) -> None:
    (root / "handbook" / "chapters").mkdir(parents=True)
    (root / "handbook" / "subsidiaries").mkdir()
    body = "# 总则 {#ch-a}\n\n" + "".join(f"### 第{n}项规定 {{#art-{n}}}\n\n正文{n}。\n\n" for n in range(1, count + 1))
    body += "### 引用 {#art-ref}\n\n" + "、".join(f"[](#art-{n})" for n in range(1, count + 1)) + "\n"
    (root / "handbook" / "chapters" / "01.md").write_text(body, encoding="utf-8")
    (root / "handbook" / "handbook.yaml").write_text(
        "title: T\ncode: C\nversion: '1'\neffective: 2026-01-01\ngroup: G\nchapters: [chapters/01.md]\n",
        encoding="utf-8",
    )


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(min_value=1, max_value=30).flatmap(lambda n: st.tuples(st.just(n), st.sets(st.integers(1, n)))))
def test_numbering_consecutive_under_any_exclusion(tmp_path_factory, case: tuple[int, set[int]]) -> None:  # type: ignore[no-untyped-def]
    count, excluded = case
    root = tmp_path_factory.mktemp("prop")
    _write_tree(root, count)
    (root / "handbook" / "subsidiaries" / "x.yaml").write_text(
        "name: X\ncode: X\nexclude: [" + ", ".join(f"art-{n}" for n in sorted(excluded)) + "]\n", encoding="utf-8"
    )
    diags = Diagnostics()
    doc = resolve(read_project(root / "handbook", diags), "x", diags)
    kept = [a for a in articles(document_json(doc)) if a["label"] != "art-ref"]
    assert [a["number"] for a in kept] == [f"第{chinese(i)}条" for i in range(1, len(kept) + 1)]
    errors = [d for d in diags.errors if d.code == "xref.excluded"]
    assert len(errors) == len(excluded)  # each reference to a left-out article is reported


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.from_regex(r"\s*#[A-Za-z][A-Za-z0-9_-]{0,12}\s*", fullmatch=True),
        st.text(alphabet=' #=_-"aZ09.\t\r\n\x85\u3000}', max_size=20),
    )
)
def test_heading_attributes_read_as_the_attrs_parser_reads_them(inner: str) -> None:
    """``{#label}`` skips mdit-py-plugins' character walk; it must read every text as that parser does."""
    from mdit_py_plugins.attrs.parse import ParseError
    from mdit_py_plugins.attrs.parse import parse as parse_attrs

    from policybook.model import Loc
    from policybook.source.markdown import parse_attr_text

    diags = Diagnostics()
    ours = parse_attr_text(inner, Loc("x.md", 1), diags)
    if ours is None:
        return  # plain text, not attributes: the parser is never asked
    try:
        expected = {k: str(v) for k, v in parse_attrs("{" + inner + "}")[1].items()}
    except ParseError:
        assert ours == {} and diags.errors
        return
    assert ours == expected
