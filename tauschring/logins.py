"""Logins: signing in, setting up and resetting logins, one's own password; helpers (Betreuer) and
choosing whom to act for.

Who may touch which login is a rule of ``permissions``: the office sets up and resets member
logins, an admin any login; a member changes their own password with the old one. Every change
is audited, and a new password ends the login's other sessions.
"""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from . import audit, errors, events, sessions, texts
from .members import member_by_number
from .models import ROLES, Member, MemberHelper, SignInFailure, User
from .names import display_name
from .permissions import (
    Actor,
    helped_members,
    require_active,
    require_may_act_for,
    require_may_grant_role,
    require_may_manage_login,
    require_office,
    require_same_ring,
)
from .rings import found_ring, sole_office

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 200
USERNAME = re.compile(r"[a-z0-9._-]{3,80}")

# Checked when the username is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = generate_password_hash("no such user, no such password")


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise errors.PasswordTooShort(minimum=MIN_PASSWORD_LENGTH)
    if len(password) > MAX_PASSWORD_LENGTH:
        raise errors.PasswordTooLong(maximum=MAX_PASSWORD_LENGTH)


# Sign-in failures kept and counted: a pair (login name, client) may fail 5 times in 15 minutes,
# one login name 20 times an hour from anywhere (guessing spread over many addresses), one client
# 50 times an hour over any names (a ring behind one proxy without TRUSTED_PROXIES shares it).
THROTTLES = (
    ("pair", 5, dt.timedelta(minutes=15)),
    ("username", 20, dt.timedelta(hours=1)),
    ("client", 50, dt.timedelta(hours=1)),
)
FAILURES_KEPT = dt.timedelta(days=1)


def _throttled_for(session: Session, username: str, client: str, now: dt.datetime) -> dt.timedelta | None:
    """How long the next try must wait, if any throttle is full (None: try)."""
    wait = None
    for key, allowed, window in THROTTLES:
        condition = {
            "pair": (SignInFailure.username == username) & (SignInFailure.client == client),
            "username": SignInFailure.username == username,
            "client": SignInFailure.client == client,
        }[key]
        recent = session.scalars(
            select(SignInFailure.at)
            .where(condition, SignInFailure.at > now - window)
            .order_by(SignInFailure.at.desc())
            .limit(allowed)
        ).all()
        if len(recent) >= allowed:
            until = recent[-1] + window - now  # when the oldest of the counted failures drops out
            wait = until if wait is None else max(wait, until)
    return wait


def _note_failure(username: str, client: str, now: dt.datetime):
    """What a failed sign-in leaves behind even though its transaction is rolled back."""

    def remember(session: Session) -> None:
        session.execute(delete(SignInFailure).where(SignInFailure.at < now - FAILURES_KEPT))
        session.add(SignInFailure(at=now, username=username[:80], client=client[:64]))
        session.flush()

    return remember


