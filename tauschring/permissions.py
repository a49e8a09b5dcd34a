"""Who may do what: the one place for every permission, checked by the use cases.

An ``Actor`` is who acts: a login with its role, through a channel (web, api, office), or the
system itself (a scheduled job, a command at the console, the demo). The adapters build it; the
use cases take it and ask here before they write anything.

The rules:
- A login acts for its own member; a helper (Betreuer) for the members it helps; the office for
  any member of its ring. Never for someone else who left, was erased or is suspended, whoever
  asks; never across rings (there, the member does not exist).
- Office work needs the office role (admins have it too); the ring's settings need an admin.
- Logins: a member changes their own password with the old one. The office sets up and resets
  member logins; nobody but an admin touches an office or admin login or gives those roles.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import errors
from .models import Member, MemberHelper, User
from .names import display_name

SYSTEM = "system"


@dataclass(frozen=True)
class Actor:
    """Who acts, through which channel. ``user_id`` is None for the system itself."""

    ring_id: int
    user_id: int | None
    role: str
    member_id: int | None = None
    channel: str = "web"
    # The login session the actor signed in with (web), so "end my other sessions" keeps this one.
    session_id: int | None = None

    @classmethod
    def of(cls, user: User, channel: str = "web") -> Actor:
        return cls(
            ring_id=user.ring_id,
            user_id=user.id,
            role=user.role,
            member_id=user.member_id,
            channel=channel,
            session_id=user.session_id,
        )

    @classmethod
    def system(cls, ring_id: int) -> Actor:
        """The ring's own jobs and the console: trusted like an admin, recorded without a login."""
        return cls(ring_id=ring_id, user_id=None, role=SYSTEM, channel="system")

    @property
    def is_system(self) -> bool:
        return self.role == SYSTEM

    @property
    def is_office(self) -> bool:
        return self.role in ("office", "admin", SYSTEM)

    @property
    def is_admin(self) -> bool:
        return self.role in ("admin", SYSTEM)

    def is_member(self, member: Member) -> bool:
        """Whether the actor is this member themself (not someone acting for them)."""
        return self.member_id is not None and self.member_id == member.id


def require_office(actor: Actor) -> None:
    if not actor.is_office:
        raise errors.OfficeOnly()


def require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise errors.AdminOnly()


def require_same_ring(actor: Actor, member: Member | None, number: object = None) -> Member:
    """The member, if it is of the actor's ring; a member of another ring does not exist here (the
    refusal names only what the actor typed, ``number``, never the other ring's member)."""
    if member is None or member.ring_id != actor.ring_id:
        raise errors.MemberUnknown(number=number)
    return member


def is_helper(session: Session, user_id: int | None, member: Member) -> bool:
    return user_id is not None and session.get(MemberHelper, (member.id, user_id)) is not None


def may_act_for(session: Session, actor: Actor, member: Member) -> bool:
    try:
        require_may_act_for(session, actor, member)
    except errors.Refusal:
        return False
    return True


def require_may_act_for(session: Session, actor: Actor, member: Member) -> Member:
    """The actor may act for the member (pay, request, answer, list, change contact data)."""
    require_same_ring(actor, member)
    if actor.is_member(member):
        return member
    require_active(member)
    if not (actor.is_office or is_helper(session, actor.user_id, member)):
        raise errors.MayNotActFor(number=member.number)
    return member


def require_active(member: Member) -> Member:
    """The member can exchange: not left, not erased, not suspended."""
    if member.erased_at is not None:
        raise errors.MemberErased(number=member.number)
    if member.status == "left":
        raise errors.MemberLeft(number=member.number, name=display_name(member))
    if member.status == "suspended":
        raise errors.MemberSuspended(number=member.number, name=display_name(member))
    return member


def helped_members(session: Session, user_id: int) -> list[Member]:
    """The members a login may act for as their helper: only those who can still exchange."""
    return list(
        session.scalars(
            select(Member)
            .join(MemberHelper, MemberHelper.member_id == Member.id)
            .where(MemberHelper.user_id == user_id, Member.status == "active", Member.erased_at.is_(None))
            .order_by(Member.number)
        )
    )


def require_may_grant_role(actor: Actor, role: str) -> None:
    """The office gives member logins; office and admin logins come from an admin."""
    if role != "member" and not actor.is_admin:
        raise errors.RoleNotAllowed(role=role)


def require_may_manage_login(actor: Actor, target: User) -> None:
    """Set up or reset someone else's login: the office for member logins, an admin for all."""
    require_office(actor)
    if target.ring_id != actor.ring_id:
        raise errors.MemberUnknown(number=None)
    if target.role != "member" and not actor.is_admin:
        raise errors.LoginProtected()
