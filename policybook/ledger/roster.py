"""Ledger stage: import the roster (the HR system's export) — check every row, then upsert.

A subsidiary may be named by its id (``sz``), code (``SZ``), name or short
name as the handbook source spells them. Nothing is written when any row is
wrong; employees missing from the file are left as they are (an export may
cover one company only).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from policybook.diagnostics import Diagnostics
from policybook.ledger.schema import Employee
from policybook.ledger.tabular import Record, parse_date, read_table
from policybook.model import Subsidiary

COLUMNS = {
    "id": ("employee_id", "employee", "工号", "员工编号", "员工号", "编号"),
    "name": ("姓名", "员工姓名"),
    "subsidiary": ("company", "公司", "子公司", "所属公司"),
    "department": ("dept", "部门", "所属部门"),
    "hire_date": ("hired", "入职日期", "入职时间"),
    "email": ("e-mail", "邮箱", "电子邮箱", "邮件"),
    "phone": ("mobile", "手机", "手机号", "电话"),
    "status": ("状态", "在职状态"),
}
REQUIRED = ("id", "name", "subsidiary", "department", "hire_date")
STATUS = {"active": "active", "在职": "active", "試用": "active", "试用": "active", "left": "left", "离职": "left"}
STATUS.update({"離職": "left", "在職": "active", "inactive": "left"})


@dataclass
class Imported:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def read_roster(path: Path, subsidiaries: dict[str, Subsidiary], diags: Diagnostics) -> list[dict[str, object]]:
    """Every row as employee values; all problems reported together, then raised."""
    names = _subsidiary_names(subsidiaries)
    seen: dict[str, Record] = {}
    rows = []
    for record in read_table(path, COLUMNS, REQUIRED, diags):
        row = _employee(record, names, subsidiaries, diags)
        emp_id = str(row["id"])
        if emp_id and emp_id in seen:
            diags.error(
                record.at("id"),
                f"employee id '{emp_id}' appears twice",
                "roster.duplicate",
                f"also at {seen[emp_id].loc}",
            )
        seen.setdefault(emp_id, record)
        rows.append(row)
    diags.raise_if_errors()
    return rows


def upsert(session: Session, rows: list[dict[str, object]], now: datetime.datetime) -> Imported:
    """Insert new employees and update changed ones, in the caller's transaction."""
    ids = [str(r["id"]) for r in rows]
    existing = {e.id: e for e in session.scalars(select(Employee).where(Employee.id.in_(ids)))}
    result = Imported()
    for row in rows:
        employee = existing.get(str(row["id"]))
        if employee is None:
            session.add(Employee(**row, updated_at=now))
            result.added.append(str(row["id"]))
        elif any(getattr(employee, k) != v for k, v in row.items()):
            for key, value in row.items():
                setattr(employee, key, value)
            employee.updated_at = now
            result.updated.append(employee.id)
        else:
            result.unchanged.append(employee.id)
    session.flush()
    return result


def _employee(
    record: Record, names: dict[str, str], subsidiaries: dict[str, Subsidiary], diags: Diagnostics
) -> dict[str, object]:
    for name in REQUIRED:
        if not record.text(name):
            diags.error(record.at(name), f"{name} is empty", "roster.empty")
    return {
        "id": record.text("id"),
        "name": record.text("name"),
        "subsidiary": _subsidiary(record, names, subsidiaries, diags),
        "department": record.text("department"),
        "hire_date": _hire_date(record, diags),
        "email": record.text("email"),
        "phone": record.text("phone"),
        "status": _status(record, diags),
    }


def _subsidiary(record: Record, names: dict[str, str], subsidiaries: dict[str, Subsidiary], diags: Diagnostics) -> str:
    given = record.text("subsidiary")
    sub_id = names.get(given.casefold(), "")
    if given and not sub_id:
        known = ", ".join(f"{s.id} ({s.name})" for s in subsidiaries.values()) or "none"
        diags.error(
            record.at("subsidiary"),
            f"unknown subsidiary '{given}'",
            "roster.subsidiary",
            f"the handbook source has: {known}",
        )
    return sub_id


def _hire_date(record: Record, diags: Diagnostics) -> datetime.date:
    raw = record.cells.get("hire_date", ("", 0))[0]
    day = parse_date(raw)
    if day is None and record.text("hire_date"):
        diags.error(
            record.at("hire_date"),
            f"hire date '{record.text('hire_date')}' is not a date",
            "roster.date",
            "write it as 2026-03-01",
        )
    return day or datetime.date.min


def _status(record: Record, diags: Diagnostics) -> str:
    given = record.text("status")
    if not given:
        return "active"
    status = STATUS.get(given.casefold(), "")
    if not status:
        diags.error(record.at("status"), f"unknown status '{given}'", "roster.status", "active / 在职 or left / 离职")
    return status or "active"


def _subsidiary_names(subsidiaries: dict[str, Subsidiary]) -> dict[str, str]:
    names: dict[str, str] = {}
    for sub in subsidiaries.values():
        for name in (sub.id, sub.code, sub.name, sub.short_name):
            if name:
                names.setdefault(name.casefold(), sub.id)
    return names
