"""Read stage: paths named in the source stay inside the project folder.

No absolute paths, no ``..`` escape, no symlink escape, no URLs: a source tree
from many hands must not make a build read files elsewhere on the machine.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from policybook.diagnostics import fail
from policybook.model import Loc


def confined(root: Path, base: Path, name: str, loc: Loc, what: str) -> Path:
    """``base / name`` resolved, or a SourceError if it leaves ``root``."""
    if "://" in name or name.startswith("//"):
        raise fail(loc, f"{what} '{name}' is a URL; nothing is fetched", "path.url", "copy the file into the project")
    if Path(name).is_absolute() or name.startswith("~"):
        raise fail(
            loc, f"{what} '{name}' is an absolute path", "path.absolute", "name it relative to the project folder"
        )
    target = (base / name).resolve()
    if not target.is_relative_to(_resolved(root)):
        raise fail(
            loc, f"{what} '{name}' points outside the project folder", "path.escape", "keep files inside the project"
        )
    return target


@lru_cache(maxsize=16)
def _resolved(root: Path) -> Path:
    """The project folder without symlinks (resolved once: a large handbook names hundreds of files)."""
    return root.resolve()
