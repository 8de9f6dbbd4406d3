"""Ledger stage: Alembic migrations, run by db.py whenever a ledger is opened."""
