"""Login sessions: a signed-in browser is a row here, so the server ends it on signing out, on a
new password, when a login is deactivated, or when its owner ends it from another device.

The cookie carries the session's id and a secret; the database keeps only the secret's hash.
A session lasts ``SESSION_LIFETIME`` from signing in; reading a page writes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from . import errors
from .models import ApiToken, LoginSession, User
from .permissions import Actor

SESSION_LIFETIME = dt.timedelta(hours=8)


def open_session(session: Session, user: User, now: dt.datetime, device: str) -> None:
    """A new session for a login that just proved who it is; its key goes into the cookie."""
    secret = secrets.token_urlsafe(32)
    opened = LoginSession(
        user_id=user.id,
        secret_hash=_hash(secret),
        client=device[:80],
        created_at=now,
        expires_at=now + SESSION_LIFETIME,
    )
    session.add(opened)
    session.flush()
    user.session_id, user.session_key = opened.id, f"{opened.id}:{secret}"


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def user_of_session(session: Session, key: str, now: dt.datetime) -> User | None:
    """The login of a session key from a cookie, if that session is open and its login active."""
    session_id, _sep, secret = key.partition(":")
    if not (session_id.isascii() and session_id.isdigit()) or len(session_id) > 9 or not secret:
        return None
    opened = session.get(LoginSession, int(session_id))
    if (
        opened is None
        or opened.ended_at is not None
        or opened.expires_at <= now
        or not hmac.compare_digest(opened.secret_hash, _hash(secret))
    ):
        return None
    user = session.get(User, opened.user_id)
    if user is None or not user.active:
        return None
    user.session_id, user.session_key = opened.id, key
    return user


def sessions_of(session: Session, actor: Actor, now: dt.datetime) -> list[LoginSession]:
    """The login's open sessions, newest first (for the page where people end them)."""
    return list(
        session.scalars(
            select(LoginSession)
            .where(
                LoginSession.user_id == actor.user_id,
                LoginSession.ended_at.is_(None),
                LoginSession.expires_at > now,
            )
            .order_by(LoginSession.created_at.desc(), LoginSession.id.desc())
        )
    )


def sign_out(session: Session, actor: Actor, *, now: dt.datetime) -> None:
    """End the session this request runs in."""
    if actor.session_id is not None:
        end_sessions(session, actor.user_id, now, "logout", only=actor.session_id)


def end_session(session: Session, actor: Actor, *, session_id: int, now: dt.datetime) -> None:
    """A login ends one of its own sessions (a forgotten computer); another's does not exist."""
    opened = session.get(LoginSession, session_id) if 0 < session_id < 2**31 else None
    if opened is None or opened.user_id != actor.user_id or opened.ended_at is not None:
        raise errors.SessionUnknown()
    end_sessions(session, actor.user_id, now, "ended", only=session_id)


def end_other_sessions(session: Session, actor: Actor, *, now: dt.datetime) -> int:
    """A login ends all its sessions but the one it is using."""
    return end_sessions(session, actor.user_id, now, "ended", keep=actor.session_id)


def end_sessions(
    session: Session,
    user_id: int | None,
    now: dt.datetime,
    reason: str,
    *,
    only: int | None = None,
    keep: int | None = None,
) -> int:
    if user_id is None:
        return 0
    condition = (LoginSession.user_id == user_id) & LoginSession.ended_at.is_(None)
    if only is not None:
        condition &= LoginSession.id == only
    if keep is not None:
        condition &= LoginSession.id != keep
    ended = session.execute(
        update(LoginSession).where(condition).values(ended_at=now, end_reason=reason)
    ).rowcount
    session.flush()
    return ended or 0


def end_everything_of(session: Session, user: User, now: dt.datetime, reason: str) -> None:
    """A login that ends (left, erased, deactivated, or reset by the office) keeps no session and
    no API token."""
    end_sessions(session, user.id, now, reason)
    session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    session.flush()
