"""Studio: its tables in the ledger database (same ``Base`` as the ledger; migration 0004).

- ``studio_users``          accounts: argon2 hash, roles, active flag, preferred script
- ``studio_drafts``         a draft: changes on top of the released source, and where it is in review
- ``studio_draft_changes``  one change of a draft (an article's text, a value, an added/moved/deleted article),
                            with the hash of the released text it was made on (conflicts are found by it)
- ``studio_comments``       a reviewer's or editor's comment on a draft
- ``studio_audit``          append-only: who did what when, with before/after hashes (refused
                            updates and deletes here and, by triggers, in the database — as acknowledgements)
"""

from __future__ import annotations

import datetime
from typing import Any

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text, event
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from policybook.ledger.schema import Base

ROLES = ("editor", "approver", "publisher", "clerk", "viewer", "admin")
DRAFT_STATES = ("editing", "submitted", "returned", "approved", "released")


class User(Base):
    __tablename__ = "studio_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))  # shown on pages and in git commits
    password_hash: Mapped[str] = mapped_column(String(200))
    roles: Mapped[str] = mapped_column(String(200))  # comma-separated, from ROLES
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    script: Mapped[str] = mapped_column(String(16), default="zh-Hans")  # zh-Hans | zh-Hant
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime)

    @property
    def role_set(self) -> frozenset[str]:
        return frozenset(r for r in self.roles.split(",") if r)


class Draft(Base):
    __tablename__ = "studio_drafts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    title: Mapped[str] = mapped_column(String(200))
    editor_id: Mapped[int] = mapped_column(ForeignKey("studio_users.id"), index=True)
    state: Mapped[str] = mapped_column(String(16), default="editing")
    summary: Mapped[str] = mapped_column(Text, default="")
    approver_id: Mapped[int | None] = mapped_column(ForeignKey("studio_users.id"))
    release_version: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime.datetime] = mapped_column(DateTime)
    editor: Mapped[User] = relationship(foreign_keys=[editor_id])
    approver: Mapped[User | None] = relationship(foreign_keys=[approver_id])
    changes: Mapped[list[DraftChange]] = relationship(
        back_populates="draft", order_by="DraftChange.id", cascade="all, delete-orphan"
    )
    comments: Mapped[list[Comment]] = relationship(back_populates="draft", order_by="Comment.id")


class DraftChange(Base):
    __tablename__ = "studio_draft_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("studio_drafts.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # article | value | add | move | delete
    file: Mapped[str] = mapped_column(String(500))  # relative to the source folder
    target: Mapped[str] = mapped_column(String(200))  # an article's key, or a variable's dotted name
    text: Mapped[str] = mapped_column(Text, default="")  # the new text (article) or value (YAML scalar)
    base_sha256: Mapped[str] = mapped_column(String(64), default="")  # of the released text it was made on
    revision: Mapped[int] = mapped_column(Integer, default=1)  # raised on every save: a stale form is a conflict
    updated_by: Mapped[str] = mapped_column(String(64), default="")
    updated_at: Mapped[datetime.datetime] = mapped_column(DateTime)
    draft: Mapped[Draft] = relationship(back_populates="changes")


class Comment(Base):
    __tablename__ = "studio_comments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("studio_drafts.id"), index=True)
    author: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime)
    draft: Mapped[Draft] = relationship(back_populates="comments")


class AuditEntry(Base):
    __tablename__ = "studio_audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime.datetime] = mapped_column(DateTime, index=True)
    actor: Mapped[str] = mapped_column(String(64))  # a username, or "-" before login
    action: Mapped[str] = mapped_column(String(32), index=True)  # login, save, submit, approve, release, ...
    target: Mapped[str] = mapped_column(String(500), default="")
    detail: Mapped[str] = mapped_column(Text, default="")
    before_sha256: Mapped[str] = mapped_column(String(64), default="")
    after_sha256: Mapped[str] = mapped_column(String(64), default="")
    address: Mapped[str] = mapped_column(String(64), default="")


@event.listens_for(Session, "before_flush")
def _append_only(session: Session, _context: Any, _instances: Any) -> None:
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, AuditEntry) and (obj in session.deleted or session.is_modified(obj)):
            raise RuntimeError("the audit log is append-only")
