"""What every page needs: the acting member, the ring's unit, the clock, one commit per use case."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import TypeVar

from flask import abort, flash, g, redirect, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

import ledger

from ..clock import RING_ZONE, local_now
from ..db import TransactionFailed, db, run_in_transaction
from ..members import may_act_for
from ..models import Member
from ..rings import unit_of
from ..units import Unit

T = TypeVar("T")

ACTING_KEY = "acting_member_id"


def now() -> dt.datetime:
    """The time of this request in the ring's zone; the ledger takes the booking day from it."""
    if "now" not in g:
        g.now = local_now()
    return g.now


def today() -> dt.date:
    return now().date()


def ring_unit() -> Unit:
    if "unit" not in g:
        g.unit = unit_of(db.session, current_user.ring_id)
    return g.unit


def current_member() -> Member | None:
    """The member this login acts as: a helped member chosen for this session, else its own."""
    if "acting_member" in g:
        return g.acting_member
    member = None
    if current_user.is_authenticated:
        acting_id = session.get(ACTING_KEY)
        if acting_id is not None:
            candidate = db.session.get(Member, acting_id)
            if candidate is not None and may_act_for(db.session, current_user, candidate):
                member = candidate
            else:
                session.pop(ACTING_KEY, None)
        if member is None and current_user.member_id is not None:
            member = db.session.get(Member, current_user.member_id)
    g.acting_member = member
    return member


def acting_for_someone_else() -> bool:
    member = current_member()
    return member is not None and member.id != current_user.member_id


def member_required(view: Callable[..., T]) -> Callable[..., T]:
    """Signed in, and acting as a member (helpers and office staff choose one first)."""

    @functools.wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if current_member() is None:
            return redirect(url_for("auth.act_for"))
        return view(*args, **kwargs)

    return wrapped


def office_required(view: Callable[..., T]) -> Callable[..., T]:
    @functools.wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_office:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def same_ring_or_404(obj: object) -> None:
    if obj is None or getattr(obj, "ring_id", None) != current_user.ring_id:
        abort(404)


def commit(work: Callable[[object], T]) -> T:
    """Run one use case in one transaction and commit it (with bounded retries on collisions)."""
    try:
        return run_in_transaction(db.session, work)
    except TransactionFailed:
        flash(_("Der Tauschring ist gerade sehr beschäftigt. Bitte versuchen Sie es gleich noch einmal."))
        raise


def to_utc_range(start: dt.date | None, end: dt.date | None) -> tuple[dt.datetime | None, dt.datetime | None]:
    """Calendar days in the ring's zone as a half-open range of aware datetimes [start, end + 1 day).

    Days outside 1900..9000 mean "no bound" (and cannot overflow the calendar).
    """
    start = start if start is not None and start.year >= 1900 else None
    end = end if end is not None and end.year <= 9000 else None
    begin = dt.datetime.combine(start, dt.time(), RING_ZONE) if start else None
    finish = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), RING_ZONE) if end else None
    return begin, finish


def names_of_accounts(ring_id: int, account_ids: set[int]) -> dict[int, Member]:
    """Members by account id, for showing partners on statements and entries."""
    if not account_ids:
        return {}
    from sqlalchemy import select

    members = db.session.scalars(
        select(Member).where(Member.ring_id == ring_id, Member.account_id.in_(account_ids))
    )
    return {m.account_id: m for m in members}


def balance_of_member(member: Member) -> ledger.AccountBalance:
    return ledger.balance_of(db.session, ring_id=member.ring_id, account_id=member.account_id)
