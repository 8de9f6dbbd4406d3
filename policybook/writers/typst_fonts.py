"""Write stage: the fonts every Typst compile sees, scanned once per process.

Scanning the system fonts costs about 0.15 s; a handbook and its four forms
would pay it five times. A ``typst.Fonts`` handed to ``typst.Compiler`` is
shared instead.
"""

from __future__ import annotations

from functools import lru_cache

import typst


@lru_cache(maxsize=8)
def fonts(dirs: tuple[str, ...] = ()) -> typst.Fonts:
    """The system fonts plus those in ``dirs`` (a brand kit's own fonts/ folder)."""
    return typst.Fonts(font_paths=list(dirs))


def families(dirs: tuple[str, ...] = ()) -> frozenset[str]:
    return frozenset(fonts(dirs).families())
