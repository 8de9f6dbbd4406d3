"""Studio: accounts — created, listed and disabled by the command line (IT) and the admin page alike.

Passwords are hashed with Argon2id (argon2-cffi's defaults: memory-hard, salted); a
hash made with older parameters is re-made at the next successful login.
"""

from __future__ import annotations

import datetime
import functools
import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from policybook.diagnostics import fail
from policybook.studio.schema import ROLES, User

HASHER = PasswordHasher()
USERNAME = re.compile(r"^[A-Za-z0-9_.-]{2,64}$")
MIN_PASSWORD = 10
ROLE_NAMES = {
    "editor": "编辑",
    "approver": "审批人",
    "publisher": "发布人",
    "clerk": "签收管理员",
    "viewer": "查阅者",
    "admin": "系统管理员",
}


def now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None, microsecond=0)


def parse_roles(value: str | list[str]) -> list[str]:
    roles = value if isinstance(value, list) else [r.strip() for r in value.split(",") if r.strip()]
    unknown = [r for r in roles if r not in ROLES]
    if unknown or not roles:
        raise fail(
            None, f"unknown role(s): {', '.join(unknown) or '(none)'}", "studio.role", f"roles: {', '.join(ROLES)}"
        )
    return [r for r in ROLES if r in roles]


def add_user(db: Session, username: str, name: str, password: str, roles: str | list[str]) -> User:
    if not USERNAME.match(username):
        raise fail(None, f"not a user name: '{username}'", "studio.user", "2–64 letters, digits, . _ -")
    if len(password) < MIN_PASSWORD:
        raise fail(None, "the password is too short", "studio.password", f"at least {MIN_PASSWORD} characters")
    if find(db, username) is not None:
        raise fail(None, f"user '{username}' exists already", "studio.user")
    user = User(
        username=username,
        name=name or username,
        password_hash=HASHER.hash(password),
        roles=",".join(parse_roles(roles)),
        active=True,
        script="zh-Hans",
        created_at=now(),
    )
    db.add(user)
    db.flush()
    return user


def find(db: Session, username: str) -> User | None:
    return db.scalar(select(User).where(User.username == username))


def all_users(db: Session) -> list[User]:
    return list(db.scalars(select(User).order_by(User.username)))


def count(db: Session) -> int:
    return len(all_users(db))


def existing(db: Session, username: str) -> User:
    user = find(db, username)
    if user is None:
        raise fail(None, f"no user '{username}'", "studio.user", "policybook studio users list")
    return user


def disable(db: Session, username: str, active: bool = False) -> User:
    """Disabled (or, ``active``, enabled again): a disabled user cannot log in; their records stay."""
    user = existing(db, username)
    user.active = active
    return user


def set_roles(db: Session, username: str, roles: str | list[str]) -> User:
    user = existing(db, username)
    user.roles = ",".join(parse_roles(roles))
    return user


def authenticate(db: Session, username: str, password: str) -> User | None:
    """The active user with this password, else None (the same work is done for an unknown name)."""
    user = find(db, username)
    try:
        if user is None:
            HASHER.verify(_dummy(), password)
            return None
        HASHER.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if HASHER.check_needs_rehash(user.password_hash):
        user.password_hash = HASHER.hash(password)
    return user if user.active else None


@functools.cache
def _dummy() -> str:
    """A hash to verify against for an unknown user name (the same work as for a known one)."""
    return HASHER.hash("policybook-no-such-user")
