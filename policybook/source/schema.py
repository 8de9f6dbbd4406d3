"""Read stage: declared schemas for the YAML files, validated with file:line.

Every configuration file has a schema (the mkdocs way): each key is declared
with its kind; wrong kinds are errors, unknown keys are warnings (errors under
``--strict``) with a did-you-mean hint.
"""

from __future__ import annotations

import datetime
import difflib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from policybook.diagnostics import Diagnostics, Loc
from policybook.source.yamlfile import LocDict, LocList, scalar_text

KIND_NAMES = {
    "text": "a text value",
    "int": "a whole number",
    "list": "a list",
    "map": "a mapping (key: value)",
    "any": "a value",
    "texts": "a list of text values",
}


@dataclass(frozen=True)
class Key:
    kind: str  # text | int | list | map | any | texts
    required: bool = False
    choices: tuple[str, ...] = ()


def check_mapping(data: Any, schema: dict[str, Key], loc: Loc, what: str, diags: Diagnostics) -> LocDict | None:
    """Validate one mapping against its schema; returns it (or None if unusable)."""
    if not isinstance(data, LocDict):
        diags.error(loc, f"{what} must be a mapping (key: value), found {_kind_of(data)}", "schema.type")
        return None
    for key in data:
        if key not in schema:
            close = difflib.get_close_matches(key, list(schema), n=1)
            hint = f"did you mean '{close[0]}'?" if close else f"known keys: {', '.join(schema)}"
            diags.warning(data.loc(key), f"unknown key '{key}' in {what}", "schema.unknown-key", hint)
    for key, spec in schema.items():
        if key not in data:
            if spec.required:
                diags.error(data.loc(), f"{what} needs the key '{key}'", "schema.missing-key")
            continue
        if not _kind_ok(data[key], spec.kind):
            diags.error(
                data.loc(key),
                f"'{key}' must be {KIND_NAMES[spec.kind]}, found {_kind_of(data[key])}",
                "schema.type",
            )
        elif spec.choices and scalar_text(data[key]) not in spec.choices:
            diags.error(
                data.loc(key),
                f"'{key}' must be one of {', '.join(spec.choices)}, found '{scalar_text(data[key])}'",
                "schema.choice",
            )
    return data


def _kind_ok(value: Any, kind: str) -> bool:
    if kind == "any":
        return True
    if kind == "text":
        return isinstance(value, str | int | float | datetime.date) and not isinstance(value, bool)
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "list":
        return isinstance(value, LocList)
    if kind == "texts":
        return isinstance(value, LocList) and all(_kind_ok(v, "text") for v in value)
    return isinstance(value, LocDict)


def _kind_of(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, LocDict):
        return "a mapping"
    if isinstance(value, LocList):
        return "a list"
    if isinstance(value, bool):
        return f"'{scalar_text(value)}' (yes/no)"
    return f"'{scalar_text(value)}'"


def text(data: LocDict, key: str, default: str = "") -> str:
    return scalar_text(data[key]) if key in data and _kind_ok(data[key], "text") else default


def texts(data: LocDict, key: str) -> list[str]:
    value = data.get(key)
    return [scalar_text(v) for v in value] if isinstance(value, LocList) and _kind_ok(value, "texts") else []


def entries(data: LocDict, key: str) -> Iterator[tuple[Any, Loc]]:
    """The items of the list under ``key``, each with its line (none if it is not a list)."""
    value = data.get(key)
    if isinstance(value, LocList):
        for index, item in enumerate(value):
            yield item, value.loc(index)


def pairs(data: LocDict, key: str) -> Iterator[tuple[str, Any, Loc]]:
    """The entries of the mapping under ``key``, each with its line (none if it is not a mapping)."""
    value = data.get(key)
    if isinstance(value, LocDict):
        for name, item in value.items():
            yield name, item, value.loc(name)
