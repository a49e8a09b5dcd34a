"""The last verify of each ring's books, kept so that pages show it without scanning the book.

Verify runs as a scheduled job (``jobs``), on the console (``tauschring ledger verify``) and when
the office asks for it ("Jetzt prüfen"); each run records its result here. The office home reads
the record: its cost does not grow with the book.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sqlalchemy.orm import Session

import ledger

from .models import VerifyResult
from .permissions import Actor, require_office

KEPT_VIOLATIONS = 100


@dataclass(frozen=True)
class LastVerify:
    checked_at: dt.datetime
    ok: bool
    accounts: int
    entries: int
    total_balance: int
    violations: list[dict[str, str]]
    violation_count: int
    source: str


def record(session: Session, report: ledger.VerifyReport, *, now: dt.datetime, source: str) -> None:
    """Keep a verify report as the ring's last result (one row per ring, replaced)."""
    found = session.get(VerifyResult, report.ring_id)
    if found is None:
        found = VerifyResult(ring_id=report.ring_id)
        session.add(found)
    found.checked_at = now
    found.ok = report.ok
    found.accounts = report.accounts
    found.entries = report.entries
    found.total_balance = report.total_balance
    found.violations = json.dumps(
        [{"check": v.check, "detail": v.detail} for v in report.violations[:KEPT_VIOLATIONS]]
    )
    found.violation_count = len(report.violations)
    found.source = source
    session.flush()


def last(session: Session, ring_id: int) -> LastVerify | None:
    """The ring's last verify result, or None if its books were never checked."""
    found = session.get(VerifyResult, ring_id)
    if found is None:
        return None
    return LastVerify(
        checked_at=found.checked_at,
        ok=found.ok,
        accounts=found.accounts,
        entries=found.entries,
        total_balance=found.total_balance,
        violations=json.loads(found.violations),
        violation_count=found.violation_count,
        source=found.source,
    )


def verify_now(session: Session, actor: Actor, *, now: dt.datetime) -> ledger.VerifyReport:
    """The office checks its ring's books now (the full verify) and keeps the result."""
    require_office(actor)
    report = ledger.verify(session, actor.ring_id)
    record(session, report, now=now, source="office")
    return report
