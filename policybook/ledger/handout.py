"""Ledger stage: what is handed out to whom — the current release of one subsidiary and the
employees who still need it (shared by the 签收单 sheets and the personalised copies)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from policybook.build import check
from policybook.diagnostics import Diagnostics, fail
from policybook.ledger.assignments import standing_rows
from policybook.ledger.db import opened
from policybook.ledger.names import closest_department, department_matches
from policybook.ledger.schema import Employee, Release, ReleaseFile
from policybook.model import Document


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    department: str


@dataclass
class Handout:
    doc: Document
    file: str  # the handbook PDF, relative to dist/ (as recorded)
    sha256: str
    people: list[Person]


def handout(source: str | Path, sub_id: str, department: str, everyone: bool, url: str, diags: Diagnostics) -> Handout:
    """The subsidiary's recorded release of the current source version, and who needs it:
    everyone whose assignment for it is unsigned (or, with ``everyone``, every active employee)."""
    doc = check(source, [sub_id], diags, formats=[]).documents[sub_id]
    with opened(url) as ledger, ledger.transaction() as session:
        release = session.scalar(select(Release).where(Release.version == doc.meta.version))
        recorded = session.get(ReleaseFile, (release.id, sub_id)) if release else None
        if release is None or recorded is None:
            raise fail(
                None,
                f"version {doc.meta.version} of '{sub_id}' is not recorded in the ledger",
                "ledger.unrecorded",
                f"run: policybook ack assign {Path(source).as_posix()}",
            )
        if everyone:
            query = select(Employee).where(Employee.subsidiary == sub_id, Employee.status == "active")
            found = [Person(e.id, e.name, e.department) for e in session.scalars(query.order_by(Employee.id))]
        else:
            found = [
                Person(s.employee.id, s.employee.name, s.employee.department)
                for s in standing_rows(session, datetime.date.today(), sub_id)
                if s.status != "signed" and s.assignment.release_id == release.id
            ]
        people = sorted((p for p in found if department_matches(department, p.department)), key=_order)
        if department and not people:
            _check_department(session, sub_id, department)
        return Handout(doc, recorded.path, recorded.sha256, people)


def _check_department(session: Session, sub_id: str, department: str) -> None:
    """``--department`` naming no department of the subsidiary is a command-line mistake: say the closest."""
    query = select(Employee.department).where(Employee.subsidiary == sub_id, Employee.status == "active").distinct()
    known = list(session.scalars(query))
    if any(department_matches(department, d) for d in known):
        return  # a real department whose people have all signed
    near = closest_department(department, known)
    raise fail(
        None,
        f"'{sub_id}' has no department '{department}'",
        "cli.department",
        f"did you mean '{near}'?" if near else f"its departments: {', '.join(sorted(known)) or 'none'}",
    )


def _order(person: Person) -> tuple[str, str]:
    return person.department, person.id
