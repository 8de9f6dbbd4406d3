"""Import stage: policybook markup inside imported text, kept apart from the text around it.

Passes that insert markup (a reference, a variable) wrap it in private-use
sentinels; the writer escapes everything outside them as plain text and drops
the sentinels, so a ``*``, ``{{`` or ``{#label}`` in the source can never become markup.
"""

from __future__ import annotations

import re

OPEN, CLOSE = "\ue000", "\ue001"
PIECES_RE = re.compile(f"{OPEN}(.*?){CLOSE}", re.S)
MD_SPECIAL_RE = re.compile(r"([\\`*_\[\]<>|~])")
LINE_START_RE = re.compile(r"^(\s*)([#>+\-=]|\d+[.)])")


def markup(text: str) -> str:
    return OPEN + text + CLOSE


def unmarked(text: str) -> str:
    """The text outside any markup (what later passes may still rewrite)."""
    return PIECES_RE.sub("", text)


def outside(text: str, func: object) -> str:
    """Apply ``func`` (str → str) to the plain stretches of ``text`` only."""
    parts = PIECES_RE.split(text)
    return "".join(markup(p) if i % 2 else func(p) for i, p in enumerate(parts))  # type: ignore[operator]


def to_markdown(text: str) -> str:
    """Imported text as policybook Markdown: plain stretches escaped, markup kept as is."""
    parts = PIECES_RE.split(text)
    out = "".join(part if i % 2 else _escape(part) for i, part in enumerate(parts))
    return LINE_START_RE.sub(_escape_line_start, out)


def to_heading(text: str) -> str:
    """A heading's title: the Markdown reader keeps it as written (no ``\\*`` escapes to undo),
    so only braces are made literal; markup is kept as is."""
    parts = PIECES_RE.split(text)
    return "".join(part if i % 2 else literal_braces(part) for i, part in enumerate(parts))


def _escape(text: str) -> str:
    return literal_braces(MD_SPECIAL_RE.sub(r"\\\1", text))


def literal_braces(text: str) -> str:
    """Every ``{`` as the template expression ``{{ '{' }}``: the template language prints it as
    written (an imported ``{{ 7*7 }}`` stays that, not 49), and no ``{…}`` of the source can be
    read as an attribute block — not a line ``{: .class}``, not a trailing ``{#label}`` of a
    heading or an item — since the Markdown reader keeps ``{{ … }}`` whole."""
    return text.replace("{", "{{ '{' }}")


def _escape_line_start(match: re.Match[str]) -> str:
    """A paragraph must not open with what Markdown reads as a heading, quote or list marker."""
    lead, mark = match.group(1), match.group(2)
    return lead + mark[:-1] + "\\" + mark[-1]
