"""Members, their logins, helpers and consents: the operations (they flush, never commit)."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

import ledger

from .models import (
    CONSENT_CHANNELS,
    CONTACT_FIELDS,
    Consent,
    ConsentChange,
    Member,
    MemberHelper,
    User,
)
from .rings import next_number
from .units import whole_number

MIN_PASSWORD_LENGTH = 8


class MemberError(ValueError):
    """A member operation that cannot be done; the message is for the clerk or member."""


def account_label(member: Member) -> str:
    if member.erased:
        return f"Mitglied {member.number}"
    return f"{member.number} {member.full_name}"[:100]


def display_name(member: Member, *, full: bool = False) -> str:
    """The member's name as they chose to be shown (``full`` for the office and for themselves)."""
    if member.erased:
        return f"Mitglied {member.number}"
    if full or member.name_display == "full":
        return member.full_name
    if member.name_display == "first_initial":
        initial = f" {member.last_name[:1]}." if member.last_name else ""
        return f"{member.first_name}{initial}"
    return f"Mitglied {member.number}"


def admit_member(
    session: Session,
    *,
    ring_id: int,
    first_name: str,
    last_name: str,
    now: dt.datetime,
    joined_on: dt.date | None = None,
    min_balance: int | None = None,
    max_balance: int | None = None,
    **details: object,
) -> Member:
    """Admit a member: the next member number, an hour account, no consents (nothing published)."""
    number = next_number(session, ring_id, "member")
    member = Member(
        ring_id=ring_id,
        number=number,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        joined_on=joined_on or now.date(),
        created_at=now,
        status="active",
        account_id=0,
        **details,
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
    return member


def member_by_number(session: Session, ring_id: int, number: int) -> Member | None:
    return session.scalar(select(Member).where(Member.ring_id == ring_id, Member.number == number))


def find_members(session: Session, ring_id: int, text: str, *, limit: int = 20) -> list[Member]:
    """Active members whose number or name matches what was typed (for choosing a payee)."""
    text = text.strip()
    query = select(Member).where(
        Member.ring_id == ring_id, Member.status == "active", Member.erased_at.is_(None)
    )
    if text.isdigit():
        number = whole_number(text)
        query = query.where(Member.number == number if number is not None else Member.id < 0)
    else:
        for word in text.lower().split():
            pattern = f"%{word}%"
            query = query.where(
                or_(func.lower(Member.first_name).like(pattern), func.lower(Member.last_name).like(pattern))
            )
    return list(session.scalars(query.order_by(Member.last_name, Member.first_name).limit(limit)))


# ---------------------------------------------------------------------------------------------
# Consents and contact data


def consents(member: Member) -> dict[tuple[str, str], bool]:
    """Every (field, channel) with its consent; missing means not granted (nothing is published)."""
    granted = {(c.field, c.channel): c.granted for c in member.consents}
    return {(f, ch): granted.get((f, ch), False) for f in CONTACT_FIELDS for ch in CONSENT_CHANNELS}


def set_consent(
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
    """Record a consent (or its withdrawal) with date and source; returns whether anything changed."""
    if field not in CONTACT_FIELDS or channel not in CONSENT_CHANNELS:
        raise MemberError(f"unknown consent {field}/{channel}")
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

    @property
    def empty(self) -> bool:
        return not (self.phone or self.email or self.address)


def postal_address(member: Member) -> str | None:
    parts = [member.street or "", " ".join(p for p in (member.postal_code, member.city) if p)]
    text = ", ".join(p for p in parts if p)
    return text or None


def contact_card(member: Member, channel: str) -> ContactCard:
    """The member's contact data as the consents for ``channel`` ('online' or 'print') allow."""
    allowed = consents(member)
    if member.erased:
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
# Logins and helpers


def create_login(
    session: Session,
    *,
    ring_id: int,
    username: str,
    password: str,
    now: dt.datetime,
    role: str = "member",
    member: Member | None = None,
    display: str | None = None,
) -> User:
    """A login, optionally for a member. The username is unique across the installation."""
    username = username.strip().lower()
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise MemberError("username taken")
    check_password_strength(password)
    user = User(
        ring_id=ring_id,
        username=username,
        password_hash=generate_password_hash(password),
        role=role,
        member_id=member.id if member else None,
        display_name=display or (member.full_name if member else username),
        active=True,
        created_at=now,
        password_changed_at=now,
        session_token=secrets.token_hex(16),
    )
    session.add(user)
    session.flush()
    return user


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise MemberError("password too short")
    if len(password) > 200:
        raise MemberError("password too long")


def verify_password(user: User, password: str) -> bool:
    return check_password_hash(user.password_hash, password)


def change_password(user: User, password: str, now: dt.datetime) -> None:
    """Set a new password; other sessions of the old password end."""
    check_password_strength(password)
    user.password_hash = generate_password_hash(password)
    user.password_changed_at = now
    user.session_token = secrets.token_hex(16)


def assign_helper(session: Session, member: Member, helper: User, now: dt.datetime) -> None:
    if helper.ring_id != member.ring_id:
        raise MemberError("helper of another ring")
    if session.get(MemberHelper, (member.id, helper.id)) is None:
        session.add(MemberHelper(member_id=member.id, user_id=helper.id, since=now))
        session.flush()


def helped_members(session: Session, user: User) -> list[Member]:
    """The members this login may act for as their helper (Betreuer)."""
    return list(
        session.scalars(
            select(Member)
            .join(MemberHelper, MemberHelper.member_id == Member.id)
            .where(MemberHelper.user_id == user.id, Member.status != "left")
            .order_by(Member.number)
        )
    )


def may_act_for(session: Session, user: User, member: Member) -> bool:
    """A login acts for its own member, for members it helps, and (office) for any in its ring."""
    if member.ring_id != user.ring_id:
        return False
    if user.member_id == member.id or user.is_office:
        return True
    return session.get(MemberHelper, (member.id, user.id)) is not None


# ---------------------------------------------------------------------------------------------
# Office: status changes, leaving, erasure

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


def suspend_member(member: Member, today: dt.date) -> None:
    """A suspended member cannot exchange until reactivated; the account stays as it is."""
    if member.status != "active":
        raise MemberError("not active")
    member.status, member.suspended_on = "suspended", today


def reactivate_member(member: Member) -> None:
    if member.status != "suspended":
        raise MemberError("not suspended")
    member.status, member.suspended_on = "active", None


def leave_member(
    session: Session, member: Member, *, now: dt.datetime, operator_id: int | None, memo: str
) -> ledger.EntryView | None:
    """The member leaves: the balance is settled against the community account by a recorded
    entry, the account is closed, listings are withdrawn and logins end."""
    from .models import Listing

    if member.status == "left":
        raise MemberError("already left")
    entry = ledger.settle_account(
        session,
        ring_id=member.ring_id,
        account_id=member.account_id,
        memo=memo,
        now=now,
        operator_id=operator_id,
    )
    ledger.close_account(session, ring_id=member.ring_id, account_id=member.account_id, now=now)
    member.status, member.left_on = "left", now.date()
    for listing in session.scalars(
        select(Listing).where(Listing.member_id == member.id, Listing.withdrawn_at.is_(None))
    ):
        listing.withdrawn_at = now
    for user in session.scalars(select(User).where(User.member_id == member.id)):
        user.active = False
        user.session_token = secrets.token_hex(16)
    session.flush()
    return entry


def erase_member(session: Session, member: Member, *, now: dt.datetime) -> None:
    """Erase a departed member's personal data (DSGVO Art. 17). The books keep every entry under
    the member number; listings go, logins are made anonymous."""
    from .models import Listing

    if member.status != "left":
        raise MemberError("only members who left can be erased")
    if member.erased:
        raise MemberError("already erased")
    member.first_name = member.last_name = ""
    member.phone = member.email = member.street = member.postal_code = member.city = member.district = None
    member.name_display = "number"
    member.erased_at = now
    ledger.relabel_account(
        session, ring_id=member.ring_id, account_id=member.account_id, label=account_label(member)
    )
    for listing in session.scalars(select(Listing).where(Listing.member_id == member.id)):
        session.delete(listing)
    for user in session.scalars(select(User).where(User.member_id == member.id)):
        user.username = f"geloescht-{user.id}"
        user.display_name = f"Mitglied {member.number}"
        user.active = False
        user.password_hash = "!"
        user.session_token = secrets.token_hex(16)
    session.flush()
