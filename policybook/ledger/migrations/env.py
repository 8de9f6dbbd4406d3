"""Alembic environment: the connection comes from db.py (``config.attributes``), never from a file."""

from alembic import context

from policybook.ledger.schema import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
