"""Dates as documents print them: 2026年12月1日 (zh), 1 December 2026 (en).

Shared by the ``cn_date`` template filter and the writers (cover, footer), so
every output spells a date the same way.
"""

from __future__ import annotations

import datetime

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def parse(value: object) -> datetime.date | None:
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except ValueError:
        return None


def long_date(value: object, locale: str = "zh-Hans") -> str:
    """``2026-12-01`` → ``2026年12月1日``; text that is not a date is returned as it is."""
    day = parse(value)
    if day is None:
        return str(value)
    if locale == "en":
        return f"{day.day} {MONTHS[day.month - 1]} {day.year}"
    return f"{day.year}年{day.month}月{day.day}日"
