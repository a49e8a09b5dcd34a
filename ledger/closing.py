"""Closed periods: a month or a year whose entries can no longer change.

Takes a Session, flushes, never commits. A closing locks every account of the ring (in ascending
id order, like every booking), so a booking racing it either committed before the lock (and is
covered by the closing) or waits and then finds the period closed (``PeriodClosed``). On SQLite
the write lock of BEGIN IMMEDIATE serialises the two instead.

The fingerprint is SHA-256 over one canonical line per covered entry (id, kind, service date,
booking time, reversal link, voucher number, memo, postings), in service-date and id order.
Month closings form a chain: each one's hash starts from the previous active month closing's
fingerprint and covers the entries after it, so the first closing also covers everything before
it. A year closing covers its year's entries on their own. The balances are per account at the
end of the period, counting entries by service date.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from . import errors
from .booking import _check_now, _check_optional_id, _check_text, lock_accounts
from .models import REASON_MAX, Account, Closing, ClosingBalance, JournalEntry, Posting, Ring
from .values import Violation

_closing = Closing.__table__
_entry = JournalEntry.__table__
_posting = Posting.__table__

CLOSED_THROUGH = (
    select(_closing.c.period_end)
    .where(_closing.c.ring_id == bindparam("ring_id"), _closing.c.reopened_at.is_(None))
    .order_by(_closing.c.period_end.desc())
    .limit(1)
)


@dataclass(frozen=True)
class ClosingView:
    id: int
    ring_id: int
    kind: str
    period_start: dt.date
    period_end: dt.date
    covers_from: dt.date | None
    entry_count: int
    moved: int
    fingerprint: str
    closed_at: dt.datetime
    closed_by_id: int | None
    reopened_at: dt.datetime | None
    reopened_by_id: int | None
    reopen_reason: str | None
    balances: dict[int, int]

    @property
    def active(self) -> bool:
        return self.reopened_at is None


@dataclass
class _Measure:
    fingerprint: str
    entry_count: int
    moved: int
    sums: dict[int, int]


def closed_through(session: Session, ring_id: int) -> dt.date | None:
    """The last service date that lies in a closed period of the ring (None: nothing is closed)."""
    return session.execute(CLOSED_THROUGH, {"ring_id": ring_id}).scalar()


def _entry_line(row, postings: list[tuple[int, int]]) -> str:
    booked = row.booked_at.astimezone(dt.UTC).replace(tzinfo=None).isoformat(timespec="microseconds")
    legs = ",".join(f"{account}:{amount}" for account, amount in sorted(postings))
    return (
        f"{row.id}|{row.kind}|{row.service_date.isoformat()}|{booked}|{row.reverses_id or ''}|"
        f"{row.voucher_number or ''}|{row.memo}|{legs}\n"
    )


def _measure(
    session: Session, ring_id: int, *, after: dt.date | None, end: dt.date, seed: str = ""
) -> _Measure:
    """Hash, count and sum the entries with a service date in (after, end]."""
    query = (
        select(
            _entry.c.id,
            _entry.c.kind,
            _entry.c.service_date,
            _entry.c.booked_at,
            _entry.c.reverses_id,
            _entry.c.voucher_number,
            _entry.c.memo,
            _posting.c.account_id,
            _posting.c.amount,
        )
        .join(_posting, _posting.c.entry_id == _entry.c.id)
        .where(_entry.c.ring_id == ring_id, _entry.c.service_date <= end)
        .order_by(_entry.c.service_date, _entry.c.id, _posting.c.account_id)
    )
    if after is not None:
        query = query.where(_entry.c.service_date > after)
    hasher = hashlib.sha256(seed.encode())
    sums: dict[int, int] = defaultdict(int)
    count = moved = 0
    current = None
    legs: list[tuple[int, int]] = []
    for row in session.execute(query):
        if current is None or row.id != current.id:
            if current is not None:
                hasher.update(_entry_line(current, legs).encode())
            current, legs = row, []
            count += 1
        legs.append((row.account_id, row.amount))
        sums[row.account_id] += row.amount
        if row.amount > 0:
            moved += row.amount
    if current is not None:
        hasher.update(_entry_line(current, legs).encode())
    return _Measure(hasher.hexdigest(), count, moved, dict(sums))


def _active(session: Session, ring_id: int) -> list[Closing]:
    return list(
        session.scalars(
            select(Closing)
            .where(Closing.ring_id == ring_id, Closing.reopened_at.is_(None))
            .order_by(Closing.period_end, Closing.kind)
        )
    )


def _balances(session: Session, closing_id: int) -> dict[int, int]:
    return {
        row.account_id: row.balance
        for row in session.execute(
            select(ClosingBalance.account_id, ClosingBalance.balance).where(
                ClosingBalance.closing_id == closing_id
            )
        )
    }


def _view(session: Session, closing: Closing) -> ClosingView:
    return ClosingView(
        id=closing.id,
        ring_id=closing.ring_id,
        kind=closing.kind,
        period_start=closing.period_start,
        period_end=closing.period_end,
        covers_from=closing.covers_from,
        entry_count=closing.entry_count,
        moved=closing.moved,
        fingerprint=closing.fingerprint,
        closed_at=closing.closed_at,
        closed_by_id=closing.closed_by_id,
        reopened_at=closing.reopened_at,
        reopened_by_id=closing.reopened_by_id,
        reopen_reason=closing.reopen_reason,
        balances=_balances(session, closing.id),
    )


def closings(session: Session, ring_id: int, *, with_reopened: bool = True) -> list[ClosingView]:
    """The ring's closings, newest period first (reopened ones too, unless asked not to)."""
    query = select(Closing).where(Closing.ring_id == ring_id)
    if not with_reopened:
        query = query.where(Closing.reopened_at.is_(None))
    rows = session.scalars(query.order_by(Closing.period_end.desc(), Closing.kind.desc(), Closing.id.desc()))
    return [_view(session, closing) for closing in rows]


