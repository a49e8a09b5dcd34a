"""The monthly account fee (Kontoführungsgebühr): minutes per active member to the fee account.

Each member's fee for a month is booked under the idempotency key ``fee:YYYY-MM:NUMBER``, so the
first run of a period decides every member's outcome for good: running the period again books
nothing more, and a member refused at a limit stays refused (the refusal is recorded).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

import ledger

from . import audit, errors, events
from .models import FeeExemption, FeeRun, Member
from .permissions import Actor, require_office, require_same_ring
from .rings import settings_of

# Planned: book, override, skip. Decided before: exempt, already (booked earlier), refused (skipped
# at a limit earlier). Done by this run: booked, skipped.
OUTCOMES = ("book", "override", "skip", "exempt", "already", "refused", "booked", "skipped")


@dataclass
class FeeLine:
    member: Member
    outcome: str  # one of OUTCOMES
    reason: str = ""
    entry_id: int | None = None
    balance: int = 0


@dataclass
class FeePlan:
    ring_id: int
    period: str
    minutes: int
    service_date: dt.date
    policy: str
    lines: list[FeeLine] = field(default_factory=list)

    def count(self, *outcomes: str) -> int:
        return sum(1 for line in self.lines if line.outcome in outcomes)

    @property
    def total(self) -> int:
        return self.minutes * self.count("book", "override")


def period_bounds(period: str) -> tuple[dt.date, dt.date]:
    """The first and last day of a period written YYYY-MM."""
    match = re.fullmatch(r"(\d{4})-(\d{2})", period or "")
    if not match or not 1 <= int(match.group(2)) <= 12 or not 2000 <= int(match.group(1)) <= 2100:
        raise errors.MonthInvalid(period=str(period)[:20])
    year, month = int(match.group(1)), int(match.group(2))
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def fee_key(period: str, member: Member) -> str:
    return f"fee:{period}:{member.number}"


def plan_fees(session: Session, *, ring_id: int, period: str, today: dt.date) -> FeePlan:
    """What a run for the period would do, member by member; books nothing."""
    first, last = period_bounds(period)
    if first > today:
        raise errors.PeriodNotBegun(period=period)
    settings = settings_of(session, ring_id)
    if settings.fee_minutes <= 0:
        raise errors.NoFee()
    plan = FeePlan(
        ring_id=ring_id,
        period=period,
        minutes=settings.fee_minutes,
        service_date=min(last, today),
        policy=settings.fee_policy,
    )
    members = session.scalars(
        select(Member)
        .where(
            Member.ring_id == ring_id,
            Member.status == "active",
            Member.erased_at.is_(None),
            Member.joined_on <= last,
        )
        .order_by(Member.number)
    ).all()
    exempt = {
        row.member_id: row.reason
        for row in session.scalars(
            select(FeeExemption)
            .join(Member, Member.id == FeeExemption.member_id)
            .where(Member.ring_id == ring_id, FeeExemption.since <= last)
        )
    }
    keys = {fee_key(period, m): m for m in members}
    record = ledger.IdempotencyRecord
    earlier = {
        row.key: row
        for row in session.scalars(select(record).where(record.ring_id == ring_id, record.key.in_(set(keys))))
    }
    balances = {b.account_id: b for b in ledger.ring_balances(session, ring_id=ring_id)}
    for member in members:
        balance = balances[member.account_id]
        line = FeeLine(member=member, outcome="book", balance=balance.balance)
        previous = earlier.get(fee_key(period, member))
        if previous is not None and previous.entry_id is not None:
            line.outcome, line.entry_id = "already", previous.entry_id
            line.reason = _("schon gebucht (Buchung Nr. %(n)s)", n=previous.entry_id)
        elif previous is not None:
            line.outcome, line.reason = "refused", _("beim ersten Lauf wegen der Grenze übersprungen")
        elif member.id in exempt:
            line.outcome, line.reason = "exempt", exempt[member.id]
        elif balance.min_balance is not None and balance.balance - plan.minutes < balance.min_balance:
            line.outcome = "override" if plan.policy == "override" else "skip"
            line.reason = _(
                "Untergrenze %(limit)s würde unterschritten", limit=ledger.format_minutes(balance.min_balance)
            )
        plan.lines.append(line)
    return plan


def run_fees(session: Session, actor: Actor, *, period: str, now: dt.datetime) -> FeePlan:
    """Book the period's fees in this transaction (the caller commits); returns what happened."""
    require_office(actor)
    ring_id, operator_id = actor.ring_id, actor.user_id
    channel = "system" if actor.is_system else "office"
    plan = plan_fees(session, ring_id=ring_id, period=period, today=now.date())
    fees_account = ledger.system_account(session, ring_id, "fees")
    memo = f"Kontoführungsgebühr {period[5:]}/{period[:4]}"
    booked = skipped = overridden = 0
    for line in plan.lines:
        if line.outcome not in ("book", "override", "skip"):
            continue
        try:
            entry = ledger.book_entry(
                session,
                ring_id=ring_id,
                postings=[(line.member.account_id, -plan.minutes), (fees_account, plan.minutes)],
                kind="fee",
                memo=memo,
                service_date=plan.service_date,
                now=now,
                operator_id=operator_id,
                on_behalf_of_id=line.member.account_id,
                channel=channel,
                idempotency_key=fee_key(period, line.member),
                override_reason="Kontoführungsgebühr trotz Grenze (Regel des Tauschrings)"
                if line.outcome == "override"
                else None,
            )
        except ledger.LimitExceeded:
            # Recorded under the key: this member's fee for the period stays skipped.
            line.outcome = "skipped"
            skipped += 1
        else:
            overridden += line.outcome == "override"
            line.outcome, line.entry_id = "booked", entry.id
            booked += 1
    session.add(
        FeeRun(
            ring_id=ring_id,
            period=period,
            run_at=now,
            operator_id=operator_id,
            minutes=plan.minutes,
            booked=booked,
            skipped=skipped,
            overridden=overridden,
        )
    )
    session.flush()
    booked_entries = tuple(line.entry_id for line in plan.lines if line.outcome == "booked" and line.entry_id)
    audit.record(
        session,
        actor,
        now=now,
        action="fee.run",
        object_type="fee_run",
        object_id=period,
        summary=f"Kontoführungsgebühr {period}: {booked} gebucht, {skipped} übersprungen",
        after={
            "booked": [
                line.member.number for line in plan.lines if line.outcome == "booked" and line.entry_id
            ],
            "minutes": plan.minutes,
        },
    )
    events.record(session, events.FeesBooked(ring_id=ring_id, period=period, entry_ids=booked_entries))
    return plan


