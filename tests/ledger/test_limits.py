"""Limits: the floor on the paying side, the ceiling on the receiving side, overrides with a reason."""

from __future__ import annotations

import pytest

import ledger
from tests.builders import make_account, make_ring, pay, row_counts


@pytest.fixture
def ring(session):
    return make_ring(session, min_balance=-60, max_balance=120)


def test_payment_that_would_cross_the_lower_limit_is_refused_and_writes_nothing(session, ring):
    anna, bernd = make_account(session, ring, "Anna"), make_account(session, ring, "Bernd")
    pay(session, ring, anna, bernd, 45)
    before = row_counts(session)

    with pytest.raises(ledger.LimitExceeded) as refused:
        pay(session, ring, anna, bernd, 30)

    assert refused.value.params == {
        "account_id": anna,
        "label": "Anna",
        "side": "lower",
        "balance": -45,
        "amount": -30,
        "limit": -60,
    }
    assert "Anna" in refused.value.message and "-0:45" in refused.value.message
    assert "-1:00" in refused.value.message and "-0:30" in refused.value.message
    assert row_counts(session) == before


def test_payment_that_would_cross_the_payees_upper_limit_is_refused(session, ring):
    rich = make_account(session, ring, "Reich", max_balance=100)
    others = [make_account(session, ring, f"M{i}") for i in range(2)]
    pay(session, ring, others[0], rich, 60)

    with pytest.raises(ledger.LimitExceeded) as refused:
        pay(session, ring, others[1], rich, 50)

    assert (refused.value.side, refused.value.balance, refused.value.limit) == ("upper", 60, 100)
    assert refused.value.account_id == rich


def test_a_payment_up_to_exactly_the_limit_is_booked(session, ring):
    anna, bernd = make_account(session, ring, "Anna"), make_account(session, ring, "Bernd")

    pay(session, ring, anna, bernd, 60)

    assert ledger.balance_of(session, ring_id=ring, account_id=anna).balance == -60
    assert ledger.balance_of(session, ring_id=ring, account_id=anna).can_pay == 0


def test_an_account_beyond_a_lowered_limit_can_still_move_back_toward_it(session, ring):
    anna, bernd = make_account(session, ring, "Anna"), make_account(session, ring, "Bernd")
    pay(session, ring, anna, bernd, 60)
    ledger.set_ring_limits(session, ring_id=ring, min_balance=-30, max_balance=30)

    # Anna is 30 minutes below the new floor and Bernd 30 above the new ceiling: each may only
    # move back toward the limits.
    with pytest.raises(ledger.LimitExceeded):
        pay(session, ring, anna, make_account(session, ring, "Clara"), 1)
    pay(session, ring, bernd, anna, 15)

    assert ledger.balance_of(session, ring_id=ring, account_id=anna).balance == -45
    assert ledger.balance_of(session, ring_id=ring, account_id=bernd).balance == 45
    report = ledger.verify(session, ring)
    assert report.ok
    assert {n.account_id for n in report.notices} == {anna, bernd}


def test_a_per_account_override_replaces_the_ring_default(session, ring):
    generous = make_account(session, ring, "Großzügig", min_balance=-300)
    bernd = make_account(session, ring, "Bernd", max_balance=600)

    pay(session, ring, generous, bernd, 240)

    shown = ledger.balance_of(session, ring_id=ring, account_id=generous)
    assert (shown.balance, shown.min_balance, shown.max_balance) == (-240, -300, 120)


def test_the_office_may_book_past_a_limit_with_a_reason_that_is_stored(session, ring):
    anna, bernd = make_account(session, ring, "Anna"), make_account(session, ring, "Bernd")

    entry = pay(
        session,
        ring,
        anna,
        bernd,
        90,
        override_reason="Umzugshilfe, vom Vorstand genehmigt",
        channel="office",
        operator_id=3,
    )

    assert ledger.entry(session, ring_id=ring, entry_id=entry.id).override_reason == (
        "Umzugshilfe, vom Vorstand genehmigt"
    )
    assert [p.limit_checked for p in entry.postings] == [-60, 120]
    assert ledger.verify(session, ring).ok


def test_system_accounts_have_no_limits(session, ring):
    anna = make_account(session, ring, "Anna")
    community = ledger.system_account(session, ring, "community")

    pay(session, ring, community, anna, 100)
    entry = pay(session, ring, community, anna, 20)

    assert ledger.balance_of(session, ring_id=ring, account_id=community).balance == -120
    assert entry.postings[0].limit_checked is None


def test_a_ring_without_limits_refuses_nothing(session):
    ring = make_ring(session, min_balance=None, max_balance=None)
    anna, bernd = make_account(session, ring, "Anna"), make_account(session, ring, "Bernd")

    pay(session, ring, anna, bernd, ledger.MAX_POSTING_MINUTES)

    assert ledger.balance_of(session, ring_id=ring, account_id=anna).can_pay is None


@pytest.mark.parametrize(
    ("low", "high"),
    [(60, 120), (-60, -1), (-120, 0.5), (True, 60), (-10_000_000, 60)],
)
def test_nonsensical_limits_are_refused(session, ring, low, high):
    with pytest.raises(ledger.InvalidLimits):
        ledger.set_ring_limits(session, ring_id=ring, min_balance=low, max_balance=high)


def test_a_member_limit_that_excludes_a_zero_balance_is_refused(session, ring):
    anna = make_account(session, ring, "Anna")

    with pytest.raises(ledger.InvalidLimits, match="highest balance must be zero or above"):
        ledger.set_account_limits(session, ring_id=ring, account_id=anna, min_balance=-20, max_balance=-10)