def closing(session: Session, ring_id: int, closing_id: int) -> ClosingView:
    """One closing of the ring with its balances."""
    found = session.get(Closing, closing_id)
    if found is None or found.ring_id != ring_id:
        raise errors.UnknownClosing(closing_id=closing_id, ring_id=ring_id)
    return _view(session, found)


def active_closing(
    session: Session, ring_id: int, kind: str, start: dt.date, end: dt.date
) -> ClosingView | None:
    """The active closing of exactly this period, if any."""
    found = session.scalars(
        select(Closing).where(
            Closing.ring_id == ring_id,
            Closing.kind == kind,
            Closing.period_start == start,
            Closing.period_end == end,
            Closing.reopened_at.is_(None),
        )
    ).first()
    return None if found is None else _view(session, found)


def close_period(
    session: Session,
    *,
    ring_id: int,
    kind: str,
    start: dt.date,
    end: dt.date,
    now: dt.datetime,
    operator_id: int | None = None,
) -> ClosingView:
    """Close a month (the next one after the last closed month, or any month when none is
    closed) or a year (all of whose months must be closed). Locks every account of the ring."""
    _check_now(now)
    operator_id = _check_optional_id(operator_id, "operator")
    if kind not in ("month", "year") or start > end:
        raise errors.InvalidField(field="period", reason=f"{kind} {start}..{end}")
    if session.get(Ring, ring_id) is None:
        raise errors.UnknownRing(ring_id=ring_id)
    account_ids = list(session.scalars(select(Account.id).where(Account.ring_id == ring_id)))
    # 1. The lock: every booking of the ring either committed before this point or waits for us.
    lock_accounts(session, ring_id=ring_id, account_ids=account_ids)
    # 2. The state of the closings, read after the lock.
    active = _active(session, ring_id)
    months = [c for c in active if c.kind == "month"]
    last_month = months[-1] if months else None
    if kind == "month":
        if last_month is not None and last_month.period_end >= start:
            raise errors.ClosingOutOfOrder(
                start=start.isoformat(),
                end=end.isoformat(),
                reason=f"closed through {last_month.period_end} already",
            )
        if last_month is not None and last_month.period_end + dt.timedelta(days=1) != start:
            raise errors.ClosingOutOfOrder(
                start=start.isoformat(),
                end=end.isoformat(),
                reason=f"the months after {last_month.period_end} must be closed first",
            )
        after = last_month.period_end if last_month is not None else None
        measure = _measure(
            session, ring_id, after=after, end=end, seed=last_month.fingerprint if last_month else ""
        )
        base = _balances(session, last_month.id) if last_month is not None else {}
        covers_from = start if last_month is not None else None
    else:
        if any(c.kind == "year" and c.period_end == end for c in active):
            raise errors.ClosingOutOfOrder(
                start=start.isoformat(), end=end.isoformat(), reason="the year is closed already"
            )
        if last_month is None or last_month.period_end < end:
            raise errors.ClosingOutOfOrder(
                start=start.isoformat(), end=end.isoformat(), reason="close every month of the year first"
            )
        measure = _measure(session, ring_id, after=start - dt.timedelta(days=1), end=end)
        at_end = next(c for c in months if c.period_end == end)
        base, covers_from = _balances(session, at_end.id), start
        # the year's own entries are already in the December balances
        measure.sums = {}
    balances = {
        account_id: base.get(account_id, 0) + measure.sums.get(account_id, 0) for account_id in account_ids
    }
    # 3. The record.
    record = Closing(
        ring_id=ring_id,
        kind=kind,
        period_start=start,
        period_end=end,
        covers_from=covers_from,
        entry_count=measure.entry_count,
        moved=measure.moved,
        fingerprint=measure.fingerprint,
        closed_at=now,
        closed_by_id=operator_id,
    )
    session.add(record)
    session.flush()
    if balances:
        session.execute(
            insert(ClosingBalance),
            [
                {"closing_id": record.id, "account_id": account_id, "balance": balance}
                for account_id, balance in sorted(balances.items())
            ],
        )
    session.flush()
    return _view(session, record)


