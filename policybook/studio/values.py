"""Studio: the values grid — every group variable × every subsidiary, with the group's override rules.

Rows are the group's variables (leaves of ``variables:`` in handbook.yaml, with the
comment written beside them as their name); a cell is the subsidiary's override or,
empty, the group's value. A draft's value changes are laid over the released values.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from policybook.source.project import Project
from policybook.source.yamlfile import scalar_text
from policybook.studio.schema import DraftChange
from policybook.studio.yamledit import keys

RULE_NAMES = {"raise-only": "只能加不能减", "lower-only": "只能减不能加", "fixed": "子公司不得修改"}
VARIABLE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_.]*)\s*\}\}")


@dataclass
class Row:
    path: str  # dotted, under variables:
    name: str  # the comment beside it in handbook.yaml, else the path
    group: str
    rule: str = ""  # raise-only | lower-only | fixed | ""
    cells: dict[str, str] = field(default_factory=dict)  # sub → its own value ("" = the group's)

    @property
    def numeric(self) -> bool:
        return bool(re.fullmatch(r"-?\d+(\.\d+)?", self.group))


@dataclass
class Grid:
    subs: list[str]
    rows: list[Row]
    files: dict[str, str]  # "" (group) or sub → file relative to the source

    def row(self, path: str) -> Row | None:
        return next((r for r in self.rows if r.path == path), None)


def leaves(data: Any, prefix: str = "") -> Iterable[tuple[str, Any]]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield from leaves(value, f"{prefix}.{key}" if prefix else str(key))
    elif not isinstance(data, list):
        yield prefix, data


def comments(text: str) -> dict[str, str]:
    """``x.y`` (under ``variables:``) → the comment on its line (the author's name for the value)."""
    return {
        ".".join(path[1:]): match.group("comment").lstrip("# ").strip()
        for path, _, match in keys(text)
        if match.group("comment")
    }


def grid(project: Project, changes: Iterable[DraftChange] = ()) -> Grid:
    source = project.source
    names = comments((source / "handbook.yaml").read_text(encoding="utf-8"))
    rules = {c.path: c.rule for c in project.constraints}
    subs = sorted(project.subsidiaries)
    files = {"": "handbook.yaml"}
    files.update({s: _rel(source, project.subsidiaries[s].info.loc.path) for s in subs})
    rows = []
    for path, value in leaves(dict(project.variables)):
        row = Row(path, names.get(path, path), scalar_text(value), rules.get(path, ""))
        for sub in subs:
            own = dict(leaves(dict(project.subsidiaries[sub].variables))).get(path)
            row.cells[sub] = "" if own is None else scalar_text(own)
        rows.append(row)
    result = Grid(subs, rows, files)
    _overlay(result, changes)
    return result


def _overlay(result: Grid, changes: Iterable[DraftChange]) -> None:
    by_file = {f: s for s, f in result.files.items()}
    for change in changes:
        if change.kind != "value" or change.file not in by_file:
            continue
        row = result.row(change.target.removeprefix("variables."))
        if row is None:
            continue
        shown = change.text.strip('"')
        if by_file[change.file] == "":
            row.group = shown
        else:
            row.cells[by_file[change.file]] = shown


def _rel(source: Path, path: str) -> str:
    return Path(path).resolve().relative_to(source.resolve()).as_posix()


def used_variables(text: str) -> list[str]:
    """The variables an article's source uses, in order of first use."""
    seen: dict[str, None] = {}
    for match in VARIABLE.finditer(text):
        seen.setdefault(match.group(1), None)
    return list(seen)
