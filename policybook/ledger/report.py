"""Ledger stage: where everyone stands — as a table, JSON, CSV, XLSX, a bar chart, a reminder list.

Rows come from :func:`assignments.standing_rows` (or ``standings``) (overdue first); the table groups
them per subsidiary and department with counts and names. What HR reads (the
table, CSV, XLSX) is Chinese — headers, 签收/待签/逾期, companies by name, in
a Traditional subsidiary's script when the file is that subsidiary's —
unless :data:`ENGLISH` words are asked for; JSON keeps English keys and values.
"""

from __future__ import annotations

import datetime
import json
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import groupby
from pathlib import Path
from typing import Any

from policybook.language import language
from policybook.ledger import export
from policybook.ledger.assignments import Standing, StandingRow
from policybook.model import Subsidiary
from policybook.widths import display_width

STATUSES = ("overdue", "pending", "signed")
FIELDS = ("employee", "name", "subsidiary", "department", "version", "status", "due", "signed_at", "method")
CHART_FONTS = ["Noto Sans CJK SC", "DejaVu Sans"]
REMIND_FIELDS = ("employee", "name", "subsidiary", "department", "email", "phone", "version", "due", "days_overdue")
# what HR reads, written in Simplified Chinese and converted to a Traditional subsidiary's script
HEADERS = {
    "employee": "工号",
    "name": "姓名",
    "subsidiary": "公司",
    "department": "部门",
    "version": "版本",
    "status": "状态",
    "due": "截止日期",
    "signed_at": "签收日期",
    "method": "签收方式",
    "email": "邮箱",
    "phone": "手机",
    "days_overdue": "逾期天数",
}
STATUS_WORDS = {"signed": "签收", "pending": "待签", "overdue": "逾期", "left": "离职"}
METHOD_WORDS = {"paper": "纸质", "click": "在线确认", "esign": "电子签名", "proxy": "代签"}
TEXT_FIELDS = ("employee", "version", "phone")  # text in a spreadsheet, even when they look like numbers
DATE_FIELDS = ("due", "signed_at")


@dataclass(frozen=True)
class Words:
    """How a file names things: Chinese for HR (in one subsidiary's script, companies by name) or
    English for machines (``chinese=False``: field names, status words and ids as the JSON has them)."""

    chinese: bool = True
    convert: Callable[[str], str] = str
    companies: Mapping[str, str] = field(default_factory=dict)  # subsidiary id → name

    def header(self, name: str) -> str:
        return self.convert(HEADERS.get(name, name)) if self.chinese else name

    def word(self, text: str) -> str:
        return self.convert(text) if self.chinese else text

    def cell(self, name: str, value: Any, spreadsheet: bool = False) -> Any:
        if not self.chinese or value is None:
            return value
        if name == "status":
            return self.convert(STATUS_WORDS.get(value, value))
        if name == "method":
            return self.convert(METHOD_WORDS.get(value, value))
        if name == "subsidiary":
            return self.companies.get(value, value)  # a name as its author wrote it, never converted
        if name in DATE_FIELDS and spreadsheet:
            return datetime.date.fromisoformat(value)
        if name == "version" and not spreadsheet:
            return f"v{value}"  # a CSV cell Excel and Calc keep as text (3.10 is not 3.1)
        return value


ENGLISH = Words(chinese=False)


def words_for(subsidiaries: Mapping[str, Subsidiary], locale: str, only: str = "", chinese: bool = True) -> Words:
    """Chinese words with company names; in ``only``'s script when the file is one subsidiary's."""
    if not chinese:
        return ENGLISH
    sub = subsidiaries.get(only)
    convert = language(sub.locale or locale, sub.region).words if sub is not None else str
    return Words(True, convert, {k: s.name for k, s in subsidiaries.items()})


def rows(standings: Sequence[Standing | StandingRow]) -> list[dict[str, Any]]:
    return [
        {
            "employee": s.employee.id,
            "name": s.employee.name,
            "subsidiary": s.employee.subsidiary,
            "department": s.employee.department,
            "version": s.assignment.release.version,
            "status": s.status,
            "due": s.assignment.due.isoformat(),
            "signed_at": s.ack.signed_on.isoformat() if s.ack else None,
            "method": s.ack.method if s.ack else None,
        }
        for s in standings
    ]


