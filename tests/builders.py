"""Builders for tests: plain functions that add and flush, never commit."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

import ledger

T0 = dt.datetime(2026, 11, 2, 10, 0, tzinfo=dt.UTC)
DAY = dt.date(2026, 11, 2)


def make_ring(
    session: Session,
    *,
    name: str = "Testring",
    min_balance: int | None = -30 * 60,
    max_balance: int | None = 60 * 60,
    now: dt.datetime = T0,
) -> int:
    return ledger.create_ring(
        session, name=name, now=now, default_min_balance=min_balance, default_max_balance=max_balance
    )


def make_account(session: Session, ring_id: int, label: str = "Mitglied", **limits: int | None) -> int:
    return ledger.open_account(session, ring_id=ring_id, label=label, now=T0, **limits)


def pay(session: Session, ring_id: int, payer: int, payee: int, minutes: int, **kwargs) -> ledger.EntryView:
    """A transfer with sensible defaults for everything a test does not care about."""
    kwargs.setdefault("memo", "Gartenarbeit")
    kwargs.setdefault("service_date", DAY)
    kwargs.setdefault("now", T0)
    return ledger.book_transfer(session, ring_id=ring_id, payer=payer, payee=payee, minutes=minutes, **kwargs)


def row_counts(session: Session) -> dict[str, int]:
    """How many rows each ledger table holds: to prove a refusal wrote nothing."""
    tables = (ledger.JournalEntry, ledger.Posting, ledger.IdempotencyRecord, ledger.Account, ledger.Ring)
    counts = {t.__tablename__: session.scalar(select(func.count()).select_from(t)) for t in tables}
    counts["balances"] = session.scalar(select(func.coalesce(func.sum(func.abs(ledger.Account.balance)), 0)))
    return counts
