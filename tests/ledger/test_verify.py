"""verify proves the book: each invariant, broken on purpose, is reported, and all at once."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text

import ledger
from tests.builders import T0, make_account, make_ring, pay


@pytest.fixture
def book(session):
    """A small, clean book: three members, a few transfers, one reversal."""
    ring = make_ring(session, min_balance=-120, max_balance=120)
    anna, bernd, clara = (make_account(session, ring, n) for n in ("Anna", "Bernd", "Clara"))
    first = pay(session, ring, anna, bernd, 60)
    pay(session, ring, bernd, clara, 30, now=T0 + dt.timedelta(hours=1))
    pay(session, ring, clara, anna, 15, now=T0 + dt.timedelta(hours=2))
    reversal = ledger.reverse_entry(
        session, ring_id=ring, entry_id=first.id, reason="Irrtum", now=T0 + dt.timedelta(hours=3)
    )
    assert ledger.verify(session, ring).ok
    return {
        "ring": ring,
        "anna": anna,
        "bernd": bernd,
        "clara": clara,
        "first": first.id,
        "reversal": reversal.id,
    }


def tamper(session, sql: str, **params) -> None:
    """Change rows behind the ledger's back, past the append-only triggers (rolled back after the test)."""
    if session.bind.dialect.name == "sqlite":
        for table in ("journal_entry", "posting"):
            session.execute(text(f"DROP TRIGGER IF EXISTS trg_{table}_no_update"))
    else:
        for table in ("journal_entry", "posting"):
            session.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
    session.execute(text(sql), params)
    # The guard is back afterwards: the books were changed, the database's protection is whole.
    if session.bind.dialect.name == "sqlite":
        for statement in ledger.models.SQLITE_APPEND_ONLY:
            if "_no_update " in statement:
                session.execute(text(statement))
    else:
        for table in ("journal_entry", "posting"):
            session.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER USER"))


def checks_failing(session, ring) -> set[str]:
    return {v.check for v in ledger.verify(session, ring).violations}


def test_a_clean_book_passes_every_check(session, book):
    report = ledger.verify(session, book["ring"])
    assert report.ok and report.violations == ()
    assert set(report.checks) == set(ledger.CHECKS)
    assert (report.entries, report.postings, report.total_balance) == (4, 8, 0)


def test_a_missing_or_disabled_append_only_trigger_is_found(session, book):
    if session.bind.dialect.name == "sqlite":
        session.execute(text("DROP TRIGGER trg_posting_no_delete"))
    else:
        session.execute(text("ALTER TABLE posting DISABLE TRIGGER trg_posting_no_delete"))
    report = ledger.verify(session, book["ring"])
    found = [(v.check, "trg_posting_no_delete" in v.detail) for v in report.violations]
    assert found == [("append_only", True)]


def test_a_cached_balance_that_differs_from_its_postings_is_found(session, book):
    tamper(session, "UPDATE account SET balance = balance + 5 WHERE id = :id", id=book["anna"])
    report = ledger.verify(session, book["ring"])
    assert {v.check for v in report.violations} == {"cached_balance", "ring_sum"}
    assert [v.account_id for v in report.violations if v.check == "cached_balance"] == [book["anna"]]


def test_a_broken_balance_after_chain_is_found(session, book):
    tamper(
        session,
        "UPDATE posting SET balance_after = balance_after + 1 "
        "WHERE id = (SELECT MIN(id) FROM posting WHERE account_id = :id)",
        id=book["bernd"],
    )
    assert "balance_chain" in checks_failing(session, book["ring"])


def test_an_entry_that_does_not_sum_to_zero_is_found(session, book):
    tamper(
        session,
        "UPDATE posting SET amount = amount + 5, balance_after = balance_after + 5 "
        "WHERE entry_id = :e AND account_id = :a",
        e=book["first"],
        a=book["bernd"],
    )
    failing = checks_failing(session, book["ring"])
    assert {"entry_balanced", "ring_sum", "cached_balance"} <= failing


def test_an_entry_moving_an_account_of_another_ring_is_found(session, book):
    other = make_ring(session, name="Nachbarring")
    stranger = make_account(session, other, "Fremd")
    tamper(
        session,
        "UPDATE posting SET account_id = :s WHERE entry_id = :e AND account_id = :a",
        s=stranger,
        e=book["first"],
        a=book["bernd"],
    )
    assert "closed_book" in checks_failing(session, book["ring"])


def test_a_posting_dated_apart_from_its_entry_is_found(session, book):
    tamper(
        session,
        "UPDATE posting SET booked_at = :t WHERE entry_id = :e AND account_id = :a",
        t=(T0 - dt.timedelta(days=1)).replace(tzinfo=None),
        e=book["first"],
        a=book["anna"],
    )
    assert "posting_time" in checks_failing(session, book["ring"])


