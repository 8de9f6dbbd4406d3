"""Procedure records: consultations (民主程序), 核備 filings, 公示, online-acknowledgement links.

Every table is append-only in the database, like acknowledgements: triggers refuse
UPDATE and DELETE, and (SQLite) an INSERT whose key is taken already — ``INSERT OR
REPLACE`` would otherwise delete the old row without firing a delete trigger, and an
UPSERT's update is refused by the update trigger. PostgreSQL also refuses TRUNCATE
(the guards 0002 gave acknowledgements).

Revision ID: 0005
Revises: 0004 (assigned "0001"; chained on main's head after merging main, so the tree has one head)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from policybook.ledger.migrations.append_only import protect, release

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# table → its unique keys besides id (what INSERT OR REPLACE could replace)
KEYS = {
    "consultations": ["version"],
    "consultation_opinions": [],
    "consultation_meetings": [],
    "consultation_closes": ["consultation_id"],
    "filings": [],
    "publications": [],
    "publication_evidence": [],
    "ack_links": ["token_sha256"],
    "ack_link_revocations": ["link_id"],
}


def _who() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("recorded_at", sa.DateTime, nullable=False),
        sa.Column("recorded_by", sa.String(200), nullable=False),
    ]


def upgrade() -> None:
    _consultations()
    op.create_table(
        "filings",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("version", sa.String(64), nullable=False, index=True),
        sa.Column("subsidiary", sa.String(64), nullable=False),
        sa.Column("filed_on", sa.Date, nullable=False),
        sa.Column("authority", sa.String(200), nullable=False),
        sa.Column("reference", sa.String(200), nullable=False),
        sa.Column("evidence_sha256", sa.String(64), nullable=False),
        sa.Column("evidence_name", sa.String(500), nullable=False),
        *_who(),
    )
    _publications()
    _links()
    protect("procedure_append_only", KEYS)


def _consultations() -> None:
    op.create_table(
        "consultations",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("version", sa.String(64), nullable=False, unique=True),
        sa.Column("subsidiaries", sa.String(500), nullable=False),
        sa.Column("opened_on", sa.Date, nullable=False),
        sa.Column("until", sa.Date, nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("notice", sa.Text, nullable=False),
        sa.Column("drafts", sa.Text, nullable=False),
        *_who(),
    )
    op.create_table(
        "consultation_opinions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("consultation_id", sa.Integer, sa.ForeignKey("consultations.id"), nullable=False, index=True),
        sa.Column("received_on", sa.Date, nullable=False),
        sa.Column("author", sa.String(200), nullable=False),
        sa.Column("article", sa.String(200), nullable=False),
        sa.Column("opinion", sa.Text, nullable=False),
        sa.Column("answer", sa.Text, nullable=False),
        *_who(),
        sa.Column("origin", sa.String(600), nullable=False),
    )
    op.create_table(
        "consultation_meetings",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("consultation_id", sa.Integer, sa.ForeignKey("consultations.id"), nullable=False, index=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("held_on", sa.Date, nullable=False),
        sa.Column("attendees", sa.Integer, nullable=False),
        sa.Column("resolution", sa.Text, nullable=False),
        sa.Column("minutes_sha256", sa.String(64), nullable=False),
        sa.Column("minutes_name", sa.String(500), nullable=False),
        *_who(),
    )
    op.create_table(
        "consultation_closes",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("consultation_id", sa.Integer, sa.ForeignKey("consultations.id"), nullable=False, unique=True),
        sa.Column("closed_on", sa.Date, nullable=False),
        sa.Column("outcome", sa.Text, nullable=False),
        *_who(),
    )


def _publications() -> None:
    op.create_table(
        "publications",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("version", sa.String(64), nullable=False, index=True),
        sa.Column("subsidiaries", sa.String(500), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("published_on", sa.Date, nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        *_who(),
    )
    op.create_table(
        "publication_evidence",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("publication_id", sa.Integer, sa.ForeignKey("publications.id"), nullable=False, index=True),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("name", sa.String(500), nullable=False),
    )


def _links() -> None:
    op.create_table(
        "ack_links",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("token_sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("assignment_id", sa.Integer, sa.ForeignKey("assignments.id"), nullable=False, index=True),
        sa.Column("issued_at", sa.DateTime, nullable=False),
        sa.Column("expires_at", sa.DateTime, nullable=False),
        sa.Column("issued_by", sa.String(200), nullable=False),
    )
    op.create_table(
        "ack_link_revocations",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("link_id", sa.Integer, sa.ForeignKey("ack_links.id"), nullable=False, unique=True),
        sa.Column("revoked_at", sa.DateTime, nullable=False),
        sa.Column("revoked_by", sa.String(200), nullable=False),
        sa.Column("reason", sa.String(500), nullable=False),
    )


def downgrade() -> None:
    for table in reversed(KEYS):
        op.drop_table(table)
    release("procedure_append_only")
