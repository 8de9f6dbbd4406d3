"""Law stage: the rule tables (``data/<jurisdiction>.yaml``), read and chosen by date.

One YAML file per jurisdiction; a table may ``extends:`` another (CN-SH extends
CN, CN-GD-SZ extends CN-GD), and a rule of the more local table replaces the
rule of the same id. A rule id may have several entries with ``from``/``to``
dates (Hong Kong's statutory holidays rise every two years): the entry in force
on the handbook's effective date is the one that runs.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

DATA = Path(__file__).parent / "data"
ALIASES = {"CN-SZ": "CN-GD-SZ", "CN-GZ": "CN-GD", "MO": "", "SG": ""}


@dataclass(frozen=True)
class Rule:
    id: str  # the diagnostic code, e.g. law.fine
    check: str  # the detector that runs it (detect.py)
    statute: str
    article: str
    start: datetime.date
    end: datetime.date | None
    explain: str
    suggest: str
    level: str = "warning"
    params: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    jurisdiction: str = ""

    @property
    def citation(self) -> str:
        return f"{self.statute}{self.article}"

    def in_force(self, day: datetime.date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


@dataclass(frozen=True)
class Table:
    jurisdiction: str
    name: str
    extends: str
    rules: tuple[Rule, ...]


def known() -> list[str]:
    """Every jurisdiction with a table, e.g. CN, CN-BJ, CN-GD, CN-GD-SZ, CN-SH, HK, TW."""
    return sorted(p.stem for p in DATA.glob("*.yaml"))


def canonical(code: str) -> str:
    """The table a jurisdiction code names ("" if none): CN-SZ → CN-GD-SZ; CN-ZJ → CN."""
    code = ALIASES.get(code.upper(), code.upper())
    while code and code not in known():
        code = code.rpartition("-")[0]
    return code


@cache
def table(code: str) -> Table:
    data = yaml.safe_load((DATA / f"{code}.yaml").read_text(encoding="utf-8"))
    rules = tuple(_rule(entry, code) for entry in data.get("rules") or [])
    return Table(code, str(data.get("name", code)), str(data.get("extends") or ""), rules)


def _rule(entry: dict[str, Any], code: str) -> Rule:
    end = entry.get("to")
    return Rule(
        id=str(entry["id"]),
        check=str(entry["check"]),
        statute=str(entry["statute"]),
        article=str(entry.get("article", "")),
        start=_date(entry["from"]),
        end=_date(end) if end else None,
        explain=str(entry["explain"]),
        suggest=str(entry["suggest"]),
        level=str(entry.get("level", "warning")),
        params=dict(entry.get("params") or {}),
        jurisdiction=code,
    )


def _date(value: Any) -> datetime.date:
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(str(value))


def chain(code: str) -> list[Table]:
    """The table and those it extends, most local first."""
    out: list[Table] = []
    while code:
        out.append(table(code))
        code = out[-1].extends
    return out


def all_rules(code: str) -> list[Rule]:
    """Every dated entry that applies in ``code``: a local table's id hides the wider table's."""
    seen: set[str] = set()
    out: list[Rule] = []
    for tab in chain(canonical(code)):
        ids = {r.id for r in tab.rules}
        out.extend(r for r in tab.rules if r.id not in seen)
        seen |= ids
    return out


def rules_for(code: str, day: datetime.date) -> list[Rule]:
    """The rules in force in ``code`` on ``day``."""
    return [r for r in all_rules(code) if r.in_force(day)]
