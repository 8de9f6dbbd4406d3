"""Write stage: every Typst compiler is made here, with fonts scanned once per process.

Scanning the system fonts costs about 0.15 s; a handbook and its four forms
would pay it five times. A ``typst.Fonts`` handed to ``typst.Compiler`` is
shared instead, and a build scans the system fonts on a thread (:func:`early`)
while it reads the source. A compile also starts Typst's thread pool, after which forking
the process can deadlock the child: :data:`compiled` tells the build not to.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

import typst

_SCANNING = threading.Lock()  # one scan at a time: a scan already under way is waited for, not repeated
# and none under way when the process forks (a worker parsing chapters while the early scan runs):
# the fork waits for it, so no child starts with Typst's scanning thread cut off halfway
os.register_at_fork(before=_SCANNING.acquire, after_in_parent=_SCANNING.release, after_in_child=_SCANNING.release)


def fonts(dirs: tuple[str, ...] = ()) -> typst.Fonts:
    """The system fonts plus those in ``dirs`` (a brand kit's own fonts/ folder)."""
    with _SCANNING:
        return _scanned(dirs)


@lru_cache(maxsize=8)
def _scanned(dirs: tuple[str, ...]) -> typst.Fonts:
    return typst.Fonts(font_paths=list(dirs))


@contextmanager
def early() -> Iterator[None]:
    """The system fonts scanned on a thread while the build reads the source (Typst lets go of
    Python's lock while it scans, so the two share no core): the writers' checks find them done."""
    thread = threading.Thread(target=_scan_quietly, name="policybook-fonts", daemon=True)
    thread.start()
    try:
        yield
    finally:
        thread.join()


def _scan_quietly() -> None:
    """A scan that fails here is not reported here: the writers' own call scans again and says why."""
    with contextlib.suppress(Exception):
        fonts()


def families(dirs: tuple[str, ...] = ()) -> frozenset[str]:
    return frozenset(fonts(dirs).families())


compiled = False  # has this process compiled with Typst (and so started its threads)?


def compiler(main: str, root: str, dirs: tuple[str, ...] = (), **options: Any) -> typst.Compiler:
    """A compiler for ``main`` that can read only ``root``."""
    global compiled
    compiled = True
    return typst.Compiler(main, root=root, font_paths=fonts(dirs), **options)
