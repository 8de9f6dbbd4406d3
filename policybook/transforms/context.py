"""Resolve stage: the variables of one subsidiary, and the group's constraints on them.

A subsidiary may only override what the group defines (``variables:``); a name
the group does not know is a mistake (a typo would otherwise be ignored without
a word) unless it is declared as the subsidiary's own under ``local:``.
"""

from __future__ import annotations

import difflib
from typing import Any

from policybook.conversion import Name
from policybook.diagnostics import Diagnostics
from policybook.source.project import Project, SubsidiarySource
from policybook.source.yamlfile import LocDict, scalar_text

RULE_WORDS = {
    "fixed": "may not be changed by a subsidiary",
    "raise-only": "may only be raised, never lowered",
    "lower-only": "may only be lowered, never raised",
}


def plain(value: Any) -> Any:
    """YAML values (LocDict, LocList, dates) → plain dicts, lists and text."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return scalar_text(value)


def merged(base: Any, override: Any) -> Any:
    if isinstance(base, dict) and isinstance(override, dict):
        out = dict(base)
        for key, value in override.items():
            out[key] = merged(base.get(key), value)
        return out
    return override


def build_context(project: Project, sub: SubsidiarySource, diags: Diagnostics | None = None) -> dict[str, Any]:
    """The names a subsidiary's text can use; bad overrides are reported and left out."""
    meta, info = project.meta, sub.info
    context: dict[str, Any] = {
        "company": Name(info.name),
        "short_name": Name(info.short_name),
        "subsidiary": info.id,
        "sub_code": info.code,
        "tags": list(info.tags),
        "group": Name(sub.script.group or meta.group),
        "title": meta.title,
        "code": meta.code,
        "version": meta.version,
        "effective": meta.effective,
    }
    overrides = checked_overrides(project.variables, sub.variables, "", diags or Diagnostics())
    local = checked_local(project.variables, sub.local, diags or Diagnostics())
    return merged(merged(context, merged(plain(project.variables), overrides)), local)


def checked_overrides(group: Any, given: LocDict, prefix: str, diags: Diagnostics) -> dict[str, Any]:
    """The overrides in ``given`` that fit the group's variables (as plain values)."""
    result: dict[str, Any] = {}
    for key, value in given.items():
        name, loc = prefix + key, given.loc(key)
        base = group.get(key) if isinstance(group, dict) else None
        if not isinstance(group, dict) or key not in group:
            close = difflib.get_close_matches(key, list(group) if isinstance(group, dict) else [], n=1)
            hint = f"did you mean '{prefix}{close[0]}'? " if close else ""
            diags.error(
                loc,
                f"'{name}' is not a group variable, so this override would change nothing",
                "variable.unknown-override",
                hint + "a variable of this subsidiary alone goes under local:",
            )
        elif isinstance(base, dict) and isinstance(value, LocDict):
            result[key] = checked_overrides(base, value, name + ".", diags)
        elif isinstance(base, dict):
            empty = value is None
            diags.error(
                loc,
                f"'{name}' is {'empty' if empty else 'a single value'} here but a group of values for the group",
                "variable.override-shape",
                f"override single entries ('{name}.{next(iter(base), 'x')}: …') or delete the line",
            )
        elif isinstance(value, LocDict):
            diags.error(
                loc, f"'{name}' is a single value for the group, not a group of values", "variable.override-shape"
            )
        else:
            result[key] = plain(value)
    return result


def checked_local(group: Any, local: LocDict, diags: Diagnostics) -> dict[str, Any]:
    """A subsidiary's own variables: new names only (a group variable is overridden under variables:)."""
    result: dict[str, Any] = {}
    for key, value in local.items():
        if key in group:
            diags.error(
                local.loc(key),
                f"local variable '{key}' is already a group variable",
                "variable.local-shadows",
                "override it under variables: instead",
            )
        else:
            result[key] = plain(value)
    return result


def check_constraints(project: Project, sub: SubsidiarySource, diags: Diagnostics) -> None:
    for rule in project.constraints:
        found = _find(sub.variables, rule.path)
        if found is None:
            continue
        value, holder, key = found
        group_value = _find(project.variables, rule.path)
        base = group_value[0] if group_value else None
        if rule.rule != "fixed" and not _is_number(value):
            diags.error(
                holder.loc(key),
                f"'{rule.path}' is not a number: '{scalar_text(value)}'",
                "constraint.not-a-number",
                f"write it in digits; the group's value is {scalar_text(base)} (constraint set at {rule.loc})",
            )
        elif _violates(rule.rule, base, value):
            diags.error(
                holder.loc(key),
                f"'{rule.path}' is {scalar_text(value)} here but {scalar_text(base)} for the group; "
                f"it {RULE_WORDS[rule.rule]}",
                "constraint.violated",
                f"constraint set at {rule.loc}",
            )


def _violates(rule: str, base: Any, value: Any) -> bool:
    if rule == "fixed":
        return bool(plain(value) != plain(base))
    if not _is_number(base):
        return True  # the group promised a number and did not give one
    return bool(value < base) if rule == "raise-only" else bool(value > base)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _find(variables: LocDict, dotted: str) -> tuple[Any, LocDict, str] | None:
    node: Any = variables
    parts = dotted.split(".")
    for part in parts[:-1]:
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    if not isinstance(node, LocDict) or parts[-1] not in node:
        return None
    return node[parts[-1]], node, parts[-1]
