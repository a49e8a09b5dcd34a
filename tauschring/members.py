"""Members: admitting, their data and consents, suspending, leaving; finding them (erasing is
``privacy``).

Every function that changes something takes the session, the acting login (``Actor``), the time
and the input; it checks the permission and the rule, writes, records the audit event and what
happened, and raises a named refusal (``errors``). It flushes and never commits.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import Select, delete, func, or_, select
from sqlalchemy.orm import Session

import ledger

from . import audit, errors, events, sessions
from .models import (
    CONSENT_CHANNELS,
    CONSENT_SOURCES,
    CONTACT_FIELDS,
    Consent,
    ConsentChange,
    Listing,
    Member,
    MemberHelper,
    RingCounter,
    User,
)
from .names import account_label, display_name, postal_address
from .permissions import Actor, require_may_act_for, require_office, require_same_ring
from .rings import next_number, settings_of
from .units import whole_number

# What the office may change of a member; members change their contact data themselves.
EDITABLE_BY_OFFICE = (
    "first_name",
    "last_name",
    "name_display",
    "phone",
    "email",
    "street",
    "postal_code",
    "city",
    "district",
    "paper_member",
    "large_print",
)
CONTACT_DATA = ("phone", "email", "street", "postal_code", "city", "district", "name_display", "large_print")
STATUS_FIELDS = ("status", "suspended_on", "left_on")


# ---------------------------------------------------------------------------------------------
# Finding members


def member_by_number(session: Session, ring_id: int, number: int) -> Member | None:
    if not 0 < number < 2**31:
        return None
    return session.scalar(select(Member).where(Member.ring_id == ring_id, Member.number == number))


def require_member(session: Session, actor: Actor, number: int) -> Member:
    """The member of the actor's ring with this number, or MemberUnknown."""
    return require_same_ring(actor, member_by_number(session, actor.ring_id, number), number)


def _contains(word: str) -> str:
    """A LIKE pattern for a word anywhere (``%`` and ``_`` typed are letters; escape is a backslash)."""
    return "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def search_members(
    session: Session,
    ring_id: int,
    text: str = "",
    *,
    status: str | None = None,
    paper_only: bool = False,
    exchanging_only: bool = False,
    with_district: bool = False,
) -> Select:
    """Members whose number is typed, or whose names contain every word typed (case folded; ``%``
    and ``_`` are letters here); ordered by name for choosing, by number for the office."""
    text = text.strip()[:100]
    query = select(Member).where(Member.ring_id == ring_id)
    number = whole_number(text)
    if number is not None:
        query = query.where(Member.number == number)
    else:
        for word in text.lower().split()[:5]:
            pattern = _contains(word)
            columns = [Member.first_name, Member.last_name] + ([Member.district] if with_district else [])
            query = query.where(or_(*(func.lower(c).like(pattern, escape="\\") for c in columns)))
    if exchanging_only:
        query = query.where(Member.status == "active", Member.erased_at.is_(None))
    if status is not None:
        query = query.where(Member.status == status)
    if paper_only:
        query = query.where(Member.paper_member.is_(True))
    return query


def find_payees(session: Session, actor: Actor, text: str, *, limit: int = 20) -> list[Member]:
    """Members one can pay or ask, matching what was typed (for choosing by name).

    A member is found only by what they chose to show: the office finds anyone by any name; other
    members find someone shown as "Vorname N." by the first name, someone shown by number only by
    the number. So a search never tells a member's hidden last name."""
    if actor.is_office:
        query = search_members(session, actor.ring_id, text, exchanging_only=True)
        return list(session.scalars(query.order_by(Member.last_name, Member.first_name).limit(limit)))
    text = text.strip()[:100]
    query = select(Member).where(
        Member.ring_id == actor.ring_id, Member.status == "active", Member.erased_at.is_(None)
    )
    number = whole_number(text)
    if number is not None:
        query = query.where(Member.number == number)
    else:
        words = text.lower().split()[:5]
        if not words:
            return []
        for word in words:
            pattern = _contains(word)
            query = query.where(
                or_(
                    Member.name_display.in_(("full", "first_initial"))
                    & func.lower(Member.first_name).like(pattern, escape="\\"),
                    (Member.name_display == "full") & func.lower(Member.last_name).like(pattern, escape="\\"),
                )
            )
    return list(session.scalars(query.order_by(Member.first_name, Member.number).limit(limit)))


