"""Plain, immutable values the ledger hands out. No database objects leave the ledger."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class PostingView:
    account_id: int
    amount: int
    balance_after: int
    # The limit in force that the posting was checked against (None: that side has no limit).
    limit_checked: int | None


@dataclass(frozen=True)
class EntryView:
    """A booked journal entry. ``replayed`` is True when an idempotent retry returned it."""

    id: int
    ring_id: int
    kind: str
    memo: str
    service_date: dt.date
    booked_at: dt.datetime
    operator_id: int | None
    on_behalf_of_id: int | None
    channel: str
    idempotency_key: str | None
    voucher_number: str | None
    reverses_id: int | None
    override_reason: str | None
    batch_id: int | None
    postings: tuple[PostingView, ...]
    reversed_by_id: int | None = None
    replayed: bool = False


@dataclass(frozen=True)
class AccountBalance:
    """An account's cached balance and the limits in force for it (None: no limit)."""

    account_id: int
    ring_id: int
    kind: str
    label: str
    balance: int
    min_balance: int | None
    max_balance: int | None
    closed: bool

    @property
    def can_pay(self) -> int | None:
        """Minutes the account may still pay before reaching its floor (None: unlimited)."""
        return None if self.min_balance is None else max(0, self.balance - self.min_balance)

    @property
    def can_receive(self) -> int | None:
        """Minutes the account may still receive before reaching its ceiling (None: unlimited)."""
        return None if self.max_balance is None else max(0, self.max_balance - self.balance)


@dataclass(frozen=True)
class Partner:
    """The other side of a statement line: an account and the minutes it moved."""

    account_id: int
    label: str
    amount: int


@dataclass(frozen=True)
class StatementLine:
    posting_id: int
    entry_id: int
    kind: str
    booked_at: dt.datetime
    service_date: dt.date
    memo: str
    amount: int
    balance_after: int
    partners: tuple[Partner, ...]
    channel: str
    operator_id: int | None
    on_behalf_of_id: int | None
    voucher_number: str | None
    reverses_id: int | None
    reversed_by_id: int | None
    override_reason: str | None


@dataclass(frozen=True)
class Statement:
    """An account's statement for a period [start, end): the balance at each end and the lines.

    With a page size, ``lines`` is one page and ``next_cursor`` fetches the next; the period's
    opening and closing balances are those of the whole period either way.
    """

    account: AccountBalance
    start: dt.datetime | None
    end: dt.datetime | None
    opening_balance: int
    closing_balance: int
    lines: tuple[StatementLine, ...]
    next_cursor: tuple[dt.datetime, int] | None = None

    @property
    def total_in(self) -> int:
        return sum(line.amount for line in self.lines if line.amount > 0)

    @property
    def total_out(self) -> int:
        return -sum(line.amount for line in self.lines if line.amount < 0)


@dataclass(frozen=True)
class Violation:
    """One broken invariant. ``check`` is a stable code; ``detail`` says what was found."""

    check: str
    detail: str
    account_id: int | None = None
    entry_id: int | None = None
    posting_id: int | None = None


@dataclass(frozen=True)
class VerifyReport:
    ring_id: int
    ring_name: str
    accounts: int
    entries: int
    postings: int
    total_balance: int
    checks: tuple[str, ...]
    violations: tuple[Violation, ...] = ()
    # Facts worth a look that are not errors, e.g. a balance beyond a limit lowered later.
    notices: tuple[Violation, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return not self.violations
