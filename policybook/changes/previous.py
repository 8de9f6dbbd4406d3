"""Compare stage: the release this version revises (``previous:`` in handbook.yaml).

``previous:`` names the last published release's source: a folder inside the
project (relative to handbook.yaml's folder: a copy of that release's source)
or a git revision (a tag such as ``v3.1``). Every subsidiary in both releases
gets its change table (the same as ``policybook diff`` prints), which writers
that show it — the HTML site's 本版修订 marks — read from ``Document.changes``.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING

from policybook.changes.table import change_table
from policybook.diagnostics import Diagnostics, SourceError
from policybook.model import Loc
from policybook.source.git import export_revision
from policybook.source.paths import confined, find_source
from policybook.source.project import Project

if TYPE_CHECKING:
    from policybook.build import Checked

HINT = "name a folder inside the project holding that release's source, or a git tag or commit"


def attach_changes(checked: Checked, diags: Diagnostics, check: Callable[[Path], Checked]) -> None:
    """Give every document its change table against ``previous:``; problems go to ``diags``.

    ``check`` reads and resolves the previous release's folder: the caller's own
    check stage, handed in so that this stage does not import the build.
    """
    project = checked.project
    loc = project.previous_loc or Loc(str(project.source / "handbook.yaml"))
    with ExitStack() as stack:
        try:
            folder = previous_source(project, stack)
            old = check(folder)
        except SourceError as exc:
            first = (exc.diagnostics.errors or exc.diagnostics.items)[:1]
            reason = first[0].message if first else "it cannot be read"
            diags.error(loc, f"previous release '{project.previous}': {reason}", "previous.invalid", HINT)
            return
    for sub_id, doc in checked.documents.items():
        if sub_id in old.documents:
            doc.changes = change_table(old.documents[sub_id], doc)


def previous_source(project: Project, stack: ExitStack) -> Path:
    """The folder holding the previous release's handbook.yaml (a git revision is exported)."""
    spec = project.previous
    loc = project.previous_loc or Loc(str(project.source / "handbook.yaml"))
    if (project.source / spec).is_dir() or "/" in spec:
        return find_source(confined(project.root, project.source, spec, loc, "previous"))
    return export_revision(spec, project.source, stack)
