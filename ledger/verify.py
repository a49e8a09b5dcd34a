"""Proving the book: every invariant of a ring, checked from the stored rows.

``verify`` never stops at the first problem: it runs every check and returns every violation,
so a treasurer sees the whole picture. Each check is one SQL query over the ring.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from . import errors
from .closing import verify_closings
from .errors import format_minutes
from .models import Ring
from .values import VerifyReport, Violation

# Each check: a stable code, what it proves (for the report), and a query yielding violations.
CHECKS: dict[str, str] = {
    "cached_balance": "each account's cached balance equals the sum of its postings",
    "balance_chain": "each posting's balance_after equals the previous balance_after plus its amount",
    "time_order": "an account's postings never go back in booking time",
    "entry_balanced": "each entry has two or more postings that sum to zero",
    "ring_sum": "the balances of the ring's accounts sum to zero",
    "closed_book": "each entry moves only accounts of its own ring",
    "posting_time": "each posting carries its entry's booking time",
    "limits_held": "no posting crossed the limit it was checked against, except recorded overrides",
    "reversal_links": "each reversal undoes exactly one non-reversal entry of the ring, mirror for mirror",
    "closed_accounts": "closed accounts have balance zero and no postings after closing",
    "append_only": "the database refuses to change or delete entries and postings (its triggers exist)",
    "closings": "every active closing still matches the entries it covers (fingerprint, count, balances)",
}

_CACHED_BALANCE = text(
    """
    SELECT a.id AS account_id, a.balance AS cached, COALESCE(SUM(p.amount), 0) AS summed
    FROM account a LEFT JOIN posting p ON p.account_id = a.id
    WHERE a.ring_id = :ring_id
    GROUP BY a.id, a.balance
    HAVING a.balance <> COALESCE(SUM(p.amount), 0)
    ORDER BY a.id
    """
)

_CHAIN = text(
    """
    SELECT account_id, id AS posting_id, entry_id, amount, balance_after, previous, booked_at,
           previous_booked_at
    FROM (
        SELECT p.account_id, p.id, p.entry_id, p.amount, p.balance_after, p.booked_at,
               LAG(p.balance_after) OVER (PARTITION BY p.account_id ORDER BY p.id) AS previous,
               LAG(p.booked_at) OVER (PARTITION BY p.account_id ORDER BY p.id) AS previous_booked_at
        FROM posting p JOIN account a ON a.id = p.account_id
        WHERE a.ring_id = :ring_id
    ) chained
    WHERE balance_after - amount <> COALESCE(previous, 0)
       OR booked_at < previous_booked_at
    ORDER BY account_id, id
    """
)

_ENTRY_BALANCED = text(
    """
    SELECT e.id AS entry_id, COUNT(p.id) AS postings, COALESCE(SUM(p.amount), 0) AS total
    FROM journal_entry e LEFT JOIN posting p ON p.entry_id = e.id
    WHERE e.ring_id = :ring_id
    GROUP BY e.id
    HAVING COUNT(p.id) < 2 OR COALESCE(SUM(p.amount), 0) <> 0
    ORDER BY e.id
    """
)

_RING_SUM = text(
    """
    SELECT (SELECT COALESCE(SUM(balance), 0) FROM account WHERE ring_id = :ring_id) AS cached,
           (SELECT COALESCE(SUM(p.amount), 0) FROM posting p
              JOIN account a ON a.id = p.account_id WHERE a.ring_id = :ring_id) AS summed
    """
)

_CLOSED_BOOK = text(
    """
    SELECT p.id AS posting_id, p.entry_id, p.account_id, e.ring_id AS entry_ring,
           a.ring_id AS account_ring
    FROM posting p JOIN journal_entry e ON e.id = p.entry_id JOIN account a ON a.id = p.account_id
    WHERE (e.ring_id = :ring_id OR a.ring_id = :ring_id) AND e.ring_id <> a.ring_id
    ORDER BY p.id
    """
)

_POSTING_TIME = text(
    """
    SELECT p.id AS posting_id, p.entry_id, p.account_id
    FROM posting p JOIN journal_entry e ON e.id = p.entry_id
    WHERE e.ring_id = :ring_id AND p.booked_at <> e.booked_at
    ORDER BY p.id
    """
)

_LIMITS_HELD = text(
    """
    SELECT p.id AS posting_id, p.entry_id, p.account_id, p.amount, p.balance_after, p.limit_checked
    FROM posting p JOIN journal_entry e ON e.id = p.entry_id
    WHERE e.ring_id = :ring_id AND e.override_reason IS NULL AND p.limit_checked IS NOT NULL
      AND ((p.amount < 0 AND p.balance_after < p.limit_checked)
        OR (p.amount > 0 AND p.balance_after > p.limit_checked))
    ORDER BY p.id
    """
)

_REVERSAL_TARGETS = text(
    """
    SELECT r.id AS entry_id, r.kind, r.reverses_id, o.id AS original_id, o.ring_id AS original_ring,
           o.kind AS original_kind
    FROM journal_entry r LEFT JOIN journal_entry o ON o.id = r.reverses_id
    WHERE r.ring_id = :ring_id
      AND (r.reverses_id IS NOT NULL OR r.kind = 'reversal')
      AND (r.kind <> 'reversal' OR r.reverses_id IS NULL OR o.id IS NULL
           OR o.ring_id <> r.ring_id OR o.kind = 'reversal')
    ORDER BY r.id
    """
)

_REVERSAL_MIRROR = text(
    """
    SELECT r.id AS entry_id, r.reverses_id
    FROM journal_entry r
    WHERE r.ring_id = :ring_id AND r.reverses_id IS NOT NULL AND (
        EXISTS (SELECT 1 FROM posting rp WHERE rp.entry_id = r.id AND NOT EXISTS (
            SELECT 1 FROM posting op WHERE op.entry_id = r.reverses_id
               AND op.account_id = rp.account_id AND op.amount = -rp.amount))
     OR EXISTS (SELECT 1 FROM posting op WHERE op.entry_id = r.reverses_id AND NOT EXISTS (
            SELECT 1 FROM posting rp WHERE rp.entry_id = r.id
               AND rp.account_id = op.account_id AND rp.amount = -op.amount)))
    ORDER BY r.id
    """
)

_REVERSED_TWICE = text(
    """
    SELECT reverses_id, COUNT(*) AS reversals FROM journal_entry
    WHERE ring_id = :ring_id AND reverses_id IS NOT NULL
    GROUP BY reverses_id HAVING COUNT(*) > 1
    ORDER BY reverses_id
    """
)

_CLOSED_ACCOUNTS = text(
    """
    SELECT a.id AS account_id, a.balance,
           (SELECT COUNT(*) FROM posting p WHERE p.account_id = a.id AND p.booked_at > a.closed_at)
             AS later_postings
    FROM account a
    WHERE a.ring_id = :ring_id AND a.closed_at IS NOT NULL
    ORDER BY a.id
    """
)

_BEYOND_LIMITS = text(
    """
    SELECT a.id AS account_id, a.label, a.balance,
           COALESCE(a.min_balance, r.default_min_balance) AS floor,
           COALESCE(a.max_balance, r.default_max_balance) AS ceiling
    FROM account a JOIN ring r ON r.id = a.ring_id
    WHERE a.ring_id = :ring_id AND a.limited AND a.closed_at IS NULL
      AND (a.balance < COALESCE(a.min_balance, r.default_min_balance)
        OR a.balance > COALESCE(a.max_balance, r.default_max_balance))
    ORDER BY a.id
    """
)

_COUNTS = text(
    """
    SELECT (SELECT COUNT(*) FROM account WHERE ring_id = :ring_id) AS accounts,
           (SELECT COUNT(*) FROM journal_entry WHERE ring_id = :ring_id) AS entries,
           (SELECT COUNT(*) FROM posting p JOIN account a ON a.id = p.account_id
              WHERE a.ring_id = :ring_id) AS postings,
           (SELECT COALESCE(SUM(balance), 0) FROM account WHERE ring_id = :ring_id) AS total
    """
)


def verify(session: Session, ring_id: int) -> VerifyReport:
    """Check every invariant of a ring's book and return all violations found."""
    ring = session.get(Ring, ring_id)
    if ring is None:
        raise errors.UnknownRing(ring_id=ring_id)
    params = {"ring_id": ring_id}
    run = lambda query: session.execute(query, params).all()  # noqa: E731
    found: list[Violation] = []

    for row in run(_CACHED_BALANCE):
        found.append(
            Violation(
                "cached_balance",
                f"account {row.account_id}: cached {format_minutes(row.cached)}, "
                f"postings sum to {format_minutes(row.summed)}",
                account_id=row.account_id,
            )
        )
    for row in run(_CHAIN):
        expected = (row.previous or 0) + row.amount
        if row.balance_after != expected:
            found.append(
                Violation(
                    "balance_chain",
                    f"posting {row.posting_id} on account {row.account_id}: balance_after "
                    f"{format_minutes(row.balance_after)}, expected {format_minutes(expected)}",
                    account_id=row.account_id,
                    entry_id=row.entry_id,
                    posting_id=row.posting_id,
                )
            )
        if row.previous_booked_at is not None and row.booked_at < row.previous_booked_at:
            found.append(
                Violation(
                    "time_order",
                    f"posting {row.posting_id} on account {row.account_id} is dated "
                    f"{row.booked_at} before the previous posting ({row.previous_booked_at})",
                    account_id=row.account_id,
                    entry_id=row.entry_id,
                    posting_id=row.posting_id,
                )
            )
    for row in run(_ENTRY_BALANCED):
        found.append(
            Violation(
                "entry_balanced",
                f"entry {row.entry_id}: {row.postings} posting(s) summing to {format_minutes(row.total)}",
                entry_id=row.entry_id,
            )
        )
    sums = session.execute(_RING_SUM, params).one()
    if sums.cached != 0 or sums.summed != 0:
        found.append(
            Violation(
                "ring_sum",
                f"balances sum to {format_minutes(sums.cached)}, "
                f"postings to {format_minutes(sums.summed)}; both must be zero",
            )
        )
    for row in run(_CLOSED_BOOK):
        found.append(
            Violation(
                "closed_book",
                f"posting {row.posting_id} of entry {row.entry_id} (ring {row.entry_ring}) moves "
                f"account {row.account_id} of ring {row.account_ring}",
                account_id=row.account_id,
                entry_id=row.entry_id,
                posting_id=row.posting_id,
            )
        )
    for row in run(_POSTING_TIME):
        found.append(
            Violation(
                "posting_time",
                f"posting {row.posting_id} is dated differently from its entry {row.entry_id}",
                account_id=row.account_id,
                entry_id=row.entry_id,
                posting_id=row.posting_id,
            )
        )
    for row in run(_LIMITS_HELD):
        side = "lower" if row.amount < 0 else "upper"
        found.append(
            Violation(
                "limits_held",
                f"posting {row.posting_id} took account {row.account_id} to "
                f"{format_minutes(row.balance_after)}, past its {side} limit "
                f"{format_minutes(row.limit_checked)}, without a recorded override",
                account_id=row.account_id,
                entry_id=row.entry_id,
                posting_id=row.posting_id,
            )
        )
    for row in run(_REVERSAL_TARGETS):
        if row.kind != "reversal":
            problem = f"is a {row.kind} entry but links to entry {row.reverses_id} as a reversal"
        elif row.reverses_id is None:
            problem = "is a reversal without a link to the entry it reverses"
        elif row.original_id is None:
            problem = f"reverses entry {row.reverses_id}, which does not exist"
        elif row.original_ring != ring_id:
            problem = f"reverses entry {row.reverses_id} of another ring"
        else:
            problem = f"reverses entry {row.reverses_id}, which is itself a reversal"
        found.append(Violation("reversal_links", f"entry {row.entry_id} {problem}", entry_id=row.entry_id))
    for row in run(_REVERSAL_MIRROR):
        found.append(
            Violation(
                "reversal_links",
                f"entry {row.entry_id} is not the exact mirror of entry {row.reverses_id}",
                entry_id=row.entry_id,
            )
        )
    for row in run(_REVERSED_TWICE):
        found.append(
            Violation(
                "reversal_links",
                f"entry {row.reverses_id} is reversed {row.reversals} times",
                entry_id=row.reverses_id,
            )
        )
    for row in run(_CLOSED_ACCOUNTS):
        if row.balance != 0:
            found.append(
                Violation(
                    "closed_accounts",
                    f"closed account {row.account_id} has balance {format_minutes(row.balance)}",
                    account_id=row.account_id,
                )
            )
        if row.later_postings:
            found.append(
                Violation(
                    "closed_accounts",
                    f"closed account {row.account_id} has {row.later_postings} posting(s) after closing",
                    account_id=row.account_id,
                )
            )

    notices = tuple(
        Violation(
            "beyond_limit",
            f"account {row.account_id} ({row.label}) stands at {format_minutes(row.balance)}, "
            f"outside its current limits "
            f"{'none' if row.floor is None else format_minutes(row.floor)} .. "
            f"{'none' if row.ceiling is None else format_minutes(row.ceiling)} "
            "(limits changed after the bookings; it can only move back toward them)",
            account_id=row.account_id,
        )
        for row in run(_BEYOND_LIMITS)
    )
    for trigger in missing_append_only_triggers(session):
        found.append(
            Violation(
                "append_only",
                f"the trigger {trigger} is missing: the database would let entries and postings be "
                "changed or deleted",
            )
        )
    found.extend(verify_closings(session, ring_id))
    counts = session.execute(_COUNTS, params).one()
    return VerifyReport(
        ring_id=ring_id,
        ring_name=ring.name,
        accounts=counts.accounts,
        entries=counts.entries,
        postings=counts.postings,
        total_balance=counts.total,
        checks=tuple(CHECKS),
        violations=tuple(found),
        notices=notices,
    )


def missing_append_only_triggers(session: Session) -> list[str]:
    """The append-only triggers of the books that the database lacks (a restored backup from a
    database without them, a hand-made copy); empty on databases with no such triggers."""
    from .models import APPEND_ONLY_TABLES

    expected = {f"trg_{table}_no_{op}" for table in APPEND_ONLY_TABLES for op in ("update", "delete")}
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        present = set(session.scalars(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")))
    elif dialect == "postgresql":
        present = set(
            session.scalars(
                text(
                    "SELECT t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                    "WHERE NOT t.tgisinternal AND t.tgenabled <> 'D' "
                    "AND c.relname IN ('journal_entry', 'posting')"
                )
            )
        )
    else:
        return []
    return sorted(expected - present)
