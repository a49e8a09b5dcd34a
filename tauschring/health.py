"""Is this instance ready to serve: the database answers and its schema is at the newest
migration. ``/readyz`` answers 503 otherwise, so a load balancer or systemd waits."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import sqlalchemy as sa
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.exc import SQLAlchemyError

from .migrate import alembic_config


@dataclass(frozen=True)
class Readiness:
    database: bool
    revision: str | None  # the database's, None when unknown
    head: str

    @property
    def ready(self) -> bool:
        return self.database and self.revision == self.head


@functools.cache
def head_revision() -> str:
    heads = ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads()
    return ",".join(sorted(heads))


def readiness(engine: sa.Engine) -> Readiness:
    """Connect (a read-only, deferred transaction on SQLite), read the schema's revision."""
    head = head_revision()
    try:
        with engine.connect() as connection:
            connection.execution_options(read_only=True)
            connection.execute(sa.text("SELECT 1"))
            heads = MigrationContext.configure(connection).get_current_heads()
    except SQLAlchemyError:
        return Readiness(False, None, head)
    return Readiness(True, ",".join(sorted(heads)) or None, head)
