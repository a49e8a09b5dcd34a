"""A ring: founding it, its settings (changed by an admin), its Rubriken and sequential numbers."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

import ledger

from . import audit, errors
from .models import Category, RingCounter, RingSettings
from .permissions import Actor, require_admin
from .units import Unit, whole_number

DEFAULT_CATEGORIES = (
    "Haushalt",
    "Garten",
    "Handwerk",
    "Computer & Technik",
    "Fahrdienste",
    "Kinder & Familie",
    "Kochen & Backen",
    "Gesundheit & Wellness",
    "Kreatives",
    "Unterricht & Sprachen",
    "Tiere",
    "Sonstiges",
)


COUNTERS = ("member", "offer", "request", "voucher", "edition")

# What an admin may change on the settings page, besides the ring's name and limits.
SETTINGS_FIELDS = (
    "unit_singular",
    "unit_plural",
    "unit_symbol",
    "units_per_hour",
    "step_minutes",
    "office_address",
    "office_phone",
    "office_email",
    "office_hours",
    "auto_accept_days",
    "listing_months",
    "submission_days",
    "require_batch_approval",
    "fee_minutes",
    "fee_policy",
    "warn_min_balance",
    "warn_max_balance",
    "public_statistics",
)
TEXT_SETTINGS = (
    "unit_singular",
    "unit_plural",
    "unit_symbol",
    "office_address",
    "office_phone",
    "office_email",
    "office_hours",
)


def found_ring(
    session: Session,
    *,
    name: str,
    now: dt.datetime,
    min_balance: int | None = -30 * 60,
    max_balance: int | None = 60 * 60,
    categories: tuple[str, ...] = DEFAULT_CATEGORIES,
    **settings: object,
) -> int:
    """Create a ring: its book (ledger), its settings and its Rubriken. Returns the ring id."""
    ring_id = ledger.create_ring(
        session, name=name, now=now, default_min_balance=min_balance, default_max_balance=max_balance
    )
    session.add(RingSettings(ring_id=ring_id, **settings))
    for position, category in enumerate(categories, start=1):
        session.add(Category(ring_id=ring_id, name=category, position=position))
    for counter in COUNTERS:
        session.add(RingCounter(ring_id=ring_id, name=counter, value=0))
    session.flush()
    return ring_id


def settings_of(session: Session, ring_id: int) -> RingSettings:
    """The ring's settings; a ring founded by the ledger alone has the defaults (nothing is written)."""
    found = session.get(RingSettings, ring_id)
    if found is None:
        defaults = {
            column.name: column.default.arg
            for column in RingSettings.__table__.columns
            if column.default is not None and not callable(column.default.arg)
        }
        found = RingSettings(**{**defaults, "ring_id": ring_id})
    return found


def unit_of(session: Session, ring_id: int) -> Unit:
    s = settings_of(session, ring_id)
    return Unit(
        singular=s.unit_singular,
        plural=s.unit_plural,
        symbol=s.unit_symbol,
        units_per_hour=s.units_per_hour,
        step_minutes=s.step_minutes,
    )


def change_settings(
    session: Session,
    actor: Actor,
    *,
    now: dt.datetime,
    name: str,
    min_balance: int | None,
    max_balance: int | None,
    **changes: object,
) -> bool:
    """An admin changes what the ring decides: its name, default limits, unit, office data, rules.
    Text keeps its line breaks (the office address has three lines); returns whether anything
    changed, which the audit log records with the values before and after."""
    require_admin(actor)
    unknown = set(changes) - set(SETTINGS_FIELDS)
    if unknown:
        raise TypeError(f"not a setting: {sorted(unknown)}")
    ring = session.get(ledger.Ring, actor.ring_id)
    target = session.get(RingSettings, actor.ring_id)
    if target is None:
        target = settings_of(session, actor.ring_id)
        session.add(target)

    def snapshot() -> dict[str, object]:
        return {
            **audit.snapshot(target, SETTINGS_FIELDS),
            "name": ring.name,
            "min_balance": ring.default_min_balance,
            "max_balance": ring.default_max_balance,
        }

    before = snapshot()
    ledger.set_ring_limits(session, ring_id=actor.ring_id, min_balance=min_balance, max_balance=max_balance)
    ring.name = name.strip()
    for field, value in changes.items():
        if field in TEXT_SETTINGS:
            value = "\n".join(line.rstrip() for line in str(value or "").strip().splitlines())
        elif field == "fee_minutes":
            value = value or 0
        setattr(target, field, value)
    session.flush()
    after = snapshot()
    if before == after:
        return False
    audit.record(
        session,
        actor,
        now=now,
        action="settings.change",
        object_type="ring",
        object_id=actor.ring_id,
        summary="Einstellungen geändert",
        before=before,
        after=after,
    )
    return True


def next_number(session: Session, ring_id: int, counter: str, count: int = 1) -> int:
    """The next number of a per-ring sequence (with ``count``, the last of that many); taken under a
    row lock, so never handed out twice."""
    updated = session.execute(
        update(RingCounter)
        .where(RingCounter.ring_id == ring_id, RingCounter.name == counter)
        .values(value=RingCounter.value + count)
        .returning(RingCounter.value)
    ).scalar()
    if updated is not None:
        return updated
    session.add(RingCounter(ring_id=ring_id, name=counter, value=count))
    session.flush()
    return count


def sole_ring(session: Session) -> int | None:
    """The ring of an instance that holds just one (the sign-in page names its office)."""
    found = session.scalars(select(ledger.Ring.id).limit(2)).all()
    return found[0] if len(found) == 1 else None


def sole_office(session: Session) -> RingSettings | None:
    """The office of an instance's only ring (phone, office hours), for pages before sign-in."""
    ring_id = sole_ring(session)
    return settings_of(session, ring_id) if ring_id is not None else None


def ring_by_reference(session: Session, reference: str | None) -> int:
    """The ring a command names: by its number (id) or its exact name; without a name, the only ring
    of the database. With several rings and no name it refuses to guess (RingNotNamed)."""
    text = (reference or "").strip()
    if not text:
        found = session.scalars(select(ledger.Ring.id).order_by(ledger.Ring.id).limit(3)).all()
        if len(found) == 1:
            return found[0]
        if not found:
            raise errors.RingUnknown(reference="")
        count = session.scalar(select(func.count()).select_from(ledger.Ring))
        raise errors.RingNotNamed(count=count)
    number = whole_number(text)
    if number is not None and 0 < number < 2**31 and session.get(ledger.Ring, number) is not None:
        return number
    by_name = session.scalars(select(ledger.Ring.id).where(ledger.Ring.name == text[:200])).all()
    if len(by_name) == 1:
        return by_name[0]
    if by_name:
        raise errors.RingNotNamed(count=len(by_name))
    raise errors.RingUnknown(reference=text[:100])


def categories_of(session: Session, ring_id: int) -> list[Category]:
    return list(
        session.scalars(select(Category).where(Category.ring_id == ring_id).order_by(Category.position))
    )
