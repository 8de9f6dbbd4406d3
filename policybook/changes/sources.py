"""Compare stage: OLD and NEW named as source folders or git revisions."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path

from policybook.source.git import export_revision
from policybook.source.paths import find_source


def open_source(spec: str, source: str, stack: ExitStack) -> Path:
    """The folder holding handbook.yaml for ``spec`` (a folder, or a git revision)."""
    path = Path(spec)
    if path.is_dir():
        return find_source(path)
    return export_revision(spec, Path(source), stack)
