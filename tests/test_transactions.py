"""run_in_transaction under injected database errors: a collision at any step of a booking
leaves no half booking and the retry books exactly once; any other error is raised at once;
collisions that never end are given up after a bounded number of attempts; ledger refusals
are rolled back, except a refusal recorded under an idempotency key, which is committed.

The errors are raised by a ``before_cursor_execute`` listener (and a ``commit`` listener) as
the driver would raise them: a PostgreSQL deadlock (40P01) or SQLite's "database is locked".
These tests commit for real, so each runs on a database of its own.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from sqlalchemy import event, func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

import ledger
from tauschring.db import TransactionFailed, make_engine, run_in_transaction
from tauschring.models import metadata
from tests.conftest import BACKENDS
from tests.ledger.worker import scratch_database, utc_now

FLOOR, CEILING = -120, 120


# ---------------------------------------------------------------------------------------------
# Driver errors, as psycopg and sqlite3 raise them


def collision(dialect: str) -> Exception:
    """An error of a transaction colliding with a concurrent one: worth a retry."""
    if dialect == "sqlite":
        return sqlite3.OperationalError("database is locked")
    import psycopg

    return psycopg.errors.DeadlockDetected("deadlock detected")


def breakage(dialect: str) -> Exception:
    """An operational error that no retry cures."""
    if dialect == "sqlite":
        return sqlite3.OperationalError("disk I/O error")
    import psycopg

    return psycopg.errors.DiskFull("could not extend file: No space left on device")


def foreign_violation(dialect: str) -> Exception:
    """An integrity error of a constraint other than the ones a concurrent twin can trip."""
    if dialect == "sqlite":
        return sqlite3.IntegrityError("CHECK constraint failed: ck_account_closed_at_zero")
    import psycopg

    return psycopg.errors.CheckViolation(
        'new row for relation "account" violates check constraint "ck_account_closed_at_zero"'
    )


class Fault:
    """While installed on an engine, count the steps of transactions (each statement sent to the
    database, and each COMMIT) and raise a driver error at step ``at`` (every step if None).

    Statements fail before they reach the database; SQLAlchemy wraps the error as it wraps a
    real one. A failing COMMIT is raised before the database commits, wrapped the same way.
    """

    def __init__(self, engine: sa.Engine, make_error: Callable[[str], Exception] | None, at: int | None):
        self.engine = engine
        self.make_error = make_error
        self.at = at
        self.steps: list[str] = []
        self.raised: list[str] = []

    def __enter__(self) -> Fault:
        event.listen(self.engine, "before_cursor_execute", self._before_statement)
        event.listen(self.engine, "commit", self._before_commit)
        return self

    def __exit__(self, *exc_info: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._before_statement)
        event.remove(self.engine, "commit", self._before_commit)

    def _strikes(self, step: str) -> bool:
        self.steps.append(step)
        strikes = self.make_error is not None and self.at in (None, len(self.steps))
        if strikes:
            self.raised.append(step)
        return strikes

    def _before_statement(self, conn, cursor, statement, parameters, context, executemany) -> None:
        if self._strikes(" ".join(statement.split()[:3])):
            raise self.make_error(self.engine.dialect.name)

    def _before_commit(self, conn) -> None:
        if self._strikes("COMMIT"):
            dialect = self.engine.dialect
            raise DBAPIError.instance(
                "COMMIT", None, self.make_error(dialect.name), dialect.loaded_dbapi.Error, dialect=dialect
            )


class Counted:
    """A unit of work that counts how often run_in_transaction ran it."""

    def __init__(self, work: Callable[[Session], object]):
        self.work = work
        self.calls = 0

    def __call__(self, session: Session) -> object:
        self.calls += 1
        return self.work(session)


# ---------------------------------------------------------------------------------------------
# A committed book on a database of its own


@dataclass(frozen=True)
class State:
    entries: int
    postings: int
    records: int
    balances: dict[int, int]


@dataclass(frozen=True)
class Books:
    engine: sa.Engine
    ring_id: int
    anna: int
    bernd: int
    clara: int

    def transfer(self, payer: int, payee: int, minutes: int, key: str | None = None):
        """The unit of work of one transfer (starts from nothing each time it runs)."""

        def work(session: Session) -> ledger.EntryView:
            now = utc_now()
            return ledger.book_transfer(
                session,
                ring_id=self.ring_id,
                payer=payer,
                payee=payee,
                minutes=minutes,
                memo="Einkaufshilfe",
                service_date=now.date(),
                now=now,
                idempotency_key=key,
            )

        return work

    def run(self, work, **options) -> object:
        with Session(self.engine) as session:
            return run_in_transaction(session, work, **options)

    def state(self) -> State:
        """What is committed, read on a connection of its own."""
        with Session(self.engine) as session:
            count = lambda model: session.scalar(select(func.count()).select_from(model))  # noqa: E731
            return State(
                entries=count(ledger.JournalEntry),
                postings=count(ledger.Posting),
                records=count(ledger.IdempotencyRecord),
                balances={
                    b.account_id: b.balance for b in ledger.ring_balances(session, ring_id=self.ring_id)
                },
            )

    def verified(self) -> bool:
        with Session(self.engine) as session:
            report = ledger.verify(session, self.ring_id)
            assert report.ok, report.violations
            return report.ok

    def steps_of(self, work) -> list[str]:
        """The steps of one run of ``work`` (it is committed)."""
        with Fault(self.engine, None, None) as recorder:
            try:
                self.run(work)
            except ledger.LedgerError:
                pass
        return recorder.steps


@pytest.fixture(params=BACKENDS)
def books(request, tmp_path):
    with scratch_database(request, tmp_path, request.param, "transactions") as url:
        engine = make_engine(url)
        try:
            metadata.create_all(engine)
            now = utc_now()
            with Session(engine) as session:
                ring_id = ledger.create_ring(
                    session,
                    name="Fehlerring",
                    now=now,
                    default_min_balance=FLOOR,
                    default_max_balance=CEILING,
                )
                anna, bernd, clara = (
                    ledger.open_account(session, ring_id=ring_id, label=name, now=now)
                    for name in ("Anna", "Bernd", "Clara")
                )
                # Anna may pay as much as the tests need; Bernd may receive it.
                ledger.set_account_limits(
                    session, ring_id=ring_id, account_id=anna, min_balance=-6000, max_balance=None
                )
                ledger.set_account_limits(
                    session, ring_id=ring_id, account_id=bernd, min_balance=None, max_balance=6000
                )
                session.commit()
            yield Books(engine, ring_id, anna, bernd, clara)
        finally:
            engine.dispose()


# ---------------------------------------------------------------------------------------------
# Collisions are retried


@pytest.mark.parametrize("keyed", [False, True], ids=["without_key", "with_key"])
def test_a_collision_at_any_step_of_a_booking_leaves_no_half_booking_and_the_retry_books_once(books, keyed):
    steps = books.steps_of(books.transfer(books.anna, books.bernd, 5, key="probe" if keyed else None))
    assert steps[-1] == "COMMIT" and len(steps) >= 5, steps

    for at in range(1, len(steps) + 1):
        before = books.state()
        work = Counted(books.transfer(books.anna, books.bernd, 5, key=f"key-{at}" if keyed else None))

        with Fault(books.engine, collision, at=at) as fault:
            booked = books.run(work, backoff_s=0)

        where = f"collision at step {at} ({steps[at - 1]})"
        assert fault.raised == [steps[at - 1]] and work.calls == 2, where
        after = books.state()
        assert (after.entries, after.postings, after.records) == (
            before.entries + 1,
            before.postings + 2,
            before.records + keyed,
        ), where
        assert after.balances[books.anna] == before.balances[books.anna] - 5, where
        assert after.balances[books.bernd] == before.balances[books.bernd] + 5, where
        assert not booked.replayed and booked.idempotency_key == (f"key-{at}" if keyed else None), where
        assert books.verified(), where


def test_a_collision_at_any_statement_of_a_recorded_refusal_records_it_once(books):
    too_much = 2 * -FLOOR
    steps = books.steps_of(books.transfer(books.clara, books.bernd, too_much, key="probe"))
    assert "INSERT INTO idempotency_record" in steps and steps[-1] == "COMMIT", steps

    for at in range(1, len(steps)):  # the COMMIT: see the next test
        before = books.state()
        work = Counted(books.transfer(books.clara, books.bernd, too_much, key=f"refused-{at}"))

        with Fault(books.engine, collision, at=at) as fault:
            with pytest.raises(ledger.LimitExceeded) as refusal:
                books.run(work, backoff_s=0)

        where = f"collision at step {at} ({steps[at - 1]})"
        assert fault.raised == [steps[at - 1]] and work.calls == 2, where
        assert refusal.value.recorded and refusal.value.side == "lower", where
        after = books.state()
        assert (after.entries, after.records, after.balances) == (
            before.entries,
            before.records + 1,
            before.balances,
        ), where
        assert books.verified(), where


def test_a_collision_at_the_commit_of_a_recorded_refusal_is_retried(books):
    too_much = 2 * -FLOOR
    steps = books.steps_of(books.transfer(books.clara, books.bernd, too_much, key="probe"))
    before = books.state()
    work = Counted(books.transfer(books.clara, books.bernd, too_much, key="refused-at-commit"))

    with Fault(books.engine, collision, at=len(steps)) as fault:
        with pytest.raises(ledger.LimitExceeded) as refusal:
            books.run(work, backoff_s=0)

    assert fault.raised == ["COMMIT"] and work.calls == 2
    assert refusal.value.recorded
    assert books.state().records == before.records + 1


# ---------------------------------------------------------------------------------------------
# Other errors are not


@pytest.mark.parametrize("make_error", [breakage, foreign_violation])
def test_an_error_other_than_a_collision_is_raised_at_once_and_leaves_nothing_written(books, make_error):
    steps = books.steps_of(books.transfer(books.anna, books.bernd, 5, key="probe"))
    before = books.state()

    for at in range(1, len(steps) + 1):
        work = Counted(books.transfer(books.anna, books.bernd, 5, key=f"key-{at}"))

        with Fault(books.engine, make_error, at=at) as fault:
            with pytest.raises(DBAPIError) as raised:
                books.run(work, backoff_s=0)

        where = f"{make_error.__name__} at step {at} ({steps[at - 1]})"
        assert fault.raised == [steps[at - 1]] and work.calls == 1, where
        assert type(raised.value.orig) is type(make_error(books.engine.dialect.name)), where
        assert books.state() == before, where
    assert books.verified()


@pytest.mark.parametrize("attempts", [5, 2])
def test_collisions_that_never_end_are_given_up_after_the_bounded_attempts(books, attempts):
    before = books.state()
    work = Counted(books.transfer(books.anna, books.bernd, 5))
    # The default attempts run with the default backoff; the other with none.
    options = {} if attempts == 5 else {"attempts": attempts, "backoff_s": 0}

    with Fault(books.engine, collision, at=None) as fault:
        with pytest.raises(TransactionFailed) as failed:
            books.run(work, **options)

    assert work.calls == attempts and len(fault.raised) == attempts
    assert failed.value.attempts == attempts
    message = str(failed.value)
    assert message.startswith(f"gave up after {attempts} attempts because of concurrent transactions: ")
    assert "OperationalError" in message
    assert isinstance(failed.value.cause, DBAPIError)
    assert failed.value.__cause__ is failed.value.cause
    assert books.state() == before
    assert books.verified()


# ---------------------------------------------------------------------------------------------
# Ledger refusals


def test_a_ledger_refusal_rolls_back_the_whole_unit_of_work_and_is_raised_unretried(books):
    before = books.state()

    def pay_then_overdraw(session: Session) -> None:
        books.transfer(books.anna, books.bernd, 30)(session)
        books.transfer(books.clara, books.bernd, 2 * -FLOOR)(session)

    work = Counted(pay_then_overdraw)
    with pytest.raises(ledger.LimitExceeded) as refusal:
        books.run(work)

    assert work.calls == 1
    assert not refusal.value.recorded
    assert (refusal.value.account_id, refusal.value.side) == (books.clara, "lower")
    assert refusal.value.limit == FLOOR
    # Anna's transfer, booked before the refusal in the same transaction, is gone too.
    assert books.state() == before
    assert books.verified()


def test_a_refusal_recorded_under_a_key_is_committed_and_replayed_even_once_the_limit_allows_it(books):
    too_much = 2 * -FLOOR
    before = books.state()

    with pytest.raises(ledger.LimitExceeded) as first:
        books.run(books.transfer(books.clara, books.bernd, too_much, key="scheck-4711"))

    assert first.value.recorded
    recorded = books.state()
    assert (recorded.entries, recorded.records) == (before.entries, before.records + 1)

    # The office lowers Clara's floor: the same transfer would now be booked.
    with Session(books.engine) as session:
        ledger.set_account_limits(
            session, ring_id=books.ring_id, account_id=books.clara, min_balance=-too_much, max_balance=None
        )
        session.commit()

    # A retry under the same key still gets the first answer.
    with pytest.raises(ledger.LimitExceeded) as again:
        books.run(books.transfer(books.clara, books.bernd, too_much, key="scheck-4711"))
    assert again.value.params == first.value.params
    assert books.state() == recorded

    # Under a new key the same transfer goes through: the limit really allows it now.
    booked = books.run(books.transfer(books.clara, books.bernd, too_much, key="scheck-4712"))
    assert booked.postings[0].balance_after == -too_much
    assert books.verified()


def test_a_recorded_refusal_commits_only_its_record_not_the_rest_of_the_unit_of_work(books):
    before = books.state()

    def pay_then_overdraw_with_a_key(session: Session) -> None:
        books.transfer(books.anna, books.bernd, 30)(session)
        books.transfer(books.clara, books.bernd, 2 * -FLOOR, key="scheck-4713")(session)

    with pytest.raises(ledger.LimitExceeded) as refusal:
        books.run(pay_then_overdraw_with_a_key)

    assert refusal.value.recorded
    after = books.state()
    assert (after.entries, after.postings, after.balances) == (
        before.entries,
        before.postings,
        before.balances,
    )
    assert after.records == before.records + 1
    assert books.verified()
