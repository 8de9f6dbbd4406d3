"""Ledger stage: import the roster (the HR system's export) — check every row, then upsert, keeping history.

Exports come as HR systems write them: headers in either script
(:data:`COLUMNS`), status words such as 正式 or 已离职 (:mod:`names`), the
company under any of its spellings, departments as paths. Nothing is written
when any row is wrong; employees missing from the file are left as they are
(an export may cover one company only).

A changed entry never overwrites the old one: ``employees`` holds the entry
as it stands now and ``employee_versions`` every entry as it was imported,
so :func:`entry_as_of` can say where someone worked on a given day.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from policybook.diagnostics import Diagnostics
from policybook.ledger import names
from policybook.ledger.bulk import insert_rows
from policybook.ledger.schema import Base, Employee, EmployeeVersion
from policybook.ledger.tabular import Record, iter_table, parse_date
from policybook.model import Loc, Subsidiary

# field → accepted headers; each is also matched in the other script and in full-width forms
COLUMNS = {
    "id": ("employee_id", "employee", "staff_id", "工号", "工號", "员工编号", "人员编号", "员工号", "职工编号", "编号"),
    "name": ("full_name", "姓名", "員工姓名", "员工姓名", "名字"),
    "subsidiary": ("company", "公司", "子公司", "所属公司", "所屬公司", "法人主体", "法人主體", "公司名称", "合同主体"),
    "department": ("dept", "部门", "部門", "所属部门", "所屬部門", "部门名称", "部门路径", "组织", "所属组织"),
    "hire_date": ("hired", "start_date", "入职日期", "入職日期", "入职时间", "到岗日期", "报到日期"),
    "email": ("e-mail", "mail", "邮箱", "郵箱", "电子邮箱", "电子邮件", "邮件"),
    "phone": ("mobile", "手机", "手機", "手机号", "手机号码", "电话", "联系电话"),
    "status": ("员工状态", "員工狀態", "在职状态", "在職狀態", "人员状态", "状态", "狀態"),
}
REQUIRED = ("id", "name", "subsidiary", "department", "hire_date")
FIELDS = ("id", "name", "subsidiary", "department", "hire_date", "email", "phone", "status")
CHUNK = 5000  # ids per query when reading what the ledger already holds


@dataclass
class Imported:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def read_roster(path: Path, subsidiaries: dict[str, Subsidiary], diags: Diagnostics) -> list[dict[str, object]]:
    """Every row as employee values (plus ``origin``); all problems reported together, then raised."""
    companies = names.Companies(subsidiaries)
    shown = str(Loc(str(path)))  # the file as messages name it, worked out once (not per row)
    seen: dict[str, int] = {}
    rows = []
    for record in iter_table(path, COLUMNS, REQUIRED, diags):
        row = _employee(record, companies, diags)
        row["origin"] = f"{shown}:{record.loc.line}"
        emp_id = str(row["id"])
        if emp_id and emp_id in seen:
            also = f"{shown}:{seen[emp_id]}"
            diags.error(record.at("id"), f"employee id '{emp_id}' appears twice", "roster.duplicate", f"also at {also}")
        seen.setdefault(emp_id, record.loc.line)
        rows.append(row)
    diags.raise_if_errors()
    return rows


def upsert(
    session: Session, rows: list[dict[str, object]], now: datetime.datetime, day: datetime.date | None = None
) -> Imported:
    """Insert new employees and update changed ones (bulk statements), in the caller's transaction;
    each added or changed entry also becomes a version valid from ``day`` (default: ``now``'s day)."""
    day = day or now.date()
    result = Imported()
    for chunk in _chunks(rows, CHUNK):
        existing = _existing(session, [str(r["id"]) for r in chunk])
        added: list[dict[str, Any]] = []
        changed: list[dict[str, Any]] = []
        versions: list[dict[str, Any]] = []
        for row in chunk:
            values = {k: row[k] for k in FIELDS}
            old = existing.get(str(row["id"]))
            if old is None:
                added.append(values | {"updated_at": now})
                result.added.append(str(row["id"]))
                start = min(day, row["hire_date"]) if isinstance(row["hire_date"], datetime.date) else day
            elif old != tuple(values[k] for k in FIELDS):
                changed.append(values | {"updated_at": now})
                result.updated.append(str(row["id"]))
                start = day
            else:
                result.unchanged.append(str(row["id"]))
                continue
            versions.append(_version(values, start, now, str(row.get("origin", ""))))
        _write(session, added, changed, versions)
    return result


def _write(
    session: Session, added: list[dict[str, Any]], changed: list[dict[str, Any]], versions: list[dict[str, Any]]
) -> None:
    """One COPY or executemany per table and chunk (no ORM objects for 100,000 rows)."""
    table = Base.metadata.tables["employees"]
    insert_rows(session, table, added)
    if changed:
        key: dict[str, Any] = {k: bindparam(f"new_{k}") for k in (*FIELDS[1:], "updated_at")}
        statement = update(table).where(table.c.id == bindparam("old_id")).values(key)
        session.execute(statement, [{f"new_{k}": v for k, v in row.items()} | {"old_id": row["id"]} for row in changed])
    insert_rows(session, Base.metadata.tables["employee_versions"], versions)


def entry_as_of(session: Session, employee_id: str, when: datetime.date) -> EmployeeVersion | None:
    """The roster entry of ``employee_id`` as it stood on ``when`` (None: not on the roster yet)."""
    query = (
        select(EmployeeVersion)
        .where(EmployeeVersion.employee_id == employee_id, EmployeeVersion.valid_from <= when)
        .order_by(EmployeeVersion.valid_from.desc(), EmployeeVersion.id.desc())
        .limit(1)
    )
    return session.scalar(query)


def history(session: Session, employee_id: str) -> list[EmployeeVersion]:
    """Every version of one employee's entry, oldest first."""
    query = select(EmployeeVersion).where(EmployeeVersion.employee_id == employee_id)
    return list(session.scalars(query.order_by(EmployeeVersion.valid_from, EmployeeVersion.id)))


def _version(values: dict[str, Any], start: datetime.date, now: datetime.datetime, origin: str) -> dict[str, Any]:
    entry = {k: v for k, v in values.items() if k != "id"}
    return entry | {"employee_id": values["id"], "valid_from": start, "recorded_at": now, "origin": origin[:600]}


def _existing(session: Session, ids: list[str]) -> dict[str, tuple[object, ...]]:
    columns = [getattr(Employee, k) for k in FIELDS]
    return {row[0]: tuple(row) for row in session.execute(select(*columns).where(Employee.id.in_(ids)))}


def _chunks(rows: list[dict[str, object]], size: int) -> Iterator[list[dict[str, object]]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _employee(record: Record, companies: names.Companies, diags: Diagnostics) -> dict[str, object]:
    for name in REQUIRED:
        if not record.text(name):
            diags.error(record.at(name), f"{name} is empty", "roster.empty")
    sub_id = _subsidiary(record, companies, diags)
    name = record.text("name")
    if names.lost_character(name):
        diags.warning(
            record.at("name"),
            f"name '{name}' has a '?' or '\ufffd' where a character was lost",
            "roster.lost-character",
            "the export's encoding could not hold it: export again as UTF-8 (or XLSX), or fix the name",
        )
    return {
        "id": record.text("id"),
        "name": name,
        "subsidiary": sub_id,
        "department": names.department(record.text("department"), companies.subsidiaries.get(sub_id)),
        "hire_date": _hire_date(record, diags),
        "email": record.text("email"),
        "phone": record.text("phone"),
        "status": _status(record, diags),
    }


def _subsidiary(record: Record, companies: names.Companies, diags: Diagnostics) -> str:
    given = record.text("subsidiary")
    if not given:
        return ""
    found = companies.match(given)
    if not found.sub_id:
        near = companies.subsidiaries.get(found.suggestion)
        hint = f"did you mean {near.id} ({near.name})? " if near else ""
        diags.error(
            record.at("subsidiary"),
            f"unknown subsidiary '{given}'",
            "roster.subsidiary",
            f"{hint}the handbook source has: {companies.listing()}",
        )
    return found.sub_id


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
    status = names.status_of(given)
    if not status:
        diags.error(
            record.at("status"),
            f"unknown status '{given}'",
            "roster.status",
            f"write one of {names.accepted_statuses()}",
        )
    return status or "active"
