"""A voucher batch takes all its account locks first, in id order, so it never deadlocks with
members' own payments on PostgreSQL (SQLite serialises writers anyway)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

import ledger
from tauschring.db import make_engine, run_in_transaction
from tauschring.models import metadata
from tests.conftest import create_postgres_database, drop_postgres_database, require_postgres, worker_suffix

NOW = dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC)


@pytest.fixture
def book(request):
    require_postgres()
    name = f"tauschring_batchlock_{worker_suffix(request)}"
    url = create_postgres_database(name)
    engine = make_engine(url)
    metadata.create_all(engine)
    with Session(engine) as session:
        ring = ledger.create_ring(
            session, name="R", now=NOW, default_min_balance=None, default_max_balance=None
        )
        accounts = [ledger.open_account(session, ring_id=ring, label=f"m{i}", now=NOW) for i in range(4)]
        session.commit()
    yield engine, ring, accounts
    engine.dispose()
    drop_postgres_database(name)


def transfer(session, ring, payer, payee):
    return ledger.book_transfer(
        session,
        ring_id=ring,
        payer=payer,
        payee=payee,
        minutes=15,
        memo="x",
        service_date=NOW.date(),
        now=NOW,
    )


@pytest.mark.postgres
@pytest.mark.parametrize("lock_first", [True, False])
def test_a_batch_locking_its_accounts_first_does_not_deadlock_with_a_single_payment(book, lock_first):
    engine, ring, (a, b, c, d) = book
    batch_has_c = threading.Event()
    single_waits = threading.Event()
    outcome = {}

    def single_payment():
        batch_has_c.wait(5)
        with Session(engine) as session:
            session.execute(text("SET lock_timeout = '3s'"))
            single_waits.set()
            try:
                run_in_transaction(session, lambda s: transfer(s, ring, b, c), attempts=1)
                outcome["single"] = "booked"
            except Exception as error:  # noqa: BLE001 - the test reports what happened
                outcome["single"] = type(error).__name__

    thread = threading.Thread(target=single_payment)
    thread.start()
    with Session(engine) as session:
        session.execute(text("SET deadlock_timeout = '100ms'"))
        session.execute(text("SET lock_timeout = '3s'"))
        try:
            if lock_first:
                ledger.lock_accounts(session, ring_id=ring, account_ids=[a, b, c, d])
            transfer(session, ring, c, d)  # the batch's first line: holds c and d
            batch_has_c.set()
            single_waits.wait(5)
            session.execute(text("SELECT pg_sleep(0.3)"))  # the single payment now waits for b or c
            transfer(session, ring, a, b)  # the batch's second line needs b
            session.commit()
            outcome["batch"] = "booked"
        except Exception as error:  # noqa: BLE001
            session.rollback()
            outcome["batch"] = type(error).__name__
    thread.join(10)
    if lock_first:
        assert outcome == {"batch": "booked", "single": "booked"}
    else:
        # Without the ordered locks, PostgreSQL finds the cycle and cancels one of the two.
        assert "OperationalError" in outcome.values()
    with Session(engine) as session:
        assert ledger.verify(session, ring).ok
