"""A closing racing back-dated bookings, on SQLite and PostgreSQL: each booking either committed
before the closing took its locks (and the closing covers it) or waited and was refused; the
closing's count, balances and fingerprint match the books afterwards."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

import ledger
from tauschring.db import make_engine, run_in_transaction
from tauschring.models import metadata
from tests.ledger.worker import scratch_database

pytestmark = pytest.mark.slow

NOW = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)
NOV_15 = dt.date(2026, 11, 15)
BOOKERS = 4


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request, tmp_path):
    with scratch_database(request, tmp_path, request.param, "periodrace") as url:
        yield url


def test_a_booking_racing_the_closing_is_covered_or_refused(database_url):
    engine = make_engine(database_url)
    try:
        metadata.create_all(engine)
        with Session(engine) as session:
            ring = ledger.create_ring(session, name="Wettlauf", now=NOW)
            accounts = [ledger.open_account(session, ring_id=ring, label=f"M{n}", now=NOW) for n in range(6)]
            session.commit()

        booked: list[int] = []
        refused: list[int] = []
        closed = threading.Event()
        lock = threading.Lock()

        def booker(n: int) -> None:
            with Session(engine) as session:
                i = 0
                # Keep booking until some bookings after the closing were refused.
                while i < 400:
                    i += 1
                    payer, payee = accounts[(n + i) % 6], accounts[(n + i + 1) % 6]
                    try:
                        entry = run_in_transaction(
                            session,
                            lambda s, payer=payer, payee=payee, i=i: ledger.book_transfer(
                                s,
                                ring_id=ring,
                                payer=payer,
                                payee=payee,
                                minutes=1 + i % 7,
                                memo=f"b{n}-{i}",
                                service_date=NOV_15,
                                now=NOW,
                            ),
                        )
                    except ledger.PeriodClosed:
                        with lock:
                            refused.append(n)
                        if closed.is_set():
                            return
                        continue
                    with lock:
                        booked.append(entry.id)

        threads = [threading.Thread(target=booker, args=(n,)) for n in range(BOOKERS)]
        for thread in threads:
            thread.start()
        time.sleep(0.3)
        with Session(engine) as session:
            closing = run_in_transaction(
                session,
                lambda s: ledger.close_period(
                    s,
                    ring_id=ring,
                    kind="month",
                    start=dt.date(2026, 11, 1),
                    end=dt.date(2026, 11, 30),
                    now=NOW,
                ),
            )
        closed.set()
        for thread in threads:
            thread.join(timeout=120)
        assert not any(thread.is_alive() for thread in threads)

        with Session(engine) as session:
            in_books = session.scalar(
                select(func.count())
                .select_from(ledger.JournalEntry)
                .where(ledger.JournalEntry.ring_id == ring)
            )
            report = ledger.verify(session, ring)
            balances = {a: ledger.balance_of(session, ring_id=ring, account_id=a).balance for a in accounts}
        assert booked, "no booking landed before the closing; the race was not run"
        assert refused, "no booking was refused after the closing"
        assert in_books == len(booked) == closing.entry_count
        assert report.ok, report.violations
        assert {a: closing.balances[a] for a in accounts} == balances
    finally:
        engine.dispose()
