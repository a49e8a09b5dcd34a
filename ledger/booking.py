"""Writing the book: rings, accounts, entries, reversals, settlement and closing.

Every function takes a Session, flushes, and never commits: the caller owns the transaction.
On SQLite that transaction must have been begun with BEGIN IMMEDIATE (the application's engine
does so), on PostgreSQL any isolation level from READ COMMITTED up works.

A refused booking writes nothing, with one deliberate exception: with an idempotency key the
refusal itself is recorded (so a retry can never flip the outcome); commit to keep it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import unicodedata
from collections.abc import Iterable, Mapping
from typing import NamedTuple

from sqlalchemy import Date, bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from . import errors
from .driver_sql import DriverStatement, result_processor
from .models import (
    CHANNELS,
    ENTRY_KINDS,
    KEY_MAX,
    LABEL_MAX,
    MEMO_MAX,
    REASON_MAX,
    SYSTEM_ACCOUNT_KINDS,
    VOUCHER_MAX,
    Account,
    Closing,
    IdempotencyRecord,
    JournalEntry,
    Posting,
    Ring,
    UTCDateTime,
)
from .queries import entry as load_entry
from .values import EntryView, PostingView

# No single posting moves more than this (10,000 hours); anything larger is a typing error,
# and it keeps every sum far inside a 32-bit integer.
MAX_POSTING_MINUTES = 600_000
# A limit beyond this many minutes (100,000 hours) is a typing error too.
MAX_LIMIT_MINUTES = 6_000_000


_account = Account.__table__
_ring = Ring.__table__
_entry = JournalEntry.__table__
_posting = Posting.__table__
_idempotency = IdempotencyRecord.__table__
_closing = Closing.__table__


# The booking path's statements are written as Core and compiled once per database (see
# driver_sql). The involved accounts are locked in ascending id order, so two opposite transfers
# can never wait for each other (no deadlock); on SQLite FOR UPDATE compiles to nothing and the
# write lock of BEGIN IMMEDIATE serialises bookings instead.
class _LockedAccount(NamedTuple):
    id: int
    ring_id: int
    kind: str
    label: str
    balance: int
    limited: bool
    min_balance: int | None
    max_balance: int | None
    closed_at: object  # only ever tested for None
    last_booked_at: dt.datetime | None
    default_min_balance: int | None
    default_max_balance: int | None


def _lock_accounts_statement(count: int) -> DriverStatement:
    return DriverStatement(
        lambda: (
            select(
                *(getattr(_account.c, name) for name in _LockedAccount._fields[:10]),
                _ring.c.default_min_balance,
                _ring.c.default_max_balance,
            )
            .join(_ring, _ring.c.id == _account.c.ring_id)
            .where(_account.c.id.in_([bindparam(f"id{i}") for i in range(count)]))
            .order_by(_account.c.id)
            .with_for_update(of=_account)
        )
    )


_LOCK_ACCOUNTS = {count: _lock_accounts_statement(count) for count in range(2, 9)}
_UTC_DATETIME = UTCDateTime()
_DATE = Date()

_UPDATE_BALANCE = DriverStatement(
    lambda: (
        update(_account)
        .where(_account.c.id == bindparam("b_id"))
        .values(balance=bindparam("b_balance"), last_booked_at=bindparam("b_booked_at", type_=UTCDateTime()))
    )
)
_ENTRY_COLUMNS = (
    "ring_id",
    "kind",
    "memo",
    "service_date",
    "booked_at",
    "operator_id",
    "on_behalf_of_id",
    "channel",
    "idempotency_key",
    "voucher_number",
    "reverses_id",
    "override_reason",
    "batch_id",
)
_INSERT_ENTRY = DriverStatement(
    lambda: (
        insert(_entry)
        .values({name: bindparam(name, type_=_entry.c[name].type) for name in _ENTRY_COLUMNS})
        .returning(_entry.c.id)
    )
)
_POSTING_COLUMNS = ("entry_id", "account_id", "amount", "balance_after", "booked_at", "limit_checked")
_INSERT_POSTINGS = DriverStatement(
    lambda: insert(_posting).values(
        {name: bindparam(name, type_=_posting.c[name].type) for name in _POSTING_COLUMNS}
    )
)


def _locked_accounts(conn, ids: list[int]) -> dict[int, _LockedAccount]:
    statement = _LOCK_ACCOUNTS.get(len(ids)) or _lock_accounts_statement(len(ids))
    to_time = result_processor(_UTC_DATETIME, conn.dialect)
    locked = {}
    for row in statement.rows(conn, {f"id{i}": account_id for i, account_id in enumerate(ids)}):
        account = _LockedAccount(*row)
        locked[account.id] = account._replace(
            limited=bool(account.limited), last_booked_at=to_time(account.last_booked_at)
        )
    return locked


# "refuse": a service date in a closed period is refused; "today": booked with the booking date.
LATE_RULES = ("refuse", "today")
_CLOSED_THROUGH = DriverStatement(
    lambda: select(func.max(_closing.c.period_end)).where(
        _closing.c.ring_id == bindparam("ring_id"), _closing.c.reopened_at.is_(None)
    )
)

_FIND_VOUCHER = select(_entry.c.id).where(
    _entry.c.ring_id == bindparam("ring_id"), _entry.c.voucher_number == bindparam("voucher")
)
_FIND_KEY = select(
    _idempotency.c.request_hash,
    _idempotency.c.entry_id,
    _idempotency.c.refusal_code,
    _idempotency.c.refusal_detail,
).where(_idempotency.c.ring_id == bindparam("ring_id"), _idempotency.c.key == bindparam("key"))


# ---------------------------------------------------------------------------------------------
# Validation of plain input (no database)


def _check_minutes(value: object, *, what: str = "amount") -> int:
    """A whole, non-zero number of minutes within MAX_POSTING_MINUTES."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise errors.InvalidAmount(amount=repr(value), reason=f"{what} must be a whole number of minutes")
    if value == 0:
        raise errors.InvalidAmount(amount=value, reason=f"{what} must not be zero")
    if abs(value) > MAX_POSTING_MINUTES:
        raise errors.InvalidAmount(
            amount=value, reason=f"{what} is larger than {MAX_POSTING_MINUTES} minutes"
        )
    return value


