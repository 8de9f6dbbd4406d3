"""Import stage: the numbers Word prints in front of auto-numbered paragraphs (numbering.xml).

python-docx, pandoc, mammoth and docx2python lose or garble these ("第%1条"
with chineseCounting becomes "1." or "--"), so the counters are kept here,
the way Word keeps them: one set of counters per abstract list definition
(``w:abstractNum``), shared by every ``w:num`` that points at it; a
``w:lvlOverride/w:startOverride`` restarts the level when its ``w:num`` is
first used; a level restarts after a higher level (or as ``w:lvlRestart``
says); ``%1``…``%9`` in ``w:lvlText`` print the current counters of those
levels in their own ``w:numFmt`` (all decimal under ``w:isLgl``). A paragraph
is numbered by its own ``w:numPr`` or by the one of its style (through
``w:basedOn``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from policybook.transforms.numerals import chinese, chinese_legal, cyclic, letters, roman

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
PLACEHOLDER_RE = re.compile(r"%([1-9])")
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
PAREN = "⑴⑵⑶⑷⑸⑹⑺⑻⑼⑽⑾⑿⒀⒁⒂⒃⒄⒅⒆⒇"
FULLSTOP = "⒈⒉⒊⒋⒌⒍⒎⒏⒐⒑⒒⒓⒔⒕⒖⒗⒘⒙⒚⒛"
Element = Any  # lxml elements from python-docx


def _from(symbols: str) -> Callable[[int], str]:
    return lambda n: symbols[n - 1] if 0 < n <= len(symbols) else str(n)


def _digits(n: int) -> str:
    return "".join("〇一二三四五六七八九"[int(d)] for d in str(n))


FORMATS: dict[str, Callable[[int], str]] = {
    "decimal": str,
    "decimalHalfWidth": str,
    "decimalZero": lambda n: f"{n:02d}",
    "decimalFullWidth": lambda n: str(n).translate(str.maketrans("0123456789", "０１２３４５６７８９")),
    "decimalFullWidth2": lambda n: str(n).translate(str.maketrans("0123456789", "０１２３４５６７８９")),
    "upperRoman": lambda n: roman(n).upper(),
    "lowerRoman": roman,
    "upperLetter": letters,
    "lowerLetter": lambda n: letters(n).lower(),
    "chineseCounting": chinese,
    "chineseCountingThousand": chinese,
    "japaneseCounting": chinese,
    "taiwaneseCounting": lambda n: chinese(n).replace("万", "萬"),
    "taiwaneseCountingThousand": lambda n: chinese(n).replace("万", "萬"),
    "ideographDigital": _digits,
    "taiwaneseDigital": _digits,
    "chineseLegalSimplified": chinese_legal,
    "ideographLegalTraditional": lambda n: chinese_legal(n, traditional=True),
    "ideographTraditional": lambda n: cyclic(n, "甲乙丙丁戊己庚辛壬癸"),
    "ideographZodiac": lambda n: cyclic(n, "子丑寅卯辰巳午未申酉戌亥"),
    "decimalEnclosedCircle": _from(CIRCLED),
    "decimalEnclosedCircleChinese": _from(CIRCLED),
    "decimalEnclosedParen": _from(PAREN),
    "decimalEnclosedFullstop": _from(FULLSTOP),
    "none": lambda n: "",
}


@dataclass
class Level:
    start: int = 1
    fmt: str = "decimal"
    text: str = ""
    restart: int | None = None  # w:lvlRestart: restart after this (1-based) level; 0 = never
    legal: bool = False
    suffix: str = "tab"
    style: str = ""


@dataclass
class Num:
    abstract: str
    starts: dict[int, int] = field(default_factory=dict)  # startOverride per level
    levels: dict[int, Level] = field(default_factory=dict)  # a whole w:lvl inside w:lvlOverride


MAX_START = 32767  # Word's own limit for w:start and w:startOverride
LEVELS = 9  # w:ilvl 0–8


def number(value: str | None, low: int, high: int, default: int) -> int:
    """An integer attribute of the file, if it is one within [low, high]; else ``default``.

    Every number read from numbering.xml goes through here: "abc", "1e3", -5 or 10¹³ in a
    hostile or broken file must not stop the import or make a counter print a million digits."""
    if value is None:
        return default
    text = value.strip()
    if not text.lstrip("-").isdigit() or len(text) > 7:
        return default
    found = int(text)
    return found if low <= found <= high else default


def _val(element: Element | None, tag: str) -> str | None:
    child = element.find(W + tag) if element is not None else None
    return None if child is None else child.get(W + "val")


def read_level(lvl: Element, base: Level | None = None) -> Level:
    level = replace(base) if base else Level()
    level.start = number(_val(lvl, "start"), 0, MAX_START, level.start)
    for tag, attr in (("numFmt", "fmt"), ("lvlText", "text")):
        value = _val(lvl, tag)
        if value is not None:
            setattr(level, attr, value[:200])
    restart, suffix, style = _val(lvl, "lvlRestart"), _val(lvl, "suff"), _val(lvl, "pStyle")
    level.restart = number(restart, 0, LEVELS, -1) if restart is not None else level.restart
    level.restart = None if level.restart == -1 else level.restart
    level.suffix = suffix or level.suffix
    level.style = style or level.style
    legal = lvl.find(W + "isLgl")
    level.legal = legal is not None and legal.get(W + "val", "1") not in ("0", "false")
    return level


class Styles:
    """Paragraph styles: the numbering each one gives (w:numPr), following w:basedOn."""

    def __init__(self, root: Element | None) -> None:
        self.styles: dict[str, Element] = {}
        for style in root.iter(W + "style") if root is not None else ():
            self.styles[style.get(W + "styleId", "")] = style

    def num_pr(self, style_id: str) -> tuple[str | None, int | None]:
        seen: set[str] = set()
        while style_id and style_id in self.styles and style_id not in seen:
            seen.add(style_id)
            style = self.styles[style_id]
            pr = style.find(f"{W}pPr/{W}numPr")
            if pr is not None:
                ilvl = _val(pr, "ilvl")
                return _val(pr, "numId"), number(ilvl, 0, LEVELS - 1, 0) if ilvl is not None else None
            style_id = _val(style, "basedOn") or ""
        return None, None

    def name(self, style_id: str) -> str:
        style = self.styles.get(style_id)
        return (_val(style, "name") or style_id) if style is not None else style_id


class Numbering:
    """Feed it the document's paragraphs in order; it returns the number Word shows for each."""

    def __init__(self, numbering: Element | None, styles: Styles) -> None:
        self.styles = styles
        self.abstracts: dict[str, dict[int, Level]] = {}
        self.links: dict[str, str] = {}  # abstractNum → numbering style it follows (w:numStyleLink)
        self.nums: dict[str, Num] = {}
        self.counters: dict[str, dict[int, int]] = {}
        self.started: set[str] = set()
        if numbering is not None:
            self.read(numbering)

    def read(self, root: Element) -> None:
        for abstract in root.iter(W + "abstractNum"):
            key = abstract.get(W + "abstractNumId", "")
            self.abstracts[key] = {
                number(lvl.get(W + "ilvl", "0"), 0, LEVELS - 1, 0): read_level(lvl) for lvl in abstract.iter(W + "lvl")
            }
            link = _val(abstract, "numStyleLink")
            if link:
                self.links[key] = link
        for num in root.iter(W + "num"):
            self.nums[num.get(W + "numId", "")] = self.read_num(num)

    def read_num(self, num: Element) -> Num:
        entry = Num(_val(num, "abstractNumId") or "")
        for override in num.iter(W + "lvlOverride"):
            ilvl = number(override.get(W + "ilvl", "0"), 0, LEVELS - 1, 0)
            start = _val(override, "startOverride")
            if start is not None:
                entry.starts[ilvl] = number(start, 0, MAX_START, 1)
            lvl = override.find(W + "lvl")
            if lvl is not None:
                entry.levels[ilvl] = read_level(lvl, self.abstracts.get(entry.abstract, {}).get(ilvl))
        return entry

    def abstract_of(self, num_id: str) -> str:
        """The abstract list that holds the levels, following a numbering-style link once."""
        abstract = self.nums[num_id].abstract
        link = self.links.get(abstract)
        if link and not self.abstracts.get(abstract):
            linked, _ = self.styles.num_pr(link)
            if linked and linked in self.nums:
                return self.nums[linked].abstract
        return abstract

    def level(self, num_id: str, ilvl: int) -> Level:
        own = self.nums[num_id].levels.get(ilvl)
        return own or self.abstracts.get(self.abstract_of(num_id), {}).get(ilvl) or Level(text=f"%{ilvl + 1}.")

    def paragraph(self, p: Element) -> tuple[str, str] | None:
        """(number text, suffix) for a paragraph Word numbers, else None."""
        found = self.num_pr(p)
        if found is None:
            return None
        num_id, ilvl = found
        return self.count(num_id, ilvl)

    def num_pr(self, p: Element) -> tuple[str, int] | None:
        ppr = p.find(W + "pPr")
        own = ppr.find(W + "numPr") if ppr is not None else None
        style = _val(ppr, "pStyle") or ""
        num_id, ilvl = self.styles.num_pr(style) if style else (None, None)
        if own is not None:
            own_ilvl = _val(own, "ilvl")
            num_id = _val(own, "numId") or num_id
            ilvl = number(own_ilvl, 0, LEVELS - 1, 0) if own_ilvl is not None else ilvl
        if not num_id or num_id == "0" or num_id not in self.nums:
            return None
        if ilvl is None:
            ilvl = self.level_of_style(num_id, style)
        return num_id, ilvl

    def level_of_style(self, num_id: str, style: str) -> int:
        levels = self.abstracts.get(self.abstract_of(num_id), {})
        return next((i for i, lvl in levels.items() if style and lvl.style == style), 0)

    def count(self, num_id: str, ilvl: int) -> tuple[str, str]:
        abstract = self.abstract_of(num_id)
        counters = self.counters.setdefault(abstract, {})
        if num_id not in self.started:
            self.started.add(num_id)
            for overridden, start in self.nums[num_id].starts.items():
                counters[overridden] = start - 1
                self.reset_below(num_id, counters, overridden)
        level = self.level(num_id, ilvl)
        counters[ilvl] = counters.get(ilvl, level.start - 1) + 1
        self.reset_below(num_id, counters, ilvl)
        return self.label(num_id, counters, ilvl), level.suffix

    def reset_below(self, num_id: str, counters: dict[int, int], ilvl: int) -> None:
        for deeper in [d for d in counters if d > ilvl]:
            restart = self.level(num_id, deeper).restart
            if restart is None or (restart > 0 and ilvl + 1 <= restart):
                del counters[deeper]

    def label(self, num_id: str, counters: dict[int, int], ilvl: int) -> str:
        this = self.level(num_id, ilvl)
        if this.fmt == "bullet":
            return ""

        def shown(match: re.Match[str]) -> str:
            index = int(match.group(1)) - 1
            level = self.level(num_id, index)
            value = counters.get(index, level.start)
            fmt = "decimal" if this.legal and index < ilvl else level.fmt
            return formatted(fmt, value)

        return PLACEHOLDER_RE.sub(shown, this.text)


def formatted(fmt: str, value: int) -> str:
    """``value`` in Word's number format ``fmt``; in digits where the format has no way to write it
    (0 or a negative start in Chinese counting, a letter list past any sensible length)."""
    if value < 1 or value > 10 * MAX_START:
        return str(value)
    try:
        return FORMATS.get(fmt, str)(value)
    except (ValueError, IndexError):
        return str(value)
