"""Corrections: the office reverses an entry (Storno). Nothing is deleted; the reversal is a new
entry that mirrors the old one, linked to it, with the reason in its text."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

import ledger

from . import audit, errors, events
from .permissions import Actor, require_office


def reverse(
    session: Session,
    actor: Actor,
    *,
    entry_id: int,
    reason: str,
    now: dt.datetime,
    override_limits: bool = False,
) -> ledger.EntryView:
    """Book the reversal of an entry of the actor's ring, with a reason (required); with
    ``override_limits`` even where it takes an account beyond a limit (the reason is recorded)."""
    require_office(actor)
    reason = (reason or "").strip()
    if not reason:
        raise errors.ReasonMissing()
    if not 0 < entry_id < 2**31:
        raise errors.EntryUnknown(entry_id=entry_id)
    try:
        reversal = ledger.reverse_entry(
            session,
            ring_id=actor.ring_id,
            entry_id=entry_id,
            reason=reason,
            now=now,
            operator_id=actor.user_id,
            channel="office",
            override_limits=override_limits,
        )
    except ledger.UnknownEntry:
        raise errors.EntryUnknown(entry_id=entry_id) from None
    audit.record(
        session,
        actor,
        now=now,
        action="entry.reverse",
        object_type="entry",
        object_id=entry_id,
        summary=f"Buchung {entry_id} storniert: {reason}",
        after={"reversal": reversal.id, "override": override_limits},
    )
    events.record(
        session, events.EntryReversed(ring_id=actor.ring_id, entry_id=entry_id, reversal_id=reversal.id)
    )
    return reversal
