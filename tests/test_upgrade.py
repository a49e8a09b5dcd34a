"""An upgrade from an older release's database: a book written at the first migration's schema,
migrated to the newest revision, keeps every entry and balance and verifies clean (SQLite and
PostgreSQL). README "Production" says to take a backup first."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

import ledger
from tauschring.db import make_engine
from tauschring.health import head_revision
from tauschring.migrate import current_revision, upgrade
from tests.conftest import BACKENDS

T = dt.datetime(2026, 11, 21, 9, 0)


def _write_first_release_book(url: str) -> None:
    """A ring with two accounts and two transfers, as release 0001 wrote them (plain SQL)."""
    engine = make_engine(url)
    statements = [
        (
            "INSERT INTO ring (id, name, default_min_balance, default_max_balance, created_at) "
            "VALUES (1, 'Alter Ring', -1800, 3600, :t)"
        ),
        (
            "INSERT INTO account (id, ring_id, kind, label, balance, limited, created_at) "
            "VALUES (1, 1, 'member', 'Mitglied 1', -45, true, :t), "
            "(2, 1, 'member', 'Mitglied 2', 45, true, :t)"
        ),
        (
            "INSERT INTO journal_entry (id, ring_id, kind, memo, service_date, booked_at, channel) "
            "VALUES (1, 1, 'transfer', 'Rasen', '2026-11-20', :t, 'web'), "
            "(2, 1, 'transfer', 'Zurück', '2026-11-20', :t2, 'web')"
        ),
        (
            "INSERT INTO posting (id, entry_id, account_id, amount, balance_after, booked_at) VALUES "
            "(1, 1, 1, -60, -60, :t), (2, 1, 2, 60, 60, :t), (3, 2, 2, -15, 45, :t2), (4, 2, 1, 15, -45, :t2)"
        ),
    ]
    try:
        with engine.begin() as connection:
            for statement in statements:
                connection.execute(sa.text(statement), {"t": T, "t2": T + dt.timedelta(minutes=5)})
    finally:
        engine.dispose()


@pytest.mark.parametrize("fresh_database", BACKENDS, indirect=True)
def test_a_book_of_the_first_release_migrates_to_the_head_intact_and_verifies(fresh_database):
    upgrade(fresh_database, "0001")
    _write_first_release_book(fresh_database)

    upgrade(fresh_database)

    assert current_revision(fresh_database) == head_revision()
    engine = make_engine(fresh_database)
    try:
        with Session(engine) as session:
            report = ledger.verify(session, 1)
            balances = dict(session.execute(sa.select(ledger.Account.id, ledger.Account.balance)).all())
            entries = session.scalar(sa.select(sa.func.count()).select_from(ledger.JournalEntry))
    finally:
        engine.dispose()
    assert report.ok, report.violations
    assert balances == {1: -45, 2: 45} and entries == 2
