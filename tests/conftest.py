"""Shared fixtures: a database per backend (SQLite always, PostgreSQL when reachable), a session
per test inside a transaction that is rolled back, and plain builders.

PostgreSQL is taken from TEST_POSTGRES_URL (default: postgres@127.0.0.1:5432, trust auth). When
it cannot be reached its tests are skipped, except under CI (CI=true), where that is a failure.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from tauschring.db import make_engine
from tauschring.models import metadata

POSTGRES_ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

_postgres_state: dict[str, object] = {}


def postgres_reachable() -> bool:
    """Whether the test PostgreSQL server answers (checked once per process)."""
    if "ok" not in _postgres_state:
        engine = sa.create_engine(POSTGRES_ADMIN_URL, connect_args={"connect_timeout": 3})
        try:
            with engine.connect() as connection:
                connection.execute(sa.text("SELECT 1"))
            _postgres_state["ok"] = True
        except Exception as exc:  # any failure to connect means "not reachable"
            _postgres_state["ok"] = False
            _postgres_state["error"] = exc
        finally:
            engine.dispose()
    return bool(_postgres_state["ok"])


def require_postgres() -> None:
    if postgres_reachable():
        return
    message = f"PostgreSQL unreachable at {POSTGRES_ADMIN_URL}: {_postgres_state.get('error')}"
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


_RUN_ID = uuid.uuid4().hex[:8]


def worker_suffix(request: pytest.FixtureRequest) -> str:
    """This run and this xdist worker: database names with it collide neither with another worker
    nor with another run on the same server (xdist's workers share the run's id)."""
    workerinput = getattr(request.config, "workerinput", {})
    run = workerinput.get("testrunuid", _RUN_ID)[:8]
    return f"{run}_{workerinput.get('workerid', 'main')}"


def create_postgres_database(name: str) -> str:
    """Drop and create an empty database; return its URL."""
    admin = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
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
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return sa.make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(name: str) -> None:
    admin = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
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
    finally:
        admin.dispose()


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("db") / "test.sqlite"
    return f"sqlite:///{path}"


@pytest.fixture(scope="session")
def postgres_url(request: pytest.FixtureRequest) -> Iterator[str]:
    require_postgres()
    name = f"tauschring_test_{worker_suffix(request)}"
    url = create_postgres_database(name)
    yield url
    drop_postgres_database(name)


BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(scope="session")
def sqlite_engine(sqlite_url: str) -> Iterator[sa.Engine]:
    engine = make_engine(sqlite_url)
    metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def postgres_engine(postgres_url: str) -> Iterator[sa.Engine]:
    engine = make_engine(postgres_url)
    metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def engine(request: pytest.FixtureRequest) -> sa.Engine:
    """The schema on one backend (each test runs once per backend)."""
    return request.getfixturevalue(f"{request.param}_engine")


@pytest.fixture
def session(engine: sa.Engine) -> Iterator[Session]:
    """A session inside an outer transaction that is rolled back after the test.

    Code under test may commit: with create_savepoint, its commits only release savepoints.
    """
    with engine.connect() as connection:
        outer = connection.begin()
        session = Session(bind=connection, join_transaction_mode="create_savepoint")
        try:
            yield session
        finally:
            session.close()
            outer.rollback()


@pytest.fixture
def fresh_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database URL of the test's backend (parametrize with backend=...)."""
    backend = getattr(request, "param", "sqlite")
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.sqlite'}"
        return
    require_postgres()
    name = f"tauschring_fresh_{worker_suffix(request)}"
    url = create_postgres_database(name)
    yield url
    drop_postgres_database(name)
