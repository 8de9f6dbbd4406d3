"""Simplified ⇄ Traditional converters scored on the phrase corpus tests/data/zh-conversion.tsv.

`python bench/zh_conversion.py` prints, for every converter and direction, how many
corpus phrases come out as a Taiwan / Hong Kong / mainland reader expects, and the
misses. tests/test_conversion.py asserts the chosen converter's score with this code.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "data" / "zh-conversion.tsv"
COLUMNS = {"zh-Hans": 0, "zh-TW": 1, "zh-HK": 2}
# (source column, target column) pairs: both directions, both Traditional standards
DIRECTIONS = (
    ("zh-Hans", "zh-TW"),
    ("zh-Hans", "zh-HK"),
    ("zh-TW", "zh-Hans"),
    ("zh-HK", "zh-Hans"),
    ("zh-TW", "zh-HK"),
)
Convert = Callable[[str], str]


@dataclass(frozen=True)
class Phrase:
    forms: tuple[tuple[str, ...], ...]  # per column, the accepted forms (the first is canonical)
    line: int

    def source(self, column: str) -> str:
        return self.forms[COLUMNS[column]][0]

    def accepts(self, column: str, text: str) -> bool:
        return text in self.forms[COLUMNS[column]]


@dataclass
class Score:
    right: int
    total: int
    misses: list[str]

    @property
    def ratio(self) -> float:
        return self.right / self.total if self.total else 0.0


def load_corpus(path: Path = CORPUS) -> list[Phrase]:
    phrases = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip() and not line.startswith("#"):
            columns = line.split("\t")
            phrases.append(Phrase(tuple(tuple(c.split("|")) for c in columns), number))
    return phrases


def score(convert: Convert, source: str, target: str, phrases: list[Phrase]) -> Score:
    misses = []
    for phrase in phrases:
        given = phrase.source(source)
        got = convert(given)
        if not phrase.accepts(target, got):
            misses.append(f"{given}→{got} (want {'|'.join(phrase.forms[COLUMNS[target]])})")
    return Score(len(phrases) - len(misses), len(phrases), misses)


def candidates() -> dict[str, dict[tuple[str, str], Convert]]:
    """Every converter installed here, by name, with the configuration it uses per direction."""
    found: dict[str, dict[tuple[str, str], Convert]] = {}
    try:
        import zhconv_rs

        def zh(target: str) -> Convert:
            return lambda s: zhconv_rs.zhconv(s, target)

        found["zhconv-rs"] = {
            ("zh-Hans", "zh-TW"): zh("zh-tw"),
            ("zh-Hans", "zh-HK"): zh("zh-hk"),
            ("zh-TW", "zh-Hans"): zh("zh-cn"),
            ("zh-HK", "zh-Hans"): zh("zh-cn"),
            ("zh-TW", "zh-HK"): zh("zh-hk"),
        }
        found["zhconv-rs (zh-hant/zh-hans)"] = {
            ("zh-Hans", "zh-TW"): zh("zh-hant"),
            ("zh-Hans", "zh-HK"): zh("zh-hant"),
            ("zh-TW", "zh-Hans"): zh("zh-hans"),
            ("zh-HK", "zh-Hans"): zh("zh-hans"),
            ("zh-TW", "zh-HK"): zh("zh-hant"),
        }
    except ImportError:
        pass
    try:
        import opencc

        def cc(*configs: str) -> Convert:
            steps = [opencc.OpenCC(c).convert for c in configs]

            def run(s: str) -> str:
                for step in steps:
                    s = step(s)
                return s

            return run

        found["OpenCC s2t/t2s"] = _per_direction(cc("s2t"), cc("s2t"), cc("t2s"), cc("t2s"), cc("t2s", "s2t"))
        found["OpenCC s2tw/s2hk/tw2s/hk2s"] = _per_direction(
            cc("s2tw"), cc("s2hk"), cc("tw2s"), cc("hk2s"), cc("tw2t", "t2hk")
        )
        found["OpenCC s2twp/s2hk/tw2sp/hk2s"] = _per_direction(
            cc("s2twp"), cc("s2hk"), cc("tw2sp"), cc("hk2s"), cc("tw2t", "t2hk")
        )
    except ImportError:
        pass
    try:  # a character-by-character converter, for comparison (not a dependency)
        from hanziconv import HanziConv  # type: ignore[import-not-found]

        to_t, to_s = HanziConv.toTraditional, HanziConv.toSimplified
        found["hanziconv"] = _per_direction(to_t, to_t, to_s, to_s, lambda s: s)
    except ImportError:
        pass
    return found


def _per_direction(*converts: Convert) -> dict[tuple[str, str], Convert]:
    return dict(zip(DIRECTIONS, converts, strict=True))


def report(phrases: list[Phrase], show_misses: bool = False) -> dict[str, Score]:
    totals: dict[str, Score] = {}
    header = "converter".ljust(34) + "".join(f"{s[3:]}→{t[3:]}".rjust(11) for s, t in DIRECTIONS) + "      total"
    print(f"{len(phrases)} phrases, {len(DIRECTIONS)} directions\n{header}")
    for name, table in candidates().items():
        scores = [score(table[d], *d, phrases) for d in DIRECTIONS]
        right, total = sum(s.right for s in scores), sum(s.total for s in scores)
        totals[name] = Score(right, total, [m for s in scores for m in s.misses])
        cells = "".join(f"{s.right:>7}/{s.total:<3}" for s in scores)
        print(f"{name:<34}{cells}  {right}/{total} = {right / total:.1%}")
    if show_misses:
        for name, total in totals.items():
            print(f"\n{name}: {len(total.misses)} misses\n  " + "\n  ".join(total.misses))
    return totals


if __name__ == "__main__":
    report(load_corpus(), show_misses="--misses" in sys.argv)
