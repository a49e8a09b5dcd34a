"""Closing periods (Monats- und Jahresabschluss): the office closes a month after it ended, and a
year after its last month; an admin may reopen the latest closing, with a reason. All audited.

After a closing nothing can be booked with a service date inside the closed period (the ledger
refuses it, ``PeriodClosed``). What happens to paper that arrives late is decided per door:
- vouchers (Belege) typed by the office are booked on the day they are typed, with the original
  service date written in front of the text ("[Leistungsdatum 28.11.2026] ...");
- accepted payment requests are booked the same way (the member agreed to them);
- a payment a member enters online with a date in a closed period is refused: they choose again;
- a storno of a closed entry is booked in the open period (the ledger does this for every storno).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

import ledger

from . import audit, errors
from .fees import period_bounds
from .permissions import Actor, require_admin, require_office

# How late entries are booked at each door (see the module docstring).
LATE_VOUCHERS = "today"
LATE_REQUESTS = "today"
LATE_PAYMENTS = "refuse"


@dataclass(frozen=True)
class Proposal:
    """The next month the office may close, and whether it ended already."""

    period: str
    start: dt.date
    end: dt.date


def _month_label(start: dt.date) -> str:
    return f"{start:%Y-%m}"


def year_bounds(year: object) -> tuple[dt.date, dt.date]:
    """The first and last day of a year (2000..2100)."""
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100:
        raise errors.YearInvalid(year=str(year)[:20])
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


def proposal(session: Session, ring_id: int, today: dt.date) -> Proposal | None:
    """The month to close next: the one after the last closed month, else last month; None
    while that month has not ended."""
    through = ledger.closed_through(session, ring_id)
    if through is not None:
        start = through + dt.timedelta(days=1)
    else:
        start = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    end = _next_month(start) - dt.timedelta(days=1)
    if end >= today:
        return None
    return Proposal(_month_label(start), start, end)


def _audit_close(session: Session, actor: Actor, closing: ledger.ClosingView, now: dt.datetime) -> None:
    label = _month_label(closing.period_start) if closing.kind == "month" else str(closing.period_start.year)
    what = "Monat" if closing.kind == "month" else "Jahr"
    audit.record(
        session,
        actor,
        now=now,
        action="closing.close",
        object_type="closing",
        object_id=closing.id,
        summary=f"{what} {label} abgeschlossen: {closing.entry_count} Buchungen, Fingerabdruck "
        f"{closing.fingerprint[:16]}",
        after={"period": label, "fingerprint": closing.fingerprint, "entries": closing.entry_count},
    )


def close_month(session: Session, actor: Actor, *, period: str, now: dt.datetime) -> ledger.ClosingView:
    """Close one month of the actor's ring (office). The month must have ended; the months
    before it must be closed (or none at all)."""
    require_office(actor)
    start, end = period_bounds(period)
    if end >= now.date():
        raise errors.PeriodNotOver(period=period)
    closing = ledger.close_period(
        session, ring_id=actor.ring_id, kind="month", start=start, end=end, now=now, operator_id=actor.user_id
    )
    _audit_close(session, actor, closing, now)
    return closing


def close_year(session: Session, actor: Actor, *, year: int, now: dt.datetime) -> list[ledger.ClosingView]:
    """Close a year (office): every month of it still open, in order, then the year itself.
    Returns the closings written, the year's last."""
    require_office(actor)
    start, end = year_bounds(year)
    if end >= now.date():
        raise errors.PeriodNotOver(period=str(year))
    written = []
    through = ledger.closed_through(session, actor.ring_id)
    month = start if through is None or through < start else through + dt.timedelta(days=1)
    while month <= end:
        written.append(close_month(session, actor, period=_month_label(month), now=now))
        month = _next_month(month)
    closing = ledger.close_period(
        session, ring_id=actor.ring_id, kind="year", start=start, end=end, now=now, operator_id=actor.user_id
    )
    _audit_close(session, actor, closing, now)
    written.append(closing)
    return written


def reopen(
    session: Session, actor: Actor, *, closing_id: int, reason: str, now: dt.datetime
) -> ledger.ClosingView:
    """Reopen the latest closing (admin only, with a reason); the record stays, marked reopened."""
    require_admin(actor)
    reason = (reason or "").strip()
    if not reason:
        raise errors.ReasonMissing()
    if not 0 < closing_id < 2**31:
        raise errors.ClosingUnknown(closing_id=closing_id)
    try:
        closing = ledger.reopen_closing(
            session,
            ring_id=actor.ring_id,
            closing_id=closing_id,
            reason=reason,
            now=now,
            operator_id=actor.user_id,
        )
    except ledger.UnknownClosing:
        raise errors.ClosingUnknown(closing_id=closing_id) from None
    label = _month_label(closing.period_start) if closing.kind == "month" else str(closing.period_start.year)
    audit.record(
        session,
        actor,
        now=now,
        action="closing.reopen",
        object_type="closing",
        object_id=closing.id,
        summary=f"Abschluss {label} wieder geöffnet: {reason}",
        before={"reopened": False},
        after={"reopened": True, "reason": reason},
    )
    return closing


def latest_year_closing(session: Session, ring_id: int, year: int) -> ledger.ClosingView | None:
    """The active closing of a year, if the year is closed."""
    start, end = year_bounds(year)
    return ledger.active_closing(session, ring_id, "year", start, end)
