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
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import overload

from sqlalchemy import select
from sqlalchemy.orm import Session

from policybook.ledger.bulk import insert_rows
from policybook.ledger.schema import Acknowledgement, Assignment, Base, Employee, Release, ReleaseFile


@dataclass(frozen=True)
class NewAssignment:
    """An assignment :func:`assign` wrote (a plain row: 100,000 of them need no ORM objects)."""

    employee_id: str
    subsidiary: str
    due: datetime.date
    reason: str  # first | changed | new-hire | transfer | renewed


@dataclass
class Assigned:
    new: list[NewAssignment] = field(default_factory=list)  # what was written, as plain rows
    kept: int = 0  # employees whose acknowledgement stays valid
    current: int = 0  # employees already assigned this release
    session: Session | None = None
    release_id: int = 0

    @property
    def reasons(self) -> Counter[str]:
        return Counter(a.reason for a in self.new)

    @property
    def created(self) -> Created:
        """The new assignments as ORM objects, read back only when iterated (a command that only
        counts them never builds 100,000 objects; ``len`` needs no database)."""
        return Created(self.new, self.session, self.release_id)


class Created(Sequence[Assignment]):
    def __init__(self, new: list[NewAssignment], session: Session | None, release_id: int) -> None:
        self.new, self.session, self.release_id = new, session, release_id
        self._loaded: list[Assignment] | None = None

    def __len__(self) -> int:
        return len(self.new)

    @overload
    def __getitem__(self, index: int) -> Assignment: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Assignment]: ...
    def __getitem__(self, index: int | slice) -> Assignment | Sequence[Assignment]:
        return self._load()[index]

    def _load(self) -> list[Assignment]:
        if self._loaded is None:
            assert self.session is not None or not self.new, "assignments are read back in their session"
            wanted = [a.employee_id for a in self.new]
            found: dict[str, Assignment] = {}
            for start in range(0, len(wanted), 5000):
                query = select(Assignment).where(
                    Assignment.release_id == self.release_id, Assignment.employee_id.in_(wanted[start : start + 5000])
                )
                found.update((a.employee_id, a) for a in self.session.scalars(query))  # type: ignore[union-attr]
            self._loaded = [found[e] for e in wanted]
        return self._loaded


@dataclass(frozen=True)
class _Last:
    id: int
    release_id: int
    subsidiary: str
    due: datetime.date


def assign(session: Session, release: Release, subs: Iterable[str], due_days: int, now: datetime.datetime) -> Assigned:
    """Assignments for ``release`` to the active employees of ``subs``, in the caller's transaction
    (a few queries and one bulk insert, whatever the number of employees)."""
    session.flush()
    employees = session.execute(
        select(Employee.id, Employee.subsidiary, Employee.hire_date)
        .where(Employee.status == "active", Employee.subsidiary.in_(list(subs)))
        .order_by(Employee.id)
    ).all()
    latest = _latest(session)
    signed = set(session.scalars(select(Acknowledgement.assignment_id).distinct()))
    changed = _changed(session, release)
    result = Assigned(session=session, release_id=release.id)
    rows: list[dict[str, object]] = []
    for emp_id, subsidiary, hired in employees:
        last = latest.get(emp_id)
        if last is not None and last.release_id >= release.id:
            result.current += 1
            continue
        reason = _reason(subsidiary, last, last is not None and last.id in signed, changed)
        if not reason:
            result.kept += 1
            continue
        due = last.due if reason == "renewed" and last else _due(hired, release, due_days)
        result.new.append(NewAssignment(emp_id, subsidiary, due, reason))
        rows.append(
            {"employee_id": emp_id, "release_id": release.id, "subsidiary": subsidiary, "due": due}
            | {"reason": reason, "assigned_at": now}
        )
    insert_rows(session, Base.metadata.tables["assignments"], rows)
    return result


def _latest(session: Session) -> dict[str, _Last]:
    """Each employee's newest assignment, as plain rows."""
    query = select(
        Assignment.employee_id, Assignment.id, Assignment.release_id, Assignment.subsidiary, Assignment.due
    ).order_by(Assignment.release_id, Assignment.id)
    return {emp: _Last(aid, rid, sub, due) for emp, aid, rid, sub, due in session.execute(query)}


