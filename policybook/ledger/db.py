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
from alembic.util import CommandError
from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.orm import Session

from policybook.diagnostics import fail
from policybook.ledger.schema import Acknowledgement, EmployeeVersion

BUSY_SECONDS = 60.0
CONNECT_SECONDS = 10  # a database server that does not answer: give up, say so
DEFAULT_NAME = "policybook.db"
LEDGER_TABLES = frozenset({"employees", "releases", "release_files", "assignments", "acknowledgements"})
_INIT_ALLOWED: set[str] = set()  # URLs whose database may receive the ledger's tables beside others (--init)


def allow_init(url: str) -> None:
    """``--init``: the ledger may create its tables in this database even if it holds other tables."""
    _INIT_ALLOWED.add(normalise_url(url))


def default_url(source: str | Path = "handbook") -> str:
    """``POLICYBOOK_DB``, else ``policybook.db`` beside the source folder."""
    env = os.environ.get("POLICYBOOK_DB", "").strip()
    if env:
        return env
    return str(Path(source).resolve().parent / DEFAULT_NAME)


def normalise_url(value: str) -> str:
    """A path means a SQLite file; ``postgresql://`` uses the installed psycopg 3 driver."""
    if "://" not in value and "\0" not in value:
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
        _migrate(self.engine, self.shown, self.url in _INIT_ALLOWED)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back if it raises; a fault of
        the database (read-only, disk full, connection lost …) is one line naming it."""
        try:
            with Session(self.engine, expire_on_commit=False) as session, session.begin():
                yield session
        except SQLAlchemyError as exc:
            raise fail(None, f"ledger {self.shown}: {_reason(exc)}", "ledger.write", _hint(exc)) from None

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
    if any(ord(c) < 32 for c in url):
        raise fail(None, f"not a database URL: '{url}' (it holds control characters)", "ledger.url")
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        raise fail(
            None, f"not a database URL: '{url}'", "ledger.url", "e.g. postgresql://user@host/db or a file path"
        ) from None
    shown = parsed.render_as_string(hide_password=True)
    if parsed.get_backend_name() != "sqlite":
        try:
            connect = {"connect_timeout": CONNECT_SECONDS} if parsed.get_backend_name() == "postgresql" else {}
            return create_engine(url, connect_args=connect)
        except NoSuchModuleError:
            hint = "use postgresql://user@host/db or a SQLite file path"
            raise fail(None, f"unknown kind of database: {shown}", "ledger.url", hint) from None
        except ImportError as exc:
            hint = "install the database's Python driver, or use postgresql:// (psycopg) or a SQLite file"
            raise fail(None, f"no driver for the ledger {shown}: {exc}", "ledger.driver", hint) from None
        except (ArgumentError, ValueError, TypeError) as exc:
            raise fail(None, f"bad database URL {shown}: {exc}", "ledger.url") from None
    database = parsed.database or ""
    if database.startswith("file:"):  # SQLite URI filename (…?mode=ro&uri=true)
        database = database[5:]
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


def _migrate(engine: Engine, shown: str, init: bool = False) -> None:
    config = Config()
    config.set_main_option("script_location", str(resources.files("policybook.ledger") / "migrations"))
    script = ScriptDirectory.from_config(config)
    head = script.get_current_head()
    try:
        with engine.begin() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
            if current == head:
                return
            if current is not None and current not in {r.revision for r in script.walk_revisions()}:
                raise fail(
                    None,
                    f"the database {shown} holds another application's schema (revision '{current}')",
                    "ledger.foreign",
                    "give --db a database of the ledger's own",
                )
            if current is None and not init:
                _refuse_foreign_tables(connection, shown)
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    except (SQLAlchemyError, CommandError, OSError, ValueError) as exc:
        raise fail(None, f"cannot open the ledger {shown}: {_reason(exc)}", "ledger.open", _hint(exc)) from None


def _refuse_foreign_tables(connection: Any, shown: str) -> None:
    """A database that holds tables but no ledger belongs to someone else: ask before adding ours."""
    others = sorted(set(inspect(connection).get_table_names()) - LEDGER_TABLES - {"alembic_version"})
    if others:
        listed = ", ".join(others[:5]) + (" …" if len(others) > 5 else "")
        raise fail(
            None,
            f"the database {shown} holds other tables ({listed}); the ledger's tables were not created",
            "ledger.foreign",
            "give --db a database of its own, or --init to add the ledger's tables to this one",
        )


def _reason(exc: BaseException) -> str:
    """The database's own words, first line only."""
    origin = getattr(exc, "orig", None) or exc
    text = str(origin).strip().splitlines()
    return text[0][:300] if text else type(origin).__name__


def _hint(exc: BaseException) -> str:
    text = _reason(exc).lower()
    if "readonly" in text or "read-only" in text:
        return "the ledger file (or its folder) is read-only: check its permissions"
    if "not a database" in text:
        return "--db names a file that is not a SQLite database"
    if "unable to open" in text:
        return "check the path and the folder's permissions"
    if "connection" in text or "could not" in text or "timeout" in text:
        return "is the database server running and reachable?"
    return ""


@event.listens_for(Session, "before_flush")
def _append_only(session: Session, _context: Any, _instances: Any) -> None:
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, Acknowledgement | EmployeeVersion) and (obj in session.deleted or session.is_modified(obj)):
            raise RuntimeError("acknowledgements are append-only: record a new one that supersedes it")
