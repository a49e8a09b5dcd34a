"""Offers and requests (Inserate): the use cases (they flush, never commit) and the market's
queries.

A member lists, edits, renews and withdraws their own listings; a helper or the office may do it
for them (audited with both names). Contact data reach the market only as the member's online
consents allow.
"""

from __future__ import annotations

import calendar
import datetime as dt
import unicodedata
from dataclasses import dataclass, replace

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from . import audit, errors, events
from .members import ContactCard, contact_card
from .models import LISTING_KINDS, Category, Listing, Member
from .permissions import Actor, require_active, require_may_act_for
from .rings import next_number, settings_of

NEW_DAYS = 30
EDITABLE = ("category_id", "title", "text", "district", "availability", "price_hint", "print_in_paper")


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


def _category(session: Session, ring_id: int, category_id: object) -> Category:
    category = (
        session.get(Category, category_id)
        if isinstance(category_id, int) and 0 < category_id < 2**31
        else None
    )
    if category is None or category.ring_id != ring_id:
        raise errors.CategoryUnknown()
    return category


def _clean(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def _text(value: object, what: str) -> str:
    text = str(value or "").strip()
    if not text:
        raise errors.Invalid(field=what)
    return text


def create_listing(
    session: Session,
    actor: Actor,
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
    expires_on: dt.date | None = None,
    published_at: dt.datetime | None = None,
) -> Listing:
    """A new listing with the next public number of its kind; it runs for the ring's months.

    A listing a member brings along from the ring's old system keeps when it appeared there
    (``published_at``, never later than now) and until when it runs (``expires_on``, from today on).
    """
    require_may_act_for(session, actor, member)
    require_active(member)
    if kind not in LISTING_KINDS:
        raise errors.ListingKindUnknown()
    category = _category(session, member.ring_id, category_id)
    months = settings_of(session, member.ring_id).listing_months
    listing = Listing(
        ring_id=member.ring_id,
        member_id=member.id,
        kind=kind,
        number=next_number(session, member.ring_id, kind),
        category_id=category.id,
        title=_text(title, "title"),
        text=_text(text, "text"),
        district=_clean(district),
        availability=_clean(availability),
        price_hint=_clean(price_hint),
        print_in_paper=print_in_paper,
        created_at=min(published_at, now) if published_at is not None else now,
        expires_on=max(expires_on, now.date()) if expires_on is not None else add_months(now.date(), months),
    )
    listing.search_text = _search_text(listing, category)
    session.add(listing)
    session.flush()
    _audit(session, actor, listing, now, "listing.create", "aufgegeben")
    events.record(
        session, events.ListingPublished(ring_id=listing.ring_id, listing_id=listing.id, member_id=member.id)
    )
    return listing


def _audit(
    session: Session, actor: Actor, listing: Listing, now: dt.datetime, action: str, what: str, **kw
) -> None:
    audit.record_for(
        session,
        actor,
        listing.member,
        now=now,
        action=action,
        object_type="listing",
        object_id=listing.public_number,
        summary=f"Inserat {listing.public_number} von Mitglied {listing.member.number} {what}",
        **kw,
    )


def _changeable(session: Session, actor: Actor, listing: Listing) -> None:
    require_may_act_for(session, actor, listing.member)
    if listing.withdrawn_at is not None:
        raise errors.ListingWithdrawn(number=listing.public_number)


def edit_listing(
    session: Session, actor: Actor, listing: Listing, *, now: dt.datetime, **changes: object
) -> bool:
    """Change a listing's content; returns whether anything changed (then it is marked as edited)."""
    _changeable(session, actor, listing)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    before = audit.snapshot(listing, EDITABLE)
    changed = False
    for name, value in changes.items():
        if name in ("district", "availability", "price_hint"):
            value = _clean(value)
        elif name in ("title", "text"):
            value = _text(value, name)
        elif name == "category_id":
            value = _category(session, listing.ring_id, value).id
        elif name == "print_in_paper":
            value = bool(value)
        if getattr(listing, name) != value:
            setattr(listing, name, value)
            changed = True
    if changed:
        listing.edited_at = now
        listing.search_text = _search_text(listing, session.get(Category, listing.category_id))
        session.flush()
        _audit(
            session,
            actor,
            listing,
            now,
            "listing.edit",
            "geändert",
            before=before,
            after=audit.snapshot(listing, EDITABLE),
        )
    return changed


def renew_listing(session: Session, actor: Actor, listing: Listing, *, now: dt.datetime) -> None:
    """Run the listing for another period of the ring's months from today."""
    _changeable(session, actor, listing)
    months = settings_of(session, listing.ring_id).listing_months
    listing.expires_on = max(listing.expires_on, add_months(now.date(), months))
    listing.renewed_at = now
    session.flush()
    _audit(session, actor, listing, now, "listing.renew", f"verlängert bis {listing.expires_on.isoformat()}")


def withdraw_listing(session: Session, actor: Actor, listing: Listing, *, now: dt.datetime) -> None:
    require_may_act_for(session, actor, listing.member)
    if listing.withdrawn_at is None:
        listing.withdrawn_at = now
        session.flush()
        _audit(session, actor, listing, now, "listing.withdraw", "zurückgezogen")
        events.record(
            session,
            events.ListingWithdrawn(
                ring_id=listing.ring_id, listing_id=listing.id, member_id=listing.member_id
            ),
        )


def own_listing(session: Session, actor: Actor, member: Member, listing_id: int) -> Listing:
    """One of the member's own listings (live or not), if the actor may act for the member."""
    require_may_act_for(session, actor, member)
    listing = session.get(Listing, listing_id) if 0 < listing_id < 2**31 else None
    if listing is None or listing.member_id != member.id:
        raise errors.ListingUnknown(number=listing_id)
    return listing


def own_listing_by_number(session: Session, actor: Actor, member: Member, public_number: str) -> Listing:
    """One of the member's own listings by its public number (A-0137)."""
    require_may_act_for(session, actor, member)
    listing = listing_by_public_number(session, member.ring_id, public_number)
    if listing is None or listing.member_id != member.id:
        raise errors.ListingUnknown(number=public_number[:20])
    return listing


def own_listings(member: Member) -> Select:
    """The member's listings: running ones first, then by expiry."""
    return (
        select(Listing)
        .where(Listing.member_id == member.id)
        .order_by(Listing.withdrawn_at.is_not(None), Listing.expires_on.desc(), Listing.id.desc())
    )


def visible_listing(session: Session, member: Member, public_number: str, today: dt.date) -> Listing:
    """A listing as the market shows it to a member: live, or their own."""
    listing = listing_by_public_number(session, member.ring_id, public_number)
    if listing is None or (listing.member_id != member.id and not is_live(listing, today)):
        raise errors.ListingUnknown(number=public_number[:20])
    return listing


@dataclass(frozen=True)
class ListingCard:
    """A listing as a member sees it in the market: the listing's own fields (read through), the
    contact its member allows online (else the office's phone), and whether the reader is its
    member."""

    listing: Listing
    contact: ContactCard
    own: bool

    def __getattr__(self, name: str) -> object:
        return getattr(self.listing, name)


def card(session: Session, listing: Listing, reader: Member) -> ListingCard:
    contact = replace(
        contact_card(listing.member, "online"),
        office_phone=settings_of(session, listing.ring_id).office_phone or "",
    )
    return ListingCard(listing=listing, contact=contact, own=listing.member_id == reader.id)


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


def _matching(
    ring_id: int, today: dt.date, text: str, kind: str | None, category_id: int | None, new_only: bool
):
    """Live listings matching every word typed (umlauts folded), the kind, Rubrik and newness."""
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
    return query


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
    offset: int = 0,
) -> list[Listing]:
    """Live listings matching every word typed (umlauts folded), by Rubrik, newest first: ``limit``
    of them from ``offset`` on (``search_count`` says how many match in all)."""
    query = _matching(ring_id, today, text, kind, category_id, new_only)
    query = query.order_by(Category.position, Listing.kind, Listing.created_at.desc(), Listing.number)
    return list(session.scalars(query.limit(limit).offset(offset)).unique())


def search_count(
    session: Session,
    *,
    ring_id: int,
    today: dt.date,
    text: str = "",
    kind: str | None = None,
    category_id: int | None = None,
    new_only: bool = False,
) -> int:
    """How many live listings match the search, all of them (a page shows some)."""
    matching = _matching(ring_id, today, text, kind, category_id, new_only).with_only_columns(Listing.id)
    return session.scalar(select(func.count()).select_from(matching.order_by(None).subquery()))


def category_counts(session: Session, ring_id: int, today: dt.date) -> dict[int, dict[str, int]]:
    """Live offers and requests per Rubrik: {category_id: {"offer": n, "request": m}}."""
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