def test_postings_going_back_in_time_are_found(session, book):
    tamper(
        session,
        "UPDATE journal_entry SET booked_at = :t WHERE id = :e",
        t=T0.replace(tzinfo=None) - dt.timedelta(days=1),
        e=book["reversal"],
    )
    tamper(
        session,
        "UPDATE posting SET booked_at = :t WHERE entry_id = :e",
        t=T0.replace(tzinfo=None) - dt.timedelta(days=1),
        e=book["reversal"],
    )
    assert checks_failing(session, book["ring"]) == {"time_order"}


def test_a_posting_past_its_limit_without_override_is_found(session, book):
    tamper(
        session,
        "UPDATE posting SET limit_checked = balance_after + 1 WHERE entry_id = :e AND amount < 0",
        e=book["first"],
    )
    report = ledger.verify(session, book["ring"])
    assert [(v.check, v.entry_id) for v in report.violations] == [("limits_held", book["first"])]


def test_a_posting_past_its_limit_with_a_recorded_override_is_accepted(session, book):
    ring = book["ring"]
    pay(
        session,
        ring,
        book["anna"],
        book["bernd"],
        200,
        override_reason="Vorstandsbeschluss",
        now=T0 + dt.timedelta(hours=4),
    )
    assert ledger.verify(session, ring).ok


def test_a_reversal_that_is_not_the_mirror_of_its_original_is_found(session, book):
    tamper(
        session,
        "UPDATE posting SET amount = amount + 5, balance_after = balance_after + 5 "
        "WHERE entry_id = :e AND amount > 0",
        e=book["reversal"],
    )
    tamper(
        session,
        "UPDATE posting SET amount = amount - 5, balance_after = balance_after - 5 "
        "WHERE entry_id = :e AND amount < 0",
        e=book["reversal"],
    )
    assert "reversal_links" in checks_failing(session, book["ring"])


def test_a_reversal_of_a_reversal_in_the_rows_is_found(session, book):
    ring = book["ring"]
    # A second reversal, pointed at the first reversal behind the ledger's back.
    third = pay(session, ring, book["anna"], book["clara"], 10, now=T0 + dt.timedelta(hours=5))
    storno = ledger.reverse_entry(
        session, ring_id=ring, entry_id=third.id, reason="x", now=T0 + dt.timedelta(hours=6)
    )
    tamper(
        session, "UPDATE journal_entry SET reverses_id = :r WHERE id = :s", r=book["reversal"], s=storno.id
    )
    details = [v.detail for v in ledger.verify(session, ring).violations if v.check == "reversal_links"]
    assert any("itself a reversal" in d for d in details)


def test_postings_after_an_account_was_closed_are_found(session, book):
    ring = book["ring"]
    dora = make_account(session, ring, "Dora")
    ledger.close_account(session, ring_id=ring, account_id=dora, now=T0)
    tamper(session, "UPDATE account SET closed_at = NULL WHERE id = :d", d=dora)
    pay(session, ring, book["anna"], dora, 10, now=T0 + dt.timedelta(hours=7))
    pay(session, ring, dora, book["anna"], 10, now=T0 + dt.timedelta(hours=8))
    tamper(session, "UPDATE account SET closed_at = :t WHERE id = :d", t=T0.replace(tzinfo=None), d=dora)
    assert checks_failing(session, ring) == {"closed_accounts"}


def test_every_violation_is_reported_not_just_the_first(session, book):
    tamper(
        session,
        "UPDATE account SET balance = balance + 5 WHERE id IN (:a, :b)",
        a=book["anna"],
        b=book["bernd"],
    )
    tamper(session, "UPDATE posting SET limit_checked = balance_after + 1 WHERE amount < 0")
    report = ledger.verify(session, book["ring"])
    assert len([v for v in report.violations if v.check == "cached_balance"]) == 2
    assert len([v for v in report.violations if v.check == "limits_held"]) == 4


def test_verify_of_an_unknown_ring_is_an_error(session):
    with pytest.raises(ledger.UnknownRing):
        ledger.verify(session, 987654)


def test_the_database_refuses_to_update_or_delete_entries_and_postings(session, book):
    from sqlalchemy.exc import DatabaseError

    for statement in (
        "UPDATE posting SET amount = amount WHERE entry_id = :e",
        "DELETE FROM posting WHERE entry_id = :e",
        "UPDATE journal_entry SET memo = 'geändert' WHERE id = :e",
        "DELETE FROM journal_entry WHERE id = :e",
    ):
        savepoint = session.begin_nested()
        with pytest.raises(DatabaseError, match="append-only"):
            session.execute(text(statement), {"e": book["first"]})
        savepoint.rollback()
