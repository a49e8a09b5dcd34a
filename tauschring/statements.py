"""Statements and entries with the names of the accounts in them, as the reader may see them.

The ledger knows accounts, not people: here the partners of a statement line and the accounts of
an entry get their names. The office reads full names; a member reads other members as those
chose to be shown (name and initial, or the number only). The ring's own accounts are named by
their kind. Web pages, the API, the CSV and the printed inserts all read them from here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

import ledger

from . import errors
from .models import Member
from .names import display_name
from .permissions import Actor, require_office
from .texts import SYSTEM_ACCOUNT_NAMES
from .units import whole_number


@dataclass(frozen=True)
class Named:
    """An account as the reader may see it: a member (number and name) or one of the ring's own."""

    account_id: int
    member_number: int | None
    name: str

    @property
    def label(self) -> str:
        return f"{self.name} ({self.member_number})" if self.member_number is not None else str(self.name)


def account_names(session: Session, ring_id: int, account_ids: set[int], *, full: bool) -> dict[int, Named]:
    """Names of these accounts (only these: a ring has thousands), for a reader who sees full names
    (``full``: the office, the member themself) or names as chosen (other members)."""
    if not account_ids:
        return {}
    names = {
        m.account_id: Named(m.account_id, m.number, display_name(m, full=full))
        for m in session.scalars(
            select(Member).where(Member.ring_id == ring_id, Member.account_id.in_(account_ids))
        )
    }
    rest = set(account_ids) - set(names)
    if rest:
        accounts = session.execute(
            select(ledger.Account.id, ledger.Account.kind, ledger.Account.label).where(
                ledger.Account.ring_id == ring_id, ledger.Account.id.in_(rest)
            )
        )
        for account_id, kind, label in accounts:
            names[account_id] = Named(account_id, None, SYSTEM_ACCOUNT_NAMES.get(kind, label))
    return names


@dataclass(frozen=True)
class NamedPartner:
    """The other side of a statement line: its account named, and the minutes it moved."""

    account: Named
    amount: int

    @property
    def member_number(self) -> int | None:
        return self.account.member_number

    @property
    def name(self) -> str:
        return self.account.name


@dataclass(frozen=True)
class NamedLine:
    """A statement line (its fields read through) with its partners named."""

    line: ledger.StatementLine
    partners: tuple[NamedPartner, ...]

    def __getattr__(self, name: str) -> object:
        return getattr(self.line, name)

    @property
    def partner_text(self) -> str:
        return ", ".join(p.account.label for p in self.partners)


@dataclass(frozen=True)
class NamedStatement:
    """A statement (its balances and cursor read through) with named lines."""

    statement: ledger.Statement
    lines: tuple[NamedLine, ...]

    def __getattr__(self, name: str) -> object:
        return getattr(self.statement, name)

    @property
    def total_in(self) -> int:
        return self.statement.total_in

    @property
    def total_out(self) -> int:
        return self.statement.total_out


def name_lines(session: Session, ring_id: int, lines, *, full: bool) -> tuple[NamedLine, ...]:
    names = account_names(
        session, ring_id, {p.account_id for line in lines for p in line.partners}, full=full
    )
    return tuple(
        NamedLine(line, tuple(NamedPartner(names[p.account_id], p.amount) for p in line.partners))
        for line in lines
    )


def statement_of(
    session: Session,
    member: Member,
    *,
    full_names: bool,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    page_size: int | None = None,
    cursor: tuple[dt.datetime, int] | None = None,
) -> NamedStatement:
    """The member's statement for [start, end), optionally one page of it, partners named."""
    result = ledger.statement(
        session,
        ring_id=member.ring_id,
        account_id=member.account_id,
        start=start,
        end=end,
        page_size=page_size,
        cursor=cursor,
    )
    return NamedStatement(result, name_lines(session, member.ring_id, result.lines, full=full_names))


def recent_of(session: Session, member: Member, *, count: int, full_names: bool) -> tuple[NamedLine, ...]:
    lines = ledger.recent_lines(session, ring_id=member.ring_id, account_id=member.account_id, count=count)
    return name_lines(session, member.ring_id, lines, full=full_names)


@dataclass(frozen=True)
class NamedPosting(NamedPartner):
    """A posting of an entry: its account named, the amount and the balance after it."""

    balance_after: int


@dataclass(frozen=True)
class NamedEntry:
    """An entry (its fields read through) with its accounts named."""

    entry: ledger.EntryView
    postings: tuple[NamedPosting, ...]

    def __getattr__(self, name: str) -> object:
        return getattr(self.entry, name)


def entry_seen_by(session: Session, actor: Actor, entry_id: int, *, reader: Member | None) -> NamedEntry:
    """An entry as the reader may see it: the office any entry of its ring (full names), a member
    only the entries that moved their own account. Any other entry does not exist for them."""
    try:
        found = (
            ledger.entry(session, ring_id=actor.ring_id, entry_id=entry_id) if 0 < entry_id < 2**31 else None
        )
    except ledger.UnknownEntry:
        found = None
    full = actor.is_office and reader is None
    if found is not None and not full:
        if reader is None or reader.account_id not in {p.account_id for p in found.postings}:
            found = None
    if found is None:
        raise errors.EntryUnknown(entry_id=entry_id)
    names = account_names(session, actor.ring_id, {p.account_id for p in found.postings}, full=full)
    return NamedEntry(
        found, tuple(NamedPosting(names[p.account_id], p.amount, p.balance_after) for p in found.postings)
    )


def find_entries(session: Session, actor: Actor, text: str, *, limit: int = 20) -> list[ledger.JournalEntry]:
    """Entries the office looks for to correct them: by entry number or by voucher number, in
    the office's own ring."""
    require_office(actor)
    ring_id = actor.ring_id
    text = text.strip()[:40]
    if not text:
        return []
    conditions = [ledger.JournalEntry.voucher_number == text]
    number = whole_number(text)
    if number is not None and number < 2**31:
        conditions.append(ledger.JournalEntry.id == number)
    query = (
        select(ledger.JournalEntry)
        .where(ledger.JournalEntry.ring_id == ring_id, or_(*conditions))
        .order_by(ledger.JournalEntry.id)
        .limit(limit)
    )
    return list(session.scalars(query))
