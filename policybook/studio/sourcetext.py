"""Studio: an article's lines in its chapter file — found, cut out and replaced (the draft's edits).

A chapter file is Markdown: ``#`` a chapter, ``##`` a section, ``###`` an article; an
article runs from its heading to the line before the next heading. Lines inside a
fenced block are not headings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

HEADING = re.compile(r"^(#{1,3})(?:[ \t]+(.*?))?[ \t]*$")
LABEL = re.compile(r"\{#([A-Za-z0-9_.:-]+)\}\s*$")
FENCE = re.compile(r"^(```|~~~)")


@dataclass(frozen=True)
class Span:
    start: int  # 1-based line of the heading
    end: int  # 1-based last line (inclusive)
    level: int  # 1 chapter, 2 section, 3 article
    heading: str  # the heading's text, label included
    label: str

    def text(self, lines: list[str]) -> str:
        return "".join(lines[self.start - 1 : self.end])


def spans(text: str) -> list[Span]:
    lines = text.splitlines(keepends=True)
    heads: list[tuple[int, int, str]] = []
    fenced = False
    for number, line in enumerate(lines, 1):
        if FENCE.match(line):
            fenced = not fenced
        found = None if fenced else HEADING.match(line.rstrip("\n"))
        if found:
            heads.append((number, len(found.group(1)), found.group(2) or ""))
    out = []
    for index, (start, level, heading) in enumerate(heads):
        end = heads[index + 1][0] - 1 if index + 1 < len(heads) else len(lines)
        label = LABEL.search(heading)
        out.append(Span(start, end, level, heading, label.group(1) if label else ""))
    return out


def article_at(text: str, line: int) -> Span | None:
    """The article whose heading is on ``line``."""
    return next((s for s in spans(text) if s.start == line and s.level == 3), None)


def article_labelled(text: str, label: str) -> Span | None:
    return next((s for s in spans(text) if s.level == 3 and s.label == label), None)


def replace(text: str, span: Span, new: str) -> str:
    """``text`` with the span's lines replaced by ``new`` (which keeps a blank line before what follows)."""
    lines = text.splitlines(keepends=True)
    body = new.replace("\r\n", "\n").rstrip("\n") + "\n"
    following = lines[span.end :]
    if following and body.strip():
        body += "\n"
    return "".join(lines[: span.start - 1]) + body + "".join(following)


def split_heading(article: str) -> tuple[str, str]:
    """An article's source as (heading line, body)."""
    first, _, rest = article.partition("\n")
    return first, rest.strip("\n")
