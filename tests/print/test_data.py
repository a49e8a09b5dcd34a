"""The input contract guards what would print wrong."""

from __future__ import annotations

import datetime as dt

import pytest

from print.data import Contact, Listing, Statement, StatementLine

from . import samples


def test_a_statement_whose_balances_do_not_add_up_is_refused() -> None:
    line = StatementLine(dt.date(2026, 11, 2), "Gartenhilfe", 90, balance_after=100)
    with pytest.raises(ValueError, match="balance after"):
        Statement(dt.date(2026, 11, 1), dt.date(2026, 11, 30), 0, 100, (line,))


def test_a_statement_whose_closing_balance_is_wrong_is_refused() -> None:
    with pytest.raises(ValueError, match="closing balance"):
        Statement(dt.date(2026, 11, 1), dt.date(2026, 11, 30), 60, 0)


def test_listing_kind_and_marker_are_checked() -> None:
    with pytest.raises(ValueError, match="kind"):
        samples.listing("gift", 1, "Tiere", "Katze")
    with pytest.raises(ValueError, match="marker"):
        samples.listing("offer", 1, "Tiere", "Katze", marker="neu")


def test_sequences_are_stored_as_tuples() -> None:
    statement = samples.statement(3)
    again = Statement(
        statement.period_start,
        statement.period_end,
        statement.opening_balance,
        statement.closing_balance,
        list(statement.lines),
    )
    assert isinstance(again.lines, tuple)
    assert again == statement


def test_contact_knows_when_nothing_may_be_printed() -> None:
    assert Contact().is_empty
    assert not Contact(name="Erika").is_empty
    assert not Contact(name="Erika").is_reachable
    assert Contact(email="e@example.org").is_reachable


def test_listing_is_frozen() -> None:
    item: Listing = samples.listing("offer", 1, "Tiere", "Katze")
    with pytest.raises(AttributeError):
        item.title = "Hund"  # type: ignore[misc]
