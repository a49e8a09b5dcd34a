"""Helpers the benchmarks share: is PostgreSQL there, which version, a fresh database."""

from __future__ import annotations

import sqlalchemy as sa

try:
    import psycopg
except ImportError:  # pragma: no cover - the postgres extra is optional
    psycopg = None


def postgres_unreachable(admin_url: str) -> str | None:
    """None if the server answers, else why not."""
    if psycopg is None:
        return "psycopg is not installed (pip install -e '.[postgres]')"
    engine = sa.create_engine(admin_url, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
        return None
    except Exception as exc:  # any failure to connect means "not reachable"
        return f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}"
    finally:
        engine.dispose()


def postgres_version(admin_url: str) -> str:
    engine = sa.create_engine(admin_url)
    try:
        with engine.connect() as connection:
            return connection.execute(sa.text("SHOW server_version")).scalar_one()
    finally:
        engine.dispose()


def recreate_postgres_database(admin_url: str, name: str, *, create: bool = True) -> str:
    """Drop (and create) database ``name``; return its SQLAlchemy URL."""
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": name},
            )
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
            if create:
                connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return sa.make_url(admin_url).set(database=name).render_as_string(hide_password=False)
