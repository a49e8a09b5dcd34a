"""Activity care (Mitgliederpflege): who has not exchanged for some months, who stands beyond the
ring's warning thresholds, a friendly letter for each (a mail merge for paper members), and the
office's record that it reached out (personal data: erasure deletes it, the data export lists it).

The seam for e-mail: once the ring has an outbox, ``letter_for`` is the one text of a reminder;
an e-mail sender takes the same subject and paragraphs. Until then the channel "email" only
records that the office wrote one by hand.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

import ledger
from ledger import JournalEntry, Posting
from print.letters import Letter

from . import audit, errors
from .members import beyond_soft_limits
from .models import OUTREACH_CHANNELS, OUTREACH_NOTE_MAX, OUTREACH_REASONS, Member, Outreach
from .permissions import Actor, require_office, require_same_ring

MAX_MONTHS = 60


@dataclass(frozen=True)
class CareLine:
    member: Member
    reason: str  # "inactive" or "beyond_limit"
    last_exchange: dt.date | None
    balance: int
    side: str | None  # "low"/"high" for beyond_limit
    last_outreach: Outreach | None


def _months_before(day: dt.date, months: int) -> dt.date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))


def _last_exchanges(session: Session, ring_id: int) -> dict[int, dt.date]:
    """Per member account: the service date of its latest transfer that was not reversed."""
    reversal = aliased(JournalEntry)
    rows = session.execute(
        select(Posting.account_id, func.max(JournalEntry.service_date))
        .join(JournalEntry, JournalEntry.id == Posting.entry_id)
        .outerjoin(reversal, reversal.reverses_id == JournalEntry.id)
        .where(JournalEntry.ring_id == ring_id, JournalEntry.kind == "transfer", reversal.id.is_(None))
        .group_by(Posting.account_id)
    )
    return {account_id: day for account_id, day in rows}


def _last_outreach(session: Session, ring_id: int) -> dict[int, Outreach]:
    found: dict[int, Outreach] = {}
    for outreach in session.scalars(
        select(Outreach).where(Outreach.ring_id == ring_id).order_by(Outreach.at)
    ):
        found[outreach.member_id] = outreach
    return found


def check_months(months: object) -> int:
    if isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= MAX_MONTHS:
        raise errors.OutreachInvalid(field="months", value=str(months)[:20])
    return months


def care_list(session: Session, actor: Actor, *, months: int, today: dt.date) -> list[CareLine]:
    """Active members without an exchange for ``months`` months (joined before that), then the
    members beyond the warning thresholds; each with their latest outreach."""
    require_office(actor)
    months = check_months(months)
    ring_id = actor.ring_id
    since = _months_before(today, months)
    last = _last_exchanges(session, ring_id)
    outreach = _last_outreach(session, ring_id)
    balances = {b.account_id: b.balance for b in ledger.ring_balances(session, ring_id=ring_id)}
    lines = []
    for member in session.scalars(
        select(Member).where(Member.ring_id == ring_id, Member.status == "active").order_by(Member.number)
    ):
        latest = last.get(member.account_id)
        if member.joined_on <= since and (latest is None or latest < since):
            lines.append(
                CareLine(
                    member,
                    "inactive",
                    latest,
                    balances.get(member.account_id, 0),
                    None,
                    outreach.get(member.id),
                )
            )
    for member, balance, side in beyond_soft_limits(session, ring_id):
        if member.status != "active":
            continue
        lines.append(
            CareLine(
                member,
                "beyond_limit",
                last.get(member.account_id),
                balance.balance,
                side,
                outreach.get(member.id),
            )
        )
    return lines


def letter_for(line: CareLine, *, today: dt.date, office_phone: str, format_minutes) -> Letter:
    """The reminder letter for one line of the care list (also the text of a future e-mail)."""
    member = line.member
    address = tuple(
        text
        for text in (
            member.full_name,
            member.street or "",
            " ".join(p for p in (member.postal_code, member.city) if p),
        )
        if text
    )
    call = f" Rufen Sie uns gern an: {office_phone}." if office_phone else ""
    if line.reason == "inactive":
        since = f"seit dem {line.last_exchange:%d.%m.%Y}" if line.last_exchange else "bisher"
        subject = "Wir vermissen Sie im Tauschring"
        paragraphs = (
            f"wir haben gesehen, dass Sie {since} nicht mehr getauscht haben. Vielleicht fehlt Ihnen "
            "ein passendes Angebot, vielleicht ist gerade anderes wichtiger – beides ist in Ordnung.",
            "Wenn Sie möchten, helfen wir Ihnen, ein Angebot oder Gesuch aufzugeben, oder wir bringen "
            "Sie mit jemandem in Verbindung, der Ihre Hilfe sucht." + call,
            f"Ihr Kontostand beträgt zurzeit {format_minutes(line.balance)}.",
        )
    else:
        direction = "im Minus" if line.side == "low" else "im Plus"
        subject = "Ihr Zeitkonto"
        paragraphs = (
            f"Ihr Zeitkonto steht zurzeit bei {format_minutes(line.balance)} und damit weit {direction}.",
            (
                "Ein Zeitkonto lebt vom Geben und Nehmen. Vielleicht finden Sie in der Marktzeitung "
                "ein Gesuch, bei dem Sie helfen können?"
                if line.side == "low"
                else "Gönnen Sie sich etwas aus der Marktzeitung: Ihre Stunden warten darauf, "
                "eingetauscht zu werden."
            )
            + call,
        )
    return Letter(
        member_number=str(member.number),
        address=address,
        date=today,
        subject=subject,
        salutation=f"Liebe(r) {member.first_name} {member.last_name},",
        paragraphs=paragraphs,
        large_print=member.large_print,
    )


def record_outreach(
    session: Session,
    actor: Actor,
    member: Member,
    *,
    reason: str,
    channel: str,
    note: str,
    now: dt.datetime,
) -> Outreach:
    """The office notes that it reached out to a member (letter, call, visit, e-mail)."""
    require_office(actor)
    require_same_ring(actor, member)
    if reason not in OUTREACH_REASONS:
        raise errors.OutreachInvalid(field="reason", value=str(reason)[:20])
    if channel not in OUTREACH_CHANNELS:
        raise errors.OutreachInvalid(field="channel", value=str(channel)[:20])
    note = (note or "").strip()
    if len(note) > OUTREACH_NOTE_MAX:
        raise errors.TextTooLong(field="note", maximum=OUTREACH_NOTE_MAX)
    outreach = Outreach(
        ring_id=actor.ring_id,
        member_id=member.id,
        reason=reason,
        channel=channel,
        note=note,
        at=now,
        by_id=actor.user_id,
    )
    session.add(outreach)
    session.flush()
    audit.record(
        session,
        actor,
        now=now,
        action="outreach.record",
        object_type="member",
        object_id=member.number,
        member=member,
        summary=f"Kontakt zu Mitglied {member.number} ({channel}, {reason})",
    )
    return outreach


def outreach_of(session: Session, member: Member) -> list[Outreach]:
    """Every record of the office reaching out to the member, oldest first."""
    return list(
        session.scalars(select(Outreach).where(Outreach.member_id == member.id).order_by(Outreach.at))
    )
