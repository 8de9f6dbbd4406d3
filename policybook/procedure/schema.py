"""Procedure stage: the tables (SQLAlchemy, on the ledger's ``Base``); migration 0005 creates them.

- ``consultations``          a release candidate put out for comment (民主程序): notice, channel, period,
                             the 征求意见稿 files with their SHA-256
- ``consultation_opinions``  one opinion: who, which article, what, the answer given
- ``consultation_meetings``  职工代表大会 / 全体职工 discussion, 工会 / 职工代表 协商, signed minutes
- ``consultation_closes``    the outcome, fixed once
- ``filings``                Taiwan: the 核備 of the 工作規則 (authority, date, reference number)
- ``publications``           公示: a release made known on one channel, on one day
- ``publication_evidence``   the files that show it (photo, saved page, sign-in sheet …)
- ``ack_links``              a personal link for online 签收 (only the token's SHA-256 is kept)
- ``ack_link_revocations``   a link withdrawn

Every row is append-only: the session refuses to change or delete one (below) and the
database refuses it too (triggers of migration 0005), so a record cannot be rewritten after
the fact; a correction is a new row.
"""

from __future__ import annotations

import datetime
from typing import Any

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, Text, event
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from policybook.ledger.schema import Base

CHANNELS = ("board", "intranet", "email", "training", "meeting")
CHANNEL_NAMES = {
    "board": "公告栏张贴",
    "intranet": "内网公布",
    "email": "电子邮件送达",
    "training": "培训学习",
    "meeting": "会议宣讲",
}
MEETING_KINDS = {
    "congress": "职工代表大会",
    "assembly": "全体职工大会",
    "union": "工会协商",
    "representatives": "职工代表协商",
}


class Consultation(Base):
    __tablename__ = "consultations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    version: Mapped[str] = mapped_column(String(64), unique=True)  # the release candidate
    subsidiaries: Mapped[str] = mapped_column(String(500))  # comma-separated ids consulted
    opened_on: Mapped[datetime.date] = mapped_column(Date)
    until: Mapped[datetime.date] = mapped_column(Date)
    channel: Mapped[str] = mapped_column(String(32))
    notice: Mapped[str] = mapped_column(Text)
    drafts: Mapped[str] = mapped_column(Text)  # JSON: [{subsidiary, name, sha256, rows}]
    recorded_at: Mapped[datetime.datetime] = mapped_column(DateTime)
    recorded_by: Mapped[str] = mapped_column(String(200), default="")
    opinions: Mapped[list[Opinion]] = relationship(order_by="Opinion.id", viewonly=True)
    meetings: Mapped[list[Meeting]] = relationship(order_by="Meeting.id", viewonly=True)
    closes: Mapped[list[Close]] = relationship(order_by="Close.id", viewonly=True)

    @property
    def subsidiary_ids(self) -> list[str]:
        return [s for s in self.subsidiaries.split(",") if s]


class Opinion(Base):
    __tablename__ = "consultation_opinions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"), index=True)
    received_on: Mapped[datetime.date] = mapped_column(Date)
    author: Mapped[str] = mapped_column(String(200))  # who (a name, 工号 or 部门; may be 匿名)
    article: Mapped[str] = mapped_column(String(200), default="")  # 第十二条 or a label
    opinion: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text, default="")
    recorded_at: Mapped[datetime.datetime] = mapped_column(DateTime)
    recorded_by: Mapped[str] = mapped_column(String(200), default="")
    origin: Mapped[str] = mapped_column(String(600), default="")


class Meeting(Base):
    __tablename__ = "consultation_meetings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))  # a key of MEETING_KINDS
    held_on: Mapped[datetime.date] = mapped_column(Date)
    attendees: Mapped[int] = mapped_column(Integer)
    resolution: Mapped[str] = mapped_column(Text)
    minutes_sha256: Mapped[str] = mapped_column(String(64), default="")
    minutes_name: Mapped[str] = mapped_column(String(500), default="")
    recorded_at: Mapped[datetime.datetime] = mapped_column(DateTime)
    recorded_by: Mapped[str] = mapped_column(String(200), default="")


class Close(Base):
    __tablename__ = "consultation_closes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"), unique=True)
    closed_on: Mapped[datetime.date] = mapped_column(Date)
    outcome: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[datetime.datetime] = mapped_column(DateTime)
    recorded_by: Mapped[str] = mapped_column(String(200), default="")


class Filing(Base):
    __tablename__ = "filings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    version: Mapped[str] = mapped_column(String(64), index=True)
    subsidiary: Mapped[str] = mapped_column(String(64))
    filed_on: Mapped[datetime.date] = mapped_column(Date)
    authority: Mapped[str] = mapped_column(String(200))
    reference: Mapped[str] = mapped_column(String(200))
    evidence_sha256: Mapped[str] = mapped_column(String(64), default="")
    evidence_name: Mapped[str] = mapped_column(String(500), default="")
    recorded_at: Mapped[datetime.datetime] = mapped_column(DateTime)
    recorded_by: Mapped[str] = mapped_column(String(200), default="")


class Publication(Base):
    __tablename__ = "publications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    version: Mapped[str] = mapped_column(String(64), index=True)
    subsidiaries: Mapped[str] = mapped_column(String(500))  # comma-separated; every recorded one if not given
    channel: Mapped[str] = mapped_column(String(16))  # one of CHANNELS
    published_on: Mapped[datetime.date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")  # where: the intranet address, the board's place …
    recorded_at: Mapped[datetime.datetime] = mapped_column(DateTime)
    recorded_by: Mapped[str] = mapped_column(String(200), default="")
    evidence: Mapped[list[PublicationEvidence]] = relationship(order_by="PublicationEvidence.id", viewonly=True)

    @property
    def subsidiary_ids(self) -> list[str]:
        return [s for s in self.subsidiaries.split(",") if s]


class PublicationEvidence(Base):
    __tablename__ = "publication_evidence"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    publication_id: Mapped[int] = mapped_column(ForeignKey("publications.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(500))


class AckLink(Base):
    __tablename__ = "ack_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id"), index=True)
    issued_at: Mapped[datetime.datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime.datetime] = mapped_column(DateTime)
    issued_by: Mapped[str] = mapped_column(String(200), default="")


class AckLinkRevocation(Base):
    __tablename__ = "ack_link_revocations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    link_id: Mapped[int] = mapped_column(ForeignKey("ack_links.id"), unique=True)
    revoked_at: Mapped[datetime.datetime] = mapped_column(DateTime)
    revoked_by: Mapped[str] = mapped_column(String(200), default="")
    reason: Mapped[str] = mapped_column(String(500), default="")


APPEND_ONLY: tuple[type[Base], ...] = (
    Consultation,
    Opinion,
    Meeting,
    Close,
    Filing,
    Publication,
    PublicationEvidence,
    AckLink,
    AckLinkRevocation,
)
TABLES = tuple(cls.__tablename__ for cls in APPEND_ONLY)


@event.listens_for(Session, "before_flush")
def _append_only(session: Session, _context: Any, _instances: Any) -> None:
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, APPEND_ONLY) and (obj in session.deleted or session.is_modified(obj)):
            raise RuntimeError(f"{type(obj).__tablename__} is append-only: record a new row instead")