def reopen_closing(
    session: Session,
    *,
    ring_id: int,
    closing_id: int,
    reason: str,
    now: dt.datetime,
    operator_id: int | None = None,
) -> ClosingView:
    """Reopen the latest active closing (a year before its December, months from the latest
    back). The record stays, marked reopened with who, when and why."""
    _check_now(now)
    _check_text(reason, field="reason", max_length=REASON_MAX, required=True)
    operator_id = _check_optional_id(operator_id, "operator")
    target = session.get(Closing, closing_id, with_for_update=True)
    if target is None or target.ring_id != ring_id:
        raise errors.UnknownClosing(closing_id=closing_id, ring_id=ring_id)
    if target.reopened_at is not None:
        raise errors.UnknownClosing(closing_id=closing_id, ring_id=ring_id)
    active = _active(session, ring_id)
    latest = active[-1]  # ordered by end, then kind: "year" after "month" on the same end
    if latest.id != target.id:
        raise errors.ClosingNotLatest(closing_id=closing_id, latest_id=latest.id)
    session.execute(
        update(_closing)
        .where(_closing.c.id == closing_id)
        .values(reopened_at=now, reopened_by_id=operator_id, reopen_reason=reason)
        .execution_options(synchronize_session=False)
    )
    session.expire(target)
    session.flush()
    return closing(session, ring_id, closing_id)


def verify_closings(session: Session, ring_id: int) -> list[Violation]:
    """Every active closing still matches its entries: fingerprint, count and balances."""
    found: list[Violation] = []
    active = _active(session, ring_id)
    running: dict[int, int] = defaultdict(int)
    previous: Closing | None = None
    expected_seed = ""
    for record in active:
        label = f"closing {record.id} ({record.kind} {record.period_start}..{record.period_end})"
        if record.kind == "month":
            after = previous.period_end if previous is not None else None
            measure = _measure(session, ring_id, after=after, end=record.period_end, seed=expected_seed)
            for account_id, amount in measure.sums.items():
                running[account_id] += amount
            expected_seed = measure.fingerprint
            previous = record
        else:
            measure = _measure(
                session, ring_id, after=record.period_start - dt.timedelta(days=1), end=record.period_end
            )
        if measure.fingerprint != record.fingerprint or measure.entry_count != record.entry_count:
            found.append(
                Violation(
                    "closings",
                    f"{label}: the entries it covers changed ({measure.entry_count} entries now, "
                    f"{record.entry_count} at closing; fingerprint {measure.fingerprint[:12]}, "
                    f"recorded {record.fingerprint[:12]})",
                )
            )
        stored = _balances(session, record.id)
        for account_id in sorted(set(stored) | {a for a, v in running.items() if v}):
            then, now = stored.get(account_id, 0), running.get(account_id, 0)
            if then != now:
                found.append(
                    Violation(
                        "closings",
                        f"{label}: account {account_id} stood at {errors.format_minutes(then)} "
                        f"at closing, its entries now sum to {errors.format_minutes(now)}",
                        account_id=account_id,
                    )
                )
    return found
