"""Dates as documents print them: 2026年12月1日 (zh), 1 December 2026 (en).

Shared by the ``cn_date`` template filter and the writers (cover, footer), so
every output spells a date the same way.
"""

from __future__ import annotations

import datetime
import os
import re

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


# a date as people write it in a CSV, a spreadsheet or a form: 2026-12-03, 2026/12/3, 2026.12.3, 2026年12月3日
WRITTEN_RE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")


def written(text: str) -> datetime.date | None:
    """A date written as :data:`WRITTEN_RE` allows, if it exists (2027-13-45 does not); None otherwise."""
    match = WRITTEN_RE.match(text)
    if not match:
        return None
    try:
        return datetime.date(*(int(g) for g in match.groups()))
    except ValueError:
        return None


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


def source_date() -> datetime.datetime | None:
    """``SOURCE_DATE_EPOCH`` (reproducible builds) as a UTC time, or None when it is not set."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    return datetime.datetime.fromtimestamp(int(epoch), tz=datetime.UTC) if epoch.isdigit() else None


def build_time() -> datetime.datetime:
    """The time a build stamps on what it writes: ``SOURCE_DATE_EPOCH`` when set, else now; whole seconds, UTC."""
    return source_date() or datetime.datetime.now(tz=datetime.UTC).replace(microsecond=0)
