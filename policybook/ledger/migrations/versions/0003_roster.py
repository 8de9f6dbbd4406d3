"""Roster history (append-only employee versions) and the indexes the ledger needs at 100,000 employees.

Revision ID: 0003
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from policybook.ledger.migrations.append_only import protect, release

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

BACKFILL = (
    "INSERT INTO employee_versions (employee_id, valid_from, recorded_at, name, subsidiary, department, "
    "hire_date, email, phone, status, origin) SELECT id, hire_date, updated_at, name, subsidiary, department, "
    "hire_date, email, phone, status, 'before roster history' FROM employees"
)


def upgrade() -> None:
    op.create_table(
        "employee_versions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("employee_id", sa.String(64), nullable=False),
        sa.Column("valid_from", sa.Date, nullable=False),
        sa.Column("recorded_at", sa.DateTime, nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("subsidiary", sa.String(64), nullable=False),
        sa.Column("department", sa.String(200), nullable=False),
        sa.Column("hire_date", sa.Date, nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("phone", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("origin", sa.String(600), nullable=False),
    )
    op.create_index("ix_employee_versions_employee_id", "employee_versions", ["employee_id", "valid_from"])
    op.create_index("ix_assignments_release_id", "assignments", ["release_id"])
    op.create_index("ix_employees_subsidiary_status", "employees", ["subsidiary", "status"])
    op.execute(BACKFILL)
    protect("employee_versions_append_only", {"employee_versions": []})  # as acknowledgements are


def downgrade() -> None:
    op.drop_index("ix_employees_subsidiary_status", "employees")
    op.drop_index("ix_assignments_release_id", "assignments")
    op.drop_table("employee_versions")
    release("employee_versions_append_only")
