"""The scheduled job that accepts due payment requests is safe when several server processes run
it at once: every due request is booked exactly once, on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

import ledger
from tauschring import jobs, logins, payments
from tauschring.db import make_engine, run_in_transaction
from tauschring.members import admit_member
from tauschring.models import PaymentRequest, metadata
from tauschring.permissions import Actor
from tauschring.rings import found_ring
from tests.conftest import BACKENDS
from tests.ledger.worker import scratch_database
from tests.tauschring.conftest import _cached_hash

NOW = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC)
REQUESTS = 40
RUNNERS = 4


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path):
    with scratch_database(request, tmp_path, request.param, "due") as url:
        yield url


@pytest.fixture
def ring_with_due_requests(database_url, monkeypatch):
    monkeypatch.setattr(logins, "generate_password_hash", _cached_hash)
    engine = make_engine(database_url)
    metadata.create_all(engine)
    asked = NOW - dt.timedelta(days=20)
    with Session(engine) as session:
        ring_id = found_ring(session, name="Lastring", now=asked, auto_accept_days=14)
        system = Actor.system(ring_id)
        people = [
            admit_member(session, system, first_name=f"M{n}", last_name="Test", now=asked) for n in range(8)
        ]
        for n in range(REQUESTS):
            payee, payer = people[n % 8], people[(n + 3) % 8]
            payments.request_payment(
                session,
                system,
                payee=payee,
                payer=payer,
                minutes=15,
                memo=f"Hilfe {n}",
                service_date=asked.date(),
                now=asked,
            )
        session.commit()
    yield database_url, ring_id
    engine.dispose()


def test_several_runners_at_once_book_every_due_request_exactly_once(ring_with_due_requests):
    url, ring_id = ring_with_due_requests
    start = threading.Barrier(RUNNERS)
    failures: list[BaseException] = []

    def runner() -> None:
        engine = make_engine(url)
        try:
            with Session(engine) as session:
                start.wait()
                run_in_transaction(session, lambda s: payments.accept_due_requests(s, ring_id, NOW))
        except BaseException as exc:  # reported below
            failures.append(exc)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=runner) for _ in range(RUNNERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == []

    engine = make_engine(url)
    try:
        with Session(engine) as session:
            statuses = session.scalars(select(PaymentRequest.status)).all()
            assert statuses == ["auto_accepted"] * REQUESTS
            entries = session.scalar(select(func.count()).select_from(ledger.JournalEntry))
            linked = session.scalar(select(func.count(func.distinct(PaymentRequest.entry_id))))
            assert entries == linked == REQUESTS
            assert ledger.verify(session, ring_id).ok
            # Run once more, as the next tick of the schedule would: nothing is left to do.
            assert jobs.accept_due(session, [ring_id]) == [jobs.DueRequests(ring_id, 0, 0)]
    finally:
        engine.dispose()
