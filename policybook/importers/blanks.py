"""Import stage: blanks → variables, in both scripts; the company name → {{ company }}.

A blank is "[X]元", "X元", "XX天", "xx部门", "**元/次", "____", "＿＿", "【具体金额】" /
"【具體金額】", "[具体次数]" / "[具體次數]"; the report lists each with its line.
"""

from __future__ import annotations

import re
from collections import Counter

from policybook.importers.markup import markup, outside
from policybook.importers.report import Record
from policybook.importers.tree import Regulation, rewrite_texts

UNIT_AHEAD = r"(?=\s*(?:元|万元|萬元|个|個|天|日|次|小时|小時|月|年|%|％|人))"
BLANK_RE = re.compile(
    r"[\[［]\s*[XxＸｘ×*＊_\s]*[\]］]"  # [X] [ ] ［Ｘ］
    r"|[\[［]\s*(?:具体|具體|待定|填写|填寫|请填|請填)[^\]］\n]{0,20}[\]］]"  # [具体次数] [具體次數]
    r"|(?<![A-Za-z])[XxＸｘ×]{2,}(?![A-Za-z])"  # XX ×××
    rf"|(?<![A-Za-z0-9])[XＸ×]{UNIT_AHEAD}"  # X元
    r"|[*＊]{2,}"  # **元/次
    r"|_{3,}|＿{2,}"  # ____ ＿＿
    r"|【\s*(?:具体|具體|待定|待|填写|填寫|请填|請填|此处|此處|空白)[^】]{0,20}】|【\s*】"  # 【具体金额】 【具體金額】
)
UNITS = (
    ("元", "amount"),
    ("万元", "amount"),
    ("萬元", "amount"),
    ("个工作日", "days"),
    ("個工作日", "days"),
    ("工作日", "days"),
    ("天", "days"),
    ("日", "days"),
    ("小时", "hours"),
    ("小時", "hours"),
    ("个月", "months"),
    ("個月", "months"),
    ("月", "months"),
    ("年", "years"),
    ("%", "percent"),
    ("％", "percent"),
    ("次", "times"),
    ("人", "people"),
)


class Blanks:
    """Numbers the variables per kind (todo.amount_1, todo.days_2 …) in reading order."""

    def __init__(self, record: Record) -> None:
        self.record = record
        self.counts: Counter[str] = Counter()
        self.values: dict[str, str] = {}

    def __call__(self, text: str, where: str) -> str:
        return outside(text, lambda plain: BLANK_RE.sub(lambda m: self.variable(m, where), plain))

    def variable(self, match: re.Match[str], where: str) -> str:
        after = match.string[match.end() : match.end() + 4]
        kind = next((name for unit, name in UNITS if after.startswith(unit)), "blank")
        self.counts[kind] += 1
        name = f"{kind}_{self.counts[kind]}"
        self.values[name] = match.group(0)
        context = match.string[max(0, match.start() - 12) : match.end() + 6]
        self.record.variables.append((f"todo.{name}", match.group(0), f"{where}: “{context.strip()}”"))
        return markup("{{ todo." + name + " }}")


def replace_blanks(regulation: Regulation, record: Record) -> dict[str, str]:
    """Every blank becomes ``{{ todo.<kind>_<n> }}``; returns the defaults (the blank as written)."""
    blanks = Blanks(record)
    rewrite_texts(regulation, blanks)
    return blanks.values


def replace_company(regulation: Regulation, company: str, record: Record) -> None:
    """Every occurrence of the company's name becomes ``{{ company }}`` (longest first: no partial hits)."""
    if not company:
        return

    def swap(text: str, where: str) -> str:
        new = outside(text, lambda plain: plain.replace(company, markup("{{ company }}")))
        record.fixed("company name → {{ company }}", new.count("{{ company }}") - text.count("{{ company }}"))
        return new

    rewrite_texts(regulation, swap)