def _check_text(value: object, *, field: str, max_length: int, required: bool) -> str:
    if not isinstance(value, str):
        raise errors.InvalidField(field=field, reason="must be text")
    if required and not value.strip():
        raise errors.InvalidField(field=field, reason="must not be empty")
    if len(value) > max_length:
        raise errors.InvalidField(
            field=field, reason=f"{len(value)} characters, at most {max_length} allowed"
        )
    if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in value):
        raise errors.InvalidField(field=field, reason="contains control characters")
    return value


def _check_memo(memo: object) -> str:
    try:
        return _check_text(memo, field="memo", max_length=MEMO_MAX, required=False)
    except errors.InvalidField as exc:
        raise errors.InvalidMemo(reason=exc.params["reason"]) from None


def _check_service_date(service_date: object, now: dt.datetime) -> dt.date:
    if isinstance(service_date, dt.datetime) or not isinstance(service_date, dt.date):
        raise errors.InvalidServiceDate(service_date=repr(service_date), reason="not a date")
    if service_date > now.date():
        raise errors.InvalidServiceDate(
            service_date=service_date.isoformat(), reason=f"after the booking date {now.date()}"
        )
    return service_date


def _check_now(now: object) -> dt.datetime:
    if not isinstance(now, dt.datetime) or now.tzinfo is None:
        raise errors.InvalidField(field="now", reason="must be an aware datetime")
    return now


