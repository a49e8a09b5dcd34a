"""After-commit events: what a use case records is told to subscribers after the commit, never for
a rolled-back or retried attempt, and never twice."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy.exc import OperationalError

import ledger
from tauschring import errors, events, payments
from tauschring.db import run_in_transaction
from tests.tauschring.conftest import T0


@pytest.fixture
def told():
    heard: list[events.Event] = []

    def listen(event: events.Event) -> None:
        heard.append(event)

    events.subscribe(events.Event)(listen)
    yield heard
    events.unsubscribe(events.Event, listen)


def pay(world, session, minutes=60):
    return payments.pay(
        session,
        world.actor("anna"),
        payer=world.anna,
        payee=world.bernd,
        minutes=minutes,
        memo="Hilfe",
        service_date=T0.date(),
        now=T0,
        idempotency_key=f"k-{minutes}",
    )


def test_a_payment_is_told_after_the_commit_and_only_then(world, session, told):
    session.commit()
    seen_inside = []

    def work(s):
        entry = pay(world, s)
        seen_inside.append(list(told))
        return entry

    entry = run_in_transaction(session, work)
    assert seen_inside == [[]]  # nothing told before the commit
    booked = [e for e in told if isinstance(e, events.PaymentBooked)]
    assert [(e.entry_id, e.payer_id, e.payee_id, e.minutes) for e in booked] == [
        (entry.id, world.anna.id, world.bernd.id, 60)
    ]


def test_a_rolled_back_attempt_tells_nothing(world, session, told):
    session.commit()

    def work(s):
        pay(world, s)
        raise errors.MemoMissing()  # a rule broken after the booking: all of it rolls back

    with pytest.raises(errors.MemoMissing):
        run_in_transaction(session, work)
    assert told == [] and events.pending(session) == []


def test_a_refusal_of_the_books_tells_nothing(world, session, told):
    session.commit()
    with pytest.raises(ledger.LimitExceeded):
        run_in_transaction(session, lambda s: pay(world, s, minutes=31 * 60))
    assert told == []


def test_a_retried_attempt_is_told_once(world, session, told):
    session.commit()
    attempts = []

    def work(s):
        entry = pay(world, s)
        attempts.append(entry.id)
        if len(attempts) == 1:  # a collision with a concurrent writer: the attempt starts over
            raise OperationalError("BEGIN", {}, sqlite3.OperationalError("database is locked"))
        return entry

    run_in_transaction(session, work, backoff_s=0)
    assert len(attempts) == 2
    assert len([e for e in told if isinstance(e, events.PaymentBooked)]) == 1


def test_a_replayed_payment_is_not_told_again(world, session, told):
    session.commit()
    run_in_transaction(session, lambda s: pay(world, s))
    replay = run_in_transaction(session, lambda s: pay(world, s))
    assert replay.replayed
    assert len([e for e in told if isinstance(e, events.PaymentBooked)]) == 1


def test_a_failing_subscriber_does_not_undo_the_committed_work(world, session, told):
    session.commit()

    def broken(event):
        raise RuntimeError("the mail server is down")

    events.subscribe(events.PaymentBooked)(broken)
    try:
        entry = run_in_transaction(session, lambda s: pay(world, s))
    finally:
        events.unsubscribe(events.PaymentBooked, broken)
    assert entry.id and any(isinstance(e, events.PaymentBooked) for e in told)