# ---------------------------------------------------------------------------------------------
# Admitting and editing (office)


def admit_member(
    session: Session,
    actor: Actor,
    *,
    first_name: str,
    last_name: str,
    now: dt.datetime,
    joined_on: dt.date | None = None,
    min_balance: int | None = None,
    max_balance: int | None = None,
    number: int | None = None,
    **details: object,
) -> Member:
    """Admit a member: the next member number (or ``number``, one the member brings along from the
    ring's old system, if it is free), an hour account, no consents (nothing published)."""
    require_office(actor)
    if not first_name.strip() or not last_name.strip():
        raise errors.NameMissing()
    unknown = set(details) - set(EDITABLE_BY_OFFICE)
    if unknown:
        raise TypeError(f"not member data: {sorted(unknown)}")
    ring_id = actor.ring_id
    if number is None:
        number = next_number(session, ring_id, "member")
    else:
        number = _keep_number(session, ring_id, number)
    member = Member(
        ring_id=ring_id,
        number=number,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        joined_on=joined_on or now.date(),
        created_at=now,
        status="active",
        account_id=0,
        **{name: _clean(value) for name, value in details.items()},
    )
    member.account_id = ledger.open_account(
        session,
        ring_id=ring_id,
        label=account_label(member),
        now=now,
        min_balance=min_balance,
        max_balance=max_balance,
    )
    session.add(member)
    session.flush()
    audit.record(
        session,
        actor,
        now=now,
        action="member.admit",
        object_type="member",
        object_id=member.number,
        summary=f"Mitglied {member.number} aufgenommen",
        member=member,
        after=audit.snapshot(member, EDITABLE_BY_OFFICE),
    )
    events.record(session, events.MemberAdmitted(ring_id=ring_id, member_id=member.id))
    return member


def _keep_number(session: Session, ring_id: int, number: int) -> int:
    """Take a given member number: it must be free; the counter moves past it, so the next member
    admitted by hand gets a number after it (numbers are never reused)."""
    if isinstance(number, bool) or not isinstance(number, int) or not 0 < number < 2**31:
        raise errors.MemberNumberTaken(number=number)
    if member_by_number(session, ring_id, number) is not None:
        raise errors.MemberNumberTaken(number=number)
    counter = session.scalar(
        select(RingCounter)
        .where(RingCounter.ring_id == ring_id, RingCounter.name == "member")
        .with_for_update()
    )
    if counter is None:
        session.add(RingCounter(ring_id=ring_id, name="member", value=number))
    elif counter.value < number:
        counter.value = number
    session.flush()
    return number


def member_number_counter(session: Session, ring_id: int) -> int:
    """The last member number handed out (the next one admitted gets the one after it)."""
    value = session.scalar(
        select(RingCounter.value).where(RingCounter.ring_id == ring_id, RingCounter.name == "member")
    )
    return value or 0


def _clean(value: object) -> object:
    if isinstance(value, str):
        return value.strip() or None
    return value


