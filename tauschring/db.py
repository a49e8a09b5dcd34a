"""The database: engines, sessions, and the one place that commits.

SQLite (the embedded default) runs with WAL, foreign keys on, FULL sync and a busy timeout, and
every transaction starts with BEGIN IMMEDIATE, so a booking holds the write lock from its first
read (a deferred BEGIN that reads and then writes can fail on a lock upgrade). Read-only work
may ask for a deferred BEGIN with the execution option ``read_only=True``.

PostgreSQL runs at READ COMMITTED; the ledger locks accounts in id order.
"""

from __future__ import annotations

import os
import random
import sqlite3
import time
from collections.abc import Callable
from typing import TypeVar

import sqlalchemy as sa
from flask_sqlalchemy_lite import SQLAlchemy
from sqlalchemy import event
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session

import ledger

from . import events, metrics
from .files import private_file

db = SQLAlchemy()

SQLITE_BUSY_TIMEOUT_S = 30
T = TypeVar("T")


def sqlite_connect_args() -> dict[str, object]:
    return {"timeout": SQLITE_BUSY_TIMEOUT_S}


def configure_engine(engine: sa.Engine) -> sa.Engine:
    """Apply the connection settings the ledger relies on (SQLite only; PostgreSQL needs none)."""
    if engine.dialect.name != "sqlite":
        return engine

    database = engine.url.database
    if database and database != ":memory:" and not database.startswith("file:"):

        @event.listens_for(engine, "do_connect")
        def _private_file(dialect, conn_rec, cargs, cparams) -> None:
            # SQLite gives its -wal and -shm files the database file's mode: 0600 for all three.
            private_file(database)
            for companion in (f"{database}-wal", f"{database}-shm"):
                if os.path.exists(companion):
                    private_file(companion)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, connection_record) -> None:
        # Take BEGIN away from pysqlite: it would start transactions lazily, and deferred.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:
        mode = "DEFERRED" if conn.get_execution_options().get("read_only") else "IMMEDIATE"
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


def make_engine(url: str, **options: object) -> sa.Engine:
    """An engine outside Flask (CLI tools, worker processes, benchmarks), configured like the app's."""
    return configure_engine(sa.create_engine(url, **{**engine_options(url), **options}))


class TransactionFailed(Exception):
    """A transaction kept colliding with concurrent ones and was given up after bounded retries."""

    def __init__(self, attempts: int, cause: BaseException) -> None:
        self.attempts = attempts
        self.cause = cause
        super().__init__(
            f"gave up after {attempts} attempts because of concurrent transactions: "
            f"{type(cause).__name__}: {cause}"
        )


# PostgreSQL: serialization_failure, deadlock_detected. The ledger locks in id order, so a
# deadlock should not happen; if one does, the database broke it and a retry is right.
_RETRY_SQLSTATES = {"40001", "40P01"}
# A concurrent twin committed the same voucher number, idempotency key or reversal first: the
# retry then sees it and gives the proper answer (duplicate, replay, already reversed).
_RETRY_UNIQUE = (
    "uq_journal_entry_ring_id_voucher_number",
    "uq_journal_entry_ring_id_idempotency_key",
    "uq_journal_entry_reverses_id",
    "uq_idempotency_record_ring_id_key",
    "journal_entry.voucher_number",
    "journal_entry.idempotency_key",
    "journal_entry.reverses_id",
    "idempotency_record.ring_id, idempotency_record.key",
)


# PostgreSQL: the statement ran out of time (statement_timeout, lock_timeout), the server is
# shutting down or cannot take a connection now, or the connection broke (class 08).
_UNAVAILABLE_SQLSTATES = {"57014", "55P03", "57P01", "57P02", "57P03", "53300"}


def is_unavailable(exc: BaseException) -> bool:
    """Whether a database error means "try again in a moment" rather than a fault: a dropped
    connection, a statement that ran out of time, a server shutting down, a lock held too long."""
    if isinstance(exc, TransactionFailed):
        return True
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    sqlstate = getattr(exc.orig, "sqlstate", None) or ""
    if sqlstate in _UNAVAILABLE_SQLSTATES or sqlstate.startswith("08"):
        return True
    if isinstance(exc, OperationalError) and isinstance(exc.orig, sqlite3.OperationalError):
        return "locked" in str(exc.orig).lower() or "busy" in str(exc.orig).lower()
    return False


def engine_options(url: str, statement_timeout_ms: int | None = None) -> dict[str, object]:
    """What every engine gets: a connection that the server dropped while it waited in the pool
    is noticed and replaced before use (pre-ping); SQL parameters (names, streets, memos, token
    hashes) never appear in an error's text and so never in a log; on PostgreSQL a statement
    that runs longer than ``statement_timeout_ms`` is cancelled by the server (answered 503)."""
    options: dict[str, object] = {"pool_pre_ping": True, "hide_parameters": True}
    if url.startswith("sqlite"):
        options["connect_args"] = sqlite_connect_args()
    elif statement_timeout_ms:
        options["connect_args"] = {"options": f"-c statement_timeout={int(statement_timeout_ms)}"}
    return options


def is_retryable(exc: DBAPIError) -> bool:
    """Whether a database error is a collision with a concurrent transaction, or a connection
    that broke under the transaction (it is tried once more on a fresh one)."""
    orig = exc.orig
    if exc.connection_invalidated:
        return True
    if getattr(orig, "sqlstate", None) in _RETRY_SQLSTATES:
        return True
    if isinstance(exc, OperationalError) and isinstance(orig, sqlite3.OperationalError):
        message = str(orig).lower()
        return "locked" in message or "busy" in message
    if isinstance(exc, IntegrityError):
        message = str(orig)
        return any(name in message for name in _RETRY_UNIQUE)
    return False


def run_in_transaction(
    session: Session,
    work: Callable[[Session], T],
    *,
    attempts: int = 5,
    backoff_s: float = 0.01,
) -> T:
    """Run ``work(session)`` in one transaction and commit; retry collisions, then give up clearly.

    ``work`` must start from nothing each time (it may run more than once). A ledger refusal
    rolls the whole unit of work back; when the refusal was recorded under an idempotency key,
    that record alone is written again and committed, so a retry with the key gets the same
    refusal. The events the work recorded are delivered after the commit, and only then: a
    rolled-back or retried attempt tells nobody anything.
    """
    for attempt in range(1, attempts + 1):
        events.discard(session)
        try:
            try:
                result = work(session)
            except ledger.LedgerError as refusal:
                metrics.count_refusal(refusal.code)
                # Nothing of the refused unit of work stays, except the refusal of an
                # idempotency key, recorded again on its own and committed.
                session.rollback()
                events.discard(session)
                if refusal.recorded:
                    ledger.record_refusal(session, refusal)
                    session.commit()
                raise
            session.commit()
        except ledger.LedgerError:
            raise
        except DBAPIError as exc:
            session.rollback()
            events.discard(session)
            if not is_retryable(exc):
                raise
            if attempt == attempts:
                raise TransactionFailed(attempts, exc) from exc
            time.sleep(backoff_s * (2**attempt) * random.random())
            continue
        except BaseException as failure:
            session.rollback()
            events.discard(session)
            code = getattr(failure, "code", None)
            if isinstance(code, str):  # a refusal of a use case (errors.Refusal)
                metrics.count_refusal(code)
            remember = getattr(failure, "remember", None)
            if callable(remember):  # what a refusal leaves behind (a failed sign-in is counted)
                remember(session)
                session.commit()
            raise
        events.deliver(session)
        return result
    raise AssertionError("unreachable")
