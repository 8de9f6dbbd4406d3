"""Test support for the studio: an app on a copy of the sample with its own SQLite ledger, and users."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from policybook.ledger.db import opened
from policybook.studio import StudioConfig, create_app, users

# Argon2id at its lowest cost in tests (the studio's default costs 64 MiB and ~0.1–1.5 s per
# hash on this shared machine; what is tested is that the hash is Argon2id and checked)
users.HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
REPO = Path(__file__).parent.parent
PASSWORD = "correct horse battery"
PEOPLE = {  # username: (name, roles)
    "admin": ("系统管理员", "admin"),
    "li": ("李编辑", "editor"),
    "wang": ("王编辑", "editor"),
    "zhao": ("赵经理", "approver,editor"),
    "qian": ("钱发布", "publisher"),
    "sun": ("孙文员", "clerk"),
    "zhou": ("周查阅", "viewer"),
}


def copy_sample(base: Path) -> Path:
    """A project folder holding handbook/, forms/, templates/ (the studio works on its own copy)."""
    for part in ("handbook", "forms", "templates"):
        shutil.copytree(REPO / part, base / part)
    return base / "handbook"


def add_people(db_url: str) -> None:
    with opened(db_url) as ledger, ledger.transaction() as db:
        for username, (name, roles) in PEOPLE.items():
            users.add_user(db, username, name, PASSWORD, roles)


@dataclass
class Studio:
    app: Flask
    source: Path
    db: str

    def client(self, username: str | None = None) -> FlaskClient:
        client = self.app.test_client()
        if username:
            login(client, username)
        return client


def make_studio(base: Path, people: bool = True, **settings: Any) -> Studio:
    source = copy_sample(base)
    db = settings.pop("db", str(base / "policybook.db"))
    if people:
        add_people(db)
    app = create_app(StudioConfig(source=source, db=db, output=base / "dist", testing=True, **settings))
    return Studio(app, source, db)


def token(html: str) -> str:
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'name="csrf-token" content="([^"]+)"', html
    )
    assert found, "no CSRF token on the page"
    return found.group(1)


def login(client: FlaskClient, username: str, password: str = PASSWORD) -> Any:
    page = client.get("/login")
    return client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token(page.get_data(as_text=True))}
    )


EMPLOYEES = [  # id, name, subsidiary, department
    ("SZ001", "陈静", "sz", "客服一部"),
    ("SZ002", "林涛", "sz", "客服二部"),
    ("SH001", "周敏", "sh", "研发部"),
    ("SH002", "吴磊", "sh", "市场部"),
]


def released_32(studio: Studio) -> None:
    """The sample's 3.2 built (PDF, sh and sz), the roster imported, 3.2 recorded and assigned — as
    ``policybook build`` + ``roster import`` + ``ack assign`` leave a ledger."""
    import datetime

    from policybook.build import build, check
    from policybook.diagnostics import Diagnostics
    from policybook.ledger.assignments import assign
    from policybook.ledger.releases import built_pdfs, record_release
    from policybook.ledger.roster import upsert
    from policybook.ledger.schema import Acknowledgement, Assignment

    output = studio.app.extensions["studio_config"].output
    build(studio.source, output, ["sh", "sz"], ["pdf"])
    checked = check(studio.source, [], Diagnostics(), formats=[])
    stamp = datetime.datetime(2026, 12, 1, 9, 0)
    rows: list[dict[str, object]] = [
        {"id": i, "name": n, "subsidiary": s, "department": d, "hire_date": datetime.date(2024, 3, 1),
         "email": "", "phone": "", "status": "active"}
        for i, n, s, d in EMPLOYEES
    ]  # fmt: skip
    with opened(studio.db) as ledger, ledger.transaction() as session:
        upsert(session, rows, stamp)
        built = built_pdfs(checked, output, Diagnostics())
        release = record_release(session, checked, built, stamp.date(), stamp)
        assign(session, release, list(built), 30, stamp)
        for assignment in session.scalars(select(Assignment).where(Assignment.release_id == release.id)):
            session.add(  # everyone signed 3.2
                Acknowledgement(
                    assignment_id=assignment.id,
                    method="paper",
                    signed_on=stamp.date(),
                    recorded_at=stamp,
                    recorded_by="test",
                    evidence_sha256="",
                    evidence_name="",
                    origin="test",
                )
            )