def sign_in(
    session: Session, *, username: str, password: str, client: str, now: dt.datetime, device: str = ""
) -> User:
    """Sign in with name and password and open a login session (``User.session_key`` is what the
    browser keeps). ``client`` identifies where the attempt comes from (a keyed hash, never an
    address), ``device`` what the browser says it is.

    Every failure costs the same time (a password hash is checked whatever went wrong) and is
    counted by name and by client, in the database, for every server process; too many and the
    next attempts wait, whatever the password.
    """
    username = username.strip().lower()[:80]
    user = session.scalar(select(User).where(User.username == username))
    wait = _throttled_for(session, username, client, now)
    usable = user is not None and user.active and wait is None
    matches = check_password_hash(user.password_hash if usable else _DUMMY_HASH, password)
    if wait is not None:
        office = sole_office(session)
        raise errors.SignInThrottled(
            minutes=max(1, -(-int(wait.total_seconds()) // 60)),
            phone=office.office_phone if office is not None and office.office_phone else "",
        )
    if not (usable and matches):
        refusal = errors.WrongCredentials()
        refusal.remember = _note_failure(username, client, now)
        raise refusal
    session.execute(
        delete(SignInFailure).where(SignInFailure.username == username, SignInFailure.client == client)
    )
    user.last_login_at = now
    sessions.open_session(session, user, now, device)
    return user


def create_login(
    session: Session,
    actor: Actor,
    *,
    username: str,
    password: str,
    now: dt.datetime,
    role: str = "member",
    member: Member | None = None,
    display: str | None = None,
) -> User:
    """A login, for a member or (office staff, helpers) on its own. The username is unique across
    the installation."""
    require_office(actor)
    if role not in ROLES:
        raise errors.RoleNotAllowed(role=role)
    require_may_grant_role(actor, role)
    if member is not None:
        require_same_ring(actor, member)
        require_active(member)
        if session.scalar(select(User.id).where(User.member_id == member.id)) is not None:
            raise errors.LoginExists(number=member.number)
    username = username.strip().lower()
    if not USERNAME.fullmatch(username):
        raise errors.UsernameInvalid()
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise errors.UsernameTaken()
    check_password_strength(password)
    user = User(
        ring_id=actor.ring_id,
        username=username,
        password_hash=generate_password_hash(password),
        role=role,
        member_id=member.id if member else None,
        display_name=(display or (member.full_name if member else username)).strip()[:200],
        active=True,
        created_at=now,
        password_changed_at=now,
    )
    session.add(user)
    session.flush()
    audit.record(
        session,
        actor,
        now=now,
        action="login.create",
        object_type="login",
        object_id=user.id,
        summary=f"Zugang {username} angelegt ({texts.in_german(texts.ROLES[role])})"
        + (f" für Mitglied {member.number}" if member is not None else ""),
        member=member,
        after={"username": username, "role": role},
    )
    events.record(session, events.LoginChanged(ring_id=actor.ring_id, user_id=user.id, change="created"))
    return user


def _new_password(
    session: Session, actor: Actor, user: User, password: str, now: dt.datetime, *, change: str, summary: str
) -> None:
    """Set the password, audit it, and tell it. The login's own change ends its other sessions;
    a password set by someone else ends every session and every API token of the login."""
    check_password_strength(password)
    user.password_hash = generate_password_hash(password)
    user.password_changed_at = now
    if change == "password_changed":
        sessions.end_sessions(session, user.id, now, change, keep=actor.session_id)
    else:
        sessions.end_everything_of(session, user, now, change)
    session.flush()
    action = {"password_set": "login.password", "password_changed": "login.own_password"}[change]
    audit.record(
        session,
        actor,
        now=now,
        action=action,
        object_type="login",
        object_id=user.id,
        summary=summary,
        member=user.member,
    )
    events.record(session, events.LoginChanged(ring_id=user.ring_id, user_id=user.id, change=change))


def set_password(session: Session, actor: Actor, user: User, *, password: str, now: dt.datetime) -> None:
    """The office sets a new password on a member's login (an admin on any login); the login's
    sessions end. Not for a member who left: their login has ended."""
    require_may_manage_login(actor, user)
    if user.member is not None and user.member.status == "left":
        raise errors.MemberLeft(number=user.member.number, name=display_name(user.member))
    summary = f"Neues Passwort für Zugang {user.username}"
    _new_password(session, actor, user, password, now, change="password_set", summary=summary)


def change_own_password(session: Session, actor: Actor, *, current: str, new: str, now: dt.datetime) -> User:
    """A login changes its own password with the old one; its other sessions end."""
    user = session.get(User, actor.user_id) if actor.user_id is not None else None
    if user is None or not user.active:
        raise errors.WrongCredentials()
    if not check_password_hash(user.password_hash, current):
        raise errors.WrongPassword()
    summary = f"Zugang {user.username} hat sein Passwort geändert"
    _new_password(session, actor, user, new, now, change="password_changed", summary=summary)
    return user


def set_locale(session: Session, actor: Actor, locale: str) -> None:
    """The language a login reads its pages in."""
    user = session.get(User, actor.user_id) if actor.user_id is not None else None
    if user is not None and user.locale != locale:
        user.locale = locale
        session.flush()


# ---------------------------------------------------------------------------------------------
# Helpers (Betreuer) and acting for a member


def helper_login(session: Session, actor: Actor, number: int) -> User:
    """The active login of the member with this number, to become someone's helper."""
    helper_member = member_by_number(session, actor.ring_id, number)
    helper = (
        session.scalar(select(User).where(User.member_id == helper_member.id, User.active.is_(True)))
        if helper_member is not None and helper_member.status == "active"
        else None
    )
    if helper is None:
        raise errors.HelperInvalid()
    return helper


def add_helper(session: Session, actor: Actor, member: Member, *, helper: User, now: dt.datetime) -> None:
    """The office lets another login act for this member (Betreuer): a member's, or one of its own
    (a social worker's) without membership."""
    require_office(actor)
    require_same_ring(actor, member)
    require_active(member)
    if helper.ring_id != member.ring_id or not helper.active or helper.member_id == member.id:
        raise errors.HelperInvalid()
    if session.get(MemberHelper, (member.id, helper.id)) is not None:
        return
    session.add(MemberHelper(member_id=member.id, user_id=helper.id, since=now))
    session.flush()
    audit.record(
        session,
        actor,
        now=now,
        action="helper.add",
        object_type="member",
        object_id=member.number,
        summary=f"Betreuer für Mitglied {member.number}: {helper.display_name}",
        member=member,
        after={"helper": helper.display_name},
    )


def end_helper(
    session: Session, actor: Actor, member: Member, *, helper_user_id: int, now: dt.datetime
) -> None:
    """End a helper link: by the office, by the helper, or by the member helped."""
    require_same_ring(actor, member)
    link = session.get(MemberHelper, (member.id, helper_user_id))
    if link is None:
        raise errors.HelperUnknown(number=member.number)
    if not (actor.is_office or actor.user_id == helper_user_id or actor.is_member(member)):
        raise errors.MayNotActFor(number=member.number)
    helper = session.get(User, helper_user_id)
    session.delete(link)
    session.flush()
    audit.record(
        session,
        actor,
        now=now,
        action="helper.end",
        object_type="member",
        object_id=member.number,
        summary=f"Betreuung von Mitglied {member.number} durch {helper.display_name} beendet",
        member=member,
        before={"helper": helper.display_name},
    )


def helpers_of(session: Session, member: Member) -> list[User]:
    return list(
        session.scalars(
            select(User)
            .join(MemberHelper, MemberHelper.user_id == User.id)
            .where(MemberHelper.member_id == member.id)
        )
    )


def act_for(session: Session, actor: Actor, member: Member) -> Member:
    """Choose the member to act for (a helper, the office on the phone): allowed exactly when the
    actor may act for them, and never for someone who left, was erased or is suspended."""
    return require_may_act_for(session, actor, member)


def members_to_act_for(session: Session, actor: Actor) -> list[Member]:
    """Those a helper may choose from (the office finds any member by number)."""
    if actor.user_id is None:
        return []
    return helped_members(session, actor.user_id)


def found_ring_with_admin(
    session: Session, *, name: str, username: str, password: str, now: dt.datetime
) -> tuple[int, User]:
    """A new ring with its first login, an admin (who then admits the office and the members in
    the browser): how an operator brings a ring online. Every rule of a new login holds."""
    if not (name or "").strip():
        raise errors.Invalid(field="name")
    ring_id = found_ring(session, name=name.strip(), now=now)
    user = create_login(
        session, Actor.system(ring_id), username=username, password=password, now=now, role="admin"
    )
    return ring_id, user
