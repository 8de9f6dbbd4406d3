"""Write stage: every Typst compiler is made here, with fonts scanned once per process.

Scanning the system fonts costs about 0.15 s; a handbook and its four forms
would pay it five times. A ``typst.Fonts`` handed to ``typst.Compiler`` is
shared instead. A compile also starts Typst's thread pool, after which forking
the process can deadlock the child: :data:`compiled` tells the build not to.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import typst


@lru_cache(maxsize=8)
def fonts(dirs: tuple[str, ...] = ()) -> typst.Fonts:
    """The system fonts plus those in ``dirs`` (a brand kit's own fonts/ folder)."""
    return typst.Fonts(font_paths=list(dirs))


def families(dirs: tuple[str, ...] = ()) -> frozenset[str]:
    return frozenset(fonts(dirs).families())


compiled = False  # has this process compiled with Typst (and so started its threads)?


def compiler(main: str, root: str, dirs: tuple[str, ...] = (), **options: Any) -> typst.Compiler:
    """A compiler for ``main`` that can read only ``root``."""
    global compiled
    compiled = True
    return typst.Compiler(main, root=root, font_paths=fonts(dirs), **options)