def edit_member(
    session: Session, actor: Actor, member: Member, *, now: dt.datetime, **changes: object
) -> bool:
    """The office corrects a member's data (names, contact data, paper and large print)."""
    require_office(actor)
    require_same_ring(actor, member)
    if member.erased_at is not None:
        raise errors.MemberErased(number=member.number)
    unknown = set(changes) - set(EDITABLE_BY_OFFICE)
    if unknown:
        raise TypeError(f"not member data: {sorted(unknown)}")
    names = {
        name: str(changes.get(name, getattr(member, name)) or "").strip()
        for name in ("first_name", "last_name")
    }
    if not all(names.values()):
        raise errors.NameMissing()
    before = audit.snapshot(member, EDITABLE_BY_OFFICE)
    for name, value in changes.items():
        setattr(member, name, names[name] if name in names else _clean(value))
    ledger.relabel_account(
        session, ring_id=member.ring_id, account_id=member.account_id, label=account_label(member)
    )
    session.flush()
    after = audit.snapshot(member, EDITABLE_BY_OFFICE)
    if before == after:
        return False
    audit.record(
        session,
        actor,
        now=now,
        action="member.edit",
        object_type="member",
        object_id=member.number,
        summary=f"Angaben von Mitglied {member.number} geändert",
        member=member,
        before=before,
        after=after,
    )
    return True


def update_contact(
    session: Session, actor: Actor, member: Member, *, now: dt.datetime, **changes: object
) -> bool:
    """The member (or their helper, or the office) changes contact data, how the name is shown and
    large print. Never for a member who left or was erased."""
    require_may_act_for(session, actor, member)
    if member.erased_at is not None:
        raise errors.MemberErased(number=member.number)
    unknown = set(changes) - set(CONTACT_DATA)
    if unknown:
        raise TypeError(f"not contact data: {sorted(unknown)}")
    before = audit.snapshot(member, CONTACT_DATA)
    for name, value in changes.items():
        setattr(member, name, _clean(value) if name != "large_print" else bool(value))
    session.flush()
    after = audit.snapshot(member, CONTACT_DATA)
    if before == after:
        return False
    audit.record_for(
        session,
        actor,
        member,
        now=now,
        action="member.contact",
        summary=f"Kontaktdaten von Mitglied {member.number} geändert",
        before=before,
        after=after,
    )
    return True


# ---------------------------------------------------------------------------------------------
# Consents


def consents(member: Member) -> dict[tuple[str, str], bool]:
    """Every (field, channel) with its consent; missing means not granted (nothing is published)."""
    granted = {(c.field, c.channel): c.granted for c in member.consents}
    return {(f, ch): granted.get((f, ch), False) for f in CONTACT_FIELDS for ch in CONSENT_CHANNELS}


def consent_source(actor: Actor, member: Member, stated: str | None = None) -> str:
    """Where a consent comes from: the member online, their helper, or the office (from a paper form,
    by word of mouth, or from the file of the ring's old system, as the clerk states)."""
    if actor.is_member(member):
        return "online"
    if actor.is_office:
        return stated if stated in ("paper_form", "office", "import") else "office"
    return "helper"


def set_consents(
    session: Session,
    actor: Actor,
    member: Member,
    granted: Mapping[tuple[str, str], bool],
    *,
    now: dt.datetime,
    changed_on: dt.date | None = None,
    source: str | None = None,
) -> int:
    """Record consents (and withdrawals) with date and source; returns how many changed.

    A member gives them online, a helper for the member they help (recorded as from the helper),
    the office from a paper form or what the member said (``source``).
    """
    require_may_act_for(session, actor, member)
    if member.erased_at is not None:
        raise errors.MemberErased(number=member.number)
    for field, channel in granted:
        if field not in CONTACT_FIELDS or channel not in CONSENT_CHANNELS:
            raise errors.ConsentUnknown(field=field, channel=channel)
    recorded_source = consent_source(actor, member, source)
    if recorded_source not in CONSENT_SOURCES:
        raise errors.ConsentSourceUnknown(source=recorded_source)
    before = {f"{f}_{c}": v for (f, c), v in consents(member).items()}
    changed = 0
    for (field, channel), value in granted.items():
        changed += _set_consent(
            session,
            member,
            field=field,
            channel=channel,
            granted=bool(value),
            source=recorded_source,
            changed_on=changed_on or now.date(),
            now=now,
            recorded_by_id=actor.user_id,
        )
    if changed:
        after = {f"{f}_{c}": v for (f, c), v in consents(member).items()}
        audit.record_for(
            session,
            actor,
            member,
            now=now,
            action="member.consent",
            summary=f"Einwilligungen von Mitglied {member.number} erfasst",
            before=before,
            after=after,
        )
    return changed


