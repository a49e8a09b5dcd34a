"""Alembic: the head builds exactly the models' schema, on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from tauschring.db import make_engine
from tauschring.migrate import current_revision, upgrade
from tauschring.models import metadata

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
TAUSCHRING = str(Path(sys.executable).with_name("tauschring"))


def schema_differences(url: str) -> list:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return compare_metadata(context, metadata)
    finally:
        engine.dispose()


def trigger_names(url: str) -> set[str]:
    engine = make_engine(url)
    query = (
        "SELECT name FROM sqlite_master WHERE type = 'trigger'"
        if url.startswith("sqlite")
        else "SELECT DISTINCT trigger_name FROM information_schema.triggers"
    )
    try:
        with engine.connect() as connection:
            return set(connection.execute(sa.text(query)).scalars())
    finally:
        engine.dispose()


@pytest.mark.parametrize("fresh_database", BACKENDS, indirect=True)
def test_the_migration_head_builds_exactly_the_models_schema(fresh_database):
    upgrade(fresh_database)

    assert schema_differences(fresh_database) == []
    assert trigger_names(fresh_database) == {
        "trg_journal_entry_no_update",
        "trg_journal_entry_no_delete",
        "trg_posting_no_update",
        "trg_posting_no_delete",
    }


@pytest.mark.parametrize("fresh_database", BACKENDS, indirect=True)
def test_downgrade_to_base_and_upgrade_again(fresh_database):
    upgrade(fresh_database)
    upgrade_head = current_revision(fresh_database)

    from alembic import command

    from tauschring.migrate import alembic_config

    command.downgrade(alembic_config(fresh_database), "base")
    assert current_revision(fresh_database) is None
    upgrade(fresh_database)
    assert current_revision(fresh_database) == upgrade_head
    assert schema_differences(fresh_database) == []


@pytest.mark.parametrize("fresh_database", BACKENDS, indirect=True)
def test_the_db_upgrade_command_migrates_an_empty_database(fresh_database, tmp_path):
    env = {**os.environ, "DATABASE_URL": fresh_database, "TAUSCHRING_INSTANCE_PATH": str(tmp_path)}

    done = subprocess.run([TAUSCHRING, "db", "upgrade"], env=env, capture_output=True, text=True, timeout=120)

    assert done.returncode == 0, done.stderr
    assert "Datenbank migriert" in done.stdout
    assert current_revision(fresh_database) is not None
    assert schema_differences(fresh_database) == []


@pytest.mark.parametrize("fresh_database", BACKENDS, indirect=True)
def test_the_migrations_create_every_check_constraint_and_index_of_the_models(fresh_database):
    """Autogenerate compares columns and keys, not CHECK constraints: compare those by name."""
    upgrade(fresh_database)
    checks, indexes = _constraints(fresh_database)

    assert checks == {
        (table.name, constraint.name)
        for table in metadata.sorted_tables
        for constraint in table.constraints
        if isinstance(constraint, sa.CheckConstraint)
    }
    assert {
        (table.name, index.name) for table in metadata.sorted_tables for index in table.indexes
    } <= indexes


def _constraints(url: str) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    engine = make_engine(url)
    try:
        inspector = sa.inspect(engine)
        tables = [t for t in inspector.get_table_names() if t != "alembic_version"]
        checks = {(t, check["name"]) for t in tables for check in inspector.get_check_constraints(t)}
        indexes = {(t, index["name"]) for t in tables for index in inspector.get_indexes(t)}
        return checks, indexes
    finally:
        engine.dispose()
