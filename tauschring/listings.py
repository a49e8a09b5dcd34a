"""Offers and requests (Inserate): the operations (they flush, never commit)."""

from __future__ import annotations

import calendar
import datetime as dt
import unicodedata

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from .models import Category, Listing, Member
from .rings import next_number, settings_of

NEW_DAYS = 30
EDITABLE = ("category_id", "title", "text", "district", "availability", "price_hint", "print_in_paper")


class ListingError(ValueError):
    """A listing change that cannot be made; the message is for the member."""


def add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def fold(text: str) -> str:
    """Lower case with umlauts spelled out and accents dropped: 'Gärten' and 'gaerten' match."""
    text = text.lower()
    for umlaut, spelled in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(umlaut, spelled)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _search_text(listing: Listing, category: Category) -> str:
    parts = [listing.title, listing.text, category.name, listing.district or "", listing.public_number]
    return fold(" ".join(parts))


def _category(session: Session, ring_id: int, category_id: int) -> Category:
    category = session.get(Category, category_id)
    if category is None or category.ring_id != ring_id:
        raise ListingError("unknown category")
    return category


def _clean(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def create_listing(
    session: Session,
    *,
    member: Member,
    kind: str,
    category_id: int,
    title: str,
    text: str,
    now: dt.datetime,
    district: str | None = None,
    availability: str | None = None,
    price_hint: str | None = None,
    print_in_paper: bool = True,
) -> Listing:
    """A new listing with the next public number of its kind; it runs for the ring's months."""
    if kind not in ("offer", "request"):
        raise ListingError("unknown kind")
    if member.status != "active":
        raise ListingError("member not active")
    category = _category(session, member.ring_id, category_id)
    months = settings_of(session, member.ring_id).listing_months
    listing = Listing(
        ring_id=member.ring_id,
        member_id=member.id,
        kind=kind,
        number=next_number(session, member.ring_id, kind),
        category_id=category.id,
        title=title.strip(),
        text=text.strip(),
        district=_clean(district),
        availability=_clean(availability),
        price_hint=_clean(price_hint),
        print_in_paper=print_in_paper,
        created_at=now,
        expires_on=add_months(now.date(), months),
    )
    listing.search_text = _search_text(listing, category)
    session.add(listing)
    session.flush()
    return listing


def edit_listing(session: Session, listing: Listing, *, now: dt.datetime, **changes: object) -> bool:
    """Change a listing's content; returns whether anything changed (then it is marked as edited)."""
    if listing.withdrawn_at is not None:
        raise ListingError("withdrawn")
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ListingError(f"not editable: {sorted(unknown)}")
    changed = False
    for name, value in changes.items():
        if name in ("district", "availability", "price_hint"):
            value = _clean(value)
        elif name in ("title", "text"):
            value = str(value).strip()
        elif name == "category_id":
            value = _category(session, listing.ring_id, value).id
        if getattr(listing, name) != value:
            setattr(listing, name, value)
            changed = True
    if changed:
        listing.edited_at = now
        listing.search_text = _search_text(listing, session.get(Category, listing.category_id))
        session.flush()
    return changed


def renew_listing(session: Session, listing: Listing, *, now: dt.datetime) -> None:
    """Run the listing for another period of the ring's months from today."""
    if listing.withdrawn_at is not None:
        raise ListingError("withdrawn")
    months = settings_of(session, listing.ring_id).listing_months
    listing.expires_on = max(listing.expires_on, add_months(now.date(), months))
    listing.renewed_at = now
    session.flush()


def withdraw_listing(session: Session, listing: Listing, *, now: dt.datetime) -> None:
    if listing.withdrawn_at is None:
        listing.withdrawn_at = now
        session.flush()


def is_live(listing: Listing, today: dt.date) -> bool:
    return listing.withdrawn_at is None and listing.expires_on >= today and listing.member.status == "active"


def live_listings(ring_id: int, today: dt.date) -> Select:
    """Listings to show: not withdrawn, not expired, of active members."""
    return (
        select(Listing)
        .join(Member, Member.id == Listing.member_id)
        .join(Category, Category.id == Listing.category_id)
        .where(
            Listing.ring_id == ring_id,
            Listing.withdrawn_at.is_(None),
            Listing.expires_on >= today,
            Member.status == "active",
            Member.erased_at.is_(None),
        )
    )


def search(
    session: Session,
    *,
    ring_id: int,
    today: dt.date,
    text: str = "",
    kind: str | None = None,
    category_id: int | None = None,
    new_only: bool = False,
    limit: int = 500,
) -> list[Listing]:
    """Live listings matching every word typed (umlauts folded), by Rubrik, newest first."""
    query = live_listings(ring_id, today)
    for word in fold(text).split()[:10]:
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(Listing.search_text.like(f"%{escaped}%", escape="\\"))
    if kind in ("offer", "request"):
        query = query.where(Listing.kind == kind)
    if category_id is not None:
        query = query.where(Listing.category_id == category_id)
    if new_only:
        since = dt.datetime.combine(today - dt.timedelta(days=NEW_DAYS), dt.time(), dt.UTC)
        query = query.where(Listing.created_at >= since)
    query = query.order_by(Category.position, Listing.kind, Listing.created_at.desc(), Listing.number)
    return list(session.scalars(query.limit(limit)).unique())


def category_counts(session: Session, ring_id: int, today: dt.date) -> dict[int, dict[str, int]]:
    """Live offers and requests per Rubrik: {category_id: {"offer": n, "request": m}}."""
    from sqlalchemy import func

    query = live_listings(ring_id, today).with_only_columns(Listing.category_id, Listing.kind, func.count())
    counts: dict[int, dict[str, int]] = {}
    for category_id, kind, count in session.execute(query.group_by(Listing.category_id, Listing.kind)):
        counts.setdefault(category_id, {"offer": 0, "request": 0})[kind] = count
    return counts


def newest_listings(session: Session, ring_id: int, today: dt.date, count: int) -> list[Listing]:
    query = live_listings(ring_id, today).order_by(Listing.created_at.desc(), Listing.id.desc()).limit(count)
    return list(session.scalars(query).unique())


def listing_by_public_number(session: Session, ring_id: int, public_number: str) -> Listing | None:
    """'A-0137' or 'G-42' to the listing."""
    prefix, _sep, number = public_number.upper().partition("-")
    kind = {"A": "offer", "G": "request"}.get(prefix)
    if kind is None or not (number.isascii() and number.isdigit()) or len(number) > 9:
        return None
    return session.scalar(
        select(Listing).where(Listing.ring_id == ring_id, Listing.kind == kind, Listing.number == int(number))
    )
