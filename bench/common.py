"""Helpers the benchmarks share: is PostgreSQL there, which version, a database of one's own."""

from __future__ import annotations

import contextlib
import functools
import os
import secrets
import sys
from collections.abc import Iterator

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


@functools.cache
def run_suffix() -> str:
    """This run's mark: the process id and six random hex digits, the same for the whole run."""
    return f"{os.getpid()}_{secrets.token_hex(3)}"


def database_name(base: str) -> str:
    """A database name of this run only (``base`` plus the run's suffix): two runs at once, even
    of the same benchmark on the same server, never share a database."""
    name = f"{base}_{run_suffix()}"
    if len(name) > 63:  # PostgreSQL cuts identifiers at 63 bytes
        raise ValueError(f"database name too long: {name}")
    return name


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


@contextlib.contextmanager
def postgres_database(admin_url: str, base: str) -> Iterator[str]:
    """A fresh database of this run (named by ``database_name``), dropped again on the way out,
    however the block ends. Yields its SQLAlchemy URL."""
    name = database_name(base)
    try:
        url = recreate_postgres_database(admin_url, name)
        print(f"[bench] database {name} created", file=sys.stderr, flush=True)
        yield url
    finally:
        recreate_postgres_database(admin_url, name, create=False)
        print(f"[bench] database {name} dropped", file=sys.stderr, flush=True)
