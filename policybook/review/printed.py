"""Review stage: an article's Markdown as it prints, every character traced back to the source.

The article's lines are rendered the way the handbook prints them — headings
without ``###`` and attributes, variables as their value in the subsidiary,
references as their numbers, lists without their markers, table rows as cells
joined by tabs — and each printed character remembers where it came from: a
literal character of the file (``lit``), the ``{{ … }}`` that printed it
(``var``), or nothing of the source at all (``gen``: numbers, reference texts).
A paragraph's end is traced to the blank line after it, so joining two
paragraphs removes the blank line, and a paragraph added after one starts there.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from policybook.conversion import unmarked

VAR = re.compile(r"\{\{(.*?)\}\}", re.S)
REF = re.compile(r"\[([^\]]*)\]\(#([^)\s]+)\)")
LINK = re.compile(r"\[([^\]]*)\]\(([^)\s#][^)\s]*)\)")
ATTRS_END = re.compile(r"\s*\{[#.a-z][^{}]*\}\s*$")
ATTR_LINE = re.compile(r"^\s*\{[#.a-z][^{}]*\}\s*$")
WHEN = re.compile(r"""when="([^"]*)"|when='([^']*)'""")
LIST_MARK = re.compile(r"^(\s*)(\d+[.)]|[-*+])\s+")
TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+|$)")
MARKUP = ("**", "__", "-{", "}-", "*", "`")


@dataclass(frozen=True)
class Trace:
    kind: str  # lit · var · gen
    start: int = -1  # offsets in the file's text
    end: int = -1
    name: str = ""  # a variable's expression


GEN = Trace("gen")


@dataclass
class Printed:
    text: str
    traces: list[Trace]
    source: str = ""  # the file's text the traces point into


def article_lines(text: str, heading_line: int) -> tuple[int, int]:
    """Offsets of an article in a file: from its ``###`` line to the next heading (or the end)."""
    starts = [0]
    for line in text.split("\n"):
        starts.append(starts[-1] + len(line) + 1)
    begin = starts[heading_line - 1]
    end = len(text)
    for number in range(heading_line, len(starts) - 1):
        if HEADING.match(text[starts[number] : starts[number + 1]]):
            end = starts[number]
            break
    return begin, end


