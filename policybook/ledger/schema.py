"""Ledger stage: the tables (SQLAlchemy 2.0 declarative models).

The migrations in ``migrations/versions/`` create exactly these tables; a
change here needs a new migration there.

- ``employees``        the roster as it stands now, upserted from the HR system's export
- ``employee_versions`` append-only: every roster entry as imported (a change is a new row)
- ``releases``         one row per recorded handbook version, with a copy of its source
- ``release_files``    per release and subsidiary: the handbook PDF's path and SHA-256,
                       and whether its content changed since the previous release
- ``assignments``      one per employee per release the employee has to acknowledge
- ``acknowledgements`` append-only: a correction is a new row that supersedes an older one
"""

from __future__ import annotations

import datetime

from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

METHODS = ("paper", "click", "esign", "proxy")
STATUSES = ("active", "left")


class Base(DeclarativeBase):
    pass


class Employee(Base):
    __tablename__ = "employees"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # 工号
    name: Mapped[str] = mapped_column(String(200))
    subsidiary: Mapped[str] = mapped_column(String(64), index=True)
    department: Mapped[str] = mapped_column(String(200), default="")
    hire_date: Mapped[datetime.date] = mapped_column(Date)
    email: Mapped[str] = mapped_column(String(320), default="")
    phone: Mapped[str] = mapped_column(String(64), default="")
    status: Mapped[str] = mapped_column(String(16), default="active")
    updated_at: Mapped[datetime.datetime] = mapped_column(DateTime)


class EmployeeVersion(Base):
    """One roster entry as it stood from ``valid_from`` (the import's day; the hire date for the
    first one) until the next version of the same employee."""

    __tablename__ = "employee_versions"
    __table_args__ = (Index("ix_employee_versions_employee_id", "employee_id", "valid_from"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    employee_id: Mapped[str] = mapped_column(String(64))
    valid_from: Mapped[datetime.date] = mapped_column(Date)
    recorded_at: Mapped[datetime.datetime] = mapped_column(DateTime)
    name: Mapped[str] = mapped_column(String(200))
    subsidiary: Mapped[str] = mapped_column(String(64))
    department: Mapped[str] = mapped_column(String(200), default="")
    hire_date: Mapped[datetime.date] = mapped_column(Date)
    email: Mapped[str] = mapped_column(String(320), default="")
    phone: Mapped[str] = mapped_column(String(64), default="")
    status: Mapped[str] = mapped_column(String(16), default="active")
    origin: Mapped[str] = mapped_column(String(600), default="")  # import file:row


class Release(Base):
    __tablename__ = "releases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    version: Mapped[str] = mapped_column(String(64), unique=True)
    code: Mapped[str] = mapped_column(String(64))  # handbook document code, e.g. HY-HR-001
    effective: Mapped[str] = mapped_column(String(32))
    recorded_at: Mapped[datetime.datetime] = mapped_column(DateTime)
    recorded_on: Mapped[datetime.date] = mapped_column(Date)  # the day assignments of this release start
    source_revision: Mapped[str] = mapped_column(String(80), default="")
    snapshot: Mapped[bytes] = mapped_column(LargeBinary)  # tar.gz of the source folders (see releases.py)
    snapshot_sha256: Mapped[str] = mapped_column(String(64))
    files: Mapped[list[ReleaseFile]] = relationship(back_populates="release", order_by="ReleaseFile.subsidiary")


class ReleaseFile(Base):
    __tablename__ = "release_files"

    release_id: Mapped[int] = mapped_column(ForeignKey("releases.id"), primary_key=True)
    subsidiary: Mapped[str] = mapped_column(String(64), primary_key=True)
    subsidiary_code: Mapped[str] = mapped_column(String(64))
    path: Mapped[str] = mapped_column(String(500))  # as in dist/manifest.json
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    changed: Mapped[bool]  # content differs from the previous release that had this subsidiary
    change_rows: Mapped[int] = mapped_column(Integer, default=0)
    release: Mapped[Release] = relationship(back_populates="files")


class Assignment(Base):
    __tablename__ = "assignments"
    __table_args__ = (UniqueConstraint("employee_id", "release_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    employee_id: Mapped[str] = mapped_column(ForeignKey("employees.id"), index=True)
    release_id: Mapped[int] = mapped_column(ForeignKey("releases.id"))
    subsidiary: Mapped[str] = mapped_column(String(64))
    due: Mapped[datetime.date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(32))  # first | changed | new-hire | transfer | renewed
    assigned_at: Mapped[datetime.datetime] = mapped_column(DateTime)
    employee: Mapped[Employee] = relationship()
    release: Mapped[Release] = relationship()


class Acknowledgement(Base):
    __tablename__ = "acknowledgements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id"), index=True)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("acknowledgements.id"), unique=True)
    method: Mapped[str] = mapped_column(String(16))  # paper | click | esign | proxy
    signed_on: Mapped[datetime.date] = mapped_column(Date)
    recorded_at: Mapped[datetime.datetime] = mapped_column(DateTime)
    recorded_by: Mapped[str] = mapped_column(String(200), default="")
    evidence_sha256: Mapped[str] = mapped_column(String(64), default="")
    evidence_name: Mapped[str] = mapped_column(String(500), default="")
    origin: Mapped[str] = mapped_column(String(600), default="")  # command line, or import file:row
    assignment: Mapped[Assignment] = relationship()
