"""Test support for the 签收 ledger: a real PostgreSQL server, and the sample built at two versions.

Both are made once per test session. The PostgreSQL server is started from the
Debian ``postgresql`` package's binaries in a temporary folder (as the
``postgres`` user when the tests run as root); if it cannot be started the
tests that need it FAIL with the reason — they are never skipped.
"""

from __future__ import annotations

import glob
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from policybook.build import build

REPO = Path(__file__).parent.parent
SUBS = ["sh", "sz"]  # the two subsidiaries the ledger tests build (sz is the one that changes)


@dataclass
class Version:
    project: Path  # holds handbook/, forms/, templates/
    dist: Path

    @property
    def source(self) -> Path:
        return self.project / "handbook"


@dataclass
class Sample:
    old: Version  # 3.2, as in the repository
    new: Version  # 3.3: only Shenzhen's late fine changed (one article), plus the version bump


def make_sample(base: Path, formats: tuple[str, ...] = ("pdf",)) -> Sample:
    old = _copy(base / "v32")
    new = _copy(base / "v33")
    meta = (new.source / "handbook.yaml").read_text(encoding="utf-8")
    meta = meta.replace('version: "3.2"', 'version: "3.3"', 1).replace("effective: 2026-12-01", "effective: 2027-01-01")
    meta = meta.replace(
        "revisions:\n",
        'revisions:\n  - version: "3.3"\n    date: 2027-01-01\n    summary: 调整深圳公司迟到扣款标准。\n',
        1,
    )
    (new.source / "handbook.yaml").write_text(meta, encoding="utf-8")
    sz = new.source / "subsidiaries" / "sz.yaml"
    sz.write_text(sz.read_text(encoding="utf-8").replace("late_fine: 80", "late_fine: 100"), encoding="utf-8")
    for version in (old, new):
        build(version.source, version.dist, SUBS, list(formats))
    return Sample(old, new)


def _copy(project: Path) -> Version:
    project.mkdir(parents=True)
    for part in ("handbook", "forms", "templates"):
        shutil.copytree(REPO / part, project / part)
    return Version(project, project / "dist")


# ---------------------------------------------------------------- PostgreSQL


@dataclass
class Postgres:
    host: str
    port: int
    user: str = "policybook"

    def url(self, database: str) -> str:
        return f"postgresql://{self.user}@{self.host}:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        import psycopg
        from psycopg import sql

        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.url(name)


def fresh_ledger(request: pytest.FixtureRequest, tmp_path: Path, prefix: str) -> str:
    """A ledger for one test, by the ``db`` fixture's parameter: a SQLite file, or a new database on the
    session's PostgreSQL server (the test module's ``postgres`` fixture)."""
    if request.param == "sqlite":
        return str(tmp_path / "ledger.db")
    server: Postgres = request.getfixturevalue("postgres")
    return server.create_database(f"{prefix}_{uuid.uuid4().hex[:12]}")


def start_postgres() -> Iterator[Postgres]:
    """initdb + pg_ctl start in a temporary folder on a free port; stopped afterwards."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_major)
    if not found:
        pytest.fail("PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin/initdb): install 'postgresql'")
    bindir = Path(found[-1]).parent
    base = Path(tempfile.mkdtemp(prefix="pb-pg-"))  # short: the unix socket path must stay under 108 bytes
    prefix = _as_user(base)
    port = _free_port()
    data, log = base / "data", base / "server.log"
    try:
        _run(
            [
                *prefix,
                str(bindir / "initdb"),
                "-D",
                str(data),
                "-U",
                "policybook",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ],
            "initdb",
        )
        options = f"-p {port} -k {base} -c listen_addresses=localhost -c fsync=off"
        _run(
            [
                *prefix,
                str(bindir / "pg_ctl"),
                "-D",
                str(data),
                "-l",
                str(log),
                "-w",
                "-t",
                "60",
                "-o",
                options,
                "start",
            ],
            "pg_ctl start",
            log,
        )
        yield Postgres("localhost", port)
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run(
                [*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
                capture_output=True,
                check=False,
            )
        shutil.rmtree(base, ignore_errors=True)


def _major(path: str) -> int:
    match = re.search(r"/postgresql/(\d+)/", path)
    return int(match.group(1)) if match else 0


def _as_user(base: Path) -> list[str]:
    """PostgreSQL refuses to run as root: run it as 'postgres', owning the temporary folder."""
    if os.geteuid() != 0:
        return []
    try:
        user = pwd.getpwnam("postgres")
    except KeyError:
        pytest.fail("running as root and there is no 'postgres' user to run the PostgreSQL server as")
    os.chown(base, user.pw_uid, user.pw_gid)
    return ["runuser", "-u", "postgres", "--"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _run(command: list[str], what: str, log: Path | None = None) -> None:
    done = subprocess.run(command, capture_output=True, text=True, check=False, cwd="/")
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip()
        if log is not None and log.exists():
            detail += "\n" + log.read_text(errors="replace")[-2000:]
        pytest.fail(f"cannot start PostgreSQL: {what} failed (exit {done.returncode}):\n{detail}")
