"""Review stage: proposed edits → new file texts → one `git apply`-able patch.

Markdown edits are offsets into a file's text; a variable's new value for one
subsidiary is an override in that subsidiary's YAML file, written into the
existing ``variables:`` mapping (the line of the key when the file has it, else
the missing keys under their deepest existing parent), comments kept.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable
from pathlib import Path

from policybook.review.propose import Edit

KEY_LINE = re.compile(r"^(?P<indent> *)(?P<key>[A-Za-z_][\w-]*|\"[^\"]*\"|'[^']*')\s*:(?P<rest>.*)$")
NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def apply_edits(text: str, edits: Iterable[Edit]) -> tuple[str, list[Edit]]:
    """``text`` with the edits made (last first); edits overlapping an earlier one are returned, not made."""
    made: list[Edit] = []
    skipped: list[Edit] = []
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        if made and edit.start < made[-1].end:
            skipped.append(edit)
        else:
            made.append(edit)
    for edit in reversed(made):
        text = text[: edit.start] + edit.text + text[edit.end :]
    return text, skipped


def set_value(yaml_text: str, dotted: str, value: str, old: object = None) -> str:
    """``yaml_text`` with ``variables.<dotted>`` set to ``value`` (a number stays a number)."""
    lines = yaml_text.split("\n")
    path = ["variables", *dotted.split(".")]
    parent_end, depth, indent = len(lines), 0, -1
    start = 0
    for depth, key in enumerate(path):
        found = _find_key(lines, key, start, parent_end, indent)
        if found is None:
            return "\n".join(_insert(lines, path[depth:], value, start, parent_end, indent, old))
        start, key_indent = found
        if depth == len(path) - 1:
            match = KEY_LINE.match(lines[start])
            assert match is not None
            comment = _comment(match.group("rest"))
            lines[start] = f"{match.group('indent')}{match.group('key')}: {_scalar(value, old)}{comment}"
            return "\n".join(lines)
        parent_end = _block_end(lines, start, key_indent)
        indent = key_indent
        start += 1
    return yaml_text


def _find_key(lines: list[str], key: str, start: int, end: int, parent_indent: int) -> tuple[int, int] | None:
    child_indent: int | None = None
    for n in range(start, end):
        match = KEY_LINE.match(lines[n])
        if not match or not lines[n].strip() or lines[n].lstrip().startswith("#"):
            continue
        indent = len(match.group("indent"))
        if indent <= parent_indent:
            return None
        child_indent = indent if child_indent is None else child_indent
        if indent == child_indent and match.group("key").strip("\"'") == key:
            return n, indent
    return None


def _block_end(lines: list[str], start: int, indent: int) -> int:
    for n in range(start + 1, len(lines)):
        line = lines[n]
        if line.strip() and not line.lstrip().startswith("#") and len(line) - len(line.lstrip()) <= indent:
            return n
    return len(lines)


def _insert(lines: list[str], keys: list[str], value: str, start: int, end: int, indent: int, old: object) -> list[str]:
    """Add the missing ``keys`` (nested) at the end of the parent block that lacks the first."""
    step = indent + 2 if indent >= 0 else 0
    new = [f"{' ' * (step + 2 * i)}{key}:" for i, key in enumerate(keys[:-1])]
    new.append(f"{' ' * (step + 2 * (len(keys) - 1))}{keys[-1]}: {_scalar(value, old)}")
    at = end
    while at > start and not lines[at - 1].strip():
        at -= 1
    return [*lines[:at], *new, *lines[at:]]


def _comment(rest: str) -> str:
    match = re.search(r"\s+#.*$", rest)
    return match.group(0) if match and rest.count('"') % 2 == 0 else ""


def _scalar(value: str, old: object) -> str:
    if NUMBER.match(value) and (old is None or isinstance(old, int | float)):
        return value
    return json.dumps(value, ensure_ascii=False)


def unified(files: dict[Path, tuple[str, str]], root: Path) -> str:
    """A git-style patch of ``path → (old text, new text)``; paths relative to ``root``."""
    out: list[str] = []
    for path in sorted(files):
        before, after = files[path]
        if before == after:
            continue
        name = path.resolve().relative_to(root.resolve()).as_posix()
        out.append(f"diff --git a/{name} b/{name}\n")
        diff = difflib.unified_diff(
            before.splitlines(keepends=True), after.splitlines(keepends=True), f"a/{name}", f"b/{name}", n=3
        )
        for line in diff:
            out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)
