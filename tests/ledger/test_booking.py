"""Booking transfers and multi-leg entries: balances, balance_after, the stored header."""

from __future__ import annotations

import datetime as dt

import pytest

import ledger
from tests.builders import DAY, T0, make_account, make_ring, pay


@pytest.fixture
def ring(session):
    return make_ring(session)


def test_a_transfer_moves_minutes_from_payer_to_payee(session, ring):
    anna, bernd = make_account(session, ring, "Anna"), make_account(session, ring, "Bernd")

    entry = pay(session, ring, anna, bernd, 90, memo="Rasen gemäht")

    assert ledger.balance_of(session, ring_id=ring, account_id=anna).balance == -90
    assert ledger.balance_of(session, ring_id=ring, account_id=bernd).balance == 90
    assert [(p.account_id, p.amount, p.balance_after) for p in entry.postings] == [
        (anna, -90, -90),
        (bernd, 90, 90),
    ]


def test_balance_after_follows_each_account_through_successive_entries(session, ring):
    anna, bernd, clara = (make_account(session, ring, n) for n in ("Anna", "Bernd", "Clara"))

    pay(session, ring, anna, bernd, 60)
    pay(session, ring, bernd, clara, 45)
    last = pay(session, ring, clara, anna, 15)

    assert [(p.account_id, p.balance_after) for p in last.postings] == [(clara, 30), (anna, -45)]
    assert ledger.verify(session, ring).ok


def test_the_entry_header_stores_who_when_how_and_why(session, ring):
    anna, bernd = make_account(session, ring, "Anna"), make_account(session, ring, "Bernd")
    now = dt.datetime(2026, 11, 20, 18, 30, tzinfo=dt.UTC)

    booked = pay(
        session,
        ring,
        anna,
        bernd,
        60,
        memo="Fahrt zum Arzt",
        service_date=dt.date(2026, 11, 14),
        now=now,
        operator_id=7,
        on_behalf_of_id=anna,
        channel="office",
        voucher_number="B-1001",
    )
    stored = ledger.entry(session, ring_id=ring, entry_id=booked.id)

    assert (stored.kind, stored.memo, stored.service_date, stored.booked_at) == (
        "transfer",
        "Fahrt zum Arzt",
        dt.date(2026, 11, 14),
        now,
    )
    assert (stored.operator_id, stored.on_behalf_of_id, stored.channel, stored.voucher_number) == (
        7,
        anna,
        "office",
        "B-1001",
    )
    assert stored.postings == booked.postings


def test_a_multi_leg_entry_books_a_fee_from_many_members_at_once(session, ring):
    members = [make_account(session, ring, f"M{i}") for i in range(5)]
    fees = ledger.system_account(session, ring, "fees")

    entry = ledger.book_entry(
        session,
        ring_id=ring,
        kind="fee",
        memo="Kontoführungsgebühr 11/2026",
        postings=[*((m, -30) for m in members), (fees, 150)],
        service_date=DAY,
        now=T0,
        channel="system",
    )

    assert len(entry.postings) == 6
    assert ledger.balance_of(session, ring_id=ring, account_id=fees).balance == 150
    assert all(ledger.balance_of(session, ring_id=ring, account_id=m).balance == -30 for m in members)
    assert ledger.verify(session, ring).ok


def test_a_ring_is_created_with_its_four_system_accounts(session, ring):
    kinds = {b.kind: b for b in ledger.ring_balances(session, ring_id=ring)}

    assert set(kinds) == {"community", "fees", "opening", "clearing"}
    assert all(b.min_balance is None and b.max_balance is None for b in kinds.values())


def test_a_booking_is_never_dated_before_the_accounts_latest_posting(session, ring):
    anna, bernd = make_account(session, ring, "Anna"), make_account(session, ring, "Bernd")
    later = T0 + dt.timedelta(minutes=5)
    pay(session, ring, anna, bernd, 30, now=later)

    # A second process whose clock read a moment earlier books after the first one committed.
    second = pay(session, ring, bernd, anna, 10, now=T0)

    assert second.booked_at == later
    assert ledger.verify(session, ring).ok
