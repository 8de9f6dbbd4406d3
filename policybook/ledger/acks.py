"""Ledger stage: record acknowledgements (签收) — one from the command line, or many from a file.

Every signature is checked first (known employee, an assignment for that
version, a method, a date, a readable evidence file); nothing is written if
any is wrong. A signature already recorded with the same method, date and
evidence changes nothing, so importing the same file twice is harmless; a
different one is a new row that supersedes the old (acknowledgements are never
updated or deleted).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from policybook.diagnostics import Diagnostics, SourceError
from policybook.ledger.assignments import effective_acks
from policybook.ledger.evidence import Evidence, EvidenceStore, locate
from policybook.ledger.schema import METHODS, Acknowledgement, Assignment, Employee, Release
from policybook.ledger.tabular import Record, parse_date, read_table
from policybook.model import Loc

COLUMNS = {
    "employee": ("employee_id", "id", "工号", "员工编号"),
    "version": ("手册版本", "版本"),
    "method": ("方式", "签收方式"),
    "signed_at": ("signed_on", "date", "签收日期", "签收时间", "日期"),
    "by": ("recorded_by", "经办人", "记录人"),
    "evidence": ("凭证", "附件", "证据"),
}
METHOD_NAMES = {m: m for m in METHODS} | {
    "纸质": "paper",
    "纸质签收": "paper",
    "在线确认": "click",
    "点击确认": "click",
    "电子签名": "esign",
    "代签": "proxy",
}


@dataclass
class Signature:
    """One acknowledgement to record, with where it came from (for messages)."""

    employee: str
    version: str
    method: str
    signed_on: datetime.date
    by: str
    evidence: Evidence | None
    loc: Loc | None
    origin: str
    columns: dict[str, Loc] = field(default_factory=dict)  # field → cell, for messages

    def at(self, name: str) -> Loc | None:
        return self.columns.get(name, self.loc)


@dataclass
class Recorded:
    added: list[Acknowledgement] = field(default_factory=list)
    corrected: list[Acknowledgement] = field(default_factory=list)
    unchanged: int = 0


def read_signatures(
    path: Path, version: str, by: str, diags: Diagnostics, evidence_from: Sequence[Path] = ()
) -> list[Signature]:
    """The rows of an import file (CSV or XLSX); ``version``/``by`` fill missing columns.
    Evidence files are read from the file's own folder or from ``evidence_from``.
    Problems go to ``diags``; :func:`record` adds its own and stops before writing."""
    required = ["employee", "method", "signed_at"] + ([] if version else ["version"])
    out = []
    for record in read_table(path, COLUMNS, required, diags):
        out.append(_signature(record, path, version, by, diags, list(evidence_from)))
    return out


def _signature(record: Record, path: Path, version: str, by: str, diags: Diagnostics, roots: list[Path]) -> Signature:
    evidence = None
    if record.text("evidence"):
        try:
            evidence = locate(record.text("evidence"), path.parent, roots, record.at("evidence"))
        except SourceError as exc:
            diags.extend(exc.diagnostics)
    signed = _date(record.text("signed_at"))
    if signed is None:
        diags.error(
            record.at("signed_at"), f"'{record.text('signed_at')}' is not a date", "ack.date", "e.g. 2026-12-03"
        )
    return Signature(
        employee=record.text("employee"),
        version=record.text("version") or version,
        method=method_of(record.text("method")) or record.text("method"),
        signed_on=signed or datetime.date.min,
        by=record.text("by") or by,
        evidence=evidence,
        loc=record.loc,
        origin=f"{path.name}:{record.loc.line}",
        columns={name: record.at(name) for name in record.cells},
    )


def method_of(text: str) -> str:
    return METHOD_NAMES.get(text.strip().casefold(), "")


def _date(text: str) -> datetime.date | None:
    """A date, or the date of a timestamp (``2026-12-03 10:15``, ``2026-12-03T10:15:00``)."""
    head = text.replace("T", " ").split(" ")[0] if text[:4].isdigit() else text
    return parse_date(head)


def record(
    session: Session, signatures: list[Signature], store: EvidenceStore, now: datetime.datetime, diags: Diagnostics
) -> Recorded:
    """Check every signature, then record them, in the caller's transaction (nothing
    is written if ``diags`` holds any error, earlier ones included)."""
    checked = [(sig, *_check(session, sig, store, diags)) for sig in signatures]
    diags.raise_if_errors()
    result = Recorded()
    acks = effective_acks(session, [a.id for _, a, _ in checked if a is not None])
    for sig, assignment, digest in checked:
        assert assignment is not None
        current = acks.get(assignment.id)
        if current is not None and _same(current, sig, digest):
            result.unchanged += 1
            continue
        if sig.evidence is not None:
            store.put(sig.evidence, digest)
        ack = Acknowledgement(
            assignment_id=assignment.id,
            supersedes_id=current.id if current else None,
            method=sig.method,
            signed_on=sig.signed_on,
            recorded_at=now,
            recorded_by=sig.by,
            evidence_sha256=digest,
            evidence_name=sig.evidence.name if sig.evidence else "",
            origin=sig.origin,
        )
        session.add(ack)
        session.flush()  # a second row for the same assignment in this run supersedes this one
        acks[assignment.id] = ack
        (result.corrected if current else result.added).append(ack)
    return result


def _check(session: Session, sig: Signature, store: EvidenceStore, diags: Diagnostics) -> tuple[Assignment | None, str]:
    if sig.method not in METHODS:
        diags.error(sig.at("method"), f"unknown method '{sig.method}'", "ack.method", f"one of: {', '.join(METHODS)}")
    employee = session.get(Employee, sig.employee)
    if employee is None:
        diags.error(sig.at("employee"), f"unknown employee '{sig.employee}'", "ack.employee", "import the roster first")
        return None, ""
    assignment = session.scalar(
        select(Assignment)
        .join(Release)
        .where(Assignment.employee_id == sig.employee, Release.version == sig.version)
        .with_for_update()  # PostgreSQL: two processes signing for one employee take turns
    )
    if assignment is None:
        versions = session.scalars(
            select(Release.version).join(Assignment).where(Assignment.employee_id == sig.employee)
        ).all()
        diags.error(
            sig.at("version"),
            f"employee '{sig.employee}' ({employee.name}) has no assignment for version '{sig.version}'",
            "ack.version",
            f"assigned versions: {', '.join(versions)}" if versions else "run: policybook ack assign",
        )
    digest = ""
    if sig.evidence is not None:
        try:
            digest = store.digest(sig.evidence, sig.at("evidence"))
        except SourceError as exc:
            diags.extend(exc.diagnostics)
    return assignment, digest


def _same(ack: Acknowledgement, sig: Signature, digest: str) -> bool:
    same_evidence = not digest or digest == ack.evidence_sha256
    return ack.method == sig.method and ack.signed_on == sig.signed_on and same_evidence
