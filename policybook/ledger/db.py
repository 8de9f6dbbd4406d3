"""Ledger stage: open the ledger database — where it is, migrations, one transaction per command.

SQLite by default (``policybook.db`` beside the source folder), PostgreSQL
(or any SQLAlchemy URL) with ``--db URL`` or ``POLICYBOOK_DB``. Opening runs
the Alembic migrations shipped in ``migrations/`` up to the newest.

Every command runs in one transaction (:meth:`Ledger.transaction`): killed
half-way, the database is as it was before. SQLite transactions start with
``BEGIN IMMEDIATE`` and wait up to :data:`BUSY_SECONDS` for another writer, so
two processes recording at once take turns instead of failing; PostgreSQL
lets them run side by side. Acknowledgements are append-only here (the session
refuses to update or delete one) and in the database (triggers, see the
first migration).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session

from policybook.diagnostics import fail
from policybook.ledger.schema import Acknowledgement, EmployeeVersion

BUSY_SECONDS = 60.0
DEFAULT_NAME = "policybook.db"


def default_url(source: str | Path = "handbook") -> str:
    """``POLICYBOOK_DB``, else ``policybook.db`` beside the source folder."""
    env = os.environ.get("POLICYBOOK_DB", "").strip()
    if env:
        return env
    return str(Path(source).resolve().parent / DEFAULT_NAME)


def normalise_url(value: str) -> str:
    """A path means a SQLite file; ``postgresql://`` uses the installed psycopg 3 driver."""
    if "://" not in value:
        return f"sqlite:///{Path(value).resolve()}"
    if value.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + value.split("://", 1)[1]
    return value


class Ledger:
    """An open ledger database."""

    def __init__(self, url: str) -> None:
        self.url = normalise_url(url)
        self.engine = _engine(self.url)
        self.shown = make_url(self.url).render_as_string(hide_password=True)
        _migrate(self.engine, self.shown)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back if it raises."""
        with Session(self.engine, expire_on_commit=False) as session, session.begin():
            yield session

    def close(self) -> None:
        self.engine.dispose()


@contextmanager
def opened(url: str) -> Iterator[Ledger]:
    ledger = Ledger(url)
    try:
        yield ledger
    finally:
        ledger.close()


def _engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise fail(
            None, f"not a database URL: '{url}'", "ledger.url", "e.g. postgresql://user@host/db or a file path"
        ) from None
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url)
    database = parsed.database or ""
    if database and database != ":memory:" and not Path(database).parent.is_dir():
        raise fail(None, f"no folder for the ledger file '{database}'", "ledger.url", "create the folder first")
    engine = create_engine(url, connect_args={"timeout": BUSY_SECONDS})
    event.listen(engine, "connect", _sqlite_connect)
    event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself (below)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")  # readers do not wait for a writer
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    # take the write lock at once: two writers queue on the busy timeout instead of
    # dead-locking when both try to upgrade a read lock
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def _migrate(engine: Engine, shown: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(resources.files("policybook.ledger") / "migrations"))
    head = ScriptDirectory.from_config(config).get_current_head()
    try:
        with engine.begin() as connection:
            if MigrationContext.configure(connection).get_current_revision() == head:
                return
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise fail(None, f"cannot open the ledger {shown}: {reason}", "ledger.open") from None


@event.listens_for(Session, "before_flush")
def _append_only(session: Session, _context: Any, _instances: Any) -> None:
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, Acknowledgement | EmployeeVersion) and (obj in session.deleted or session.is_modified(obj)):
            raise RuntimeError("acknowledgements are append-only: record a new one that supersedes it")
