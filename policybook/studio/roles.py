"""Studio: roles — the logged-in account and the one decorator every view carries."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import abort, current_app
from flask_login import current_user

from policybook.studio.schema import User

F = TypeVar("F", bound=Callable[..., Any])


class Account:
    """The logged-in user as Flask-Login sees it (a plain copy; no ORM object outlives its request)."""

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def __init__(self, user: User) -> None:
        self.id, self.username, self.name = user.id, user.username, user.name
        self.roles = user.role_set
        self.script = user.script

    def get_id(self) -> str:
        return str(self.id)

    def has(self, *roles: str) -> bool:
        return not roles or bool(self.roles & set(roles))


def requires(*roles: str) -> Callable[[F], F]:
    """The view needs a login and (if any are named) one of ``roles``; else 403. Every view carries it."""

    def wrap(view: F) -> F:
        @functools.wraps(view)
        def checked(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
            if not current_user.has(*roles):
                abort(403)
            return view(*args, **kwargs)

        checked.studio_roles = roles  # type: ignore[attr-defined]
        return checked  # type: ignore[return-value]

    return wrap


def public(view: F) -> F:
    view.studio_roles = None  # type: ignore[attr-defined]
    return view
