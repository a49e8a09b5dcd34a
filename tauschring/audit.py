"""The audit log: every office and admin action, with who, when, what, and before and after."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from .models import AuditEvent


def snapshot(obj: object, fields: Iterable[str]) -> dict[str, object]:
    """The named attributes of an object, as JSON-ready values."""
    values = {}
    for name in fields:
        value = getattr(obj, name)
        values[name] = value.isoformat() if isinstance(value, dt.date | dt.datetime) else value
    return values


def record(
    session: Session,
    *,
    ring_id: int,
    user_id: int | None,
    now: dt.datetime,
    action: str,
    object_type: str,
    object_id: object,
    summary: str,
    before: dict | None = None,
    after: dict | None = None,
) -> AuditEvent:
    """Add an audit event to the current transaction (it commits with the action, or not at all)."""
    if before is not None and after is not None:
        changed = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
        before = {k: v for k, v in before.items() if k in changed}
        after = {k: v for k, v in after.items() if k in changed}
    event = AuditEvent(
        ring_id=ring_id,
        at=now,
        user_id=user_id,
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
