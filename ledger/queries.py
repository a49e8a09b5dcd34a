"""Reading the book: entries, balances and statements, as plain dataclasses.

Every query is an index lookup or an index range, so reading a balance or a statement page
costs the same in a book of ten thousand postings as in one of millions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import and_, bindparam, case, func, or_, select
from sqlalchemy.orm import Session

from . import errors
from .models import Account, JournalEntry, Posting, Ring
from .values import AccountBalance, EntryView, Partner, PostingView, Statement, StatementLine

_account = Account.__table__
_ring = Ring.__table__
_entry = JournalEntry.__table__
_posting = Posting.__table__

_effective_min = case(
    (_account.c.limited, func.coalesce(_account.c.min_balance, _ring.c.default_min_balance)),
    else_=None,
)
_effective_max = case(
    (_account.c.limited, func.coalesce(_account.c.max_balance, _ring.c.default_max_balance)),
    else_=None,
)

_ACCOUNT_BALANCE = select(
    _account.c.id,
    _account.c.ring_id,
    _account.c.kind,
    _account.c.label,
    _account.c.balance,
    _effective_min.label("min_balance"),
    _effective_max.label("max_balance"),
    _account.c.closed_at,
).join(_ring, _ring.c.id == _account.c.ring_id)

_BALANCE_OF = _ACCOUNT_BALANCE.where(_account.c.id == bindparam("account_id"))
_RING_BALANCES = _ACCOUNT_BALANCE.where(_account.c.ring_id == bindparam("ring_id")).order_by(
    case((_account.c.kind == "member", 1), else_=0), _account.c.id
)

_BALANCE_BEFORE = (
    select(_posting.c.balance_after)
    .where(_posting.c.account_id == bindparam("account_id"), _posting.c.booked_at < bindparam("at"))
    .order_by(_posting.c.booked_at.desc(), _posting.c.id.desc())
    .limit(1)
)

_ENTRY = select(_entry).where(_entry.c.id == bindparam("entry_id"), _entry.c.ring_id == bindparam("ring_id"))
_ENTRY_POSTINGS = (
    select(_posting.c.account_id, _posting.c.amount, _posting.c.balance_after, _posting.c.limit_checked)
    .where(_posting.c.entry_id == bindparam("entry_id"))
    .order_by(_posting.c.id)
)
_REVERSED_BY = select(_entry.c.id).where(_entry.c.reverses_id == bindparam("entry_id"))


def _account_balance(row) -> AccountBalance:
    return AccountBalance(
        account_id=row.id,
        ring_id=row.ring_id,
        kind=row.kind,
        label=row.label,
        balance=row.balance,
        min_balance=row.min_balance,
        max_balance=row.max_balance,
        closed=row.closed_at is not None,
    )


def balance_of(session: Session, *, ring_id: int, account_id: int) -> AccountBalance:
    """An account's balance and the limits in force for it."""
    row = session.execute(_BALANCE_OF, {"account_id": account_id}).first()
    if row is None:
        raise errors.UnknownAccount(account_id=account_id)
    if row.ring_id != ring_id:
        raise errors.ForeignAccount(account_id=account_id, account_ring_id=row.ring_id, ring_id=ring_id)
    return _account_balance(row)


def balances_of(session: Session, *, ring_id: int, account_ids: Iterable[int]) -> dict[int, AccountBalance]:
    """Balances and limits of some accounts of a ring, by account id (unknown ids are left out)."""
    ids = sorted(set(account_ids))
    found: dict[int, AccountBalance] = {}
    for start in range(0, len(ids), 500):
        query = _ACCOUNT_BALANCE.where(
            _account.c.ring_id == ring_id, _account.c.id.in_(ids[start : start + 500])
        )
        found.update((row.id, _account_balance(row)) for row in session.execute(query))
    return found


def check_transfer(session: Session, *, ring_id: int, payer: int, payee: int, minutes: int) -> None:
    """Raise the LimitExceeded a transfer would meet now, for a preview before anything is booked
    (the booking checks again, under lock)."""
    balances = balances_of(session, ring_id=ring_id, account_ids=[payer, payee])
    for account_id, amount in ((payer, -minutes), (payee, minutes)):
        shown = balances[account_id]
        limit = shown.min_balance if amount < 0 else shown.max_balance
        refusal = errors.limit_refusal(
            account_id=account_id, label=shown.label, balance=shown.balance, amount=amount, limit=limit
        )
        if refusal is not None:
            raise refusal


def ring_balances(session: Session, *, ring_id: int) -> list[AccountBalance]:
    """Balances of all accounts of a ring: system accounts first, then members by id."""
    return [_account_balance(row) for row in session.execute(_RING_BALANCES, {"ring_id": ring_id})]


def entry(session: Session, *, ring_id: int, entry_id: int) -> EntryView:
    """One journal entry with its postings and, if it was reversed, the reversal's id."""
    row = session.execute(_ENTRY, {"entry_id": entry_id, "ring_id": ring_id}).first()
    if row is None:
        raise errors.UnknownEntry(entry_id=entry_id, ring_id=ring_id)
    postings = tuple(
        PostingView(p.account_id, p.amount, p.balance_after, p.limit_checked)
        for p in session.execute(_ENTRY_POSTINGS, {"entry_id": entry_id})
    )
    return EntryView(
        id=row.id,
        ring_id=row.ring_id,
        kind=row.kind,
        memo=row.memo,
        service_date=row.service_date,
        booked_at=row.booked_at,
        operator_id=row.operator_id,
        on_behalf_of_id=row.on_behalf_of_id,
        channel=row.channel,
        idempotency_key=row.idempotency_key,
        voucher_number=row.voucher_number,
        reverses_id=row.reverses_id,
        override_reason=row.override_reason,
        batch_id=row.batch_id,
        postings=postings,
        reversed_by_id=session.execute(_REVERSED_BY, {"entry_id": entry_id}).scalar(),
    )


