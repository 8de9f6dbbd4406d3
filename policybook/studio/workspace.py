"""Studio: the released source as the pages read it — checked once, again only after a file changed.

The same ``check`` the command runs (read → resolve → number); the result is kept
while no file of the source, forms or brand kits changed (``live.scan`` stamps, as
``watch`` polls them), so a page at the 782-page source does not re-read it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app

from policybook.build import Checked, check
from policybook.diagnostics import Diagnostics, SourceError
from policybook.live import Stamp, scan
from policybook.studio.handbook import Index, build_index


@dataclass
class Released:
    checked: Checked | None
    diagnostics: Diagnostics
    index: Index | None = None


@dataclass
class Workspace:
    source: Path
    lock: threading.Lock = field(default_factory=threading.Lock)
    stamps: dict[Path, Stamp] = field(default_factory=dict)
    cached: Released | None = None

    def folders(self) -> list[Path]:
        root = self.source.parent
        return [self.source, *(p for p in (root / "forms", root / "templates") if p.is_dir())]

    def stamp(self) -> str:
        """Names the released source's state (it changes when any of its files does)."""
        self.released()
        return str(hash(frozenset(self.stamps.items())))

    def released(self) -> Released:
        with self.lock:
            stamps = scan(self.folders())
            if self.cached is None or stamps != self.stamps:
                self.cached, self.stamps = _check(self.source), stamps
            return self.cached


def _check(source: Path) -> Released:
    diags = Diagnostics()
    try:
        checked = check(source, diags=diags, formats=[])
    except SourceError as exc:
        diags.extend(exc.diagnostics)
        return Released(None, diags)
    return Released(checked, diags, build_index(checked))


def workspace() -> Workspace:
    found: Workspace = current_app.extensions["studio_workspace"]
    return found
