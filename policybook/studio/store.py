"""Studio: drafts in the database — opened, changed (with conflict detection), checked, moved through review.

The domain side of the draft pages (no HTTP here): each function takes the session
and returns what the page shows; the audit entry is the caller's.
"""

from __future__ import annotations

import atexit
import hashlib
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from policybook.diagnostics import Diagnostic, Diagnostics
from policybook.model import Loc
from policybook.studio.drafting import Applied, Result, WorkingCopy, apply, released_article, sha256
from policybook.studio.handbook import Index
from policybook.studio.schema import Draft, DraftChange
from policybook.studio.users import now

OPEN = ("editing", "returned")


class Stale(Exception):
    """A save made on an older version of the change than the one stored: both are shown, nothing written."""

    def __init__(self, change: DraftChange) -> None:
        super().__init__(change.target)
        self.change = change


@dataclass
class Checked:
    result: Result
    at_field: list[Diagnostic] = field(default_factory=list)  # located in what the user just changed
    elsewhere: list[Diagnostic] = field(default_factory=list)
    first_line: int = 0  # the touched lines' first (an article's heading): errors are shown relative to it

    @property
    def ok(self) -> bool:
        return not self.result.diagnostics.errors and not self.result.applied.conflicts


def new_draft(db: Session, editor_id: int, title: str) -> Draft:
    draft = Draft(title=title[:200] or "未命名草稿", editor_id=editor_id, state="editing", summary="")
    draft.created_at = draft.updated_at = now()
    draft.release_version = ""
    db.add(draft)
    db.flush()
    return draft


def open_draft_of(db: Session, editor_id: int) -> Draft | None:
    query = select(Draft).where(Draft.editor_id == editor_id, Draft.state.in_(OPEN)).order_by(Draft.id.desc())
    return db.scalars(query).first()


def drafts(db: Session, states: tuple[str, ...] = ()) -> list[Draft]:
    query = select(Draft).order_by(Draft.id.desc())
    if states:
        query = query.where(Draft.state.in_(states))
    return list(db.scalars(query))


def change_for(draft: Draft, kind: str, target: str) -> DraftChange | None:
    return next((c for c in draft.changes if c.kind == kind and c.target == target), None)


def others_editing(db: Session, draft: Draft, target: str) -> list[DraftChange]:
    """The same article changed in another open draft (shown to both editors)."""
    query = (
        select(DraftChange)
        .join(Draft)
        .where(DraftChange.target == target, Draft.id != draft.id, Draft.state.in_((*OPEN, "submitted", "approved")))
    )
    return list(db.scalars(query))


def stage_change(
    draft: Draft, kind: str, file: str, target: str, text: str, base: str, revision: int | None, who: str
) -> DraftChange:
    """The change as it would be saved (not yet kept): a stale ``revision`` raises :class:`Stale`."""
    change = change_for(draft, kind, target) if kind in ("article", "value", "delete", "move") else None
    if change is None:
        change = DraftChange(kind=kind, file=file, target=target, base_sha256=sha256(base) if base else "", revision=0)
        draft.changes.append(change)
    elif revision is not None and revision != change.revision:
        raise Stale(change)
    change.text, change.updated_by, change.updated_at = text, who, now()
    if base:  # made on the released text shown now: a save after another release re-bases the change
        change.base_sha256 = sha256(base)
    change.revision += 1
    draft.updated_at = now()
    return change


def check_draft(draft: Draft, released: Path, index: Index, folder: Path, touched: tuple[str, range] | None) -> Checked:
    """The draft applied to its working copy and checked; diagnostics split by whether they fall in ``touched``
    (a file and a line range of it) — those are shown at the field."""
    applied = apply(released, index, draft.changes)
    copy = WorkingCopy(released, folder)
    result = copy.check(applied)
    out = Checked(result, first_line=touched[1].start if touched and touched[1] else 0)
    shown = Diagnostics()
    for diag in result.diagnostics.items:
        rel = copy.relative(diag.loc.path) if diag.loc else ""
        hit = touched is not None and rel == touched[0] and (not touched[1] or diag.loc.line in touched[1])  # type: ignore[union-attr]
        diag = _relocated(diag, rel, copy.source)
        shown.add(diag)
        (out.at_field if hit else out.elsewhere).append(diag)
    result.diagnostics = shown
    return out


def _relocated(diag: Diagnostic, rel: str, copy: Path) -> Diagnostic:
    """The diagnostic as the source's own path says it (the working copy's folder is nobody's business)."""
    prefix = str(copy) + "/"
    loc = Loc(rel, diag.loc.line) if diag.loc and rel else diag.loc
    return Diagnostic(diag.severity, loc, diag.message.replace(prefix, ""), diag.code, diag.hint.replace(prefix, ""))


def sync_draft(draft: Draft, released: Path, index: Index, folder: Path, stamp: str) -> str:
    """The draft's working copy brought up to date (no check: the preview's build checks what it builds);
    returns its :func:`state`."""
    applied = apply(released, index, draft.changes)
    WorkingCopy(released, folder).sync(applied)
    return state(applied, stamp)


def state(applied: Applied, released: str) -> str:
    """A name for what a working copy holds: the released source's ``released`` stamp and the draft's files."""
    digest = hashlib.sha256(released.encode())
    for rel, text in sorted(applied.files.items()):
        digest.update(f"\0{rel}\0{text}".encode())
    return digest.hexdigest()


def working_folder(root: Path, draft_id: int) -> Path:
    folder = root / f"draft-{draft_id}"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def scratch_root() -> Path:
    """Where the drafts' working copies live while the studio runs (removed when it stops)."""
    root = Path(tempfile.mkdtemp(prefix="policybook-studio-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    return root


__all__ = ["Applied", "released_article"]
