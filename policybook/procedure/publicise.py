"""Procedure stage: 公示 — a recorded release made known on one channel, on one day, with its evidence.

A notice-board photo, the intranet page's address and a saved copy, a training sign-in
sheet, quiz results: each file is hashed and kept in the evidence folder (by content, like
the scans of signed 签收单). Records are append-only; a correction is a new record.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from policybook.diagnostics import Diagnostics, SourceError, fail
from policybook.ledger.evidence import EvidenceStore
from policybook.ledger.schema import Release
from policybook.procedure.consult import Who
from policybook.procedure.schema import CHANNELS, Publication, PublicationEvidence


@dataclass
class Notice:
    version: str
    channel: str
    published_on: datetime.date
    subsidiaries: list[str] = field(default_factory=list)  # empty: every subsidiary of the release
    note: str = ""
    evidence: list[Path] = field(default_factory=list)


def record(session: Session, notice: Notice, store: EvidenceStore, who: Who) -> Publication:
    """Check everything (release, channel, subsidiaries, files), then record, in the caller's transaction."""
    release = session.scalar(select(Release).where(Release.version == notice.version))
    if release is None:
        raise fail(
            None,
            f"version {notice.version} is not a recorded release",
            "publicise.version",
            "record it first: policybook ack assign",
        )
    if notice.channel not in CHANNELS:
        raise fail(None, f"unknown channel '{notice.channel}'", "publicise.channel", f"one of: {', '.join(CHANNELS)}")
    recorded = [f.subsidiary for f in release.files]
    unknown = [s for s in notice.subsidiaries if s not in recorded]
    if unknown:
        raise fail(
            None,
            f"version {notice.version} has no {', '.join(unknown)}",
            "publicise.subsidiary",
            f"recorded: {', '.join(recorded)}",
        )
    diags = Diagnostics()
    digests = []
    for path in notice.evidence:
        try:
            digests.append((path, store.digest(path)))
        except SourceError as exc:
            diags.extend(exc.diagnostics)
    diags.raise_if_errors()
    row = Publication(
        version=notice.version,
        subsidiaries=",".join(notice.subsidiaries or recorded),
        channel=notice.channel,
        published_on=notice.published_on,
        note=notice.note,
        recorded_at=who.now,
        recorded_by=who.by,
    )
    session.add(row)
    session.flush()
    for path, digest in digests:
        store.put(path, digest)
        session.add(PublicationEvidence(publication_id=row.id, sha256=digest, name=path.name))
    session.flush()
    return row


def publications(session: Session, version: str, sub_id: str, until: datetime.date | None = None) -> list[Publication]:
    """The 公示 records of ``version`` that cover ``sub_id`` (up to ``until``), oldest first."""
    query = select(Publication).where(Publication.version == version).order_by(Publication.published_on, Publication.id)
    found = [p for p in session.scalars(query) if sub_id in p.subsidiary_ids]
    return [p for p in found if until is None or p.published_on <= until]
