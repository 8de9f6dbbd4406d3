"""Ledger stage: who has to acknowledge which release, and where each employee stands.

An active employee gets an assignment for a release when they have none yet
(first release, new hire, or moved to another subsidiary), when their
subsidiary's handbook changed in content since the release of their last
assignment, or when they never signed that last one (the pending assignment
moves on to the current release, keeping its due date). Employees who signed
a release whose content is still current keep that acknowledgement.
Assigning twice changes nothing.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from policybook.ledger.schema import Acknowledgement, Assignment, Employee, Release, ReleaseFile


@dataclass
class Assigned:
    created: list[Assignment] = field(default_factory=list)
    kept: int = 0  # employees whose acknowledgement stays valid
    current: int = 0  # employees already assigned this release


def assign(session: Session, release: Release, subs: Iterable[str], due_days: int, now: datetime.datetime) -> Assigned:
    """Assignments for ``release`` to the active employees of ``subs``, in the caller's transaction."""
    employees = list(
        session.scalars(
            select(Employee)
            .where(Employee.status == "active", Employee.subsidiary.in_(list(subs)))
            .order_by(Employee.id)
        )
    )
    latest = latest_assignments(session, [e.id for e in employees])
    signed = effective_acks(session, [a.id for a in latest.values()])
    changed = _changed(session, release)
    result = Assigned()
    for employee in employees:
        last = latest.get(employee.id)
        if last is not None and last.release_id >= release.id:
            result.current += 1
            continue
        reason = _reason(employee, last, last is not None and last.id in signed, changed)
        if not reason:
            result.kept += 1
            continue
        due = last.due if reason == "renewed" and last else _due(employee, release, due_days)
        assignment = Assignment(
            employee=employee, release=release, subsidiary=employee.subsidiary, due=due, reason=reason, assigned_at=now
        )
        session.add(assignment)
        result.created.append(assignment)
    session.flush()
    return result


def _reason(employee: Employee, last: Assignment | None, signed: bool, changed: set[tuple[str, int]]) -> str:
    if last is None:
        return "first"
    if last.subsidiary != employee.subsidiary:
        return "transfer"
    if any(sub == employee.subsidiary and rid > last.release_id for sub, rid in changed):
        return "changed"
    return "" if signed else "renewed"


def _due(employee: Employee, release: Release, due_days: int) -> datetime.date:
    """N days after the release was recorded — or after the hire date, for someone hired since."""
    return max(release.recorded_on, employee.hire_date) + datetime.timedelta(days=due_days)


def _changed(session: Session, release: Release) -> set[tuple[str, int]]:
    """(subsidiary, release id) of every release up to this one whose content changed."""
    rows = session.execute(
        select(ReleaseFile.subsidiary, ReleaseFile.release_id).where(
            ReleaseFile.changed.is_(True), ReleaseFile.release_id <= release.id
        )
    )
    return {(sub, rid) for sub, rid in rows}


def latest_assignments(session: Session, employee_ids: list[str] | None = None) -> dict[str, Assignment]:
    """Each employee's newest assignment (the one in force)."""
    query = select(Assignment).order_by(Assignment.release_id, Assignment.id)
    if employee_ids is not None:
        query = query.where(Assignment.employee_id.in_(employee_ids))
    return {a.employee_id: a for a in session.scalars(query)}


def effective_acks(session: Session, assignment_ids: list[int]) -> dict[int, Acknowledgement]:
    """Per assignment, the acknowledgement no later one supersedes."""
    acks = list(session.scalars(select(Acknowledgement).where(Acknowledgement.assignment_id.in_(assignment_ids))))
    superseded = {a.supersedes_id for a in acks if a.supersedes_id is not None}
    return {a.assignment_id: a for a in sorted(acks, key=lambda a: a.id) if a.id not in superseded}


@dataclass
class Standing:
    """Where one active employee stands with the assignment in force."""

    employee: Employee
    assignment: Assignment
    ack: Acknowledgement | None
    status: str  # signed | pending | overdue


def standings(session: Session, as_of: datetime.date, subsidiary: str = "") -> list[Standing]:
    """Every active employee with an assignment, overdue first, then by subsidiary, department, id."""
    query = select(Employee).where(Employee.status == "active")
    if subsidiary:
        query = query.where(Employee.subsidiary == subsidiary)
    employees = {e.id: e for e in session.scalars(query)}
    latest = latest_assignments(session, list(employees))
    acks = effective_acks(session, [a.id for a in latest.values()])
    out = []
    for emp_id, assignment in latest.items():
        ack = acks.get(assignment.id)
        status = "signed" if ack else "overdue" if as_of > assignment.due else "pending"
        out.append(Standing(employees[emp_id], assignment, ack, status))
    order = {"overdue": 0, "pending": 1, "signed": 2}
    return sorted(out, key=lambda s: (order[s.status], s.employee.subsidiary, s.employee.department, s.employee.id))
