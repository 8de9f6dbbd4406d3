"""Number stage: numbering styles — how each kind of number is written.

A style is data plus a few format functions; the numbering transform picks one
by name (``zh-regulation`` in Simplified or Traditional, ``decimal``) and is the
only caller. Writers never format numbers themselves.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from policybook.transforms.numerals import chinese, letters, roman

# Item levels are written the way they print: a sample with one numeral in it.
ITEM_PRESETS = {
    "gbt9704": ("一、", "（一）", "1.", "（1）"),  # GB/T 9704-2012 党政机关公文格式, 7.3.3.1
    "regulation": ("（一）", "1.", "(1)"),  # the common 条 · 项 · 目 of company rules
    "decimal": ("1.", "(1)", "①"),
    "english": ("(a)", "(i)", "1."),
}
NUMERALS = {"一": "chinese", "1": "arabic", "①": "circled", "a": "lower", "A": "upper", "i": "roman", "I": "ROMAN"}
ITEM_SAMPLE_RE = re.compile(r"^([^一1①aAiI]{0,3})([一1①aAiI])([^一1①aAiI]{0,3})$")
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


@dataclass(frozen=True)
class ItemFormat:
    """How one item level prints: ``（`` + 三 + ``）``."""

    prefix: str
    kind: str  # a value of NUMERALS
    suffix: str

    def __call__(self, n: int) -> str:
        return self.prefix + _numeral(self.kind, n) + self.suffix

    def bare(self, n: int) -> str:
        """The number as a citation reads it: 一、 → 一, 1. → 1, （一） stays （一）."""
        return (self.prefix + _numeral(self.kind, n) + self.suffix).rstrip("、.．")


def item_format(sample: str) -> ItemFormat | None:
    """``"（一）"`` → its format; None when ``sample`` holds no single numeral."""
    match = ITEM_SAMPLE_RE.match(sample.strip())
    if not match or any(c.isspace() for c in sample.strip()):
        return None
    return ItemFormat(match.group(1), NUMERALS[match.group(2)], match.group(3))


def item_formats(samples: Sequence[str]) -> tuple[ItemFormat, ...]:
    """Samples (or a preset's name alone) → formats; unreadable samples are left out."""
    if len(samples) == 1 and samples[0] in ITEM_PRESETS:
        samples = ITEM_PRESETS[samples[0]]
    formats = tuple(item_format(s) for s in samples)
    return tuple(f for f in formats if f is not None)


def list_formats(style: str, inherited: tuple[ItemFormat, ...] = ()) -> tuple[ItemFormat, ...]:
    """The formats of a list and the lists nested in it: ``items="gbt9704"`` (a preset: its
    levels from this list down), ``items="（一） 1."`` (samples, one per level) or one sample;
    a list without its own ``items`` goes on with what an enclosing list left (``inherited``)."""
    return item_formats(style.split()) if style.strip() else inherited


def bad_item_samples(samples: Sequence[str]) -> list[str]:
    """The samples that name no preset and hold no single numeral."""
    if len(samples) == 1 and samples[0] in ITEM_PRESETS:
        return []
    return [s for s in samples if item_format(s) is None]


def _numeral(kind: str, n: int) -> str:
    if kind == "chinese":
        return chinese(n)
    if kind == "circled":
        return CIRCLED[n - 1] if n <= len(CIRCLED) else str(n)
    if kind in ("lower", "upper"):
        return letters(n).lower() if kind == "lower" else letters(n)
    if kind in ("roman", "ROMAN"):
        return roman(n) if kind == "roman" else roman(n).upper()
    return str(n)


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
    appendix: Callable[[int], str]
    section_ref: Callable[[str, str], str]  # chapter number, section number
    form_ref: Callable[[str, str], str]  # form title, appendix number
    items: tuple[ItemFormat, ...]  # level 1, 2, …; the last repeats below
    item_words: tuple[str, str] = ("", "")  # 项, 目: how a citation names levels 1 and 2

    def item(self, level: int, n: int, fmt: ItemFormat | None = None) -> str:
        return (fmt or self.level(level))(n)

    def level(self, level: int) -> ItemFormat:
        return self.items[min(level, len(self.items)) - 1]

    def item_ref(self, article: str, path: list[tuple[int, int, ItemFormat | None]]) -> str:
        """第十二条第（三）项第2目 — an item cited with its article."""
        parts = [article]
        for level, n, fmt in path:
            bare = (fmt or self.level(level)).bare(n)
            word = self.item_words[level - 1] if level <= len(self.item_words) else ""
            parts.append(f"第{bare}{word}" if word else bare)
        return "".join(parts)


def zh_regulation(words: Words, items: tuple[ItemFormat, ...]) -> NumberingStyle:
    """第一章 · 第一节 · 第一条 · 附件一."""
    return _chinese_labels("zh-regulation", words, chinese, items or item_formats(ITEM_PRESETS["regulation"]))


def zh_decimal(words: Words, items: tuple[ItemFormat, ...]) -> NumberingStyle:
    """Chinese labels with Arabic numerals: 第1章 · 第1节 · 第1条 · 附件1."""
    return _chinese_labels("decimal", words, str, items or item_formats(ITEM_PRESETS["decimal"]))


def _chinese_labels(
    name: str, words: Words, numeral: Callable[[int], str], items: tuple[ItemFormat, ...]
) -> NumberingStyle:
    return NumberingStyle(
        name=name,
        chapter=lambda n: f"第{numeral(n)}{words.chapter}",
        section=lambda _c, n: f"第{numeral(n)}{words.section}",
        article=lambda _c, n: f"第{numeral(n)}{words.article}",
        appendix=lambda n: f"附件{numeral(n)}",
        section_ref=lambda chapter, section: f"{chapter}{section}",
        form_ref=lambda title, appendix: f"《{title}》（{appendix}）",
        items=items,
        item_words=(words.item, words.subitem),
    )


def decimal(items: tuple[ItemFormat, ...]) -> NumberingStyle:
    return NumberingStyle(
        name="decimal",
        chapter=lambda n: f"Chapter {n}",
        section=lambda c, n: f"Section {c}.{n}",
        article=lambda _c, n: f"Article {n}",
        appendix=lambda n: f"Appendix {letters(n)}",
        section_ref=lambda _chapter, section: section,
        form_ref=lambda title, appendix: f"{title} ({appendix})",
        items=items or item_formats(ITEM_PRESETS["english"]),
    )


def style_for(numbering: str, locale: str, items: Sequence[str] = ()) -> NumberingStyle:
    """The style named ``numbering`` for ``locale``; ``items`` (samples such as 一、) set the item levels."""
    formats = item_formats(items)
    words = HANT if locale == "zh-Hant" else HANS
    if numbering == "decimal":
        return decimal(formats) if locale == "en" else zh_decimal(words, formats)
    return zh_regulation(words, formats)