def exempt(session: Session, actor: Actor, member: Member, *, reason: str, now: dt.datetime) -> bool:
    """The office exempts a member from the account fee, with the reason; returns whether it is new."""
    require_office(actor)
    require_same_ring(actor, member)
    reason = (reason or "").strip()[:300]
    if not reason:
        raise errors.ReasonMissing()
    if session.get(FeeExemption, member.id) is not None:
        return False
    session.add(
        FeeExemption(member_id=member.id, reason=reason, since=now.date(), created_by_id=actor.user_id)
    )
    session.flush()
    audit.record(
        session,
        actor,
        now=now,
        action="fee.exempt",
        object_type="member",
        object_id=member.number,
        summary=f"Von der Gebühr befreit: Mitglied {member.number}",
        member=member,
        after={"reason": reason},
    )
    return True


def end_exemption(session: Session, actor: Actor, member: Member, *, now: dt.datetime) -> bool:
    require_office(actor)
    require_same_ring(actor, member)
    exemption = session.get(FeeExemption, member.id)
    if exemption is None:
        return False
    audit.record(
        session,
        actor,
        now=now,
        action="fee.unexempt",
        object_type="member",
        object_id=member.number,
        summary=f"Gebührenbefreiung aufgehoben: Mitglied {member.number}",
        member=member,
        before={"reason": exemption.reason},
    )
    session.delete(exemption)
    session.flush()
    return True


def exemptions(session: Session, ring_id: int) -> list[tuple[FeeExemption, Member]]:
    return list(
        session.execute(
            select(FeeExemption, Member)
            .join(Member, Member.id == FeeExemption.member_id)
            .where(Member.ring_id == ring_id)
            .order_by(Member.number)
        ).all()
    )