def _check_optional_id(value: object, field: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**31:
        raise errors.InvalidField(field=field, reason="must be a positive integer id")
    return value


def _check_postings(postings: Mapping[int, int] | Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    items = list(postings.items() if isinstance(postings, Mapping) else postings)
    if len(items) < 2:
        raise errors.UnbalancedEntry(reason=f"{len(items)} posting(s)")
    seen: set[int] = set()
    checked: list[tuple[int, int]] = []
    for account_id, amount in items:
        if isinstance(account_id, bool) or not isinstance(account_id, int) or not 0 < account_id < 2**31:
            raise errors.UnknownAccount(account_id=repr(account_id))
        if account_id in seen:
            raise errors.UnbalancedEntry(reason=f"account {account_id} appears twice")
        seen.add(account_id)
        checked.append((account_id, _check_minutes(amount)))
    total = sum(amount for _, amount in checked)
    if total != 0:
        raise errors.UnbalancedEntry(reason=f"postings sum to {total} minutes")
    return checked


def _request_hash(**content: object) -> str:
    canonical = json.dumps(content, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


# ---------------------------------------------------------------------------------------------
# Rings and accounts


def _check_limits(min_balance: object, max_balance: object) -> tuple[int | None, int | None]:
    for value in (min_balance, max_balance):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise errors.InvalidLimits(reason="limits are whole minutes or none")
        if value is not None and abs(value) > MAX_LIMIT_MINUTES:
            raise errors.InvalidLimits(reason=f"a limit beyond {MAX_LIMIT_MINUTES} minutes")
    if min_balance is not None and min_balance > 0:
        raise errors.InvalidLimits(reason="the lowest balance must be zero or below")
    if max_balance is not None and max_balance < 0:
        raise errors.InvalidLimits(reason="the highest balance must be zero or above")
    return min_balance, max_balance  # type: ignore[return-value]


SYSTEM_ACCOUNT_LABELS = {
    "community": "Gemeinschaftskonto",
    "fees": "Gebührenkonto",
    "opening": "Eröffnungssalden",
    "clearing": "Verrechnungskonto",
}


def create_ring(
    session: Session,
    *,
    name: str,
    now: dt.datetime,
    default_min_balance: int | None = None,
    default_max_balance: int | None = None,
) -> int:
    """Create a ring with its system accounts (community, fees, opening, clearing); return its id."""
    _check_text(name, field="name", max_length=200, required=True)
    _check_now(now)
    low, high = _check_limits(default_min_balance, default_max_balance)
    ring = Ring(name=name, default_min_balance=low, default_max_balance=high, created_at=now)
    session.add(ring)
    session.flush()
    for kind in SYSTEM_ACCOUNT_KINDS:
        session.add(
            Account(
                ring_id=ring.id,
                kind=kind,
                label=SYSTEM_ACCOUNT_LABELS[kind],
                balance=0,
                limited=False,
                created_at=now,
            )
        )
    session.flush()
    return ring.id


def set_ring_limits(
    session: Session, *, ring_id: int, min_balance: int | None, max_balance: int | None
) -> None:
    """Change the ring's default limits. Balances already beyond them may still move back."""
    low, high = _check_limits(min_balance, max_balance)
    if low is not None and high is not None and low > high:
        raise errors.InvalidLimits(reason="the lowest balance is above the highest")
    ring = session.get(Ring, ring_id, with_for_update=True)
    if ring is None:
        raise errors.UnknownRing(ring_id=ring_id)
    ring.default_min_balance, ring.default_max_balance = low, high
    session.flush()


def system_account(session: Session, ring_id: int, kind: str) -> int:
    """The id of one of the ring's system accounts (community, fees, opening, clearing)."""
    if kind not in SYSTEM_ACCOUNT_KINDS:
        raise errors.InvalidField(field="kind", reason=f"{kind!r} is not a system account kind")
    account_id = session.execute(
        select(_account.c.id).where(_account.c.ring_id == ring_id, _account.c.kind == kind)
    ).scalar_one_or_none()
    if account_id is None:
        raise errors.UnknownRing(ring_id=ring_id)
    return account_id


def open_account(
    session: Session,
    *,
    ring_id: int,
    label: str,
    now: dt.datetime,
    min_balance: int | None = None,
    max_balance: int | None = None,
) -> int:
    """Open a member account (balance zero, the ring's limits unless overridden); return its id."""
    _check_text(label, field="label", max_length=LABEL_MAX, required=True)
    _check_now(now)
    low, high = _check_limits(min_balance, max_balance)
    if low is not None and high is not None and low > high:
        raise errors.InvalidLimits(reason="the lowest balance is above the highest")
    if session.get(Ring, ring_id) is None:
        raise errors.UnknownRing(ring_id=ring_id)
    account = Account(
        ring_id=ring_id,
        kind="member",
        label=label,
        balance=0,
        limited=True,
        min_balance=low,
        max_balance=high,
        created_at=now,
    )
    session.add(account)
    session.flush()
    return account.id


def set_account_limits(
    session: Session,
    *,
    ring_id: int,
    account_id: int,
    min_balance: int | None,
    max_balance: int | None,
) -> None:
    """Override the ring's limits for one member account (None = use the ring's default)."""
    low, high = _check_limits(min_balance, max_balance)
    if low is not None and high is not None and low > high:
        raise errors.InvalidLimits(reason="the lowest balance is above the highest")
    account = _lock_one_account(session, ring_id, account_id)
    if account.kind != "member":
        raise errors.InvalidLimits(reason="system accounts have no limits")
    account.min_balance, account.max_balance = low, high
    session.flush()


def relabel_account(session: Session, *, ring_id: int, account_id: int, label: str) -> None:
    """Change an account's label (e.g. when a member's personal data is erased)."""
    _check_text(label, field="label", max_length=LABEL_MAX, required=True)
    account = _lock_one_account(session, ring_id, account_id)
    account.label = label
    session.flush()


def _lock_one_account(session: Session, ring_id: int, account_id: int) -> Account:
    account = session.get(Account, account_id, with_for_update=True, populate_existing=True)
    if account is None:
        raise errors.UnknownAccount(account_id=account_id)
    if account.ring_id != ring_id:
        raise errors.ForeignAccount(account_id=account_id, account_ring_id=account.ring_id, ring_id=ring_id)
    return account


# ---------------------------------------------------------------------------------------------
# Booking


def book_transfer(
    session: Session,
    *,
    ring_id: int,
    payer: int,
    payee: int,
    minutes: int,
    memo: str,
    service_date: dt.date,
    now: dt.datetime,
    operator_id: int | None = None,
    on_behalf_of_id: int | None = None,
    channel: str = "web",
    idempotency_key: str | None = None,
    voucher_number: str | None = None,
    override_reason: str | None = None,
    batch_id: int | None = None,
    late: str = "refuse",
) -> EntryView:
    """Book ``minutes`` from the payer (receiver of the service) to the payee (the provider)."""
    _check_minutes(minutes)
    if minutes < 0:
        raise errors.InvalidAmount(amount=minutes, reason="amount must be positive")
    if payer == payee:
        raise errors.SameAccount(account_id=payer)
    return book_entry(
        session,
        ring_id=ring_id,
        postings=[(payer, -minutes), (payee, minutes)],
        kind="transfer",
        memo=memo,
        service_date=service_date,
        now=now,
        operator_id=operator_id,
        on_behalf_of_id=on_behalf_of_id,
        channel=channel,
        idempotency_key=idempotency_key,
        voucher_number=voucher_number,
        override_reason=override_reason,
        batch_id=batch_id,
        late=late,
    )


def book_entry(
    session: Session,
    *,
    ring_id: int,
    postings: Mapping[int, int] | Iterable[tuple[int, int]],
    kind: str,
    memo: str,
    service_date: dt.date,
    now: dt.datetime,
    operator_id: int | None = None,
    on_behalf_of_id: int | None = None,
    channel: str = "web",
    idempotency_key: str | None = None,
    voucher_number: str | None = None,
    override_reason: str | None = None,
    batch_id: int | None = None,
    late: str = "refuse",
) -> EntryView:
    """Book one journal entry of two or more postings (account id, signed minutes) summing to zero.

    Limits are checked in the direction of each movement: the lowest balance where an account
    pays, the highest where it receives. ``override_reason`` books past a limit on purpose and
    is stored on the entry. A service date inside a closed period is refused (``PeriodClosed``),
    or with ``late="today"`` booked with the booking date as service date and the original date
    written in front of the memo.
    """
    if kind == "reversal":
        raise errors.InvalidField(field="kind", reason="reversals are booked with reverse_entry")
    return _book(
        session,
        ring_id=ring_id,
        postings=postings,
        kind=kind,
        memo=memo,
        service_date=service_date,
        now=now,
        operator_id=operator_id,
        on_behalf_of_id=on_behalf_of_id,
        channel=channel,
        idempotency_key=idempotency_key,
        voucher_number=voucher_number,
        override_reason=override_reason,
        batch_id=batch_id,
        reverses_id=None,
        late=late,
    )


def _book(
    session: Session,
    *,
    ring_id: int,
    postings: Mapping[int, int] | Iterable[tuple[int, int]],
    kind: str,
    memo: str,
    service_date: dt.date,
    now: dt.datetime,
    operator_id: int | None,
    on_behalf_of_id: int | None,
    channel: str,
    idempotency_key: str | None,
    voucher_number: str | None,
    override_reason: str | None,
    batch_id: int | None,
    reverses_id: int | None,
    late: str = "refuse",
) -> EntryView:
    # 1. Plain input: refused before anything touches the database.
    if kind not in ENTRY_KINDS:
        raise errors.InvalidField(field="kind", reason=f"{kind!r} is not an entry kind")
    if channel not in CHANNELS:
        raise errors.InvalidField(field="channel", reason=f"{channel!r} is not a channel")
    _check_now(now)
    checked = _check_postings(postings)
    memo = _check_memo(memo)
    service_date = _check_service_date(service_date, now)
    operator_id = _check_optional_id(operator_id, "operator")
    on_behalf_of_id = _check_optional_id(on_behalf_of_id, "on_behalf_of")
    batch_id = _check_optional_id(batch_id, "batch")
    if voucher_number is not None:
        _check_text(voucher_number, field="voucher_number", max_length=VOUCHER_MAX, required=True)
    if idempotency_key is not None:
        _check_text(idempotency_key, field="idempotency_key", max_length=KEY_MAX, required=True)
    if override_reason is not None:
        _check_text(override_reason, field="override_reason", max_length=REASON_MAX, required=True)
    if late not in LATE_RULES:
        raise errors.InvalidField(field="late", reason=f"{late!r} is not one of {LATE_RULES}")

    conn = session.connection()

    # 2. Idempotency: a key seen before returns its first outcome, or is a conflict.
    request_hash = None
    if idempotency_key is not None:
        request_hash = _request_hash(
            ring=ring_id,
            kind=kind,
            postings=sorted(checked),
            memo=memo,
            service_date=service_date.isoformat(),
            on_behalf_of=on_behalf_of_id,
            voucher=voucher_number,
            override=override_reason,
            reverses=reverses_id,
        )
        seen = conn.execute(_FIND_KEY, {"ring_id": ring_id, "key": idempotency_key}).first()
        if seen is not None:
            if seen.request_hash != request_hash:
                raise errors.IdempotencyConflict(key=idempotency_key)
            if seen.entry_id is not None:
                return _replayed(load_entry(session, ring_id=ring_id, entry_id=seen.entry_id))
            stored = errors.LedgerError.from_stored(seen.refusal_code, seen.refusal_detail)
            stored.replayed = True
            raise stored

    try:
        return _write(
            session,
            conn,
            ring_id=ring_id,
            checked=checked,
            kind=kind,
            memo=memo,
            service_date=service_date,
            now=now,
            operator_id=operator_id,
            on_behalf_of_id=on_behalf_of_id,
            channel=channel,
            idempotency_key=idempotency_key,
            request_hash=request_hash,
            voucher_number=voucher_number,
            override_reason=override_reason,
            batch_id=batch_id,
            reverses_id=reverses_id,
            late=late,
        )
    except errors.LedgerError as refusal:
        if idempotency_key is not None and session.get(Ring, ring_id) is not None:
            refusal.idempotency_record = {
                "ring_id": ring_id,
                "key": idempotency_key,
                "request_hash": request_hash,
                "entry_id": None,
                "refusal_code": refusal.code,
                "refusal_detail": refusal.to_json(),
                "created_at": now,
            }
            record_refusal(session, refusal)
        raise


def record_refusal(session: Session, refusal: errors.LedgerError) -> None:
    """Store a refusal under its idempotency key, so a retry with that key gets it again.

    The ledger does this itself when it refuses a keyed booking. A caller that rolls back the
    refused unit of work (to drop its other writes) calls this again in the new transaction.
    """
    record = getattr(refusal, "idempotency_record", None)
    if record is None:
        return
    session.connection().execute(insert(_idempotency), record)
    refusal.recorded = True


def _replayed(view: EntryView) -> EntryView:
    return EntryView(**{**view.__dict__, "replayed": True})


def _write(
    session: Session,
    conn,
    *,
    ring_id: int,
    checked: list[tuple[int, int]],
    kind: str,
    memo: str,
    service_date: dt.date,
    now: dt.datetime,
    operator_id: int | None,
    on_behalf_of_id: int | None,
    channel: str,
    idempotency_key: str | None,
    request_hash: str | None,
    voucher_number: str | None,
    override_reason: str | None,
    batch_id: int | None,
    reverses_id: int | None,
    late: str,
) -> EntryView:
    """Check against the locked accounts, then write. Nothing is written before every check passed."""
    if voucher_number is not None:
        holder = conn.execute(_FIND_VOUCHER, {"ring_id": ring_id, "voucher": voucher_number}).scalar()
        if holder is not None:
            raise errors.DuplicateVoucher(voucher_number=voucher_number, entry_id=holder)

    ids = [account_id for account_id, _ in checked]
    if on_behalf_of_id is not None and on_behalf_of_id not in ids:
        ids_for_lock = sorted({*ids, on_behalf_of_id})
    else:
        ids_for_lock = sorted(ids)
    rows = _locked_accounts(conn, ids_for_lock)
    if on_behalf_of_id is not None:
        _check_account_row(rows.get(on_behalf_of_id), on_behalf_of_id, ring_id, closed_ok=True)

    # Read after the locks: a closing holds every account of the ring while it is written, so
    # it committed before this statement (and is seen) or it waits for this booking.
    closed = _CLOSED_THROUGH.scalar(conn, {"ring_id": ring_id})
    closed = None if closed is None else result_processor(_DATE, conn.dialect)(closed)
    if closed is not None and service_date <= closed:
        if late == "refuse":
            raise errors.PeriodClosed(
                service_date=service_date.isoformat(), closed_through=closed.isoformat()
            )
        memo = late_memo(memo, service_date)
        service_date = now.date()

    booked_at = now
    for account_id, _ in checked:
        row = _check_account_row(rows.get(account_id), account_id, ring_id, closed_ok=False)
        if row.last_booked_at is not None and row.last_booked_at > booked_at:
            booked_at = row.last_booked_at

    new_postings = []
    for account_id, amount in checked:
        row = rows[account_id]
        new_balance = row.balance + amount
        limit = _limit_for(row, amount)
        if override_reason is None:
            refusal = errors.limit_refusal(
                account_id=account_id, label=row.label, balance=row.balance, amount=amount, limit=limit
            )
            if refusal is not None:
                raise refusal
        new_postings.append(PostingView(account_id, amount, new_balance, limit))

    _UPDATE_BALANCE.execute(
        conn,
        [
            {"b_id": p.account_id, "b_balance": p.balance_after, "b_booked_at": booked_at}
            for p in sorted(new_postings, key=lambda p: p.account_id)
        ],
    )
    entry_id = _INSERT_ENTRY.scalar(
        conn,
        {
            "ring_id": ring_id,
            "kind": kind,
            "memo": memo,
            "service_date": service_date,
            "booked_at": booked_at,
            "operator_id": operator_id,
            "on_behalf_of_id": on_behalf_of_id,
            "channel": channel,
            "idempotency_key": idempotency_key,
            "voucher_number": voucher_number,
            "reverses_id": reverses_id,
            "override_reason": override_reason,
            "batch_id": batch_id,
        },
    )
    _INSERT_POSTINGS.execute(
        conn,
        [
            {
                "entry_id": entry_id,
                "account_id": p.account_id,
                "amount": p.amount,
                "balance_after": p.balance_after,
                "booked_at": booked_at,
                "limit_checked": p.limit_checked,
            }
            for p in new_postings
        ],
    )
    if idempotency_key is not None:
        conn.execute(
            insert(_idempotency),
            {
                "ring_id": ring_id,
                "key": idempotency_key,
                "request_hash": request_hash,
                "entry_id": entry_id,
                "refusal_code": None,
                "refusal_detail": None,
                "created_at": now,
            },
        )
    return EntryView(
        id=entry_id,
        ring_id=ring_id,
        kind=kind,
        memo=memo,
        service_date=service_date,
        booked_at=booked_at,
        operator_id=operator_id,
        on_behalf_of_id=on_behalf_of_id,
        channel=channel,
        idempotency_key=idempotency_key,
        voucher_number=voucher_number,
        reverses_id=reverses_id,
        override_reason=override_reason,
        batch_id=batch_id,
        postings=tuple(new_postings),
    )


def late_memo(memo: str, service_date: dt.date) -> str:
    """The memo of an entry moved out of a closed period: its original service date in front."""
    prefix = f"[Leistungsdatum {service_date:%d.%m.%Y}] "
    return (prefix + memo)[:MEMO_MAX]


def _check_account_row(row, account_id: int, ring_id: int, *, closed_ok: bool):
    if row is None:
        raise errors.UnknownAccount(account_id=account_id)
    if row.ring_id != ring_id:
        raise errors.ForeignAccount(account_id=account_id, account_ring_id=row.ring_id, ring_id=ring_id)
    if row.closed_at is not None and not closed_ok:
        raise errors.AccountClosed(account_id=account_id, label=row.label)
    return row


def _limit_for(row, amount: int) -> int | None:
    """The limit a movement is checked against: the floor when paying, the ceiling when receiving."""
    if not row.limited:
        return None
    if amount < 0:
        return row.min_balance if row.min_balance is not None else row.default_min_balance
    return row.max_balance if row.max_balance is not None else row.default_max_balance


# ---------------------------------------------------------------------------------------------
# Corrections, settlement, closing


def lock_accounts(session: Session, *, ring_id: int, account_ids: Iterable[int]) -> None:
    """Lock accounts in ascending id order for the rest of the transaction.

    A transaction that books several entries (a voucher batch) calls this first with every
    account it will touch: its later bookings then never wait on a lock out of order, so it
    cannot deadlock with single bookings, which lock in the same order.
    """
    ids = sorted({int(account_id) for account_id in account_ids})
    if not ids:
        return
    conn = session.connection()
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        rows = {
            row[0]
            for row in conn.execute(
                select(_account.c.id)
                .where(_account.c.id.in_(chunk), _account.c.ring_id == ring_id)
                .order_by(_account.c.id)
                .with_for_update()
            )
        }
        missing = [account_id for account_id in chunk if account_id not in rows]
        if missing:
            raise errors.UnknownAccount(account_id=missing[0])


def reverse_entry(
    session: Session,
    *,
    ring_id: int,
    entry_id: int,
    reason: str,
    now: dt.datetime,
    operator_id: int | None = None,
    channel: str = "office",
    idempotency_key: str | None = None,
    override_limits: bool = False,
) -> EntryView:
    """Book the mirror of an entry (Storno), linked to it. An entry is reversed at most once and
    a reversal is never reversed. It keeps the original's service date unless that lies in a
    closed period: then it is booked on the booking date, the original date in its memo. The
    reason becomes the reversal's memo; with ``override_limits`` it is also the recorded
    override reason.
    """
    _check_text(reason, field="reason", max_length=MEMO_MAX, required=True)
    original = session.execute(
        select(_entry.c.id, _entry.c.kind, _entry.c.service_date, _entry.c.on_behalf_of_id).where(
            _entry.c.id == entry_id, _entry.c.ring_id == ring_id
        )
    ).first()
    if original is None:
        raise errors.UnknownEntry(entry_id=entry_id, ring_id=ring_id)
    if original.kind == "reversal":
        raise errors.ReversalOfReversal(entry_id=entry_id)
    # A retry under a known idempotency key goes straight to its replay (or conflict).
    key_seen = (
        idempotency_key is not None
        and session.execute(_FIND_KEY, {"ring_id": ring_id, "key": idempotency_key}).first() is not None
    )
    existing = session.execute(select(_entry.c.id).where(_entry.c.reverses_id == entry_id)).scalar()
    if existing is not None and not key_seen:
        raise errors.AlreadyReversed(entry_id=entry_id, reversal_id=existing)
    mirror = [
        (account_id, -amount)
        for account_id, amount in session.execute(
            select(_posting.c.account_id, _posting.c.amount)
            .where(_posting.c.entry_id == entry_id)
            .order_by(_posting.c.id)
        )
    ]
    return _book(
        session,
        ring_id=ring_id,
        postings=mirror,
        kind="reversal",
        memo=reason,
        service_date=original.service_date,
        now=now,
        operator_id=operator_id,
        on_behalf_of_id=original.on_behalf_of_id,
        channel=channel,
        idempotency_key=idempotency_key,
        voucher_number=None,
        override_reason=reason if override_limits else None,
        batch_id=None,
        reverses_id=entry_id,
        # A storno of an entry in a closed period is booked in the open period.
        late="today",
    )


def settle_account(
    session: Session,
    *,
    ring_id: int,
    account_id: int,
    memo: str,
    now: dt.datetime,
    operator_id: int | None = None,
    channel: str = "office",
) -> EntryView | None:
    """Book a member account's whole balance against the community account (None if already zero).

    Moving to zero never crosses a limit (floors are at most and ceilings at least zero).
    """
    account = _lock_one_account(session, ring_id, account_id)
    if account.kind != "member":
        raise errors.InvalidField(field="account", reason="only member accounts are settled")
    if account.closed_at is not None:
        raise errors.AccountClosed(account_id=account_id, label=account.label)
    if account.balance == 0:
        return None
    community = system_account(session, ring_id, "community")
    return _book(
        session,
        ring_id=ring_id,
        postings=[(account_id, -account.balance), (community, account.balance)],
        kind="settlement",
        memo=memo,
        service_date=now.date(),
        now=now,
        operator_id=operator_id,
        on_behalf_of_id=account_id,
        channel=channel,
        idempotency_key=None,
        voucher_number=None,
        override_reason=None,
        batch_id=None,
        reverses_id=None,
    )


def close_account(session: Session, *, ring_id: int, account_id: int, now: dt.datetime) -> None:
    """Close a member account. Only a zero balance can be closed; settle it first."""
    _check_now(now)
    account = _lock_one_account(session, ring_id, account_id)
    if account.kind != "member":
        raise errors.InvalidField(field="account", reason="system accounts stay open")
    if account.closed_at is not None:
        raise errors.AccountClosed(account_id=account_id, label=account.label)
    if account.balance != 0:
        raise errors.AccountNotZero(account_id=account_id, label=account.label, balance=account.balance)
    account.closed_at = now
    session.flush()
