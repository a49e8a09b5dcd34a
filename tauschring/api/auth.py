"""API authentication: personal tokens, stored as a hash, carrying exactly their owner's rights.

A request sends ``Authorization: Bearer <token>``. Like a helper on the web, a token may act for
another member with the header ``X-Tauschring-Member: <number>``, allowed exactly when the web
would allow it. Session cookies are not accepted by the API, so it needs no CSRF token.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from flask import g, request
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..db import run_in_transaction
from ..members import may_act_for, member_by_number
from ..models import ApiToken, Member, User
from .problems import problem

TOKEN_PREFIX = "tsr_"
MEMBER_HEADER = "X-Tauschring-Member"


class ApiDenied(Exception):
    """A request the API refuses before any work: carries the problem response."""

    def __init__(self, response) -> None:
        super().__init__(response.status)
        self.response = response


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, user: User, name: str, now: dt.datetime) -> tuple[ApiToken, str]:
    """A new token for the user; the plain token is returned once and never stored."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    record = ApiToken(
        user_id=user.id,
        name=name.strip()[:100] or "API",
        prefix=token[:10],
        token_hash=hash_token(token),
        created_at=now,
    )
    session.add(record)
    session.flush()
    return record, token


def revoke_token(record: ApiToken, now: dt.datetime) -> None:
    if record.revoked_at is None:
        record.revoked_at = now


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _sep, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def authenticate(session: Session) -> User:
    """The user behind the request's token, or ApiDenied(401)."""
    if "api_user" in g:
        return g.api_user
    token = _bearer()
    if not token or len(token) > 200:
        raise ApiDenied(
            problem(
                401,
                "unauthorized",
                _("Bitte mit einem API-Token anmelden."),
                headers={"WWW-Authenticate": 'Bearer realm="tauschring"'},
            )
        )
    record = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    user = session.get(User, record.user_id) if record is not None else None
    if record is None or record.revoked_at is not None or user is None or not user.active:
        raise ApiDenied(
            problem(
                401,
                "invalid_token",
                _("Dieses API-Token ist ungültig oder widerrufen."),
                headers={"WWW-Authenticate": 'Bearer realm="tauschring", error="invalid_token"'},
            )
        )
    g.api_user, g.api_token_id = user, record.id
    moment = dt.datetime.now(dt.UTC)
    if record.last_used_at is None or moment - record.last_used_at > dt.timedelta(hours=1):
        # Hourly is enough to see which tokens are in use. The read above may have run in a
        # deferred (read-only) transaction: end it, and write in a transaction of its own.
        token_id = record.id
        session.commit()
        run_in_transaction(
            session,
            lambda s: s.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=moment)),
        )
    return user


def require_office(user: User) -> None:
    if not user.is_office:
        raise ApiDenied(problem(403, "forbidden", _("Nur für das Büro.")))


def acting_member(session: Session, user: User) -> Member:
    """The member the request acts as: the one named in the header (if the user may act for them),
    else the user's own member."""
    header = request.headers.get(MEMBER_HEADER, "").strip()
    if header:
        if not (header.isascii() and header.isdigit()) or len(header) > 9:
            raise ApiDenied(
                problem(400, "bad_member_header", _("%(h)s muss eine Mitgliedsnummer sein.", h=MEMBER_HEADER))
            )
        member = member_by_number(session, user.ring_id, int(header))
        if member is None or not may_act_for(session, user, member):
            raise ApiDenied(problem(403, "forbidden", _("Sie dürfen nicht für dieses Mitglied handeln.")))
        return member
    if user.member_id is None:
        raise ApiDenied(
            problem(
                403,
                "no_member",
                _("Dieser Zugang gehört zu keinem Mitglied; bitte %(h)s angeben.", h=MEMBER_HEADER),
            )
        )
    return session.get(Member, user.member_id)
