"""Procedure stage: personal links for online 签收 — issued, checked, revoked, and the click recorded.

A link carries a random token (192 bits), its expiry, and an HMAC-SHA256 over both with a
key only the issuer and the studio hold: a forged or altered link is refused before the
database is asked. The ledger keeps only the token's SHA-256, so a copy of the database
does not hold working links. A link works while it is unexpired, not revoked, and its
assignment is unsigned — once per version; issuing new links for an employee revokes the
old ones. Confirming records a ``click`` acknowledgement through the ledger's own
``acks.record``, its evidence a JSON receipt (time, IP, browser, the SHA-256 of the version
shown) kept in the evidence folder like any scan.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import json
import os
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from policybook.diagnostics import Diagnostics, fail
from policybook.ledger.acks import Signature, record
from policybook.ledger.assignments import EmployeeRow, effective_acks, latest_assignments, standing_rows
from policybook.ledger.evidence import EvidenceStore, named
from policybook.ledger.schema import Acknowledgement, Assignment, Employee, Release, ReleaseFile
from policybook.procedure.schema import AckLink, AckLinkRevocation

KEY_ENV = "POLICYBOOK_LINK_KEY"
KEY_FILE = Path(".policybook") / "link.key"  # beside the source folder; never in a release's copy
STATEMENT = "我已阅读并理解《{title}》（版本 {version}）"


def load_key(project: Path, create: bool = False) -> bytes:
    """The signing key: ``$POLICYBOOK_LINK_KEY``, else ``<project>/.policybook/link.key`` (made if asked)."""
    env = os.environ.get(KEY_ENV, "").strip()
    if env:
        return env.encode("utf-8")
    path = project / KEY_FILE
    if not path.is_file():
        if not create:
            raise fail(None, f"no link key: {path}", "links.key", f"issue links first (ack links), or set {KEY_ENV}")
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(secrets.token_hex(32).encode("ascii"))
    return path.read_bytes().strip()


def _sign(key: bytes, body: str) -> str:
    mac = hmac.new(key, body.encode("ascii"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode("ascii").rstrip("=")


def make_token(key: bytes, expires: datetime.datetime) -> tuple[str, str]:
    """(the token for the link, the SHA-256 the ledger keeps)."""
    raw = secrets.token_urlsafe(24)
    body = f"{raw}.{int(expires.replace(tzinfo=datetime.UTC).timestamp())}"
    return f"{body}.{_sign(key, body)}", hashlib.sha256(raw.encode("ascii")).hexdigest()


def verified(key: bytes, token: str, now: datetime.datetime) -> str:
    """The SHA-256 of the token's random part if the signature holds and it has not expired, else ''."""
    parts = token.split(".")
    if len(parts) != 3 or len(token) > 200 or not parts[1].isdigit():
        return ""
    body = f"{parts[0]}.{parts[1]}"
    if not hmac.compare_digest(_sign(key, body), parts[2]):
        return ""
    if int(parts[1]) <= int(now.replace(tzinfo=datetime.UTC).timestamp()):
        return ""
    return hashlib.sha256(parts[0].encode("ascii")).hexdigest()


@dataclass
class Issued:
    employee: EmployeeRow
    version: str
    url: str
    expires: datetime.datetime


def issue(
    session: Session, sub_id: str, base_url: str, days: int, key: bytes, now: datetime.datetime, by: str
) -> list[Issued]:
    """One new link per employee of ``sub_id`` with an unsigned assignment (older links revoked)."""
    expires = now + datetime.timedelta(days=days)
    base = base_url.rstrip("/") + "/ack/"
    out = []
    for standing in standing_rows(session, now.date(), sub_id):  # plain rows, read in bulk
        if standing.status == "signed":
            continue
        assignment = standing.assignment
        _revoke(session, assignment.id, now, by, "superseded by a new link")
        token, digest = make_token(key, expires)
        session.add(
            AckLink(token_sha256=digest, assignment_id=assignment.id, issued_at=now, expires_at=expires, issued_by=by)
        )
        out.append(Issued(standing.employee, assignment.release.version, base + token, expires))
    session.flush()
    return out


def revoke_employee(session: Session, employee_id: str, now: datetime.datetime, by: str, reason: str) -> int:
    ids = session.scalars(select(Assignment.id).where(Assignment.employee_id == employee_id)).all()
    if not ids and session.get(Employee, employee_id) is None:
        raise fail(None, f"unknown employee '{employee_id}'", "links.employee")
    return sum(_revoke(session, a, now, by, reason) for a in ids)