def _set_consent(
    session: Session,
    member: Member,
    *,
    field: str,
    channel: str,
    granted: bool,
    source: str,
    changed_on: dt.date,
    now: dt.datetime,
    recorded_by_id: int | None,
) -> bool:
    current = next((c for c in member.consents if c.field == field and c.channel == channel), None)
    if (current.granted if current is not None else False) == granted:
        return False  # no record means not granted: nothing changes
    if current is None:
        current = Consent(member_id=member.id, field=field, channel=channel)
        member.consents.append(current)
    current.granted, current.changed_on, current.source = granted, changed_on, source
    session.add(
        ConsentChange(
            member_id=member.id,
            field=field,
            channel=channel,
            granted=granted,
            changed_on=changed_on,
            source=source,
            recorded_at=now,
            recorded_by_id=recorded_by_id,
        )
    )
    session.flush()
    return True


@dataclass(frozen=True)
class ContactCard:
    """What may be shown of a member on one channel: only consented fields are filled."""

    name: str
    number: int
    phone: str | None = None
    email: str | None = None
    address: str | None = None
    district: str | None = None
    # Where there is nothing to show, readers reach the member through the office (by phone).
    office_phone: str = ""

    @property
    def empty(self) -> bool:
        return not (self.phone or self.email or self.address)


def contact_card(member: Member, channel: str) -> ContactCard:
    """The member's contact data as the consents for ``channel`` ('online' or 'print') allow."""
    allowed = consents(member)
    if member.erased_at is not None:
        return ContactCard(name=display_name(member), number=member.number)
    return ContactCard(
        name=display_name(member),
        number=member.number,
        phone=member.phone if allowed[("phone", channel)] else None,
        email=member.email if allowed[("email", channel)] else None,
        address=postal_address(member) if allowed[("address", channel)] else None,
        district=member.district,
    )


# ---------------------------------------------------------------------------------------------
# Suspending, leaving, erasing (office)


def _status_change(
    session: Session, actor: Actor, member: Member, now: dt.datetime, action: str, summary: str, change
) -> None:
    require_office(actor)
    require_same_ring(actor, member)
    before = audit.snapshot(member, STATUS_FIELDS)
    change()
    session.flush()
    audit.record(
        session,
        actor,
        now=now,
        action=action,
        object_type="member",
        object_id=member.number,
        summary=summary,
        member=member,
        before=before,
        after=audit.snapshot(member, STATUS_FIELDS),
    )


def suspend_member(session: Session, actor: Actor, member: Member, *, now: dt.datetime) -> None:
    """A suspended member cannot exchange until reactivated; the account stays as it is."""
    if member.status != "active":
        raise errors.MemberNotActive(number=member.number)

    def change() -> None:
        member.status, member.suspended_on = "suspended", now.date()

    _status_change(
        session, actor, member, now, "member.suspend", f"Mitglied {member.number} gesperrt", change
    )


def reactivate_member(session: Session, actor: Actor, member: Member, *, now: dt.datetime) -> None:
    if member.status != "suspended":
        raise errors.MemberNotSuspended(number=member.number)

    def change() -> None:
        member.status, member.suspended_on = "active", None

    _status_change(
        session, actor, member, now, "member.reactivate", f"Mitglied {member.number} entsperrt", change
    )


