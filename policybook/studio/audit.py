"""Studio: the append-only audit log — recorded by every action, shown and exported as CSV."""

from __future__ import annotations

import csv
import hashlib
import io

from flask import Blueprint, Response, current_app, render_template, request
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import Session

from policybook.studio import database
from policybook.studio.roles import requires
from policybook.studio.schema import AuditEntry
from policybook.studio.users import now

bp = Blueprint("audit", __name__, url_prefix="/audit")
NAV = [("audit.index", "审计", ("admin", "approver", "publisher", "clerk"))]
PAGE = 200
COLUMNS = ["id", "at", "at_local", "actor", "action", "target", "detail", "before_sha256", "after_sha256", "address"]


def sha256(text: str | bytes | None) -> str:
    if text is None:
        return ""
    data = text.encode("utf-8") if isinstance(text, str) else text
    return hashlib.sha256(data).hexdigest()


def record(
    action: str,
    target: str = "",
    detail: str = "",
    before: str | bytes | None = None,
    after: str | bytes | None = None,
    actor: str | None = None,
    db: Session | None = None,
) -> AuditEntry:
    """Append one entry for this request's user (or ``actor``: a login attempt, the command line)."""
    if actor is None:
        actor = current_user.username if current_user and current_user.is_authenticated else "-"
    entry = AuditEntry(
        at=now(),
        actor=actor,
        action=action,
        target=target[:500],
        detail=detail,
        before_sha256=sha256(before),
        after_sha256=sha256(after),
        address=(request.remote_addr or "")[:64] if request else "",
    )
    (db or database.session()).add(entry)
    return entry


def entries(db: Session, action: str = "", actor: str = "", limit: int | None = PAGE) -> list[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.id.desc())
    if action:
        query = query.where(AuditEntry.action == action)
    if actor:
        query = query.where(AuditEntry.actor == actor)
    if limit:
        query = query.limit(limit)
    return list(db.scalars(query))


@bp.get("/")
@requires("admin", "approver", "publisher", "clerk")
def index() -> str:
    action = request.args.get("action", "")[:32]
    actor = request.args.get("actor", "")[:64]
    found = entries(database.session(), action, actor)
    return render_template("audit/index.html", entries=found, action=action, actor=actor)


@bp.get("/audit.csv")
@requires("admin", "approver", "publisher", "clerk")
def export() -> Response:
    out = io.StringIO()
    from policybook.studio.app import local_time  # the app imports this module: resolved at call time

    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for entry in reversed(entries(database.session(), limit=None)):
        local = local_time(entry.at, current_app.extensions["studio_config"].timezone)
        writer.writerow([_cell(local if c == "at_local" else getattr(entry, c)) for c in COLUMNS])
    record("export", "audit.csv")
    body = "\ufeff" + out.getvalue()  # the BOM lets Excel read it as UTF-8
    return Response(body, mimetype="text/csv", headers={"Content-Disposition": "attachment; filename=audit.csv"})


def _cell(value: object) -> str:
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") and len(text) > 1 else text  # no formulas in Excel
