"""The first ledger: roster, releases, assignments, append-only acknowledgements.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# Static DDL (no value from anywhere is ever put into it): the database itself refuses
# to change or delete an acknowledgement, whatever client writes to it.
SQLITE_TRIGGERS = [
    f"CREATE TRIGGER acknowledgements_no_{what.lower()} BEFORE {what} ON acknowledgements "
    "BEGIN SELECT RAISE(ABORT, 'acknowledgements are append-only'); END"
    for what in ("UPDATE", "DELETE")
]
POSTGRES_TRIGGERS = [
    "CREATE FUNCTION acknowledgements_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN RAISE EXCEPTION 'acknowledgements are append-only'; END $$",
    "CREATE TRIGGER acknowledgements_append_only BEFORE UPDATE OR DELETE ON acknowledgements "
    "FOR EACH ROW EXECUTE FUNCTION acknowledgements_append_only()",
]


def upgrade() -> None:
    op.create_table(
        "employees",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("subsidiary", sa.String(64), nullable=False, index=True),
        sa.Column("department", sa.String(200), nullable=False),
        sa.Column("hire_date", sa.Date, nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("phone", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "releases",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("version", sa.String(64), nullable=False, unique=True),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("effective", sa.String(32), nullable=False),
        sa.Column("recorded_at", sa.DateTime, nullable=False),
        sa.Column("recorded_on", sa.Date, nullable=False),
        sa.Column("source_revision", sa.String(80), nullable=False),
        sa.Column("snapshot", sa.LargeBinary, nullable=False),
        sa.Column("snapshot_sha256", sa.String(64), nullable=False),
    )
    op.create_table(
        "release_files",
        sa.Column("release_id", sa.Integer, sa.ForeignKey("releases.id"), primary_key=True),
        sa.Column("subsidiary", sa.String(64), primary_key=True),
        sa.Column("subsidiary_code", sa.String(64), nullable=False),
        sa.Column("path", sa.String(500), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("changed", sa.Boolean, nullable=False),
        sa.Column("change_rows", sa.Integer, nullable=False),
    )
    op.create_table(
        "assignments",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("employee_id", sa.String(64), sa.ForeignKey("employees.id"), nullable=False, index=True),
        sa.Column("release_id", sa.Integer, sa.ForeignKey("releases.id"), nullable=False),
        sa.Column("subsidiary", sa.String(64), nullable=False),
        sa.Column("due", sa.Date, nullable=False),
        sa.Column("reason", sa.String(32), nullable=False),
        sa.Column("assigned_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("employee_id", "release_id"),
    )
    op.create_table(
        "acknowledgements",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("assignment_id", sa.Integer, sa.ForeignKey("assignments.id"), nullable=False, index=True),
        sa.Column("supersedes_id", sa.Integer, sa.ForeignKey("acknowledgements.id"), unique=True),
        sa.Column("method", sa.String(16), nullable=False),
        sa.Column("signed_on", sa.Date, nullable=False),
        sa.Column("recorded_at", sa.DateTime, nullable=False),
        sa.Column("recorded_by", sa.String(200), nullable=False),
        sa.Column("evidence_sha256", sa.String(64), nullable=False),
        sa.Column("evidence_name", sa.String(500), nullable=False),
        sa.Column("origin", sa.String(600), nullable=False),
    )
    dialect = op.get_bind().dialect.name
    for statement in {"sqlite": SQLITE_TRIGGERS, "postgresql": POSTGRES_TRIGGERS}.get(dialect, []):
        op.execute(statement)


def downgrade() -> None:
    for table in ("acknowledgements", "assignments", "release_files", "releases", "employees"):
        op.drop_table(table)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION acknowledgements_append_only()")
