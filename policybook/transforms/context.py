"""Resolve stage: the variables of one subsidiary, and the group's constraints on them."""

from __future__ import annotations

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


def build_context(project: Project, sub: SubsidiarySource) -> dict[str, Any]:
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
    return merged(context, merged(plain(project.variables), plain(sub.variables)))


def check_constraints(project: Project, sub: SubsidiarySource, diags: Diagnostics) -> None:
    for rule in project.constraints:
        found = _find(sub.variables, rule.path)
        if found is None:
            continue
        value, holder, key = found
        group_value = _find(project.variables, rule.path)
        base = group_value[0] if group_value else None
        if _violates(rule.rule, base, value):
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
    if not _is_number(base) or not _is_number(value):
        return True  # a number was promised; text cannot be compared
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
