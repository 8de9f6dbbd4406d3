"""Read stage: YAML with the line of every key and item kept.

PyYAML forgets where values came from and silently keeps the last of two
duplicate keys; this loader records lines (``LocDict.lines``) and reports
duplicates, so every later error can name ``file:line``.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import Any

import yaml

from policybook import limits
from policybook.diagnostics import Loc, SourceError, fail
from policybook.limits import too_big
from policybook.source.textfile import check_controls, read_text


class LocDict(dict[str, Any]):
    """A mapping that knows its own line and the line of each key."""

    path: str = ""
    line: int = 0
    lines: dict[str, int]

    def loc(self, key: str | None = None) -> Loc:
        if key is not None and key in self.lines:
            return Loc(self.path, self.lines[key])
        return Loc(self.path, self.line)


class LocList(list[Any]):
    """A sequence that knows its own line and the line of each item."""

    path: str = ""
    line: int = 0
    lines: list[int]

    def loc(self, index: int | None = None) -> Loc:
        if index is not None and index < len(self.lines):
            return Loc(self.path, self.lines[index])
        return Loc(self.path, self.line)


# libyaml's C parser when PyYAML has it (several times faster); the constructors stay ours
BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _make_loader(path: str, line_offset: int) -> type[yaml.SafeLoader]:
    class Loader(BaseLoader):  # type: ignore[valid-type, misc]
        pass

    def mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> LocDict:
        result = LocDict()
        result.path, result.line, result.lines = path, node.start_mark.line + 1 + line_offset, {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1 + line_offset
            if not isinstance(key, str | int | float | bool):
                raise fail(Loc(path, line), "a mapping key must be a plain word", "yaml.key")
            key = str(key)
            if key in result:
                raise fail(
                    Loc(path, line),
                    f"duplicate key '{key}' (first at line {result.lines[key]})",
                    "yaml.duplicate-key",
                    "remove one of them",
                )
            result[key] = loader.construct_object(value_node, deep=True)
            result.lines[key] = line
        return result

    def sequence(loader: yaml.SafeLoader, node: yaml.SequenceNode) -> LocList:
        result = LocList(loader.construct_object(child, deep=True) for child in node.value)
        result.path, result.line = path, node.start_mark.line + 1 + line_offset
        result.lines = [child.start_mark.line + 1 + line_offset for child in node.value]
        return result

    Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, mapping)
    Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, sequence)
    return Loader


def parse_yaml(text: str, path: str, line_offset: int = 0) -> Any:
    """Parse YAML text; a syntax error becomes a ``file:line`` diagnostic."""
    try:
        _check_size(text, path, line_offset)
        return yaml.load(text, Loader=_make_loader(path, line_offset))  # noqa: S506 (SafeLoader subclass)
    except SourceError:
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line + 1 + line_offset) if mark else 0
        wide = _full_width_colon(text, mark.line if mark else len(text))
        if wide is not None:
            number, key = wide
            raise fail(
                Loc(path, number + 1 + line_offset),
                f"'{key}' is followed by a full-width colon '：'",
                "yaml.full-width-colon",
                f"YAML needs an ASCII colon and a space: '{key}: …'",
            ) from None
        problem = exc.problem or exc.context or "invalid YAML"
        hint = "YAML indents with spaces, never tabs" if "\t" in _line(text, mark) else ""
        raise fail(Loc(path, line), f"invalid YAML: {problem}", "yaml.syntax", hint) from None
    except yaml.YAMLError as exc:
        raise fail(Loc(path), f"invalid YAML: {exc}", "yaml.syntax") from None


def _check_size(text: str, path: str, line_offset: int) -> None:
    """Nesting depth and size with aliases expanded, from the event stream (no recursion,
    nothing built): a "billion laughs" file is refused before it is constructed."""
    open_: list[list[Any]] = [[0, None]]  # per open collection: values so far, its anchor
    anchors: dict[str, int] = {}
    for event in yaml.parse(text, Loader=BaseLoader):
        line = (event.start_mark.line if event.start_mark else 0) + 1 + line_offset
        if isinstance(event, yaml.CollectionStartEvent):
            open_.append([0, event.anchor])
            if len(open_) > limits.YAML_DEPTH + 1:
                raise too_big(Loc(path, line), "YAML nested too deeply", limits.YAML_DEPTH, "yaml-depth")
            continue
        if isinstance(event, yaml.CollectionEndEvent):
            count, anchor = open_.pop()
            size = count + 1
        elif isinstance(event, yaml.AliasEvent):
            size, anchor = anchors.get(event.anchor or "", 1), None
        elif isinstance(event, yaml.ScalarEvent):
            size, anchor = 1, event.anchor
            check_controls(event.value, path, line - 1)  # "\0" and "\x1b" escapes in quoted strings
        else:
            continue
        if anchor:
            anchors[anchor] = size
        open_[-1][0] += size
        if open_[-1][0] > limits.YAML_NODES:
            hint = "an alias (*name) repeats everything under its anchor (&name)"
            message = "YAML too large with its aliases expanded"
            raise too_big(Loc(path, line), message, limits.YAML_NODES, "yaml-size", hint)


WIDE_KEY_RE = re.compile(r"^\s*(?:-\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*：")


def _full_width_colon(text: str, last: int) -> tuple[int, str] | None:
    """The last line up to ``last`` (0-based) whose key ends in '：' (an IME's colon), if any."""
    lines = text.split("\n")[: last + 1]
    for number in range(len(lines) - 1, -1, -1):
        match = WIDE_KEY_RE.match(lines[number])
        if match:
            return number, match.group(1)
    return None


def _line(text: str, mark: Any) -> str:
    if mark is None:
        return ""
    lines = text.split("\n")
    return lines[mark.line] if mark.line < len(lines) else ""


def load_yaml(path: Path) -> Any:
    return parse_yaml(read_text(path), str(path))


def scalar_text(value: Any) -> str:
    """A YAML scalar as the text an author meant (dates as ISO, 3.0 as '3.0')."""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)
