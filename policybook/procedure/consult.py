"""Procedure stage: the 民主程序 of one release candidate — open, opinions, meetings, close — and Taiwan's 核備.

``open`` compares the source (the release candidate) with the last recorded release of
each subsidiary — the same 修订对照表 ``ack assign`` counts — and writes the 征求意见稿
(notice, change table, comment form) per subsidiary; the files are hashed and kept in the
evidence folder. Every step is a new append-only row; nothing is recorded once the
consultation is closed.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from policybook.build import Checked
from policybook.changes import change_table
from policybook.dates import long_date
from policybook.diagnostics import Diagnostics, fail
from policybook.ledger.evidence import EvidenceStore
from policybook.ledger.releases import _resolved, _restamped  # the comparison ack assign makes
from policybook.ledger.schema import Release, ReleaseFile
from policybook.ledger.stamp import words
from policybook.ledger.tabular import parse_date, read_table
from policybook.model import ChangeTable, Document
from policybook.naming import safe
from policybook.output import atomic_write
from policybook.procedure.rules import jurisdiction
from policybook.procedure.schema import CHANNEL_NAMES, MEETING_KINDS, Close, Consultation, Filing, Meeting, Opinion
from policybook.procedure.typeset import Block, style_of, typeset

OPINION_COLUMNS = {
    "author": ("who", "提出人", "姓名", "意见人"),
    "article": ("条款", "条目"),
    "opinion": ("text", "意见", "意见内容", "建议"),
    "answer": ("reply", "答复", "回复", "处理意见"),
    "date": ("received_on", "日期", "提出日期"),
}
BLANK = "＿" * 16
T = TypeVar("T")


@dataclass
class Who:
    """Who records, and when."""

    by: str
    now: datetime.datetime
    today: datetime.date


def changes_since_release(session: Session, checked: Checked, subs: list[str]) -> dict[str, ChangeTable | None]:
    """Per subsidiary, the 修订对照表 against the last recorded release that had it (None: first release)."""
    version = checked.project.meta.version
    last: dict[int, list[str]] = {}
    for sub_id in subs:
        found = session.scalar(
            select(ReleaseFile.release_id)
            .join(Release)
            .where(ReleaseFile.subsidiary == sub_id, Release.version != version)
            .order_by(ReleaseFile.release_id.desc())
            .limit(1)
        )
        if found is not None:
            last.setdefault(found, []).append(sub_id)
    tables: dict[str, ChangeTable | None] = dict.fromkeys(subs)
    for release_id, subs in last.items():
        old = session.get(Release, release_id)
        assert old is not None
        current = _restamped(checked, subs, old.version, old.effective)
        for sub_id, doc in _resolved(old, subs).items():
            tables[sub_id] = _as_new(change_table(doc, current[sub_id]), checked.documents[sub_id])
    return tables


def _as_new(table: ChangeTable, doc: Document) -> ChangeTable:
    table.meta = doc.meta  # compared restamped; shown with the candidate's own version
    return table


def open_consultation(
    session: Session,
    checked: Checked,
    until: datetime.date,
    channel: str,
    notice: str,
    out: Path,
    store: EvidenceStore,
    who: Who,
) -> Consultation:
    version = checked.project.meta.version
    released = session.scalar(select(Release).where(Release.version == version))
    if released is not None:
        raise fail(
            None,
            f"version {version} was released on {released.recorded_on}: a consultation comes before the release",
            "consult.released",
            "raise version: in handbook.yaml for the next draft",
        )
    taken = session.scalar(select(Consultation).where(Consultation.version == version))
    if taken is not None:
        raise fail(
            None,
            f"version {version} was put out for comment on {taken.opened_on} already",
            "consult.open",
            "record opinions, meetings and the close on it; a changed draft needs a new version",
        )
    if until <= who.today:
        raise fail(None, f"the comment period must end after today ({who.today})", "consult.until")
    subs = [s for s, doc in checked.documents.items() if jurisdiction(doc.subsidiary.region) == "consultation"]
    if not subs:
        raise fail(
            None,
            "no subsidiary follows mainland law: nothing to consult on",
            "consult.open",
            "Taiwan: policybook consult filing; Hong Kong: nothing is required",
        )
    drafts = []
    for sub_id, table in changes_since_release(session, checked, subs).items():
        doc = checked.documents[sub_id]
        path = out / draft_name(doc)
        atomic_write(path, typeset(draft_blocks(doc, table, notice, channel, who.today, until), *_titles(doc)))
        digest = store.digest(path)
        store.put(path, digest)
        drafts.append({"subsidiary": sub_id, "name": path.name, "sha256": digest, "rows": _rows(table)})
    row = Consultation(
        version=version,
        subsidiaries=",".join(subs),
        opened_on=who.today,
        until=until,
        channel=channel,
        notice=notice,
        drafts=json.dumps(drafts, ensure_ascii=False),
        recorded_at=who.now,
        recorded_by=who.by,
    )
    session.add(row)
    session.flush()
    return row


def _rows(table: ChangeTable | None) -> int:
    return -1 if table is None else len(table.rows)


def draft_name(doc: Document) -> str:
    return safe(f"{doc.meta.code}-{doc.subsidiary.code}-v{doc.meta.version}-{words(doc)('征求意见稿')}") + ".pdf"


def _titles(doc: Document) -> tuple[str, str, dict[str, object]]:
    say = words(doc)
    return say(f"《{doc.meta.title}》修订征求意见稿"), f"{doc.meta.code}-{doc.subsidiary.code}", style_of(doc)


def draft_blocks(
    doc: Document, table: ChangeTable | None, notice: str, channel: str, opened: datetime.date, until: datetime.date
) -> list[Block]:
    say = words(doc)
    loc = doc.meta.locale
    blocks: list[Block] = [
        {"k": "title", "text": say(f"《{doc.meta.title}》修订征求意见稿"), "sub": f"{doc.subsidiary.name}"},
        {"k": "h", "text": say("一、征求意见通知")},
        {"k": "p", "text": notice},
        {
            "k": "kv",
            "rows": [
                [say("草案版本"), f"{doc.meta.version}（{say('拟施行日期')} {long_date(doc.meta.effective, loc)}）"],
                [say("征求意见期间"), f"{long_date(opened, loc)} — {long_date(until, loc)}"],
                [say("发布渠道"), say(CHANNEL_NAMES.get(channel, channel))],
            ],
        },
        {"k": "h", "text": say("二、修订对照表")},
    ]
    blocks += change_blocks(doc, table)
    blocks += [
        {"k": "break"},
        {"k": "h", "text": say("三、意见反馈表")},
        {"k": "kv", "rows": [[say(k), BLANK] for k in ("姓名", "工号", "部门", "日期")]},
        {"k": "table", "cols": [1, 4], "head": [say("条款"), say("意见或建议")], "rows": [["", ""]] * 6},
        {"k": "p", "text": say(f"请于{long_date(until, loc)}前将本表交人力资源部。")},
    ]
    return blocks


def change_blocks(doc: Document, table: ChangeTable | None) -> list[Block]:
    say = words(doc)
    if table is None:
        return [{"k": "p", "text": say("本手册首次制定，全文征求意见。")}]
    if not table.rows:
        return [{"k": "p", "text": say(f"与版本{table.old_version}相比，本公司适用的条款内容无修改。")}]
    head = [
        say("序号"),
        say(f"原条款（版本{table.old_version}）"),
        say(f"修订后条款（版本{doc.meta.version}）"),
        say("说明"),
    ]
    rows = [
        [
            str(r.seq),
            {"segs": [{"text": f"{r.old_number} ", "changed": False}] + [vars(s) for s in r.old]},
            {"segs": [{"text": f"{r.new_number} ", "changed": False}] + [vars(s) for s in r.new]},
            r.note,
        ]
        for r in table.rows
    ]
    return [{"k": "table", "cols": [0.6, 4, 4, 1.6], "head": head, "rows": rows}]


# ---------------------------------------------------------------- the steps after opening


def find(session: Session, version: str) -> Consultation:
    """The consultation of ``version`` — or, with none given, the one still open."""
    query = select(Consultation).order_by(Consultation.id.desc())
    if version:
        found = session.scalar(query.where(Consultation.version == version))
    else:
        found = next((c for c in session.scalars(query) if not c.closes), None)
    if found is None:
        what = f"for version {version}" if version else "open"
        raise fail(
            None, f"no consultation {what}", "consult.none", "run: policybook consult open handbook/ --until DATE"
        )
    return found


def _still_open(consultation: Consultation) -> None:
    if consultation.closes:
        close = consultation.closes[0]
        raise fail(
            None,
            f"the consultation on version {consultation.version} was closed on {close.closed_on}",
            "consult.closed",
            "records are append-only; a new draft needs a new version",
        )


def read_opinions(path: Path, today: datetime.date, diags: Diagnostics) -> list[dict[str, object]]:
    out = []
    for record in read_table(path, OPINION_COLUMNS, ["author", "opinion"], diags):
        day = parse_date(record.text("date")) if record.text("date") else today
        if day is None:
            diags.error(record.at("date"), f"'{record.text('date')}' is not a date", "consult.date", "e.g. 2026-11-20")
        fields: dict[str, object] = {k: record.text(k) for k in ("author", "article", "opinion", "answer")}
        out.append({**fields, "received_on": day, "origin": f"{path.name}:{record.loc.line}"})
    diags.raise_if_errors()
    return out


def add_opinions(session: Session, consultation: Consultation, opinions: list[dict[str, object]], who: Who) -> int:
    _still_open(consultation)
    for o in opinions:
        session.add(Opinion(consultation_id=consultation.id, recorded_at=who.now, recorded_by=who.by, **o))
    session.flush()
    return len(opinions)


@dataclass
class MeetingInput:
    kind: str
    held_on: datetime.date
    attendees: int
    resolution: str
    minutes: Path | None


def add_meeting(
    session: Session, consultation: Consultation, m: MeetingInput, store: EvidenceStore, who: Who
) -> Meeting:
    _still_open(consultation)
    if m.kind not in MEETING_KINDS:
        raise fail(None, f"unknown meeting kind '{m.kind}'", "consult.meeting", f"one of: {', '.join(MEETING_KINDS)}")
    if m.attendees < 1:
        raise fail(None, "a meeting needs at least one attendee", "consult.meeting")
    digest, name = kept(store, m.minutes)
    return _added(session, Meeting(
        consultation_id=consultation.id, kind=m.kind, held_on=m.held_on, attendees=m.attendees,
        resolution=m.resolution, minutes_sha256=digest, minutes_name=name, recorded_at=who.now, recorded_by=who.by,
    ))  # fmt: skip


def kept(store: EvidenceStore, path: Path | None) -> tuple[str, str]:
    """An evidence file hashed and copied into the evidence folder: (SHA-256, name), or ("", "") for none."""
    if path is None:
        return "", ""
    digest = store.digest(path)
    store.put(path, digest)
    return digest, path.name


def _added(session: Session, row: T) -> T:
    session.add(row)
    session.flush()
    return row


def close(session: Session, consultation: Consultation, outcome: str, who: Who) -> Close:
    _still_open(consultation)
    if who.today < consultation.until:
        raise fail(
            None,
            f"the comment period of version {consultation.version} runs until {consultation.until}",
            "consult.early",
            "close it after that day (--date)",
        )
    if not consultation.meetings:
        raise fail(
            None,
            f"no 职工代表大会 / 全体职工 discussion or 协商 recorded for version {consultation.version}",
            "consult.meeting",
            "run: policybook consult meeting --kind congress|assembly|union|representatives …",
        )
    if not outcome.strip():
        raise fail(None, "the outcome is empty", "consult.outcome", "e.g. --outcome '经职工代表大会讨论通过'")
    return _added(
        session,
        Close(
            consultation_id=consultation.id,
            closed_on=who.today,
            outcome=outcome,
            recorded_at=who.now,
            recorded_by=who.by,
        ),
    )


@dataclass
class FilingInput:
    version: str
    subsidiary: str
    filed_on: datetime.date
    authority: str
    reference: str
    evidence: Path | None


def add_filing(session: Session, f: FilingInput, store: EvidenceStore, who: Who) -> Filing:
    """A Taiwan 核備 record (勞動基準法 第70條): which authority, when, under which reference number."""
    for name, value in (("authority", f.authority), ("reference", f.reference)):
        if not value.strip():
            raise fail(None, f"the {name} is empty", "consult.filing")
    digest, name = kept(store, f.evidence)
    return _added(session, Filing(
        version=f.version, subsidiary=f.subsidiary, filed_on=f.filed_on, authority=f.authority,
        reference=f.reference, evidence_sha256=digest, evidence_name=name, recorded_at=who.now, recorded_by=who.by,
    ))  # fmt: skip
