"""A ring's settings and its sequential numbers."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update
from sqlalchemy.orm import Session

import ledger

from .models import Category, RingCounter, RingSettings
from .units import Unit

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
    found = session.get(RingSettings, ring_id)
    if found is None:
        found = RingSettings(ring_id=ring_id)
        session.add(found)
        session.flush()
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


def categories_of(session: Session, ring_id: int) -> list[Category]:
    return list(
        session.scalars(select(Category).where(Category.ring_id == ring_id).order_by(Category.position))
    )
