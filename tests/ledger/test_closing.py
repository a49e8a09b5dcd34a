"""Settlement and closing: the rest goes to the community account, then the account closes at zero."""

from __future__ import annotations

import datetime as dt

import pytest

import ledger
from tests.builders import T0, make_account, make_ring, pay, row_counts

LEAVING = T0 + dt.timedelta(days=10)


@pytest.fixture
def book(session):
    ring = make_ring(session)
    return ring, make_account(session, ring, "Anna"), make_account(session, ring, "Bernd")


@pytest.mark.parametrize("direction", ["credit", "debit"])
def test_settling_books_the_balance_against_the_community_account(session, book, direction):
    ring, anna, bernd = book
    if direction == "credit":
        pay(session, ring, bernd, anna, 150)
    else:
        pay(session, ring, anna, bernd, 150)
    community = ledger.system_account(session, ring, "community")
    balance = ledger.balance_of(session, ring_id=ring, account_id=anna).balance

    entry = ledger.settle_account(session, ring_id=ring, account_id=anna, memo="Austritt", now=LEAVING)

    assert entry.kind == "settlement" and entry.on_behalf_of_id == anna
    assert [(p.account_id, p.amount) for p in entry.postings] == [(anna, -balance), (community, balance)]
    assert ledger.balance_of(session, ring_id=ring, account_id=anna).balance == 0
    assert ledger.balance_of(session, ring_id=ring, account_id=community).balance == balance


def test_settling_a_zero_balance_books_nothing(session, book):
    ring, anna, _ = book
    before = row_counts(session)
    assert ledger.settle_account(session, ring_id=ring, account_id=anna, memo="Austritt", now=LEAVING) is None
    assert row_counts(session) == before


def test_an_account_closes_only_at_balance_zero(session, book):
    ring, anna, bernd = book
    pay(session, ring, anna, bernd, 30)
    before = row_counts(session)

    with pytest.raises(ledger.AccountNotZero) as refused:
        ledger.close_account(session, ring_id=ring, account_id=anna, now=LEAVING)

    assert refused.value.balance == -30 and "-0:30" in refused.value.message
    assert row_counts(session) == before


def test_settle_then_close_leaves_a_closed_account_and_a_clean_book(session, book):
    ring, anna, bernd = book
    pay(session, ring, anna, bernd, 30)

    ledger.settle_account(session, ring_id=ring, account_id=anna, memo="Austritt", now=LEAVING)
    ledger.close_account(session, ring_id=ring, account_id=anna, now=LEAVING)

    shown = ledger.balance_of(session, ring_id=ring, account_id=anna)
    assert shown.closed and shown.balance == 0
    assert ledger.verify(session, ring).ok
    with pytest.raises(ledger.AccountClosed):
        ledger.close_account(session, ring_id=ring, account_id=anna, now=LEAVING)
    with pytest.raises(ledger.AccountClosed):
        ledger.settle_account(session, ring_id=ring, account_id=anna, memo="nochmal", now=LEAVING)


def test_system_accounts_are_never_closed_or_settled(session, book):
    ring, _, _ = book
    community = ledger.system_account(session, ring, "community")
    with pytest.raises(ledger.InvalidField):
        ledger.close_account(session, ring_id=ring, account_id=community, now=LEAVING)
    with pytest.raises(ledger.InvalidField):
        ledger.settle_account(session, ring_id=ring, account_id=community, memo="x", now=LEAVING)
