"""A ring: founding it, its settings (changed by an admin), its Rubriken and sequential numbers."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

import ledger

from . import audit, errors, inputs
from .models import Category, Listing, RingCounter, RingSettings
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
    """The ring a command names: by its short name (slug), its number (id) or its exact name;
    without a name, the only ring of the database. With several rings and no name it refuses to
    guess (RingNotNamed)."""
    text = (reference or "").strip()
    if not text:
        found = session.scalars(select(ledger.Ring.id).order_by(ledger.Ring.id).limit(3)).all()
        if len(found) == 1:
            return found[0]
        if not found:
            raise errors.RingUnknown(reference="")
        count = session.scalar(select(func.count()).select_from(ledger.Ring))
        raise errors.RingNotNamed(count=count)
    by_slug = session.scalar(select(RingSettings.ring_id).where(RingSettings.slug == text.lower()[:40]))
    if by_slug is not None:
        return by_slug
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


# --- the Rubriken, as the admin keeps them ---------------------------------------------------------


def _category(session: Session, actor: Actor, category_id: int) -> Category:
    found = session.get(Category, category_id)
    if found is None or found.ring_id != actor.ring_id:
        raise errors.CategoryUnknown()
    return found


def _category_name(session: Session, actor: Actor, name: str, *, keep: Category | None = None) -> str:
    name = " ".join((name or "").split())
    if not name or len(name) > 60 or inputs.problem(name):
        raise errors.CategoryNameInvalid()
    for other in categories_of(session, actor.ring_id):
        if other is not keep and other.name.casefold() == name.casefold():
            raise errors.CategoryNameTaken(name=name)
    return name


def _audit_category(session, actor, now, action, category, summary, **values) -> None:
    audit.record(
        session,
        actor,
        now=now,
        action=action,
        object_type="category",
        object_id=category.id,
        summary=summary,
        **values,
    )


def add_category(session: Session, actor: Actor, *, name: str, now: dt.datetime) -> Category:
    """A new Rubrik, at the end of the ring's order."""
    require_admin(actor)
    name = _category_name(session, actor, name)
    last = session.scalar(select(func.max(Category.position)).where(Category.ring_id == actor.ring_id))
    category = Category(ring_id=actor.ring_id, name=name, position=(last or 0) + 1)
    session.add(category)
    session.flush()
    _audit_category(
        session, actor, now, "category.add", category, f"Rubrik {name} angelegt", after={"name": name}
    )
    return category


def rename_category(session: Session, actor: Actor, category_id: int, *, name: str, now: dt.datetime) -> bool:
    """A Rubrik's new name (its listings stay in it); whether anything changed."""
    require_admin(actor)
    category = _category(session, actor, category_id)
    name = _category_name(session, actor, name, keep=category)
    if name == category.name:
        return False
    before = category.name
    category.name = name
    session.flush()
    _audit_category(
        session,
        actor,
        now,
        "category.rename",
        category,
        f"Rubrik {before} heißt jetzt {name}",
        before={"name": before},
        after={"name": name},
    )
    return True


def move_category(session: Session, actor: Actor, category_id: int, *, by: int, now: dt.datetime) -> bool:
    """A Rubrik one place up (``by=-1``) or down (``by=1``) in the ring's order (the Marktzeitung
    and the market follow it); whether it moved."""
    require_admin(actor)
    category = _category(session, actor, category_id)
    order = categories_of(session, actor.ring_id)
    index = order.index(category)
    target = index + (1 if by > 0 else -1)
    if not 0 <= target < len(order):
        return False
    order[index], order[target] = order[target], order[index]
    for position, each in enumerate(order, start=1):
        each.position = position
    session.flush()
    _audit_category(
        session, actor, now, "category.move", category, f"Rubrik {category.name} auf Platz {target + 1}"
    )
    return True


def retire_category(
    session: Session, actor: Actor, category_id: int, *, into_id: int, now: dt.datetime
) -> int:
    """A Rubrik given up: its listings move to another one first (printed editions keep the name
    they printed). Returns how many listings moved."""
    require_admin(actor)
    category = _category(session, actor, category_id)
    into = _category(session, actor, into_id)
    if into.id == category.id:
        raise errors.CategorySame()
    moved = session.execute(
        update(Listing).where(Listing.category_id == category.id).values(category_id=into.id)
    ).rowcount
    _audit_category(
        session,
        actor,
        now,
        "category.retire",
        category,
        f"Rubrik {category.name} aufgelöst; {moved} Inserate nach {into.name} verschoben",
        before={"name": category.name},
    )
    session.delete(category)
    session.flush()
    for position, each in enumerate(categories_of(session, actor.ring_id), start=1):
        each.position = position
    session.flush()
    return moved
