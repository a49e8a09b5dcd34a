"""Reversal (Storno): the mirror entry, linked both ways; once only; never of a reversal."""

from __future__ import annotations

import datetime as dt

import pytest

import ledger
from tests.builders import T0, make_account, make_ring, pay, row_counts


@pytest.fixture
def book(session):
    ring = make_ring(session, min_balance=-60, max_balance=120)
    return ring, make_account(session, ring, "Anna"), make_account(session, ring, "Bernd")


def test_a_reversal_books_the_mirror_and_links_both_ways(session, book):
    ring, anna, bernd = book
    original = pay(session, ring, anna, bernd, 45, memo="Fenster geputzt", service_date=dt.date(2026, 10, 30))
    later = T0 + dt.timedelta(days=3)

    reversal = ledger.reverse_entry(
        session, ring_id=ring, entry_id=original.id, reason="Doppelt eingegeben", now=later, operator_id=9
    )

    assert reversal.kind == "reversal" and reversal.reverses_id == original.id
    assert [(p.account_id, p.amount) for p in reversal.postings] == [(anna, 45), (bernd, -45)]
    assert (reversal.memo, reversal.service_date, reversal.booked_at, reversal.operator_id) == (
        "Doppelt eingegeben",
        dt.date(2026, 10, 30),
        later,
        9,
    )
    assert ledger.entry(session, ring_id=ring, entry_id=original.id).reversed_by_id == reversal.id
    assert ledger.balance_of(session, ring_id=ring, account_id=anna).balance == 0
    assert ledger.verify(session, ring).ok


def test_a_reversal_shows_on_both_statements_linked_to_the_original(session, book):
    ring, anna, bernd = book
    original = pay(session, ring, anna, bernd, 45)
    reversal = ledger.reverse_entry(session, ring_id=ring, entry_id=original.id, reason="Irrtum", now=T0)

    for account in (anna, bernd):
        lines = ledger.statement(session, ring_id=ring, account_id=account).lines
        assert [(line.entry_id, line.reversed_by_id, line.reverses_id) for line in lines] == [
            (original.id, reversal.id, None),
            (reversal.id, None, original.id),
        ]


def test_an_entry_cannot_be_reversed_twice(session, book):
    ring, anna, bernd = book
    original = pay(session, ring, anna, bernd, 45)
    first = ledger.reverse_entry(session, ring_id=ring, entry_id=original.id, reason="Irrtum", now=T0)
    before = row_counts(session)

    with pytest.raises(ledger.AlreadyReversed) as refused:
        ledger.reverse_entry(session, ring_id=ring, entry_id=original.id, reason="nochmal", now=T0)

    assert (refused.value.entry_id, refused.value.reversal_id) == (original.id, first.id)
    assert row_counts(session) == before


def test_an_unknown_or_foreign_entry_cannot_be_reversed(session, book):
    ring, anna, bernd = book
    original = pay(session, ring, anna, bernd, 45)
    other = make_ring(session, name="Nachbarring")

    with pytest.raises(ledger.UnknownEntry):
        ledger.reverse_entry(session, ring_id=ring, entry_id=original.id + 1000, reason="x", now=T0)
    with pytest.raises(ledger.UnknownEntry):
        ledger.reverse_entry(session, ring_id=other, entry_id=original.id, reason="x", now=T0)


def test_a_reversal_that_would_cross_a_limit_needs_an_override(session, book):
    ring, anna, bernd = book
    original = pay(session, ring, anna, bernd, 60)
    pay(session, ring, bernd, make_account(session, ring, "Clara"), 60)
    pay(session, ring, bernd, make_account(session, ring, "Dora"), 60)  # Bernd spent it: -60

    with pytest.raises(ledger.LimitExceeded):
        ledger.reverse_entry(session, ring_id=ring, entry_id=original.id, reason="Irrtum", now=T0)
    reversal = ledger.reverse_entry(
        session, ring_id=ring, entry_id=original.id, reason="Irrtum", now=T0, override_limits=True
    )

    assert reversal.override_reason == "Irrtum"
    assert ledger.balance_of(session, ring_id=ring, account_id=bernd).balance == -120
    assert ledger.verify(session, ring).ok


def test_a_reversal_needs_a_reason(session, book):
    ring, anna, bernd = book
    original = pay(session, ring, anna, bernd, 60)

    with pytest.raises(ledger.InvalidField):
        ledger.reverse_entry(session, ring_id=ring, entry_id=original.id, reason=" ", now=T0)
