"""Law stage helper: numbers, percentages and durations read out of Chinese sentences.

试用期为六个月 · 每月加班不得超过50小时 · 扣除当月工资的30% · 百分之八十 · 八成 ·
1.5倍 · 十四星期 · 半年. Chinese numerals are read by :func:`parse_chinese` of
the number stage (one reader of 一百零五 in the project).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from policybook.transforms.numerals import parse_chinese

CN_DIGITS = "零〇一二两兩三四五六七八九十百千万萬"
NUM = rf"(?:[0-9０-９]+(?:\.[0-9]+)?|[{CN_DIGITS}]+(?:点[{CN_DIGITS}]+)?)"
_FULL = str.maketrans("０１２３４５６７８９", "0123456789")
UNIT_DAYS = {"天": 1.0, "日": 1.0, "个工作日": 1.0, "工作日": 1.0, "周": 7.0, "星期": 7.0, "个星期": 7.0}
UNIT_MONTHS = {"个月": 1.0, "月": 1.0, "年": 12.0, "周年": 12.0, "个星期": 7 / 30, "周": 7 / 30}
UNIT_MONTHS |= {"星期": 7 / 30, "天": 1 / 30, "日": 1 / 30}


def value(text: str) -> float | None:
    """A number as written: 6, ６, 1.5, 六, 十五, 一百零五, 两, 一点五; None if unreadable."""
    text = text.strip().translate(_FULL)
    try:
        return float(text)
    except ValueError:
        pass
    if "点" in text:
        whole, _, frac = text.partition("点")
        head, tail = value(whole), value(frac)
        return None if head is None or tail is None else float(f"{int(head)}.{int(tail)}")
    try:
        return float(parse_chinese(text.replace("兩", "两").replace("萬", "万")))
    except (ValueError, IndexError):
        return None


@lru_cache(maxsize=256)
def pattern(text: str) -> re.Pattern[str]:
    """A regular expression where ``{N}`` stands for one number (a capture group)."""
    return re.compile(text.replace("{N}", f"({NUM})"))


@dataclass(frozen=True)
class Percent:
    value: float
    start: int
    end: int


PERCENT_RE = re.compile(rf"百分之({NUM})|({NUM})\s*[%％]|({NUM})\s*倍|([{CN_DIGITS}])成(?![员绩果立本为功交])")


def percents(text: str) -> Iterator[Percent]:
    """Every share in ``text`` as a percentage: 百分之八十, 80%, 1.5倍 (150), 八成 (80)."""
    for match in PERCENT_RE.finditer(text):
        cent, plain, times, tenths = match.groups()
        if times is not None:
            number, scale = value(times), 100.0
        elif tenths is not None:
            number, scale = value(tenths), 10.0
        else:
            number, scale = value(cent or plain), 1.0
        if number is not None:
            yield Percent(number * scale, match.start(), match.end())


def months(number: str, unit: str) -> float | None:
    """A duration in months: 六 个月 → 6, 一 年 → 12, 半年 is read by the caller."""
    amount = value(number)
    return None if amount is None else amount * UNIT_MONTHS.get(unit, 1.0)


def days(number: str, unit: str) -> float | None:
    amount = value(number)
    return None if amount is None else amount * UNIT_DAYS.get(unit, 1.0)
