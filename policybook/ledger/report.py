"""Ledger stage: where everyone stands — as a table, JSON, CSV, XLSX, a bar chart, a reminder list.

Rows come from :func:`assignments.standings` (overdue first); the table groups
them per subsidiary and department with counts and names.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
from collections import Counter
from itertools import groupby
from pathlib import Path
from typing import Any

from policybook.ledger.assignments import Standing

STATUSES = ("overdue", "pending", "signed")
FIELDS = ("employee", "name", "subsidiary", "department", "version", "status", "due", "signed_at", "method")
CHART_FONTS = ["Noto Sans CJK SC", "DejaVu Sans"]
REMIND_FIELDS = ("employee", "name", "subsidiary", "department", "email", "phone", "version", "due", "days_overdue")


def rows(standings: list[Standing]) -> list[dict[str, Any]]:
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


def as_csv(data: list[dict[str, Any]], fields: tuple[str, ...] = FIELDS) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    writer.writerows({k: "" if v is None else v for k, v in row.items()} for row in data)
    return "\ufeff" + out.getvalue()  # a BOM, so Excel opens the Chinese names as UTF-8


def as_xlsx(data: list[dict[str, Any]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "签收情况"
    sheet.append(list(FIELDS))
    for row in data:
        sheet.append([row[f] for f in FIELDS])
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def as_table(data: list[dict[str, Any]]) -> str:
    """Per subsidiary and department: counts, then one line per person (overdue first)."""
    if not data:
        return "no assignments\n"
    lines = []
    key = lambda r: (r["subsidiary"], r["department"])  # noqa: E731
    for (sub, dept), group in groupby(sorted(data, key=key), key=key):
        people = sorted(group, key=lambda r: (STATUSES.index(r["status"]), r["employee"]))
        counts = Counter(r["status"] for r in people)
        summary = ", ".join(f"{counts[s]} {s}" for s in STATUSES if counts[s])
        lines.append(f"{sub} · {dept}: {summary}")
        for r in people:
            when = f"signed {r['signed_at']} ({r['method']})" if r["signed_at"] else f"due {r['due']}"
            lines.append(f"  {r['status']:<8} {r['employee']:<10} {_pad(r['name'], 8)} v{r['version']:<6} {when}")
    totals = Counter(r["status"] for r in data)
    lines.append("total: " + ", ".join(f"{totals[s]} {s}" for s in STATUSES))
    return "\n".join(lines) + "\n"


def _pad(text: str, width: int) -> str:
    """Pad to ``width`` columns, a Chinese character counting two."""
    used = sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)
    return text + " " * max(0, width - used)


def reminders(standings: list[Standing], as_of: datetime.date) -> list[dict[str, Any]]:
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
