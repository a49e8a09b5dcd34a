"""Bad input: each is refused with its own error, and nothing is written."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

import ledger
from tests.builders import DAY, T0, make_account, make_ring, pay, row_counts


@pytest.fixture
def book(session):
    ring = make_ring(session)
    anna, bernd = make_account(session, ring, "Anna"), make_account(session, ring, "Bernd")
    return ring, anna, bernd


def refused(session, error, call):
    """Run ``call``; assert it raises ``error`` and leaves every table as it was."""
    before = row_counts(session)
    with pytest.raises(error) as info:
        call()
    assert row_counts(session) == before
    return info.value


@pytest.mark.parametrize(
    ("minutes", "reason"),
    [
        (0, "must not be zero"),
        (-30, "must be positive"),
        (1.5, "whole number of minutes"),
        (60.0, "whole number of minutes"),
        (Decimal("30"), "whole number of minutes"),
        ("60", "whole number of minutes"),
        (True, "whole number of minutes"),
        (None, "whole number of minutes"),
        (10**30, "larger than"),
        (ledger.MAX_POSTING_MINUTES + 1, "larger than"),
    ],
)
def test_an_amount_that_is_not_a_sensible_whole_number_of_minutes_is_refused(session, book, minutes, reason):
    ring, anna, bernd = book
    error = refused(session, ledger.InvalidAmount, lambda: pay(session, ring, anna, bernd, minutes))
    assert reason in error.message


def test_paying_oneself_is_refused(session, book):
    ring, anna, _ = book
    error = refused(session, ledger.SameAccount, lambda: pay(session, ring, anna, anna, 30))
    assert error.account_id == anna


@pytest.mark.parametrize("account_id", [999_999, 0, -1, 2**40, "5", None])
def test_an_unknown_account_is_refused(session, book, account_id):
    ring, anna, _ = book
    refused(session, ledger.UnknownAccount, lambda: pay(session, ring, anna, account_id, 30))


def test_an_account_of_another_ring_is_refused(session, book):
    ring, anna, _ = book
    other_ring = make_ring(session, name="Nachbarring")
    stranger = make_account(session, other_ring, "Fremd")

    error = refused(session, ledger.ForeignAccount, lambda: pay(session, ring, anna, stranger, 30))

    assert (error.account_id, error.account_ring_id, error.ring_id) == (stranger, other_ring, ring)


def test_a_closed_account_is_refused(session, book):
    ring, anna, bernd = book
    ledger.close_account(session, ring_id=ring, account_id=bernd, now=T0)

    error = refused(session, ledger.AccountClosed, lambda: pay(session, ring, anna, bernd, 30))

    assert error.label == "Bernd"


def test_a_second_use_of_a_voucher_number_is_refused_naming_the_entry_that_holds_it(session, book):
    ring, anna, bernd = book
    first = pay(session, ring, anna, bernd, 30, voucher_number="4711")

    error = refused(
        session, ledger.DuplicateVoucher, lambda: pay(session, ring, bernd, anna, 15, voucher_number="4711")
    )

    assert (error.voucher_number, error.entry_id) == ("4711", first.id)
    assert "4711" in error.message and str(first.id) in error.message


def test_the_same_voucher_number_may_be_used_in_another_ring(session, book):
    ring, anna, bernd = book
    pay(session, ring, anna, bernd, 30, voucher_number="4711")
    other = make_ring(session, name="Nachbarring")
    x, y = make_account(session, other, "X"), make_account(session, other, "Y")

    assert pay(session, other, x, y, 30, voucher_number="4711").voucher_number == "4711"


def test_an_idempotency_key_reused_with_other_content_is_refused(session, book):
    ring, anna, bernd = book
    pay(session, ring, anna, bernd, 30, idempotency_key="k-1")

    error = refused(
        session,
        ledger.IdempotencyConflict,
        lambda: pay(session, ring, anna, bernd, 45, idempotency_key="k-1"),
    )

    assert error.key == "k-1"


def test_a_memo_over_the_length_limit_is_refused(session, book):
    ring, anna, bernd = book
    error = refused(session, ledger.InvalidMemo, lambda: pay(session, ring, anna, bernd, 30, memo="x" * 501))
    assert "501 characters" in error.message


@pytest.mark.parametrize("memo", ["Zeile\nZwei", "Null\x00Byte", "Glocke\x07", 42, None])
def test_a_memo_with_control_characters_or_that_is_not_text_is_refused(session, book, memo):
    ring, anna, bernd = book
    refused(session, ledger.InvalidMemo, lambda: pay(session, ring, anna, bernd, 30, memo=memo))


def test_a_memo_with_umlauts_and_emoji_is_fine(session, book):
    ring, anna, bernd = book
    assert (
        pay(session, ring, anna, bernd, 30, memo="Äpfel gepflückt 🍎 & <b>").memo
        == "Äpfel gepflückt 🍎 & <b>"
    )


def test_a_service_date_after_the_booking_day_is_refused(session, book):
    ring, anna, bernd = book
    error = refused(
        session,
        ledger.InvalidServiceDate,
        lambda: pay(session, ring, anna, bernd, 30, service_date=T0.date() + dt.timedelta(days=1)),
    )
    assert "after the booking date" in error.message


@pytest.mark.parametrize("service_date", ["2026-11-02", T0, None])
def test_a_service_date_that_is_not_a_date_is_refused(session, book, service_date):
    ring, anna, bernd = book
    refused(
        session,
        ledger.InvalidServiceDate,
        lambda: pay(session, ring, anna, bernd, 30, service_date=service_date),
    )


def test_a_reversal_of_a_reversal_is_refused(session, book):
    ring, anna, bernd = book
    original = pay(session, ring, anna, bernd, 30)
    reversal = ledger.reverse_entry(session, ring_id=ring, entry_id=original.id, reason="Irrtum", now=T0)

    error = refused(
        session,
        ledger.ReversalOfReversal,
        lambda: ledger.reverse_entry(session, ring_id=ring, entry_id=reversal.id, reason="zurück", now=T0),
    )

    assert error.entry_id == reversal.id


def test_an_entry_whose_postings_do_not_sum_to_zero_is_refused(session, book):
    ring, anna, bernd = book
    refused(
        session,
        ledger.UnbalancedEntry,
        lambda: ledger.book_entry(
            session,
            ring_id=ring,
            postings=[(anna, -30), (bernd, 20)],
            kind="adjustment",
            memo="x",
            service_date=DAY,
            now=T0,
        ),
    )


@pytest.mark.parametrize(
    "postings",
    [[], [(1, 30)], [(1, -30), (1, 30)]],
    ids=["no postings", "one posting", "one account twice"],
)
def test_an_entry_needs_two_postings_on_distinct_accounts(session, book, postings):
    ring, anna, bernd = book
    postings = [(anna if account == 1 else bernd, amount) for account, amount in postings]
    refused(
        session,
        ledger.UnbalancedEntry,
        lambda: ledger.book_entry(
            session, ring_id=ring, postings=postings, kind="adjustment", memo="x", service_date=DAY, now=T0
        ),
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("channel", "fax"),
        ("voucher_number", ""),
        ("voucher_number", "V" * 41),
        ("idempotency_key", "k" * 201),
        ("override_reason", "   "),
        ("operator_id", -3),
        ("operator_id", 2**40),
    ],
)
def test_a_header_field_out_of_range_is_refused(session, book, field, value):
    ring, anna, bernd = book
    error = refused(
        session, ledger.InvalidField, lambda: pay(session, ring, anna, bernd, 30, **{field: value})
    )
    assert error.field.startswith(field.removesuffix("_id"))


def test_a_naive_booking_time_is_refused(session, book):
    ring, anna, bernd = book
    refused(
        session,
        ledger.InvalidField,
        lambda: pay(session, ring, anna, bernd, 30, now=dt.datetime(2026, 11, 2)),
    )


def test_a_reversal_is_only_booked_by_reverse_entry(session, book):
    ring, anna, bernd = book
    refused(
        session,
        ledger.InvalidField,
        lambda: ledger.book_entry(
            session,
            ring_id=ring,
            postings=[(anna, -30), (bernd, 30)],
            kind="reversal",
            memo="x",
            service_date=DAY,
            now=T0,
        ),
    )
