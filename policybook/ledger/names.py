"""Ledger stage: the words HR exports use — company names, status words, department paths —
matched to the handbook's subsidiaries and the ledger's values.

Exports spell one company many ways: 华远科技(上海)有限公司 with half-width
brackets, 华远（香港）有限公司 in Simplified for a Hong Kong company written
華遠（香港）有限公司 in the source, or the name without its region in brackets.
Every spelling is reduced to one key (width folded, Simplified script, no
spaces, brackets optional) before it is compared.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from policybook.conversion import phrase_converter, target_of
from policybook.model import Subsidiary

# status words as HR systems write them (Traditional spellings match through :func:`key`)
ACTIVE_WORDS = ("在职", "正式", "试用", "试用期", "实习", "实习生", "返聘", "active")
LEFT_WORDS = ("离职", "已离职", "退休", "left", "inactive")

BRACKETS = re.compile(r"\([^()]*\)")
SEPARATORS = re.compile(r"\s*[/／\\＼>＞|｜]\s*")  # how HR systems write a department path
LOST = ("?", "\ufffd")  # what a character the export's encoding lacked became


@lru_cache(maxsize=4096)
def key(text: str) -> str:
    """The comparison key of a word: full-width folded (NFKC), Simplified, no spaces, case-folded."""
    folded = unicodedata.normalize("NFKC", text)
    folded = re.sub(r"\s+", "", folded).casefold()
    return simplified(folded)


def simplified(text: str) -> str:
    return phrase_converter("zh-cn")(text) if text else text


STATUS_WORDS = {key(w): "active" for w in ACTIVE_WORDS} | {key(w): "left" for w in LEFT_WORDS}


def status_of(word: str) -> str:
    """``active`` or ``left`` for a status word ("" = not a status word; empty means active)."""
    return STATUS_WORDS.get(key(word), "") if word.strip() else "active"


def accepted_statuses() -> str:
    return f"{' / '.join(ACTIVE_WORDS)} (active); {' / '.join(LEFT_WORDS)} (left)"


@dataclass(frozen=True)
class Match:
    sub_id: str  # "" = not found
    suggestion: str = ""  # the closest subsidiary's id, when not found


class Companies:
    """The subsidiaries by every key their id, code, name and short name reduce to."""

    def __init__(self, subsidiaries: dict[str, Subsidiary]) -> None:
        self.subsidiaries = subsidiaries
        owners: dict[str, set[str]] = {}
        for sub in subsidiaries.values():
            for spelling in (sub.id, sub.code, sub.name, sub.short_name):
                for variant in _variants(spelling):
                    owners.setdefault(variant, set()).add(sub.id)
        # a key two subsidiaries share (e.g. the name without its region) names neither
        self.keys = {k: next(iter(ids)) for k, ids in owners.items() if len(ids) == 1}
        self._memo: dict[str, Match] = {}

    def match(self, given: str) -> Match:
        found = self._memo.get(given)
        if found is None:
            found = self._memo[given] = self._match(given)
        return found

    def _match(self, given: str) -> Match:
        for variant in _variants(given):
            if variant in self.keys:
                return Match(self.keys[variant])
        close = difflib.get_close_matches(key(given), list(self.keys), n=1, cutoff=0.5)
        return Match("", self.keys[close[0]] if close else "")

    def listing(self) -> str:
        return ", ".join(f"{s.id} ({s.name})" for s in self.subsidiaries.values()) or "none"


def _variants(spelling: str) -> Iterable[str]:
    """The keys of one spelling: as written, without bracketed parts, brackets dropped, and the
    name up to 有限公司 (华远控股集团有限公司北京总部 → 华远控股集团有限公司)."""
    if not spelling:
        return []
    whole = key(spelling)
    out = [whole, BRACKETS.sub("", whole), whole.replace("(", "").replace(")", "")]
    for form in list(out):
        end = form.find("有限公司")
        if end > 0 and end + 4 < len(form):
            out.append(form[: end + 4])
    return list(dict.fromkeys(v for v in out if v))


def department(text: str, sub: Subsidiary | None) -> str:
    """A department as the ledger keeps it: a path joined by '/', in the subsidiary's script, so
    財務部 and 财务部 of one company are one department."""
    if sub is None:
        return _department(text, "")
    return _department(text, target_of(sub.locale, sub.region) if sub.locale == "zh-Hant" else "zh-cn")


@lru_cache(maxsize=4096)
def _department(text: str, target: str) -> str:
    path = "/".join(part for part in SEPARATORS.split(text.strip()) if part)
    return phrase_converter(target)(path) if target and path else path


def department_matches(wanted: str, stored: str) -> bool:
    """``--department 客服二部`` names 客服中心/客服二部 (by its last part) as well as the whole path;
    ``客服中心`` names every department under it."""
    if not wanted:
        return True
    w, s = key(wanted).strip("/"), key(stored)
    return s == w or s.endswith("/" + w) or s.startswith(w + "/")


def closest_department(wanted: str, departments: Iterable[str]) -> str:
    """The department ``wanted`` most likely meant ("" = none close)."""
    stored = sorted(set(departments))
    by_key = {key(d): d for d in stored} | {key(d.rsplit("/", 1)[-1]): d for d in stored}
    close = difflib.get_close_matches(key(wanted), list(by_key), n=1, cutoff=0.5)
    return by_key[close[0]] if close else ""


def lost_character(text: str) -> bool:
    """A ``?`` or U+FFFD inside a name: a character the export's encoding could not hold."""
    return any(mark in text for mark in LOST)
