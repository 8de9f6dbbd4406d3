"""Acknowledgements stay append-only against every way SQL can rewrite a row.

SQLite's ``INSERT OR REPLACE`` (and ``REPLACE INTO``) deletes the row in the way
and inserts a new one: delete triggers do not fire for that deletion, so the
first migration's triggers let a signed acknowledgement be rewritten. A BEFORE
INSERT trigger refuses an insert whose id, or whose superseded row, is taken —
before any conflict resolution runs. ``INSERT … ON CONFLICT DO UPDATE`` (UPSERT)
runs the UPDATE triggers and is refused by them and by this one. PostgreSQL has
no REPLACE, and an UPSERT's update fires its row trigger; ``TRUNCATE`` fires no
row trigger, so a statement trigger refuses it.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# static DDL: nothing from anywhere is put into it
SQLITE_UP = [
    "CREATE TRIGGER acknowledgements_no_replace BEFORE INSERT ON acknowledgements "
    "WHEN EXISTS (SELECT 1 FROM acknowledgements WHERE id = NEW.id "
    "OR (NEW.supersedes_id IS NOT NULL AND supersedes_id = NEW.supersedes_id)) "
    "BEGIN SELECT RAISE(ABORT, 'acknowledgements are append-only'); END"
]
SQLITE_DOWN = ["DROP TRIGGER acknowledgements_no_replace"]
POSTGRES_UP = [
    "CREATE TRIGGER acknowledgements_no_truncate BEFORE TRUNCATE ON acknowledgements "
    "FOR EACH STATEMENT EXECUTE FUNCTION acknowledgements_append_only()"
]
POSTGRES_DOWN = ["DROP TRIGGER acknowledgements_no_truncate ON acknowledgements"]


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in {"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}.get(dialect, []):
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in {"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}.get(dialect, []):
        op.execute(statement)
