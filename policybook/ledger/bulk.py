"""Ledger stage: insert many rows at once — COPY on PostgreSQL, one executemany elsewhere.

100,000 roster rows or assignments go in as one stream (PostgreSQL's ``COPY …
FROM STDIN`` through psycopg), or as one ``executemany`` of the same
statement (SQLite and any other database). Column names come from the table
definition, never from the data; values travel as data, never as SQL text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session


def insert_rows(session: Session, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    if not rows:
        return
    connection = session.connection()
    if connection.dialect.name == "postgresql" and connection.dialect.driver == "psycopg":
        _copy(connection.connection.driver_connection, table, rows)
    else:
        session.execute(insert(table), list(rows))


def _copy(driver: Any, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    names = [c.name for c in table.columns if c.name in rows[0]]
    quoted = ", ".join(f'"{n}"' for n in names)  # names from the schema, not from the data
    with driver.cursor() as cursor, cursor.copy(f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row([row[n] for n in names])
