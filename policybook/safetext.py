"""Text from files and databases, made safe to print on a terminal.

A name, department or path comes from a source the user may not control (a roster
exported from another system, a file name on a share). Printed as it is, an escape
sequence in it can recolour, clear or retitle the terminal, hide the rest of the
line or, on some terminals, answer back as typed input; a bidirectional override
makes the line read differently from what it holds. :func:`printable` shows every
such character as a visible escape (``\\x1b``, ``\\u202e``) instead, so nothing is
hidden and nothing is interpreted. Ordinary text, CJK included, is unchanged.
"""

from __future__ import annotations

import re

# C0 controls but tab, DEL, C1 controls, bidi embeddings/overrides/isolates, line and paragraph
# separators, and lone surrogates (which no terminal encoding can write)
_UNSAFE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]")


def _shown(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` with every control, escape and direction-changing character shown as an escape."""
    return _UNSAFE.sub(_shown, text)
