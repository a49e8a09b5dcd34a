"""Idempotency keys: a retry returns the first outcome and books nothing, even a refusal."""

from __future__ import annotations

import datetime as dt

import pytest

import ledger
from tests.builders import make_account, make_ring, pay, row_counts


@pytest.fixture
def book(session):
    ring = make_ring(session, min_balance=-60, max_balance=600)
    return ring, make_account(session, ring, "Anna"), make_account(session, ring, "Bernd")


def test_a_retry_with_the_same_key_and_content_returns_the_first_entry_and_books_nothing(session, book):
    ring, anna, bernd = book
    first = pay(session, ring, anna, bernd, 30, idempotency_key="pay-1")
    before = row_counts(session)

    again = pay(
        session, ring, anna, bernd, 30, idempotency_key="pay-1", now=first.booked_at + dt.timedelta(hours=1)
    )

    assert again.id == first.id and again.replayed and not first.replayed
    assert again.postings == first.postings
    assert row_counts(session) == before
    assert ledger.balance_of(session, ring_id=ring, account_id=anna).balance == -30


def test_a_refused_first_attempt_stays_refused_even_when_it_would_now_succeed(session, book):
    ring, anna, bernd = book
    with pytest.raises(ledger.LimitExceeded) as first:
        pay(session, ring, anna, bernd, 90, idempotency_key="pay-2")
    assert first.value.recorded
    pay(session, ring, make_account(session, ring, "Clara"), anna, 60)  # now Anna could afford it

    with pytest.raises(ledger.LimitExceeded) as again:
        pay(session, ring, anna, bernd, 90, idempotency_key="pay-2")

    assert again.value.params == first.value.params
    assert ledger.balance_of(session, ring_id=ring, account_id=anna).balance == 60


def test_a_refusal_without_a_key_is_not_recorded(session, book):
    ring, anna, bernd = book
    before = row_counts(session)
    with pytest.raises(ledger.LimitExceeded) as refused:
        pay(session, ring, anna, bernd, 90)
    assert not refused.value.recorded
    assert row_counts(session) == before


def test_the_same_key_in_another_ring_is_another_request(session, book):
    ring, anna, bernd = book
    other = make_ring(session, name="Nachbarring")
    x, y = make_account(session, other, "X"), make_account(session, other, "Y")

    a = pay(session, ring, anna, bernd, 30, idempotency_key="same")
    b = pay(session, other, x, y, 30, idempotency_key="same")

    assert a.id != b.id and not b.replayed


def test_a_reversal_with_a_key_is_idempotent_too(session, book):
    ring, anna, bernd = book
    original = pay(session, ring, anna, bernd, 30)

    first = ledger.reverse_entry(
        session,
        ring_id=ring,
        entry_id=original.id,
        reason="Irrtum",
        now=original.booked_at,
        idempotency_key="storno-1",
    )
    again = ledger.reverse_entry(
        session,
        ring_id=ring,
        entry_id=original.id,
        reason="Irrtum",
        now=original.booked_at,
        idempotency_key="storno-1",
    )

    assert again.id == first.id and again.replayed


@pytest.mark.parametrize(
    "change",
    [
        {"minutes": 31},
        {"memo": "anderer Text"},
        {"service_date": dt.date(2026, 11, 1)},
        {"voucher_number": "77"},
        {"swap": True},
    ],
)
def test_any_change_of_content_under_the_same_key_is_a_conflict(session, book, change):
    ring, anna, bernd = book
    pay(session, ring, anna, bernd, 30, idempotency_key="pay-3")
    change = dict(change)
    payer, payee = (bernd, anna) if change.pop("swap", False) else (anna, bernd)
    minutes = change.pop("minutes", 30)

    with pytest.raises(ledger.IdempotencyConflict):
        pay(session, ring, payer, payee, minutes, idempotency_key="pay-3", **change)


def test_a_replayed_refusal_says_it_is_a_replay(session, book):
    ring, anna, bernd = book
    with pytest.raises(ledger.LimitExceeded) as first:
        pay(session, ring, anna, bernd, 90, idempotency_key="pay-9")
    with pytest.raises(ledger.LimitExceeded) as again:
        pay(session, ring, anna, bernd, 90, idempotency_key="pay-9")
    assert not first.value.replayed and again.value.replayed
