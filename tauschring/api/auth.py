"""API authentication: personal tokens (``tokens``), carrying exactly their owner's rights.

A request sends ``Authorization: Bearer <token>``. Like a helper on the web, a token may act for
another member with the header ``X-Tauschring-Member: <number>``, allowed exactly when the web
would allow it (``permissions``). Session cookies are not accepted by the API, so it needs no
CSRF token.
"""

from __future__ import annotations

from flask import g, request
from flask_babel import gettext as _

from .. import context, errors, tokens
from ..db import db
from ..members import member_by_number
from ..models import Member, User
from ..permissions import require_may_act_for
from .problems import problem

MEMBER_HEADER = "X-Tauschring-Member"


class ApiDenied(Exception):
    """A request the API refuses before any work: carries the problem response."""

    def __init__(self, response) -> None:
        super().__init__(response.status)
        self.response = response


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _sep, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def authenticate() -> User:
    """The login behind the request's token, or ApiDenied(401). Reads only: a token's last use is
    noted by requests that write anyway (``note_use``)."""
    if "api_user" in g:
        return g.api_user
    token = _bearer()
    if not token:
        raise ApiDenied(
            problem(
                401,
                "unauthorized",
                _("Bitte mit einem API-Token anmelden."),
                headers={"WWW-Authenticate": 'Bearer realm="tauschring"'},
            )
        )
    found = tokens.user_of_token(db.session, token)
    if found is None:
        raise ApiDenied(
            problem(
                401,
                "invalid_token",
                _("Dieses API-Token ist ungültig oder widerrufen."),
                headers={"WWW-Authenticate": 'Bearer realm="tauschring", error="invalid_token"'},
            )
        )
    g.api_user, g.api_token = found
    return g.api_user


def note_use() -> None:
    """In a writing request's transaction: note that its token was used (at most hourly)."""
    tokens.note_use(db.session, g.api_token, context.now())


def acting_member() -> Member:
    """The member the request acts as: the one named in the header (if the login may act for
    them), else the login's own member."""
    if g.get("acting_member") is not None:
        return g.acting_member
    who = context.actor()
    header = request.headers.get(MEMBER_HEADER, "").strip()
    if header:
        if not (header.isascii() and header.isdigit()) or len(header) > 9:
            raise ApiDenied(
                problem(400, "bad_member_header", _("%(h)s muss eine Mitgliedsnummer sein.", h=MEMBER_HEADER))
            )
        member = member_by_number(db.session, who.ring_id, int(header))
        if member is None:  # as for a member the login may not act for: nothing to learn here
            raise errors.MayNotActFor(number=int(header))
        require_may_act_for(db.session, who, member)
    elif who.member_id is None:
        raise errors.NoMember()
    else:
        member = db.session.get(Member, who.member_id)
    g.acting_member = member
    return member
