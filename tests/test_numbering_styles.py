"""Numbering styles: item levels per handbook and per list, lists that start at N,
Chinese labels with Arabic numerals — all made by the number stage, references included."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import articles

LISTS = """
### 列表 {#art-lists}

3. 第三项
4. 第四项 {#item-four}
   1. 子项
      1. 孙项
         1. 曾孙项 {#item-deep}

{items="①"}
1. 甲
2. 乙 {#item-b}

见[](#item-four)、[](#item-deep)、[](#item-b)。
"""


def _tree(root_copy, numbering: str) -> Path:  # type: ignore[no-untyped-def]
    root: Path = root_copy("basic")
    config = root / "handbook" / "handbook.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("group:", numbering + "\ngroup:"), encoding="utf-8")
    chapter = root / "handbook" / "chapters" / "01.md"
    chapter.write_text(chapter.read_text(encoding="utf-8") + LISTS, encoding="utf-8")
    return root


def _model(cli, root: Path) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    run = cli("model", root / "handbook", "-s", "a", "--json")
    assert run.code == 0, run.err
    return run.json()  # type: ignore[no-any-return]


def _numbers(node: dict[str, Any]) -> list[str]:
    found = [node["number"]] if node.get("kind") == "item" else []
    for child in node.get("children", []):
        found.extend(_numbers(child))
    return found


def test_gbt9704_levels_start_and_per_list_format(cli, root_copy) -> None:  # type: ignore[no-untyped-def]
    root = _tree(root_copy, "numbering:\n  style: zh-regulation\n  items: gbt9704")
    art = articles(_model(cli, root))[3]
    assert art["number"] == "第四条"
    assert _numbers(art) == ["三、", "四、", "（一）", "1.", "（1）", "①", "②"]
    assert art["children"][-1]["text"] == "见第四条第四项、第四条第四项第（一）目1（1）、第四条第②项。"


def test_item_samples_as_a_list(cli, root_copy) -> None:  # type: ignore[no-untyped-def]
    root = _tree(root_copy, "numbering:\n  items: [（一）, 1., (1)]")
    art = articles(_model(cli, root))[3]
    assert _numbers(art)[:5] == ["（三）", "（四）", "1.", "(1)", "(1)"]  # the last level repeats below
    assert "见第四条第（四）项" in art["children"][-1]["text"]


def test_default_levels_keep_a_list_start(cli, root_copy) -> None:  # type: ignore[no-untyped-def]
    root = _tree(root_copy, "")
    assert _numbers(articles(_model(cli, root))[3])[:2] == ["（三）", "（四）"]


def test_decimal_in_a_chinese_handbook(cli, root_copy) -> None:  # type: ignore[no-untyped-def]
    root = _tree(root_copy, "numbering: decimal")
    doc = _model(cli, root)
    assert [c["number"] for c in doc["children"]] == ["第1章", "第2章"]
    assert [a["number"] for a in articles(doc)][:4] == ["第1条", "第2条", "第3条", "第4条"]
    assert doc["children"][1]["children"][0]["number"] == "第1节"
    assert doc["appendices"][0]["number"] == "附件1"
    assert articles(doc)[4]["text"].startswith("依照第3条，填写《请假申请表》（附件1）")


@pytest.mark.parametrize(
    ("numbering", "message"),
    [
        ("numbering:\n  items: [一、, 二级]", "handbook/handbook.yaml:6: error: cannot read the item format '二级'"),
        ("numbering:\n  items: gb", "handbook/handbook.yaml:6: error: cannot read the item format 'gb'"),
        ("numbering:\n  style: roman", "error: 'style' must be one of zh-regulation, decimal, found 'roman'"),
    ],
)
def test_unreadable_numbering(cli, root_copy, numbering: str, message: str) -> None:  # type: ignore[no-untyped-def]
    root = _tree(root_copy, numbering)
    run = cli("check", root / "handbook")
    assert run.code == 1 and message in run.err, run.err


def test_inline_condition_spans_reference_emphasis_and_variables(cli, root_copy) -> None:  # type: ignore[no-untyped-def]
    root = root_copy("basic")
    chapter = root / "handbook" / "chapters" / "02.md"
    chapter.write_text(
        chapter.read_text(encoding="utf-8")
        + "\n{% if subsidiary == 'a' %}甲公司另须填写[](#leave)并*加急*处理，扣款{{ fine }}元{% endif %}。\n",
        encoding="utf-8",
    )
    text_a = articles(_model(cli, root))[-1]["text"]
    assert text_a == "最后一条。\n甲公司另须填写《请假申请表》（附件一）并加急处理，扣款80元。"
    run = cli("model", root / "handbook", "-s", "b", "--json")
    assert run.code == 0, run.err
    assert articles(run.json())[-1]["text"] == "最后一条。\n。"


PRESET_LIST = """
### 公文式列表 {#art-preset}

{items="gbt9704"}
1. 第一项
   1. 子项 {#item-preset-sub}
      1. 孙项
2. 第二项

{items="decimal"}
1. 甲
   1. 乙

见[](#item-preset-sub)。
"""


def test_a_preset_on_one_list_numbers_its_levels(cli, root_copy) -> None:  # type: ignore[no-untyped-def]
    """items="gbt9704" on one list (a preset the hint names) numbers that list and the lists inside
    it with the preset's levels — it was accepted and ignored; a preset's first level is not all."""
    root: Path = root_copy("basic")
    chapter = root / "handbook" / "chapters" / "01.md"
    chapter.write_text(chapter.read_text(encoding="utf-8") + PRESET_LIST, encoding="utf-8")
    art = next(a for a in articles(_model(cli, root)) if a.get("title") == "公文式列表")
    assert _numbers(art) == ["一、", "（一）", "1.", "二、", "1.", "(1)"]
    assert art["children"][-1]["text"].startswith(f"见{art['number']}第一项第（一）")