def _reason(subsidiary: str, last: _Last | None, signed: bool, changed: set[tuple[str, int]]) -> str:
    if last is None:
        return "first"
    if last.subsidiary != subsidiary:
        return "transfer"
    if any(sub == subsidiary and rid > last.release_id for sub, rid in changed):
        return "changed"
    return "" if signed else "renewed"


def _due(hired: datetime.date, release: Release, due_days: int) -> datetime.date:
    """N days after the release was recorded — or after the hire date, for someone hired since."""
    return max(release.recorded_on, hired) + datetime.timedelta(days=due_days)


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


@dataclass(slots=True)
class EmployeeRow:
    id: str
    name: str
    subsidiary: str
    department: str
    hire_date: datetime.date
    email: str
    phone: str
    status: str


@dataclass(slots=True)
class ReleaseRow:
    id: int
    version: str


@dataclass(slots=True)
class AssignmentRow:
    id: int
    release_id: int
    subsidiary: str
    due: datetime.date
    reason: str
    release: ReleaseRow


@dataclass(slots=True)
class AckRow:
    id: int
    method: str
    signed_on: datetime.date
    recorded_by: str


@dataclass(slots=True)
class StandingRow:
    """Where one active employee stands with the assignment in force (plain rows, read in bulk)."""

    employee: EmployeeRow
    assignment: AssignmentRow
    ack: AckRow | None
    status: str  # signed | pending | overdue


ORDER = {"overdue": 0, "pending": 1, "signed": 2}


def standing_rows(session: Session, as_of: datetime.date, subsidiary: str = "") -> list[StandingRow]:
    """:func:`standings` as plain rows, for reports of 100,000 employees: four queries, no ORM objects."""
    query = select(*(getattr(Employee, f) for f in EmployeeRow.__slots__)).where(Employee.status == "active")
    if subsidiary:
        query = query.where(Employee.subsidiary == subsidiary)
    employees = {row[0]: EmployeeRow(*row) for row in session.execute(query)}
    releases = {rid: ReleaseRow(rid, v) for rid, v in session.execute(select(Release.id, Release.version))}
    latest: dict[str, AssignmentRow] = {}
    columns = (Assignment.employee_id, Assignment.id, Assignment.release_id, Assignment.subsidiary)
    query = select(*columns, Assignment.due, Assignment.reason).order_by(Assignment.release_id, Assignment.id)
    if subsidiary:
        query = query.join(Employee).where(Employee.subsidiary == subsidiary)
    for emp, aid, rid, sub, due, reason in session.execute(query):
        if emp in employees:
            latest[emp] = AssignmentRow(aid, rid, sub, due, reason, releases[rid])
    acks = _effective(session, {a.id for a in latest.values()})
    out = []
    for emp_id, assignment in latest.items():
        ack = acks.get(assignment.id)
        status = "signed" if ack else "overdue" if as_of > assignment.due else "pending"
        out.append(StandingRow(employees[emp_id], assignment, ack, status))
    return sorted(out, key=lambda s: (ORDER[s.status], s.employee.subsidiary, s.employee.department, s.employee.id))


def _effective(session: Session, assignment_ids: set[int]) -> dict[int, AckRow]:
    """Per assignment, the acknowledgement no later one supersedes (plain rows)."""
    columns = (Acknowledgement.assignment_id, Acknowledgement.supersedes_id)
    query = select(*columns, Acknowledgement.id, Acknowledgement.method, Acknowledgement.signed_on)
    rows = [r for r in session.execute(query.add_columns(Acknowledgement.recorded_by)) if r[0] in assignment_ids]
    superseded = {r[1] for r in rows if r[1] is not None}
    found: dict[int, AckRow] = {}
    for assignment_id, _sup, ack_id, method, signed_on, by in sorted(rows, key=lambda r: r[2]):
        if ack_id not in superseded:
            found[assignment_id] = AckRow(ack_id, method, signed_on, by)
    return found


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
