"""Studio: one value of a YAML file changed in place — comments, order and the other lines kept.

The source's YAML is block-style mappings (``key: value``, two-space indents); a value
is set by rewriting its line, or by inserting the missing keys under the deepest one
that exists. :func:`scalar` writes a value the way YAML reads it back as the same
type (``"08:30"`` stays a string, ``80`` a number).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import yaml

KEY_LINE = re.compile(
    r"^(?P<indent> *)(?P<key>[A-Za-z0-9_-]+):(?P<rest>[ \t]*(?P<value>[^#\n]*?)[ \t]*(?P<comment>#.*)?)$"
)
NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def scalar(value: str) -> str:
    """The YAML text for what the user typed: a number stays a number, anything else a quoted string."""
    value = value.strip()
    if NUMBER.match(value) or value in ("true", "false"):
        return value
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


def keys(text: str) -> Iterator[tuple[tuple[str, ...], int, re.Match[str]]]:
    """Every key of a block-style YAML text: its path of keys, its 1-based line, and the line's match."""
    stack: list[tuple[int, str]] = []
    for number, line in enumerate(text.splitlines(), 1):
        match = KEY_LINE.match(line)
        if not match:
            continue
        indent = len(match.group("indent"))
        while stack and stack[-1][0] >= indent:
            stack.pop()
        stack.append((indent, match.group("key")))
        yield tuple(k for _, k in stack), number, match


def paths(text: str) -> dict[tuple[str, ...], int]:
    """Every key's path → its 1-based line."""
    return {path: number for path, number, _ in keys(text)}


def set_value(text: str, path: tuple[str, ...], value: str) -> str:
    """``text`` with the scalar at ``path`` set to ``value`` (YAML text, see :func:`scalar`)."""
    lines = text.splitlines(keepends=True)
    known = paths(text)
    if path in known:
        number = known[path]
        match = KEY_LINE.match(lines[number - 1].rstrip("\n"))
        assert match is not None
        comment = f"  {match.group('comment')}" if match.group("comment") else ""
        lines[number - 1] = f"{match.group('indent')}{match.group('key')}: {value}{comment}\n"
        return "".join(lines)
    depth = max((n for n in range(len(path), 0, -1) if path[:n] in known), default=0)
    after = known[path[:depth]] if depth else len(lines)
    indent = _indent_below(lines, after, depth)
    added = [f"{' ' * (indent + 2 * i)}{key}:\n" for i, key in enumerate(path[depth:-1])]
    added.append(f"{' ' * (indent + 2 * (len(path) - depth - 1))}{path[-1]}: {value}\n")
    if after and not lines[after - 1].endswith("\n"):
        lines[after - 1] += "\n"
    return "".join(lines[:after] + added + lines[after:])


def _indent_below(lines: list[str], after: int, depth: int) -> int:
    if depth == 0:
        return 0
    parent = lines[after - 1]
    base = len(parent) - len(parent.lstrip(" "))
    return base + 2


def valid(text: str) -> bool:
    try:
        yaml.safe_load(text)
    except yaml.YAMLError:
        return False
    return True
