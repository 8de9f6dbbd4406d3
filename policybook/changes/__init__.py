"""Compare stage: two resolved versions of a handbook → a change table (修订对照表).

sources.py  OLD/NEW as folders or git revisions → project folders
match.py    articles matched by label, then by content similarity
table.py    matched pairs → rows with highlighted words, renumbering summary
"""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path

from policybook.build import Checked, check
from policybook.changes.sources import open_source
from policybook.changes.table import change_table
from policybook.diagnostics import Diagnostic, Diagnostics, SourceError
from policybook.model import Loc
from policybook.output import staged
from policybook.writers import require_known
from policybook.writers.changes import available

__all__ = ["change_table", "write_changes"]


def write_changes(
    old_spec: str,
    new_spec: str,
    source: str,
    subs: list[str],
    formats: list[str],
    out: Path,
    diags: Diagnostics,
) -> list[Path]:
    """Compare OLD with NEW for each subsidiary and write the change tables."""
    writers = available()
    require_known(formats, list(writers), diags)
    with ExitStack() as stack:
        old = _checked(old_spec, source, [], stack, diags, warn=False)
        new = _checked(new_spec, source, subs, stack, diags, warn=True)
        tables = [change_table(old.documents[s], doc) for s, doc in new.documents.items() if s in old.documents]
        with staged(out) as staging:
            for table in tables:
                folder = staging.folder / table.subsidiary.id
                folder.mkdir(parents=True, exist_ok=True)
                for name in formats or list(writers):
                    writers[name](table, folder)
    return staging.written


def _checked(spec: str, source: str, subs: list[str], stack: ExitStack, diags: Diagnostics, warn: bool) -> Checked:
    """``spec`` checked into its own diagnostics, then reported once under the names a user
    knows: a git revision's files as ``REV:handbook/…`` (not its temporary export). The old
    version's warnings are history, not something to fix now: only its errors are told."""
    folder = open_source(spec, source, stack)
    own = Diagnostics()
    exported = not Path(spec).is_dir()
    root = folder.parents[len(Path(source).parts) - 1] if exported and Path(source).parts else folder
    try:
        checked = check(folder, subs, own)
    except SourceError as exc:
        own.extend(exc.diagnostics)
        checked = None
    for diag in own.items:
        if warn or diag.severity == "error":
            diags.add(_named(diag, root, spec) if exported else diag)
    if checked is None:
        raise SourceError(diags)
    return checked


def _named(diag: Diagnostic, root: Path, spec: str) -> Diagnostic:
    """``diag`` with a path inside ``root`` (a revision's export) written ``spec:relative/path``."""
    if diag.loc is None or not Path(diag.loc.path).is_relative_to(root):
        return diag
    where = Loc(f"{spec}:{Path(diag.loc.path).relative_to(root).as_posix()}", diag.loc.line)
    return replace(diag, loc=where)