def as_json(data: list[dict[str, Any]]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def as_csv(data: list[dict[str, Any]], fields: tuple[str, ...] = FIELDS, words: Words = Words()) -> str:
    header = [words.header(f) for f in fields]
    return export.as_csv(header, ([words.cell(f, row.get(f)) for f in fields] for row in data))


def as_xlsx(data: list[dict[str, Any]], fields: tuple[str, ...] = FIELDS, words: Words = Words()) -> bytes:
    header = [words.header(f) for f in fields]
    body = ([words.cell(f, row.get(f), spreadsheet=True) for f in fields] for row in data)
    text = [i for i, f in enumerate(fields) if f in TEXT_FIELDS]
    return export.as_xlsx(words.word("签收情况"), header, body, text)


def as_table(data: list[dict[str, Any]], words: Words = Words()) -> str:
    """Per subsidiary and department: counts, then one line per person (overdue first)."""
    if not data:
        return words.word("暂无签收任务") + "\n" if words.chinese else "no assignments\n"
    lines = []
    key = lambda r: (r["subsidiary"], r["department"])  # noqa: E731
    for (sub, dept), group in groupby(sorted(data, key=key), key=key):
        people = sorted(group, key=lambda r: (STATUSES.index(r["status"]), r["employee"]))
        counts = Counter(r["status"] for r in people)
        lines.append(f"{words.cell('subsidiary', sub)} · {dept}{_colon(words)}{_counts(counts, words, False)}")
        for r in people:
            lines.append(_person(r, words))
    totals = Counter(r["status"] for r in data)
    lines.append(words.word("合计") + _colon(words) + _counts(totals, words, True))
    return "\n".join(lines) + "\n"


def _colon(words: Words) -> str:
    return "：" if words.chinese else ": "


def _counts(counts: Counter[str], words: Words, every: bool) -> str:
    shown = [s for s in STATUSES if every or counts[s]]
    if words.chinese:
        return "，".join(f"{words.cell('status', s)} {counts[s]}" for s in shown)
    return ", ".join(f"{counts[s]} {s}" for s in shown)


def _person(r: dict[str, Any], words: Words) -> str:
    status = _pad(str(words.cell("status", r["status"])), 8)
    if words.chinese:
        method = words.cell("method", r["method"])
        when = (
            f"{words.word('签收于')} {r['signed_at']}（{method}）"
            if r["signed_at"]
            else f"{words.word('截止')} {r['due']}"
        )
    else:
        when = f"signed {r['signed_at']} ({r['method']})" if r["signed_at"] else f"due {r['due']}"
    return f"  {status} {_pad(r['employee'], 10)} {_pad(r['name'], 8)} v{_pad(r['version'], 6)} {when}"


def _pad(text: str, width: int) -> str:
    """Pad to ``width`` columns, a Chinese character counting two."""
    return text + " " * max(0, width - display_width(text))


def reminders(standings: Sequence[Standing | StandingRow], as_of: datetime.date) -> list[dict[str, Any]]:
    """Who to remind: everyone who has not signed, most overdue first."""
    unsigned = [s for s in standings if s.status != "signed"]
    unsigned.sort(key=lambda s: (s.assignment.due, s.employee.subsidiary, s.employee.id))
    return [
        {
            "employee": s.employee.id,
            "name": s.employee.name,
            "subsidiary": s.employee.subsidiary,
            "department": s.employee.department,
            "email": s.employee.email,
            "phone": s.employee.phone,
            "version": s.assignment.release.version,
            "due": s.assignment.due.isoformat(),
            "days_overdue": max(0, (as_of - s.assignment.due).days),
        }
        for s in unsigned
    ]


def chart(data: list[dict[str, Any]], target: Path, title: str) -> None:
    """A stacked bar per subsidiary · department: signed, pending, overdue (PNG)."""
    import matplotlib

    matplotlib.use("Agg")
    matplotlib.rcParams["text.parse_math"] = False  # a department named $…$ is text, not mathtext
    from matplotlib import font_manager
    from matplotlib import pyplot as plt
    from matplotlib.ticker import MaxNLocator

    font = _cjk_font(font_manager)
    groups = sorted({(r["subsidiary"], r["department"]) for r in data})
    counts = Counter((r["subsidiary"], r["department"], r["status"]) for r in data)
    labels = [f"{sub} · {dept}" for sub, dept in groups]
    figure, axes = plt.subplots(figsize=(max(6.0, 0.9 * len(groups) + 2), 4.5), dpi=120)
    bottom = [0] * len(groups)
    colours = {"signed": "#2e7d32", "pending": "#f9a825", "overdue": "#c62828"}
    names = {"signed": "已签收 signed", "pending": "待签收 pending", "overdue": "已逾期 overdue"}
    for status in ("signed", "pending", "overdue"):
        values = [counts[(sub, dept, status)] for sub, dept in groups]
        axes.bar(labels, values, bottom=bottom, color=colours[status], label=names[status])
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    axes.set_ylabel("人数", fontproperties=font)
    axes.set_title(title, fontproperties=font)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))  # people are counted in whole numbers
    plt.setp(axes.get_xticklabels(), rotation=30, ha="right", fontproperties=font)
    axes.legend(prop=font)
    figure.tight_layout()
    figure.savefig(target, format="png")
    plt.close(figure)


def _cjk_font(font_manager: Any) -> Any:
    """Noto Sans CJK SC from fonts-noto-cjk (matplotlib picks the face out of the .ttc), so
    Chinese department names are not drawn as boxes; DejaVu for anything else."""
    return font_manager.FontProperties(family=CHART_FONTS)
