"""Alembic migrations of the Tauschring database (alembic.ini at the repository root)."""
