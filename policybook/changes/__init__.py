"""Compare stage: two resolved versions of a handbook → a change table (修订对照表).

sources.py  OLD/NEW as folders or git revisions → project folders
match.py    articles matched by label, then by content similarity
table.py    matched pairs → rows with highlighted words, renumbering summary
"""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path

from policybook.build import check
from policybook.changes.sources import open_source
from policybook.changes.table import change_table
from policybook.diagnostics import Diagnostics
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
        old = check(open_source(old_spec, source, stack), [], diags)
        new = check(open_source(new_spec, source, stack), subs, diags)
        tables = [change_table(old.documents[s], doc) for s, doc in new.documents.items() if s in old.documents]
        with staged(out) as staging:
            for table in tables:
                folder = staging.folder / table.subsidiary.id
                folder.mkdir(parents=True, exist_ok=True)
                for name in formats or list(writers):
                    writers[name](table, folder)
    return staging.written
