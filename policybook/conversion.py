"""Simplified ⇄ Traditional conversion, phrase by phrase, with spans kept as written.

The converter is zhconv-rs (MediaWiki and OpenCC phrase tables, longest match over
the whole phrase set): on the phrase corpus tests/data/zh-conversion.tsv it scores
highest of the converters measured (``python bench/zh_conversion.py``), and it
never prints OpenCC's 獎金髮放 / 併為員工 / 對錶現 / 銷燬.

Spans are kept as written when the author marks them ``-{…}-`` (MediaWiki's
syntax) or when they are names (company, group, people): those are wrapped in
:data:`KEEP_OPEN`/:data:`KEEP_CLOSE` by the resolve stage. A handbook's own
``conversions:`` are phrase pairs applied on top of the tables.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache

KEEP_OPEN, KEEP_CLOSE = "\ue010", "\ue011"  # private-use marks around a name inserted by a variable
KEPT = re.compile(r"-\{(.*?)\}-|\ue010(.*?)\ue011", re.S)
TARGETS = {"CN": "zh-cn", "SG": "zh-sg", "TW": "zh-tw", "HK": "zh-hk", "MO": "zh-mo"}
CORNER = str.maketrans({"“": "「", "”": "」", "‘": "『", "’": "』"})
CURLY = str.maketrans({"「": "“", "」": "”", "『": "‘", "』": "’"})
APOSTROPHE = re.compile(r"(?<=[A-Za-z])』(?=[A-Za-z])")

SHARED = "于云划后佣"  # Simplified forms Traditional text also uses (于姓, 人云亦云, 划船, 皇后, 佣金)
HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
Rules = tuple[tuple[str, str], ...]


class Name(str):
    """A name the author wrote (company, group): inserted into text by a variable, never converted."""


def target_of(locale: str, region: str) -> str:
    """zhconv's name of a variant: zh-cn, zh-tw, zh-hk … ("" = no conversion, e.g. English)."""
    if locale == "zh-Hans":
        return TARGETS.get(region, "zh-cn") if region in ("CN", "SG") else "zh-cn"
    if locale == "zh-Hant":
        return TARGETS.get(region, "zh-tw") if region in ("TW", "HK", "MO") else "zh-tw"
    return ""


@lru_cache(maxsize=32)
def phrase_converter(target: str, rules: Rules = ()) -> Callable[[str], str]:
    """The converter to one variant, with the handbook's own phrase pairs on top."""
    import zhconv_rs

    if rules:
        return zhconv_rs.make_converter(target, list(rules))  # type: ignore[arg-type]
    return lambda text: zhconv_rs.zhconv(text, target)  # type: ignore[arg-type]


@lru_cache(maxsize=65536)
def _char(char: str, target: str) -> str:
    """One character alone in the target variant (a character that changes belongs to the other script)."""
    import zhconv_rs

    return zhconv_rs.zhconv(char, target)  # type: ignore[arg-type]


def keep(text: str) -> str:
    """``text`` marked so that no conversion touches it (a name)."""
    return f"{KEEP_OPEN}{text}{KEEP_CLOSE}" if text else text


def unmarked(text: str) -> str:
    """The text as printed: ``-{…}-`` and name marks removed, nothing converted."""
    text = KEPT.sub(lambda m: m.group(1) if m.group(1) is not None else m.group(2), text)
    return text.replace(KEEP_OPEN, "").replace(KEEP_CLOSE, "")


class Converter:
    """Source script → one variant's script, region and quotation marks."""

    def __init__(
        self,
        same: bool,
        target: str,
        quotes: str,
        rules: Sequence[tuple[str, str]] = (),
        names: Sequence[str] = (),
        scan_source: bool = False,
    ) -> None:
        self.convert = (lambda s: s) if same or not target else phrase_converter(target, tuple(rules))
        self.target = target
        # converting into the source's own script: the other script's characters are looked
        # for in the source text (the conversion fixes them, the author should too)
        self.scan_source = scan_source
        self.foreign: set[str] = set()  # characters of the other script left in converted text (see take)
        self.classified: set[str] = set()  # every Han character met so far …
        self.other: set[str] = set()  # … and those of them that belong to the other script
        self.quotes = CORNER if quotes == "corner" else CURLY if quotes == "curly" else None
        ordered = sorted({n for n in names if n}, key=len, reverse=True)
        self.names = re.compile("|".join(map(re.escape, ordered))) if ordered else None

    def __call__(self, text: str) -> str:
        if not text:
            return text
        if self.names is not None:
            text = self.names.sub(lambda m: keep(m.group()), text)
        out: list[str] = []
        last = 0
        for match in KEPT.finditer(text):
            out.append(self._free(text[last : match.start()]))
            out.append(unmarked(match.group(1) if match.group(1) is not None else match.group(2)))
            last = match.end()
        out.append(self._free(text[last:]))
        return "".join(out)

    def take(self) -> str:
        """The other script's characters met since the last call, sorted ("" = none)."""
        found, self.foreign = "".join(sorted(self.foreign)), set()
        return found

    def _free(self, text: str) -> str:
        source = text
        text = self.convert(text) if text else text
        if self.target:
            chars = set(HAN.findall(source if self.scan_source else text))
            fresh = chars - self.classified  # each character is looked up once per converter
            if fresh:
                self.classified |= fresh
                self.other |= {c for c in fresh if c not in SHARED and _char(c, self.target) != c}
            self.foreign |= chars & self.other
            if self.scan_source and len(source) == len(text):  # 于 后 …: Simplified only where converted
                self.foreign |= {a for a, b in zip(source, text, strict=True) if a != b and a in SHARED}
        if self.quotes is not None:
            text = text.translate(self.quotes)
            if self.quotes is CORNER:
                text = APOSTROPHE.sub("’", text)
        return text
