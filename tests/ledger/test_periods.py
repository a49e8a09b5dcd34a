"""Closed periods in the ledger: a closing records balances and a fingerprint, refuses back-dated
entries, moves stornos and late entries into the open period, and verify proves it still holds."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text

import ledger
from tests.builders import make_account, make_ring, pay, row_counts

NOV = (dt.date(2026, 11, 1), dt.date(2026, 11, 30))
DEC = (dt.date(2026, 12, 1), dt.date(2026, 12, 31))
IN_DEC = dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def book(session):
    ring = make_ring(session)
    anna, bernd = make_account(session, ring, "Anna"), make_account(session, ring, "Bernd")
    pay(session, ring, anna, bernd, 90, service_date=dt.date(2026, 11, 5), now=IN_DEC - dt.timedelta(days=20))
    pay(session, ring, bernd, anna, 30, service_date=dt.date(2026, 11, 20), now=IN_DEC)
    return ring, anna, bernd


def close_november(session, ring, operator_id=None):
    return ledger.close_period(
        session, ring_id=ring, kind="month", start=NOV[0], end=NOV[1], now=IN_DEC, operator_id=operator_id
    )


def test_a_closing_records_every_balance_the_count_and_a_fingerprint(session, book):
    ring, anna, bernd = book
    closing = close_november(session, ring, operator_id=7)
    assert closing.balances[anna] == -60 and closing.balances[bernd] == 60
    assert sum(closing.balances.values()) == 0
    assert set(closing.balances) >= {anna, bernd, ledger.system_account(session, ring, "community")}
    assert closing.entry_count == 2 and closing.moved == 120
    assert len(closing.fingerprint) == 64 and closing.closed_by_id == 7
    assert ledger.closed_through(session, ring) == NOV[1]
    assert ledger.verify(session, ring).ok


def test_an_entry_dated_in_a_closed_period_is_refused_and_writes_nothing(session, book):
    ring, anna, bernd = book
    close_november(session, ring)
    before = row_counts(session)
    with pytest.raises(ledger.PeriodClosed) as refused:
        pay(session, ring, anna, bernd, 15, service_date=dt.date(2026, 11, 30), now=IN_DEC)
    assert refused.value.params == {"service_date": "2026-11-30", "closed_through": "2026-11-30"}
    assert row_counts(session) == before
    pay(session, ring, anna, bernd, 15, service_date=dt.date(2026, 12, 1), now=IN_DEC)


def test_a_late_entry_may_be_moved_to_the_booking_date_with_its_date_in_the_memo(session, book):
    ring, anna, bernd = book
    close_november(session, ring)
    entry = pay(
        session,
        ring,
        anna,
        bernd,
        15,
        service_date=dt.date(2026, 11, 28),
        now=IN_DEC,
        memo="Einkauf",
        late="today",
    )
    assert entry.service_date == IN_DEC.date()
    assert entry.memo == "[Leistungsdatum 28.11.2026] Einkauf"
    assert ledger.verify(session, ring).ok


def test_a_storno_of_a_closed_entry_is_booked_in_the_open_period(session, book):
    ring, anna, bernd = book
    first = ledger.statement  # noqa: F841 (keeps the import list honest)
    closing = close_november(session, ring)
    original = session.execute(
        text("SELECT min(id) FROM journal_entry WHERE ring_id = :r"), {"r": ring}
    ).scalar()
    reversal = ledger.reverse_entry(session, ring_id=ring, entry_id=original, reason="Irrtum", now=IN_DEC)
    assert reversal.service_date == IN_DEC.date()
    assert reversal.memo.startswith("[Leistungsdatum 05.11.2026]")
    assert ledger.verify(session, ring).ok
    assert ledger.closing(session, ring, closing.id).balances[anna] == -60


def test_months_are_closed_in_order_and_a_year_after_all_its_months(session, book):
    ring, anna, bernd = book
    with pytest.raises(ledger.ClosingOutOfOrder):
        ledger.close_period(
            session,
            ring_id=ring,
            kind="year",
            start=dt.date(2026, 1, 1),
            end=dt.date(2026, 12, 31),
            now=IN_DEC,
        )
    close_november(session, ring)
    with pytest.raises(ledger.ClosingOutOfOrder):
        close_november(session, ring)
    later = dt.datetime(2027, 1, 5, tzinfo=dt.UTC)
    with pytest.raises(ledger.ClosingOutOfOrder):
        ledger.close_period(
            session,
            ring_id=ring,
            kind="month",
            start=dt.date(2027, 1, 1),
            end=dt.date(2027, 1, 31),
            now=later,
        )
    pay(session, ring, anna, bernd, 45, service_date=dt.date(2026, 12, 24), now=later)
    december = ledger.close_period(session, ring_id=ring, kind="month", start=DEC[0], end=DEC[1], now=later)
    year = ledger.close_period(
        session, ring_id=ring, kind="year", start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31), now=later
    )
    assert year.balances == december.balances and year.balances[anna] == -105
    assert year.entry_count == 3 and december.entry_count == 1
    assert ledger.verify(session, ring).ok


def test_reopening_goes_from_the_latest_back_and_keeps_the_record(session, book):
    ring, anna, bernd = book
    november = close_november(session, ring)
    december = ledger.close_period(
        session,
        ring_id=ring,
        kind="month",
        start=DEC[0],
        end=DEC[1],
        now=dt.datetime(2027, 1, 2, tzinfo=dt.UTC),
    )
    with pytest.raises(ledger.ClosingNotLatest):
        ledger.reopen_closing(session, ring_id=ring, closing_id=november.id, reason="x", now=IN_DEC)
    reopened = ledger.reopen_closing(
        session, ring_id=ring, closing_id=december.id, reason="Beleg vergessen", now=IN_DEC, operator_id=3
    )
    assert reopened.reopened_at is not None and reopened.reopen_reason == "Beleg vergessen"
    assert ledger.closed_through(session, ring) == NOV[1]
    pay(session, ring, anna, bernd, 15, service_date=dt.date(2026, 12, 2), now=IN_DEC)
    assert ledger.verify(session, ring).ok
    assert len(ledger.closings(session, ring)) == 2


def _tamper(session, sql, **params):
    """Change the books behind the ledger's back, past the append-only triggers."""
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        session.execute(text("DROP TRIGGER trg_posting_no_update"))
        session.execute(text("DROP TRIGGER trg_journal_entry_no_update"))
    else:
        session.execute(text("ALTER TABLE posting DISABLE TRIGGER USER"))
        session.execute(text("ALTER TABLE journal_entry DISABLE TRIGGER USER"))
    session.execute(text(sql), params)


@pytest.mark.parametrize("change", ["memo", "amount", "closing_balance"])
def test_verify_catches_a_closing_that_no_longer_matches(session, book, change):
    ring, anna, bernd = book
    closing = close_november(session, ring)
    first = session.execute(
        text("SELECT min(id) FROM journal_entry WHERE ring_id = :r"), {"r": ring}
    ).scalar()
    if change == "memo":
        _tamper(session, "UPDATE journal_entry SET memo = 'anders' WHERE id = :id", id=first)
    elif change == "amount":
        _tamper(
            session,
            "UPDATE posting SET amount = amount * 2, balance_after = balance_after * 2 WHERE entry_id = :id",
            id=first,
        )
    else:
        session.execute(
            text(
                "UPDATE closing_balance SET balance = balance + 1 WHERE closing_id = :c AND account_id = :a"
            ),
            {"c": closing.id, "a": anna},
        )
    report = ledger.verify(session, ring)
    assert "closings" in {v.check for v in report.violations}
    assert "closings" in ledger.CHECKS
