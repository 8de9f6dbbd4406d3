"""Studio: the ledger database for one app — one session per request, committed when the request ends."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, g
from sqlalchemy.orm import Session

from policybook.ledger.db import Ledger
from policybook.studio import schema  # noqa: F401 - the studio's tables, known to the ORM


def init_app(app: Flask, url: str) -> None:
    app.extensions["studio_ledger"] = Ledger(url)
    app.after_request(_commit)
    app.teardown_request(_end)


def ledger() -> Ledger:
    found: Ledger = current_app.extensions["studio_ledger"]
    return found


def session() -> Session:
    """This request's session (one transaction; committed at the end unless the request failed)."""
    if "studio_session" not in g:
        g.studio_session = Session(ledger().engine, expire_on_commit=False)
        g.studio_session.begin()
    found: Session = g.studio_session
    return found


def _commit(response: Any) -> Any:
    """Committed before the response leaves: a page never says "saved" for a write that failed."""
    db: Session | None = g.get("studio_session")
    if db is not None:
        db.commit()
        db.begin()
    return response


def _end(exc: BaseException | None) -> None:
    db: Session | None = g.pop("studio_session", None)
    if db is not None:
        db.rollback()  # anything after the commit (nothing, unless the request failed)
        db.close()
