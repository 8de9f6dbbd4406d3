"""Append-only tables: the DDL the migrations use to make the database itself refuse changes.

SQLite: BEFORE UPDATE and BEFORE DELETE abort, and BEFORE INSERT aborts when the
new row's id or one of its unique keys is already taken — ``INSERT OR REPLACE``,
``REPLACE INTO`` and an UPSERT would otherwise delete the old row first, and the
DELETE trigger does not fire for a conflict resolution. PostgreSQL: one function
per migration, a row trigger on UPDATE OR DELETE (an ``ON CONFLICT DO UPDATE``
fires it) and a statement trigger on TRUNCATE.

The DDL is static: built from the table names the migrations declare, never from
a value that came from outside.
"""

from __future__ import annotations

from alembic import op


def protect(function: str, tables: dict[str, list[str]]) -> None:
    """Make ``tables`` (table → its unique keys besides ``id``) append-only in this database."""
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for table, keys in tables.items():
            for statement in _sqlite(table, keys):
                op.execute(statement)
    elif dialect == "postgresql":
        op.execute(
            f"CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$"
        )
        for table in tables:
            for statement in _postgres(function, table):
                op.execute(statement)


def release(function: str) -> None:
    """After the tables are dropped (their triggers with them): drop the PostgreSQL function."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP FUNCTION {function}()")


def _sqlite(table: str, keys: list[str]) -> list[str]:
    stop = f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
    taken = " OR ".join(f"EXISTS (SELECT 1 FROM {table} WHERE {k} = NEW.{k})" for k in ["id", *keys])
    out = [f"CREATE TRIGGER {table}_no_replace BEFORE INSERT ON {table} WHEN {taken} {stop}"]
    return out + [f"CREATE TRIGGER {table}_no_{w.lower()} BEFORE {w} ON {table} {stop}" for w in ("UPDATE", "DELETE")]


def _postgres(function: str, table: str) -> list[str]:
    return [
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {function}()",
    ]