def _revoke(session: Session, assignment_id: int, now: datetime.datetime, by: str, reason: str) -> int:
    revoked = select(AckLinkRevocation.link_id)
    live = session.scalars(
        select(AckLink).where(
            AckLink.assignment_id == assignment_id, AckLink.id.not_in(revoked), AckLink.expires_at > now
        )
    ).all()
    for link in live:
        session.add(AckLinkRevocation(link_id=link.id, revoked_at=now, revoked_by=by, reason=reason))
    session.flush()
    return len(live)


@dataclass
class Opened:
    """What a link opens: the state, and (when it is a real link) whose and which version."""

    state: str  # ok | signed | revoked | expired | superseded | invalid
    link: AckLink | None = None
    employee: Employee | None = None
    release: Release | None = None
    recorded: ReleaseFile | None = None
    ack: Acknowledgement | None = None


def open_link(session: Session, key: bytes, token: str, now: datetime.datetime) -> Opened:
    digest = verified(key, token, now)
    if not digest:
        return Opened("invalid")
    link = session.scalar(select(AckLink).where(AckLink.token_sha256 == digest))
    if link is None:
        return Opened("invalid")
    assignment = session.get(Assignment, link.assignment_id)
    assert assignment is not None
    found = Opened(
        "ok",
        link,
        assignment.employee,
        assignment.release,
        session.get(ReleaseFile, (assignment.release_id, assignment.subsidiary)),
        effective_acks(session, [assignment.id]).get(assignment.id),
    )
    if found.ack is not None:
        found.state = "signed"
    elif session.scalar(select(AckLinkRevocation.id).where(AckLinkRevocation.link_id == link.id)) is not None:
        found.state = "revoked"
    elif link.expires_at <= now:
        found.state = "expired"
    elif latest_assignments(session, [assignment.employee_id])[assignment.employee_id].id != assignment.id:
        found.state = "superseded"  # a newer version is assigned: this one is no longer the one to sign
    return found


@dataclass
class Click:
    """What the employee saw and did, for the receipt."""

    statement: str
    ip: str
    browser: str
    site_sha256: str
    quiz: list[dict[str, str]]


def confirm(
    session: Session, opened: Opened, click: Click, store: EvidenceStore, now: datetime.datetime
) -> Acknowledgement:
    """Record the click (in the caller's transaction) with its JSON receipt as evidence."""
    assert opened.state == "ok" and opened.link and opened.employee and opened.release and opened.recorded
    receipt = {
        "statement": click.statement,
        "employee": opened.employee.id,
        "name": opened.employee.name,
        "subsidiary": opened.recorded.subsidiary,
        "version": opened.release.version,
        "version_sha256": opened.recorded.sha256,
        "site_sha256": click.site_sha256,
        "confirmed_at": now.isoformat(sep=" ") + " UTC",
        "ip": click.ip,
        "browser": click.browser[:500],
        "link": str(opened.link.id),
        "quiz": json.dumps(click.quiz, ensure_ascii=False),
    }
    with tempfile.TemporaryDirectory(prefix="policybook-receipt-") as tmp:
        path = Path(tmp) / f"online-ack-{opened.employee.id}-v{opened.release.version}.json"
        path.write_text(json.dumps(receipt, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        sig = Signature(
            opened.employee.id,
            opened.release.version,
            "click",
            datetime.date.today(),  # the day where the studio runs, as the command line counts days
            f"online link #{opened.link.id}",
            named(path),
            None,
            f"ack link #{opened.link.id} from {click.ip}"[:600],
        )
        result = record(session, [sig], store, now, Diagnostics())
    return (result.added or result.corrected)[0]


def receipt_of(store: EvidenceStore, ack: Acknowledgement) -> dict[str, str]:
    """The stored JSON receipt of an online acknowledgement (checked against its SHA-256)."""
    path = store.path_of(ack.evidence_sha256, Path(ack.evidence_name).suffix)
    if not ack.evidence_sha256 or not path.is_file():
        return {}
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != ack.evidence_sha256:
        return {}
    loaded = json.loads(data)
    return {str(k): str(v) for k, v in loaded.items()}
