"""Law stage: what the source says about the law — jurisdiction, waivers, variable meanings.

    # handbook.yaml (for every subsidiary)       # subsidiaries/sz.yaml
    law:                                         jurisdiction: CN-GD-SZ
      jurisdiction: CN                           law:
      waive: {law.fine: "理由 …"}                    waive:
      variables:                                     law.fine@art-late: "理由 …"
        overtime.monthly_cap_hours: overtime-monthly

A waiver names a rule id (optionally ``@label`` for one article) and needs a
reason; it is printed by every check and build, so a reviewer sees it.
"""

from __future__ import annotations

import datetime
import difflib
from dataclasses import dataclass, field
from typing import Any

from policybook.dates import written
from policybook.diagnostics import Diagnostics
from policybook.law.rules import all_rules, canonical, known
from policybook.model import Loc
from policybook.source.project import Project, SubsidiarySource
from policybook.source.schema import Key, check_mapping, pairs, text
from policybook.source.yamlfile import LocDict, scalar_text

LAW = {"jurisdiction": Key("text"), "waive": Key("map"), "variables": Key("map")}
MEANINGS = (
    "overtime-daily",
    "overtime-monthly",
    "overtime-pay.workday",
    "overtime-pay.restday",
    "overtime-pay.holiday",
    "probation-pay",
    "probation-term@<合同月数>",
    "annual-leave@<工作年数>",
    "maternity",
    "paternity",
    "deduction",
    "fine",
)


@dataclass(frozen=True)
class Waiver:
    code: str  # law.fine
    label: str  # "" = every article
    reason: str
    loc: Loc


@dataclass
class Settings:
    """One subsidiary's law settings."""

    jurisdiction: str  # the table's code ("" = no checks)
    written: str  # as the source wrote it (or from region)
    as_of: datetime.date
    waivers: list[Waiver] = field(default_factory=list)
    meanings: list[tuple[str, str, Loc]] = field(default_factory=list)  # (variable, meaning, loc)


def as_of(project: Project) -> datetime.date:
    """The release's effective date (handbook.yaml ``effective:``); today if it cannot be read."""
    day = written(project.meta.effective)
    return day or datetime.date.today()


def settings(project: Project, sub: SubsidiarySource, diags: Diagnostics) -> Settings:
    group = _law_map(project.law, "handbook.yaml", diags)
    own = _law_map(sub.law, f"subsidiary {sub.info.id}", diags)
    code = sub.jurisdiction or text(own, "jurisdiction") or text(group, "jurisdiction") or sub.info.region
    table = canonical(code) if code else ""
    if code and not table:
        where = sub.info.loc
        diags.warning(
            where, f"no law table for jurisdiction '{code}'", "law.jurisdiction", f"known: {', '.join(known())}"
        )
    result = Settings(table, code, as_of(project))
    everywhere = sorted({r.id for t in known() for r in all_rules(t)})
    here = sorted({r.id for r in all_rules(table)}) if table else []
    # the subsidiary's own waivers first (the more specific reason wins); the group's may name any table's rules
    for source, ids in ((own, here), (group, everywhere)):
        result.waivers.extend(_waivers(source, ids, diags))
        result.meanings.extend(_meanings(source, diags))
    return result


def _law_map(data: LocDict | None, what: str, diags: Diagnostics) -> LocDict:
    if data is None:
        return LocDict()
    return check_mapping(data, LAW, data.loc(), f"law in {what}", diags) or LocDict()


def _waivers(data: LocDict, ids: list[str], diags: Diagnostics) -> list[Waiver]:
    out: list[Waiver] = []
    for key, reason, loc in pairs(data, "waive"):
        code, _, label = str(key).partition("@")
        why = scalar_text(reason).strip() if isinstance(reason, str | int | float) else ""
        if len(why) < 4:
            diags.error(loc, f"the waiver of '{key}' needs a reason", "law.waiver", f'{key}: "为什么这条可以保留……"')
            continue
        if ids and code not in ids:
            close = difflib.get_close_matches(code, ids, n=1)
            hint = f"did you mean '{close[0]}'?" if close else f"rules here: {', '.join(ids)}"
            diags.warning(loc, f"waiver of an unknown rule '{code}'", "law.waiver", hint)
        out.append(Waiver(code, label, why, loc))
    return out


def _meanings(data: LocDict, diags: Diagnostics) -> list[tuple[str, str, Loc]]:
    out: list[tuple[str, str, Loc]] = []
    for variable, meaning, loc in pairs(data, "variables"):
        name = scalar_text(meaning) if isinstance(meaning, str) else ""
        if name.partition("@")[0] not in {m.partition("@")[0] for m in MEANINGS}:
            diags.error(
                loc, f"unknown meaning '{name}' for '{variable}'", "law.variables", f"use {', '.join(MEANINGS)}"
            )
            continue
        out.append((str(variable), name, loc))
    return out


def lookup(variables: Any, dotted: str) -> tuple[Any, Loc | None]:
    """A variable's value and the line that set it (None, None if it is not set there)."""
    node, where = variables, None
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return None, None
        where = node.loc(part) if isinstance(node, LocDict) else None
        node = node[part]
    return node, where
