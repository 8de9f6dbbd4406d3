"""Number stage: numbering styles — how each kind of number is written.

A style is data plus a few format functions; the numbering transform picks one
by name (``zh-regulation`` in Simplified or Traditional, ``decimal``) and is the
only caller. Writers never format numbers themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from policybook.transforms.numerals import chinese, letters, roman


@dataclass(frozen=True)
class Words:
    chapter: str
    section: str
    article: str
    item: str
    subitem: str


HANS = Words("章", "节", "条", "项", "目")
HANT = Words("章", "節", "條", "項", "目")


@dataclass(frozen=True)
class NumberingStyle:
    name: str
    chapter: Callable[[int], str]
    section: Callable[[int, int], str]  # (chapter ordinal, section ordinal)
    article: Callable[[int, int], str]  # (chapter ordinal, article ordinal)
    item: Callable[[int, int], str]  # (level, ordinal)
    appendix: Callable[[int], str]
    item_ref: Callable[[str, list[tuple[int, int]]], str]  # article number, [(level, n)]
    section_ref: Callable[[str, str], str]  # chapter number, section number
    form_ref: Callable[[str, str], str]  # form title, appendix number


def _zh_item(level: int, n: int) -> str:
    if level == 1:
        return f"（{chinese(n)}）"
    if level == 2:
        return f"{n}."
    return f"({n})"


def _zh_item_ref(level: int, n: int, words: Words) -> str:
    """第（三）项 · 第2目 · (1) — the way a regulation cites an item at each level."""
    if level == 1:
        return f"第（{chinese(n)}）{words.item}"
    if level == 2:
        return f"第{n}{words.subitem}"
    return f"({n})"


def zh_regulation(words: Words) -> NumberingStyle:
    def item_ref(article: str, path: list[tuple[int, int]]) -> str:
        parts = [article]
        for level, n in path:
            parts.append(_zh_item_ref(level, n, words))
        return "".join(parts)

    return NumberingStyle(
        name="zh-regulation",
        chapter=lambda n: f"第{chinese(n)}{words.chapter}",
        section=lambda _c, n: f"第{chinese(n)}{words.section}",
        article=lambda _c, n: f"第{chinese(n)}{words.article}",
        item=_zh_item,
        appendix=lambda n: f"附件{chinese(n)}",
        item_ref=item_ref,
        section_ref=lambda chapter, section: f"{chapter}{section}",
        form_ref=lambda title, appendix: f"《{title}》（{appendix}）",
    )


def _decimal_item(level: int, n: int) -> str:
    if level == 1:
        return f"({letters(n).lower()})"
    if level == 2:
        return f"({roman(n)})"
    return f"{n}."


def decimal() -> NumberingStyle:
    return NumberingStyle(
        name="decimal",
        chapter=lambda n: f"Chapter {n}",
        section=lambda c, n: f"Section {c}.{n}",
        article=lambda _c, n: f"Article {n}",
        item=_decimal_item,
        appendix=lambda n: f"Appendix {letters(n)}",
        item_ref=lambda article, path: article + "".join(_decimal_item(level, n) for level, n in path),
        section_ref=lambda _chapter, section: section,
        form_ref=lambda title, appendix: f"{title} ({appendix})",
    )


def style_for(numbering: str, locale: str) -> NumberingStyle:
    if numbering == "decimal":
        return decimal()
    return zh_regulation(HANT if locale == "zh-Hant" else HANS)
