"""Read stage: paths named in the source stay inside the project folder.

No absolute paths, no ``..`` escape, no symlink escape, no URLs: a source tree
from many hands must not make a build read files elsewhere on the machine.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from policybook import limits
from policybook.diagnostics import fail
from policybook.model import Loc

NAME_RE = re.compile(r"^\w[\w-]*$")  # letters (any script), digits, _ and -: no dots, slashes or spaces


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


def name_problem(name: str) -> str:
    """Why ``name`` cannot be used as a folder or file name ("" if it can)."""
    if not NAME_RE.match(name):
        return "is not a plain name (use letters, digits, - and _; no dots, slashes or spaces)"
    if len(name.encode("utf-8")) > limits.NAME_BYTES:
        return f"is too long for a file name (limit {limits.NAME_BYTES} bytes)"
    return ""


def inside(root: Path, path: Path, loc: Loc, what: str) -> Path:
    """``path`` (found by listing a folder) resolved, or a SourceError if it is a link leaving ``root``."""
    target = path.resolve()
    if not target.is_relative_to(root.resolve()):
        raise fail(loc, f"{what} is a link to a file outside the project folder", "path.escape", "copy the file in")
    return target


@lru_cache(maxsize=16)
def _resolved(root: Path) -> Path:
    """The project folder without symlinks (resolved once: a large handbook names hundreds of files)."""
    return root.resolve()


def find_source(arg: str | Path) -> Path:
    """The folder holding handbook.yaml, from a folder or file argument."""
    path = Path(arg)
    if path.is_file() and path.name == "handbook.yaml":
        return path.parent.resolve()
    if (path / "handbook" / "handbook.yaml").is_file():  # the project folder itself
        return (path / "handbook").resolve()
    if not (path / "handbook.yaml").is_file():
        raise fail(
            Loc(str(path)), "no handbook.yaml here", "source.not-found", "name the folder that holds handbook.yaml"
        )
    return path.resolve()