def _balance_before(session: Session, account_id: int, at: dt.datetime | None, current: int) -> int:
    if at is None:
        return current
    value = session.execute(_BALANCE_BEFORE, {"account_id": account_id, "at": at}).scalar()
    return 0 if value is None else value


def statement(
    session: Session,
    *,
    ring_id: int,
    account_id: int,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    page_size: int | None = None,
    cursor: tuple[dt.datetime, int] | None = None,
) -> Statement:
    """The statement of an account for the period [start, end) of booking time.

    Lines come in booking order with each entry's partners (the other accounts and their
    amounts). ``page_size`` limits the lines; pass the returned ``next_cursor`` for the next page.
    """
    for value in (start, end):
        if value is not None and (not isinstance(value, dt.datetime) or value.tzinfo is None):
            raise errors.InvalidField(field="period", reason="start and end are aware datetimes")
    if start is not None and end is not None and end < start:
        raise errors.InvalidField(field="period", reason="the end is before the start")
    if page_size is not None and (isinstance(page_size, bool) or not 1 <= page_size <= 10_000):
        raise errors.InvalidField(field="page_size", reason="between 1 and 10000")

    account = balance_of(session, ring_id=ring_id, account_id=account_id)
    opening = _balance_before(session, account_id, start, 0) if start is not None else 0
    closing = _balance_before(session, account_id, end, account.balance)

    conditions = [_posting.c.account_id == account_id]
    if start is not None:
        conditions.append(_posting.c.booked_at >= start)
    if end is not None:
        conditions.append(_posting.c.booked_at < end)
    if cursor is not None:
        after_time, after_id = cursor
        conditions.append(
            or_(
                _posting.c.booked_at > after_time,
                and_(_posting.c.booked_at == after_time, _posting.c.id > after_id),
            )
        )
    lines = _lines(
        session,
        account_id,
        conditions,
        (_posting.c.booked_at, _posting.c.id),
        None if page_size is None else page_size + 1,
    )
    next_cursor = None
    if page_size is not None and len(lines) > page_size:
        lines = lines[:page_size]
        next_cursor = (lines[-1].booked_at, lines[-1].posting_id)
    return Statement(
        account=account,
        start=start,
        end=end,
        opening_balance=opening,
        closing_balance=closing,
        lines=tuple(lines),
        next_cursor=next_cursor,
    )


def recent_lines(session: Session, *, ring_id: int, account_id: int, count: int = 10) -> list[StatementLine]:
    """An account's latest statement lines, newest first."""
    if isinstance(count, bool) or not 1 <= count <= 1000:
        raise errors.InvalidField(field="count", reason="between 1 and 1000")
    balance_of(session, ring_id=ring_id, account_id=account_id)
    return _lines(
        session,
        account_id,
        [_posting.c.account_id == account_id],
        (_posting.c.booked_at.desc(), _posting.c.id.desc()),
        count,
    )


def _lines(session: Session, account_id: int, conditions, order, limit: int | None) -> list[StatementLine]:
    """Statement lines of one account with each entry's partners and reversal links."""
    query = (
        select(
            _posting.c.id.label("posting_id"),
            _posting.c.entry_id,
            _posting.c.amount,
            _posting.c.balance_after,
            _posting.c.booked_at,
            _entry.c.kind,
            _entry.c.service_date,
            _entry.c.memo,
            _entry.c.channel,
            _entry.c.operator_id,
            _entry.c.on_behalf_of_id,
            _entry.c.voucher_number,
            _entry.c.reverses_id,
            _entry.c.override_reason,
        )
        .join(_entry, _entry.c.id == _posting.c.entry_id)
        .where(*conditions)
        .order_by(*order)
    )
    if limit is not None:
        query = query.limit(limit)
    rows = session.execute(query).all()
    entry_ids = [row.entry_id for row in rows]
    partners: dict[int, list[Partner]] = {entry_id: [] for entry_id in entry_ids}
    reversed_by: dict[int, int] = {}
    if entry_ids:
        for p in session.execute(
            select(_posting.c.entry_id, _posting.c.account_id, _posting.c.amount, _account.c.label)
            .join(_account, _account.c.id == _posting.c.account_id)
            .where(_posting.c.entry_id.in_(entry_ids), _posting.c.account_id != account_id)
            .order_by(_posting.c.entry_id, _posting.c.id)
        ):
            partners[p.entry_id].append(Partner(p.account_id, p.label, p.amount))
        reversed_by = {
            original: reversal
            for reversal, original in session.execute(
                select(_entry.c.id, _entry.c.reverses_id).where(_entry.c.reverses_id.in_(entry_ids))
            )
        }
    return [
        StatementLine(
            posting_id=row.posting_id,
            entry_id=row.entry_id,
            kind=row.kind,
            booked_at=row.booked_at,
            service_date=row.service_date,
            memo=row.memo,
            amount=row.amount,
            balance_after=row.balance_after,
            partners=tuple(partners[row.entry_id]),
            channel=row.channel,
            operator_id=row.operator_id,
            on_behalf_of_id=row.on_behalf_of_id,
            voucher_number=row.voucher_number,
            reverses_id=row.reverses_id,
            reversed_by_id=reversed_by.get(row.entry_id),
            override_reason=row.override_reason,
        )
        for row in rows
    ]
