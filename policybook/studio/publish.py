"""Studio: release — approved drafts applied to the released source, built, published, recorded, assigned.

The order keeps the released source buildable at every moment: the drafts'
changes and the new version (``version``, ``effective``, a ``revisions`` entry) are
written into a working copy first and checked; the outputs are built from it
(``build`` stages them and moves each into place atomically); only then is each
source file replaced (atomically), and committed with the people's names when the
source is a git repository. The release is then recorded in the ledger and
assigned exactly as ``policybook ack assign`` does (only subsidiaries whose
content changed are re-assigned).
"""

from __future__ import annotations

import datetime
import json
import os
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from policybook.build import DEFAULT_FORMATS, build, check
from policybook.diagnostics import Diagnostics, SourceError, fail
from policybook.ledger.assignments import Assigned, assign
from policybook.ledger.releases import built_pdfs, record_release
from policybook.ledger.schema import Release
from policybook.output import atomic_write
from policybook.procedure.gate import require
from policybook.studio import yamledit
from policybook.studio.drafting import Applied, WorkingCopy, apply
from policybook.studio.handbook import Index
from policybook.studio.schema import Draft, DraftChange

VERSION = r"[0-9A-Za-z][0-9A-Za-z._-]{0,30}"
DUE_DAYS = 30


@dataclass
class Released:
    release: Release
    assigned: Assigned
    files: list[str]  # source files changed, relative to the source folder
    commit: str  # "" when the source is not a git repository


def new_version_files(source: Path, applied: Applied, version: str, effective: str, summary: str) -> Applied:
    """The drafts' files plus handbook.yaml with the new version, date and revision entry."""
    text = applied.files.get("handbook.yaml") or (source / "handbook.yaml").read_text(encoding="utf-8")
    text = yamledit.set_value(text, ("version",), json.dumps(version))
    text = yamledit.set_value(text, ("effective",), effective)
    said = json.dumps(summary, ensure_ascii=False)
    entry = f"  - version: {json.dumps(version)}\n    date: {effective}\n    summary: {said}\n"
    if "\nrevisions:\n" in text:
        text = text.replace("\nrevisions:\n", "\nrevisions:\n" + entry, 1)
    else:
        text = text.rstrip("\n") + "\n\nrevisions:\n" + entry
    return Applied({**applied.files, "handbook.yaml": text}, applied.conflicts, applied.problems)


def prepare(
    source: Path, index: Index, drafts: Sequence[Draft], version: str, effective: datetime.date, summary: str
) -> Applied:
    changes: list[DraftChange] = [c for d in sorted(drafts, key=lambda d: d.id) for c in d.changes]
    applied = apply(source, index, changes)
    if applied.conflicts or applied.problems:
        raise fail(None, "the released source changed under an approved draft", "studio.conflict")
    return new_version_files(source, applied, version, effective.isoformat(), summary)


def publish(
    session: Session,
    source: Path,
    output: Path,
    folder: Path,
    applied: Applied,
    people: tuple[str, str],  # (publisher's name, approvers' and editors' names for the commit)
    formats: Sequence[str] = DEFAULT_FORMATS,
    today: datetime.date | None = None,
) -> Released:
    """Check and build the new version from a working copy, then update the source, record and assign."""
    copy = WorkingCopy(source, folder)
    result = copy.check(applied)
    if result.diagnostics.errors:
        raise SourceError(result.diagnostics)
    if result.checked is not None:  # procedure: required — the 民主程序 / 核備 first, as ack assign asks
        require(session, result.checked, list(result.checked.documents), Diagnostics())
    diags = Diagnostics()
    build(copy.source, output, [], list(formats), diags)
    for rel, text in applied.files.items():
        atomic_write(source / rel, text.encode("utf-8"))
    commit = _commit(source, sorted(applied.files), people)
    checked = check(source, [], Diagnostics(), formats=[])
    built = built_pdfs(checked, output, Diagnostics())
    stamp = datetime.datetime.now(datetime.UTC).replace(tzinfo=None, microsecond=0)
    release = record_release(session, checked, built, today or datetime.date.today(), stamp)
    assigned = assign(session, release, list(built), DUE_DAYS, stamp)
    return Released(release, assigned, sorted(applied.files), commit)


def _commit(source: Path, files: list[str], people: tuple[str, str]) -> str:
    """A git commit of the changed files, by the publisher, naming the editors and approvers ("" outside git)."""
    inside = _git(["rev-parse", "--is-inside-work-tree"], source)
    if inside.returncode != 0:
        return ""
    publisher, others = people
    paths = [str(source / f) for f in files]
    _git(["add", "--", *paths], source)
    env = {**os.environ, "GIT_AUTHOR_NAME": publisher, "GIT_COMMITTER_NAME": publisher}
    env.setdefault("GIT_AUTHOR_EMAIL", "studio@policybook.invalid")
    env.setdefault("GIT_COMMITTER_EMAIL", "studio@policybook.invalid")
    message = f"policybook studio: release\n\n{others}\n"
    done = subprocess.run(
        ["git", "commit", "-q", "-m", message, "--", *paths], cwd=source, env=env, capture_output=True, check=False
    )
    if done.returncode != 0:
        return ""
    return _git(["rev-parse", "HEAD"], source).stdout.decode().strip()


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