def leave_member(
    session: Session, actor: Actor, member: Member, *, now: dt.datetime
) -> ledger.EntryView | None:
    """The member leaves: the balance is settled against the community account by a recorded
    entry, the account is closed, listings are withdrawn, logins end and helper links end."""
    require_office(actor)
    require_same_ring(actor, member)
    if member.status == "left":
        raise errors.MemberLeft(number=member.number, name=display_name(member))
    before = {**audit.snapshot(member, STATUS_FIELDS), "balance": member.account.balance}
    entry = ledger.settle_account(
        session,
        ring_id=member.ring_id,
        account_id=member.account_id,
        memo=f"Ausgleich bei Austritt von Mitglied {member.number}",
        now=now,
        operator_id=actor.user_id,
    )
    ledger.close_account(session, ring_id=member.ring_id, account_id=member.account_id, now=now)
    member.status, member.left_on = "left", now.date()
    for listing in session.scalars(
        select(Listing).where(Listing.member_id == member.id, Listing.withdrawn_at.is_(None))
    ):
        listing.withdrawn_at = now
    logins = list(session.scalars(select(User).where(User.member_id == member.id)))
    for user in logins:
        user.active = False
        sessions.end_everything_of(session, user, now, "deactivated")
    ended = _end_helper_links(session, member, [user.id for user in logins])
    session.flush()
    audit.record(
        session,
        actor,
        now=now,
        action="member.leave",
        object_type="member",
        object_id=member.number,
        summary=f"Mitglied {member.number} ausgetreten",
        member=member,
        before=before,
        after={
            **audit.snapshot(member, STATUS_FIELDS),
            "balance": 0,
            "settlement_entry": entry.id if entry else None,
            "helper_links_ended": ended,
        },
    )
    events.record(session, events.MemberLeft(ring_id=member.ring_id, member_id=member.id))
    return entry


def _end_helper_links(session: Session, member: Member, user_ids: list[int]) -> int:
    """End the links by which someone helps this member, and those by which its logins helped."""
    condition = MemberHelper.member_id == member.id
    if user_ids:
        condition = or_(condition, MemberHelper.user_id.in_(user_ids))
    return session.execute(delete(MemberHelper).where(condition)).rowcount or 0


ERASED_PREFIX = "erased:"


def erased_import_key(external_id: str) -> str:
    """The key of an old system's line (a login, a number) once its member's data were erased: a
    hash, which still tells that a line of an old file was this member (so importing the file
    again does not bring the person back) but no longer names anyone."""
    if external_id.startswith(ERASED_PREFIX):
        return external_id
    return ERASED_PREFIX + hashlib.sha256(external_id.encode("utf-8")).hexdigest()


def set_limits(
    session: Session,
    actor: Actor,
    member: Member,
    *,
    min_balance: int | None,
    max_balance: int | None,
    now: dt.datetime,
) -> bool:
    """The office gives one member limits of their own (None: the ring's default). Returns
    whether anything changed; the audit keeps the values before and after."""
    require_office(actor)
    require_same_ring(actor, member)
    account = member.account
    before = {"min_balance": account.min_balance, "max_balance": account.max_balance}
    ledger.set_account_limits(
        session,
        ring_id=member.ring_id,
        account_id=member.account_id,
        min_balance=min_balance,
        max_balance=max_balance,
    )
    after = {"min_balance": min_balance, "max_balance": max_balance}
    if before == after:
        return False
    audit.record(
        session,
        actor,
        now=now,
        action="member.limits",
        object_type="member",
        object_id=member.number,
        summary=f"Grenzen von Mitglied {member.number} geändert",
        member=member,
        before=before,
        after=after,
    )
    return True


# ---------------------------------------------------------------------------------------------
# Soft limits


def beyond_soft_limits(session: Session, ring_id: int) -> list[tuple[Member, ledger.AccountBalance, str]]:
    """Members at or beyond the ring's warning thresholds (soft limits), most urgent first; the
    side is "low" or "high"."""
    settings = settings_of(session, ring_id)
    low, high = settings.warn_min_balance, settings.warn_max_balance
    if low is None and high is None:
        return []
    members = {
        m.account_id: m
        for m in session.scalars(select(Member).where(Member.ring_id == ring_id, Member.status != "left"))
    }
    found = []
    for balance in ledger.ring_balances(session, ring_id=ring_id):
        member = members.get(balance.account_id)
        if member is None:
            continue
        if low is not None and balance.balance <= low:
            found.append((member, balance, "low"))
        elif high is not None and balance.balance >= high:
            found.append((member, balance, "high"))
    found.sort(key=lambda item: -abs(item[1].balance))
    return found
