"""The audit log: every office and admin action, and everything someone does for a member
(a helper, the office acting for them), with who, for whom, when, what, before and after.

The use cases record here, in the transaction of the action itself: it commits with the action,
or not at all. Summaries are stored in German, as a record of the ring (like a booking text).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from .models import AuditEvent, Member
from .permissions import Actor


def snapshot(obj: object, fields: Iterable[str]) -> dict[str, object]:
    """The named attributes of an object, as JSON-ready values."""
    values = {}
    for name in fields:
        value = getattr(obj, name)
        values[name] = value.isoformat() if isinstance(value, dt.date | dt.datetime) else value
    return values


def record(
    session: Session,
    actor: Actor,
    *,
    now: dt.datetime,
    action: str,
    object_type: str,
    object_id: object,
    summary: str,
    member: Member | None = None,
    before: dict | None = None,
    after: dict | None = None,
) -> AuditEvent:
    """Add an audit event to the current transaction (it commits with the action, or not at all).

    ``member`` is the member the action was for or about; with the actor's login that names both.
    """
    if before is not None and after is not None:
        changed = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
        before = {k: v for k, v in before.items() if k in changed}
        after = {k: v for k, v in after.items() if k in changed}
    event = AuditEvent(
        ring_id=actor.ring_id,
        at=now,
        user_id=actor.user_id,
        member_id=member.id if member is not None else None,
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        summary=summary[:500],
        before=None
        if before is None
        else json.dumps(before, ensure_ascii=False, sort_keys=True, default=str),
        after=None if after is None else json.dumps(after, ensure_ascii=False, sort_keys=True, default=str),
    )
    session.add(event)
    session.flush()
    return event


def values_of(kept: str | None) -> dict:
    """The values an audit event kept (before or after), as they were recorded."""
    return json.loads(kept) if kept else {}


def record_for(
    session: Session,
    actor: Actor,
    member: Member,
    *,
    now: dt.datetime,
    action: str,
    summary: str,
    object_type: str = "member",
    object_id: object = None,
    before: dict | None = None,
    after: dict | None = None,
) -> AuditEvent | None:
    """Audit what someone else (a helper, the office) does for a member; what members do for
    themselves needs no audit (their bookings are in the books)."""
    if actor.is_member(member):
        return None
    return record(
        session,
        actor,
        now=now,
        action=action,
        object_type=object_type,
        object_id=member.number if object_id is None else object_id,
        summary=summary,
        member=member,
        before=before,
        after=after,
    )


def events(
    ring_id: int,
    *,
    action: str | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    user_id: int | None = None,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
) -> Select:
    """The ring's audit events, newest first, filtered."""
    query = select(AuditEvent).where(AuditEvent.ring_id == ring_id)
    if action:
        query = query.where(AuditEvent.action == action)
    if object_type:
        query = query.where(AuditEvent.object_type == object_type)
    if object_id:
        query = query.where(AuditEvent.object_id == object_id)
    if user_id:
        query = query.where(AuditEvent.user_id == user_id)
    if start:
        query = query.where(AuditEvent.at >= start)
    if end:
        query = query.where(AuditEvent.at < end)
    return query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
