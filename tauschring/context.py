"""What a request needs, for the web pages and the API alike: its clock, its actor, the member it
acts as, the ring's unit, periods typed into a query string, and refusals worded for the reader.

The adapters (``web/``, ``api/``) use these helpers; the use cases never import them: they take
the actor, the time and the input as arguments.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

from flask import current_app, g, has_request_context, request
from flask_login import current_user

from . import errors
from .clock import RING_ZONE, local_now
from .db import db
from .models import Member, User
from .permissions import Actor, may_act_for
from .rings import unit_of
from .statements import account_names
from .texts import Refusal, explain
from .units import Unit

# Days outside these years bound nothing: a period from 0001-01-01 means "from the beginning".
FIRST_YEAR, LAST_YEAR = 1900, 9000


def now() -> dt.datetime:
    """The time of this request in the ring's zone; the ledger takes the booking day from it."""
    if not has_request_context():
        return local_now()
    if "now" not in g:
        g.now = local_now()
    return g.now


def today() -> dt.date:
    return now().date()


def user() -> User | None:
    """The signed-in login: the API's token owner, else the web session's user."""
    if "api_user" in g:
        return g.api_user
    return current_user if current_user and current_user.is_authenticated else None


def actor() -> Actor:
    """Who acts in this request, through which channel."""
    if "actor" not in g:
        who = user()
        if who is None:
            raise errors.Forbidden()
        g.actor = Actor.of(who, channel="api" if "api_user" in g else "web")
    return g.actor


def client_key() -> str:
    """Where this request comes from, as a keyed hash of its address (counting failed sign-ins
    needs to tell clients apart, not to know them). Behind a reverse proxy the address is the
    client's only when TRUSTED_PROXIES says how many proxies to believe."""
    secret = current_app.config["SECRET_KEY"].encode()
    address = (request.remote_addr or "").encode()
    return hmac.new(secret, b"client:" + address, hashlib.sha256).hexdigest()


def client_device() -> str:
    """What the browser says it is ("Firefox · Linux"; empty when it says nothing usable), so
    people recognise their sessions. Nothing more of the browser is kept."""
    from ua_parser import parse

    found = parse(request.user_agent.string[:500])
    parts = [
        part.family
        for part in (found.user_agent, found.os)
        if part is not None and part.family not in ("", "Other")
    ]
    return " · ".join(parts) if found.user_agent and found.user_agent.family != "Other" else ""


def own_member() -> Member | None:
    who = user()
    return db.session.get(Member, who.member_id) if who is not None and who.member_id else None


def acting_member(requested: Member | None = None) -> Member | None:
    """The member this request acts as: ``requested`` (a helped member, or one the office chose)
    when the actor may act for them, else the login's own member."""
    if "acting_member" in g:
        return g.acting_member
    member = None
    if requested is not None and may_act_for(db.session, actor(), requested):
        member = requested
    g.acting_member = member or own_member()
    return g.acting_member


def ring_unit() -> Unit:
    if "unit" not in g:
        g.unit = unit_of(db.session, actor().ring_id)
    return g.unit


def to_utc_range(start: dt.date | None, end: dt.date | None) -> tuple[dt.datetime | None, dt.datetime | None]:
    """Calendar days in the ring's zone as a half-open range of aware datetimes [start, end + 1 day).

    Days outside FIRST_YEAR..LAST_YEAR mean "no bound" (and cannot overflow the calendar).
    """
    start = start if start is not None and start.year >= FIRST_YEAR else None
    end = end if end is not None and end.year <= LAST_YEAR else None
    begin = dt.datetime.combine(start, dt.time(), RING_ZONE) if start else None
    finish = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), RING_ZONE) if end else None
    return begin, finish


def read_day(text: str | None) -> dt.date | None:
    """A day typed as YYYY-MM-DD (empty: none), or PeriodInvalid."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise errors.PeriodInvalid(reason="date", value=text[:40]) from None


def check_period(start: dt.date | None, end: dt.date | None) -> None:
    """A period runs forward: PeriodInvalid if its end lies before its start. (Days before the
    books began or far ahead bound nothing: see ``to_utc_range``.)"""
    if start is not None and end is not None and end < start:
        raise errors.PeriodInvalid(reason="order", value=f"{start}/{end}")


def period(
    von: str | None, bis: str | None, *, default_start: dt.date, default_end: dt.date
) -> tuple[dt.date, dt.date]:
    """A period from two typed days (``von``, ``bis``), each defaulting; PeriodInvalid if a day is
    not one, or the end lies before the start."""
    start = read_day(von) or default_start
    end = read_day(bis) or default_end
    check_period(start, end)
    return start, end


def month_so_far(day: dt.date) -> dt.date:
    """Where a statement starts by default: this month's first day, or in a month's first week
    the previous month's, so that on the 1st a reader still sees a month, not a single day."""
    first = day.replace(day=1)
    return (first - dt.timedelta(days=1)).replace(day=1) if day.day <= 7 else first


def query_period(args) -> tuple[dt.date, dt.date]:
    """The period a query string names (``von``, ``bis``); by default the month so far."""
    return period(args.get("von"), args.get("bis"), default_start=month_so_far(today()), default_end=today())


def explain_refusal(error: Refusal, *, reader: Member | None = None) -> str:
    """A refusal worded for this request's reader: their own account is 'Ihr', other accounts are
    named as the reader may see them."""
    if user() is None:
        return explain(error)
    # "Ihr Kontostand" only for the member themself; a helper or the office reads the name.
    own = reader.account_id if reader is not None and reader.id == user().member_id else None
    names = {}
    if not isinstance(error, errors.Refusal) and "account_id" in error.params:
        who = actor()
        account_id = error.params["account_id"]
        full = who.is_office or (reader is not None and reader.account_id == account_id)
        found = account_names(db.session, who.ring_id, {account_id}, full=full)
        names = {found_id: named.label for found_id, named in found.items()}
    return explain(error, ring_unit(), own_account_id=own, names=names)
