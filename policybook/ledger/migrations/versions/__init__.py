"""One module per migration (Alembic revision)."""