class Renderer:
    """Renders source spans of one file for one subsidiary."""

    def __init__(
        self,
        text: str,
        value: Callable[[str], str],
        refs: dict[str, str],
        condition: Callable[[str], bool] = lambda expr: True,
    ) -> None:
        self.text, self.value, self.refs, self.condition = text, value, refs, condition
        self.out: list[str] = []
        self.traces: list[Trace] = []

    def article(self, begin: int, end: int) -> Printed:
        lines = _lines(self.text, begin, end)
        pending_end: int | None = None  # offset of the newline closing the last printed paragraph
        skipping = False  # inside a block whose condition is false in this subsidiary
        for n, (start, stop) in enumerate(lines):
            line = self.text[start:stop]
            if not line.strip():
                skipping = False
                if pending_end is not None:
                    self.emit("\n", Trace("lit", pending_end, stop + 1 if stop < end else stop))
                    pending_end = None
                continue
            if ATTR_LINE.match(line):
                skipping = not self.shown(line)
                continue
            if skipping or TABLE_RULE.match(line) and "-" in line:
                continue
            if pending_end is not None and (line.lstrip().startswith("|") or LIST_MARK.match(line)):
                self.emit("\n", Trace("lit", pending_end, pending_end + 1))
                pending_end = None
            printed = len(self.out)
            self.line(start, stop, n == 0)
            pending_end = stop if len(self.out) > printed or n else None  # an untitled heading prints nothing
        if pending_end is not None:
            self.emit("\n", Trace("lit", pending_end, min(pending_end + 1, end)))
        return Printed("".join(self.out), self.traces, self.text)

    def shown(self, attrs: str) -> bool:
        """Whether the block under an attribute line ``{when="…"}`` prints in this subsidiary."""
        found = WHEN.search(attrs)
        return not found or self.condition(found.group(1) if found.group(1) is not None else found.group(2))

    def line(self, start: int, stop: int, heading: bool) -> None:
        line = self.text[start:stop]
        if heading:
            mark = HEADING.match(line)
            start += mark.end() if mark else 0
            attrs = ATTRS_END.search(self.text[start:stop])
            stop = start + attrs.start() if attrs else stop
        elif line.lstrip().startswith("|"):
            self.row(start, stop)
            return
        elif line.lstrip().startswith(">"):
            start += line.index(">") + 1
        else:
            mark = LIST_MARK.match(line)
            if mark:
                start += mark.end()
            attrs = ATTRS_END.search(self.text[start:stop])
            stop = start + attrs.start() if attrs else stop
        self.inline(start, stop)

    def row(self, start: int, stop: int) -> None:
        line = self.text[start:stop]
        pipes = [i for i, c in enumerate(line) if c == "|" and (i == 0 or line[i - 1] != "\\")]
        bounds = ([-1] if not line.lstrip().startswith("|") else []) + pipes
        if line.rstrip() and not line.rstrip().endswith("|"):
            bounds.append(len(line))
        for n, (a, b) in enumerate(zip(bounds, bounds[1:], strict=False)):
            cell = line[a + 1 : b]
            lead, trail = len(cell) - len(cell.lstrip()), len(cell.rstrip())
            if n:
                self.emit("\t", Trace("lit", start + a, start + a + 1))
            self.inline(start + a + 1 + lead, start + a + 1 + trail)

    def inline(self, start: int, stop: int) -> None:
        i = start
        while i < stop:
            i = self.inline_at(i, stop)

    def inline_at(self, i: int, stop: int) -> int:
        text = self.text
        if text.startswith("{{", i):
            found = VAR.match(text, i, stop)
            if found:
                expr = found.group(1).strip()
                trace = Trace("var", found.start(), found.end(), expr)
                for char in self.value(expr):
                    self.emit(char, trace)
                return found.end()
        if text[i] == "[":
            return self.bracket(i, stop)
        if text[i] == "\\" and i + 1 < stop:
            self.emit(text[i + 1], Trace("lit", i, i + 2))
            return i + 2
        for markup in MARKUP:
            if text.startswith(markup, i):
                return i + len(markup)
        self.emit(text[i], Trace("lit", i, i + 1))
        return i + 1

    def bracket(self, i: int, stop: int) -> int:
        ref = REF.match(self.text, i, stop)
        if ref:
            if ref.group(1):
                self.inline(ref.start(1), ref.end(1))
            else:
                for char in self.refs.get(ref.group(2), ref.group(2)):
                    self.emit(char, GEN)
            return ref.end()
        link = LINK.match(self.text, i, stop)
        if link:
            self.inline(link.start(1), link.end(1))
            if link.group(1) != link.group(2):
                for char in f"（{link.group(2)}）":
                    self.emit(char, GEN)
            return link.end()
        self.emit("[", Trace("lit", i, i + 1))
        return i + 1

    def emit(self, char: str, trace: Trace) -> None:
        self.out.append(char)
        self.traces.append(trace)


def _lines(text: str, begin: int, end: int) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    at = begin
    while at < end:
        stop = text.find("\n", at, end)
        stop = end if stop < 0 else stop
        out.append((at, stop))
        at = stop + 1
    return out


def judge(context: dict[str, Any]) -> Callable[[str], bool]:
    """A condition's truth in a subsidiary (an expression the sandbox refuses counts as true)."""
    from policybook.transforms.variables import environment

    env = environment()

    def condition(expr: str) -> bool:
        try:
            return bool(env.compile_expression(expr)(**context))
        except Exception:
            return True

    return condition


def evaluator(context: dict[str, Any]) -> Callable[[str], str]:
    """An expression's printed value in a subsidiary (as the resolve stage renders it)."""
    from policybook.transforms.variables import environment

    env = environment()

    def value(expr: str) -> str:
        try:
            return unmarked(str(env.from_string("{{ " + expr + " }}").render(context)))
        except Exception:  # an expression the sandbox refuses prints nothing traceable
            return ""

    return value
