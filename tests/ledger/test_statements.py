"""Queries: balances, statements for a period with partners, pages of a long statement."""

from __future__ import annotations

import datetime as dt

import pytest

import ledger
from tests.builders import make_account, make_ring, pay

UTC = dt.UTC
OCT = dt.datetime(2026, 10, 1, tzinfo=UTC)
NOV = dt.datetime(2026, 11, 1, tzinfo=UTC)
DEC = dt.datetime(2026, 12, 1, tzinfo=UTC)


@pytest.fixture
def book(session):
    ring = make_ring(session, min_balance=-600, max_balance=600)
    anna, bernd, clara = (make_account(session, ring, n) for n in ("Anna", "Bernd", "Clara"))
    pay(
        session,
        ring,
        bernd,
        anna,
        60,
        memo="Oktober 1",
        now=OCT + dt.timedelta(days=3),
        service_date=dt.date(2026, 10, 2),
    )
    pay(
        session,
        ring,
        anna,
        clara,
        15,
        memo="Oktober 2",
        now=OCT + dt.timedelta(days=20),
        service_date=dt.date(2026, 10, 20),
    )
    pay(
        session,
        ring,
        clara,
        anna,
        45,
        memo="November 1",
        now=NOV + dt.timedelta(days=1),
        service_date=dt.date(2026, 10, 30),
    )
    pay(
        session,
        ring,
        anna,
        bernd,
        30,
        memo="November 2",
        now=NOV + dt.timedelta(days=5),
        service_date=dt.date(2026, 11, 5),
    )
    pay(
        session,
        ring,
        bernd,
        anna,
        20,
        memo="Dezember",
        now=DEC + dt.timedelta(days=2),
        service_date=dt.date(2026, 12, 2),
    )
    return ring, anna, bernd, clara


def test_a_statement_for_a_month_has_opening_balance_lines_and_closing_balance(session, book):
    ring, anna, bernd, clara = book

    november = ledger.statement(session, ring_id=ring, account_id=anna, start=NOV, end=DEC)

    assert (november.opening_balance, november.closing_balance) == (45, 60)
    assert [(line.memo, line.amount, line.balance_after) for line in november.lines] == [
        ("November 1", 45, 90),
        ("November 2", -30, 60),
    ]
    assert [line.partners for line in november.lines] == [
        (ledger.Partner(clara, "Clara", -45),),
        (ledger.Partner(bernd, "Bernd", 30),),
    ]
    assert (november.total_in, november.total_out) == (45, 30)
    assert november.lines[0].service_date == dt.date(2026, 10, 30)


def test_a_period_without_entries_shows_the_balance_carried_through(session, book):
    ring, anna, _, _ = book
    quiet = ledger.statement(
        session, ring_id=ring, account_id=anna, start=NOV + dt.timedelta(days=10), end=DEC
    )
    assert (quiet.opening_balance, quiet.closing_balance, quiet.lines) == (60, 60, ())


def test_a_statement_without_a_period_covers_everything_and_ends_at_the_balance(session, book):
    ring, anna, _, _ = book
    everything = ledger.statement(session, ring_id=ring, account_id=anna)
    assert everything.opening_balance == 0
    assert (
        everything.closing_balance == ledger.balance_of(session, ring_id=ring, account_id=anna).balance == 80
    )
    assert len(everything.lines) == 5


def test_a_long_statement_comes_in_pages_that_join_without_gaps(session):
    ring = make_ring(session, min_balance=None, max_balance=None)
    anna, bernd = make_account(session, ring, "Anna"), make_account(session, ring, "Bernd")
    start = dt.datetime(2026, 1, 1, tzinfo=UTC)
    for i in range(120):
        pay(
            session,
            ring,
            anna,
            bernd,
            1 + i % 7,
            now=start + dt.timedelta(hours=i),
            service_date=start.date(),
        )

    pages, cursor = [], None
    while True:
        page = ledger.statement(session, ring_id=ring, account_id=anna, page_size=50, cursor=cursor)
        pages.append(page.lines)
        cursor = page.next_cursor
        if cursor is None:
            break

    assert [len(p) for p in pages] == [50, 50, 20]
    lines = [line for p in pages for line in p]
    running = 0
    for line in lines:
        running += line.amount
        assert line.balance_after == running
    assert len({line.posting_id for line in lines}) == 120


def test_the_fee_account_sees_all_members_of_a_multi_leg_entry_as_partners(session, book):
    ring, anna, bernd, clara = book
    fees = ledger.system_account(session, ring, "fees")
    ledger.book_entry(
        session,
        ring_id=ring,
        kind="fee",
        memo="Gebühr",
        service_date=dt.date(2026, 12, 3),
        now=DEC + dt.timedelta(days=3),
        postings=[(anna, -10), (bernd, -10), (clara, -10), (fees, 30)],
    )

    line = ledger.statement(session, ring_id=ring, account_id=fees).lines[-1]

    assert [p.label for p in line.partners] == ["Anna", "Bernd", "Clara"]
    assert line.kind == "fee"


def test_ring_balances_list_system_accounts_first_and_sum_to_zero(session, book):
    ring, anna, bernd, clara = book
    balances = ledger.ring_balances(session, ring_id=ring)
    assert [b.kind for b in balances[:4]] == ["community", "fees", "opening", "clearing"]
    assert [b.account_id for b in balances[4:]] == [anna, bernd, clara]
    assert sum(b.balance for b in balances) == 0


def test_a_balance_shows_what_is_left_to_pay_and_to_receive(session, book):
    ring, anna, _, _ = book
    shown = ledger.balance_of(session, ring_id=ring, account_id=anna)
    assert (shown.balance, shown.can_pay, shown.can_receive) == (80, 680, 520)


def test_reading_another_rings_account_is_refused(session, book):
    ring, anna, _, _ = book
    other = make_ring(session, name="Nachbarring")
    with pytest.raises(ledger.ForeignAccount):
        ledger.balance_of(session, ring_id=other, account_id=anna)
    with pytest.raises(ledger.ForeignAccount):
        ledger.statement(session, ring_id=other, account_id=anna)


@pytest.mark.parametrize(
    "period",
    [{"start": DEC, "end": NOV}, {"start": dt.datetime(2026, 11, 1)}, {"page_size": 0}, {"page_size": True}],
)
def test_a_nonsensical_period_or_page_size_is_refused(session, book, period):
    ring, anna, _, _ = book
    with pytest.raises(ledger.InvalidField):
        ledger.statement(session, ring_id=ring, account_id=anna, **period)


def test_a_booking_at_the_exact_start_of_a_period_belongs_to_it_and_not_to_the_one_before(session):
    ring = make_ring(session, min_balance=None, max_balance=None)
    anna, bernd = make_account(session, ring, "Anna"), make_account(session, ring, "Bernd")
    pay(session, ring, anna, bernd, 10, now=NOV, service_date=NOV.date())
    pay(session, ring, anna, bernd, 20, now=NOV + dt.timedelta(microseconds=1), service_date=NOV.date())

    october = ledger.statement(session, ring_id=ring, account_id=anna, start=OCT, end=NOV)
    november = ledger.statement(session, ring_id=ring, account_id=anna, start=NOV, end=DEC)

    assert october.lines == () and october.closing_balance == 0
    assert [line.amount for line in november.lines] == [-10, -20]
    assert (november.opening_balance, november.closing_balance) == (0, -30)
