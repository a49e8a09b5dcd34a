"""Editions of the Marktzeitung: from the database to print/'s dataclasses to kept PDFs.

The office creates the edition for a month with its cut-off date, Termine and news; generating
it takes the listings live at the cut-off with the print flag, the markers from the previous
edition, the paper members (their statements since the previous edition, their listings, fresh
pre-numbered vouchers), and renders every file. Contact data goes into print only where the
member's print consent allows it at generation time, so a consent withdrawn before the cut-off
(or since) is honoured.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

import ledger
from print import data as pd
from print.inserts import render_inserts
from print.newspaper import render_contact_list, render_large_print, render_newspaper
from print.vouchers import render_blank_vouchers

from . import audit, closing, errors, events
from .clock import RING_ZONE
from .members import consents
from .models import (
    Edition,
    EditionEvent,
    EditionFile,
    EditionFileMember,
    EditionListing,
    EditionNews,
    Listing,
    Member,
    VoucherRange,
)
from .names import display_name, postal_address
from .permissions import Actor, require_office
from .rings import categories_of, next_number, settings_of
from .statements import statement_of
from .texts import german
from .vouchers import issue_vouchers, range_numbers

VOUCHERS_PER_PAPER_MEMBER = 3
BLANK_VOUCHERS = 30
MARKERS = ("NEU", "GEÄNDERT", "LETZTMALIG")


def month_label(edition: Edition) -> str:
    return f"{edition.month:02d}/{edition.year}"


def edition_for(session: Session, actor: Actor, edition_id: int) -> Edition:
    require_office(actor)
    edition = session.get(Edition, edition_id) if 0 < edition_id < 2**31 else None
    if edition is None or edition.ring_id != actor.ring_id:
        raise errors.EditionUnknown(edition_id=edition_id)
    return edition


def edition_of_month(session: Session, ring_id: int, year: int, month: int) -> Edition | None:
    return session.scalar(
        select(Edition).where(Edition.ring_id == ring_id, Edition.year == year, Edition.month == month)
    )


def _audit(
    session: Session, actor: Actor, edition: Edition, now: dt.datetime, action: str, summary: str, **kw
) -> None:
    audit.record(
        session,
        actor,
        now=now,
        action=action,
        object_type="edition",
        object_id=edition.id,
        summary=summary,
        **kw,
    )


def create_edition(
    session: Session,
    actor: Actor,
    *,
    year: int,
    month: int,
    cutoff: dt.date,
    next_cutoff: dt.date,
    now: dt.datetime,
    show_contact_list: bool = True,
) -> Edition:
    """A new draft edition for a month; its number counts up per ring."""
    require_office(actor)
    ring_id = actor.ring_id
    if not 1 <= month <= 12 or not 2000 <= year <= 2100:
        raise errors.MonthInvalid(period=f"{year:04d}-{month:02d}")
    if next_cutoff <= cutoff:
        raise errors.CutoffsOrder()
    if edition_of_month(session, ring_id, year, month) is not None:
        raise errors.EditionExists(period=f"{year:04d}-{month:02d}")
    edition = Edition(
        ring_id=ring_id,
        number=next_number(session, ring_id, "edition"),
        year=year,
        month=month,
        cutoff=cutoff,
        next_cutoff=next_cutoff,
        show_contact_list=show_contact_list,
        status="draft",
        created_at=now,
        created_by_id=actor.user_id,
    )
    session.add(edition)
    session.flush()
    _audit(session, actor, edition, now, "edition.create", f"Ausgabe {month_label(edition)} angelegt")
    return edition


def add_event(
    session: Session,
    actor: Actor,
    edition: Edition,
    *,
    now: dt.datetime,
    date: dt.date,
    title: str,
    time: str | None = None,
    place: str | None = None,
    text: str | None = None,
) -> EditionEvent:
    """A date for the paper's Termine."""
    require_office(actor)
    event = EditionEvent(
        edition_id=edition.id,
        date=date,
        time=time or None,
        title=title.strip(),
        place=(place or "").strip() or None,
        text=(text or "").strip() or None,
    )
    edition.events.append(event)
    session.flush()
    _audit(session, actor, edition, now, "edition.event", f"Termin „{event.title}“ eingetragen")
    return event


def add_news(
    session: Session, actor: Actor, edition: Edition, *, now: dt.datetime, title: str, text: str
) -> EditionNews:
    """An article for the section Aus dem Tauschring, after the others."""
    require_office(actor)
    news = EditionNews(
        edition_id=edition.id, position=len(edition.news) + 1, title=title.strip(), text=text.strip()
    )
    edition.news.append(news)
    session.flush()
    _audit(session, actor, edition, now, "edition.news", f"Artikel „{news.title}“ eingetragen")
    return news


def remove_item(
    session: Session, actor: Actor, edition: Edition, kind: str, item_id: int, *, now: dt.datetime
) -> None:
    """Take a Termin (``kind`` "event") or an article ("news") out of the edition."""
    require_office(actor)
    items = {"event": edition.events, "news": edition.news}[kind]
    item = next((i for i in items if i.id == item_id), None)
    if item is None:
        raise errors.EditionItemUnknown(item_id=item_id)
    items.remove(item)
    session.flush()
    _audit(session, actor, edition, now, "edition.remove", f"„{item.title}“ entfernt")


def closing_proposal(session: Session, edition: Edition, today: dt.date) -> closing.Proposal | None:
    """At an edition's cut-off the office is asked to close the month that ended before it (the
    statements in the inserts then show closed figures): the next month to close, once the
    cut-off has come and that month has ended before the cut-off."""
    if today < edition.cutoff:
        return None
    proposal = closing.proposal(session, edition.ring_id, today)
    if proposal is None or proposal.end >= edition.cutoff:
        return None
    return proposal


def previous_edition(session: Session, edition: Edition) -> Edition | None:
    return session.scalar(
        select(Edition)
        .where(Edition.ring_id == edition.ring_id, Edition.number < edition.number)
        .order_by(Edition.number.desc())
        .limit(1)
    )


def _end_of_day(day: dt.date) -> dt.datetime:
    """The first moment after a calendar day in the ring's zone (cut-off days are inclusive)."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), RING_ZONE)


# ---------------------------------------------------------------------------------------------
# From the database to print/'s dataclasses


def ring_info(session: Session, ring_id: int) -> pd.RingInfo:
    ring = session.get(ledger.Ring, ring_id)
    settings = settings_of(session, ring_id)
    address = tuple(line.strip() for line in (settings.office_address or "").splitlines() if line.strip())
    return pd.RingInfo(
        name=ring.name,
        office_address=address,
        office_phone=settings.office_phone or "",
        sprechstunde=settings.office_hours or "",
        office_email=settings.office_email or None,
        unit_singular=settings.unit_singular,
        unit_plural=settings.unit_plural,
        unit_abbreviation=settings.unit_symbol,
        minutes_per_unit=60 // settings.units_per_hour,
        return_address=", ".join(address) or None,
    )


def print_contact(member: Member) -> pd.Contact:
    """The member's contact data as their print consents allow; nothing else reaches print.

    The name goes into print only together with a consented field (as in the contact list and
    under new members); with nothing to print the line reads "Kontakt über das Büro"."""
    allowed = consents(member)
    phone = member.phone if allowed[("phone", "print")] else None
    email = member.email if allowed[("email", "print")] else None
    address = postal_address(member) if allowed[("address", "print")] else None
    if not (phone or email or address):
        return pd.Contact()
    return pd.Contact(name=display_name(member), phone=phone, email=email, address=address)


def _prints_anything(member: Member) -> bool:
    allowed = consents(member)
    return any(allowed[(field, "print")] for field in ("phone", "email", "address"))


def _listings_at_cutoff(session: Session, edition: Edition) -> list[Listing]:
    """Listings live at the cut-off with the print flag, of members still active."""
    end = _end_of_day(edition.cutoff)
    return list(
        session.scalars(
            select(Listing)
            .join(Member, Member.id == Listing.member_id)
            .where(
                Listing.ring_id == edition.ring_id,
                Listing.print_in_paper.is_(True),
                Listing.created_at < end,
                (Listing.withdrawn_at.is_(None)) | (Listing.withdrawn_at >= end),
                Listing.expires_on >= edition.cutoff,
                Member.status == "active",
                Member.erased_at.is_(None),
            )
            .order_by(Listing.kind, Listing.number)
        ).unique()
    )


def markers(session: Session, edition: Edition, listings: list[Listing]) -> dict[int, str | None]:
    """NEU in a listing's first edition, GEÄNDERT after an edit since the previous edition,
    LETZTMALIG when it expires before the next edition's cut-off."""
    previous = previous_edition(session, edition)
    printed_before: set[int] = set()
    since = None
    if previous is not None:
        printed_before = set(
            session.scalars(select(EditionListing.listing_id).where(EditionListing.edition_id == previous.id))
        )
        since = _end_of_day(previous.cutoff)
    found: dict[int, str | None] = {}
    for listing in listings:
        if listing.expires_on < edition.next_cutoff:
            found[listing.id] = "LETZTMALIG"
        elif listing.id not in printed_before:
            found[listing.id] = "NEU"
        elif since is not None and listing.edited_at is not None and listing.edited_at >= since:
            found[listing.id] = "GEÄNDERT"
        else:
            found[listing.id] = None
    return found


def _print_listing(listing: Listing, marker: str | None) -> pd.Listing:
    return pd.Listing(
        kind=listing.kind,
        number=listing.public_number,
        category=listing.category.name,
        title=listing.title,
        text=listing.text,
        contact=print_contact(listing.member),
        expires=listing.expires_on,
        district=listing.district,
        availability=listing.availability,
        price_hint=listing.price_hint,
        marker=marker,
    )


# The publisher (the ring with its office address and phone) is printed by print/ from RingInfo
# right above this text; naming it here as well printed it twice.
IMPRESSUM = (
    "Die Marktzeitung erscheint monatlich und wird nur an Mitglieder abgegeben. Für den Inhalt der "
    "Inserate sind die inserierenden Mitglieder verantwortlich."
)
PRIVACY = (
    "Telefonnummern, E-Mail-Adressen und Anschriften stehen in dieser Zeitung nur, wenn das Mitglied "
    "dem Abdruck zugestimmt hat; sonst steht dort „Kontakt über das Büro“. Die Zustimmung kann jederzeit "
    "im Büro oder im Profil widerrufen werden und gilt dann ab der nächsten Ausgabe, denn eine gedruckte "
    "Zeitung lässt sich nicht zurückholen. Bitte geben Sie diese Zeitung nicht an Nichtmitglieder weiter "
    "und werfen Sie sie nach Gebrauch ins Altpapier."
)


def edition_data(session: Session, edition: Edition, listings: list[Listing], found_markers) -> pd.Edition:
    ring = ring_info(session, edition.ring_id)
    previous = previous_edition(session, edition)
    since = previous.cutoff if previous else edition.cutoff - dt.timedelta(days=31)
    members = session.scalars(
        select(Member)
        .where(Member.ring_id == edition.ring_id, Member.status == "active", Member.erased_at.is_(None))
        .order_by(Member.number)
    ).all()
    new_members = tuple(
        pd.NewMember(name=display_name(m), district=m.district)
        for m in members
        if since < m.joined_on <= edition.cutoff and _prints_anything(m)
    )
    contact_list = tuple(
        pd.ContactEntry(contact=print_contact(m), member_number=str(m.number), district=m.district)
        for m in sorted(members, key=lambda m: (m.last_name, m.first_name, m.number))
        if _prints_anything(m)
    )
    return pd.Edition(
        ring=ring,
        number=edition.number,
        year=edition.year,
        month=edition.month,
        cutoff=edition.cutoff,
        next_cutoff=edition.next_cutoff,
        events=tuple(
            pd.Event(
                date=e.date,
                title=e.title,
                time=dt.time.fromisoformat(e.time) if e.time else None,
                place=e.place,
                text=e.text,
            )
            for e in edition.events
        ),
        news=tuple(pd.NewsItem(title=n.title, text=n.text) for n in edition.news),
        new_members=new_members,
        categories=tuple(
            pd.Category(name=c.name, position=c.position) for c in categories_of(session, edition.ring_id)
        ),
        listings=tuple(_print_listing(listing, found_markers[listing.id]) for listing in listings),
        contact_list=contact_list,
        show_contact_list=edition.show_contact_list,
        impressum=IMPRESSUM,
        privacy_notice=PRIVACY,
    )


def paper_readers(session: Session, ring_id: int) -> list[Member]:
    """The members who get the paper by post: paper members who can exchange."""
    return list(
        session.scalars(
            select(Member).where(
                Member.ring_id == ring_id,
                Member.paper_member.is_(True),
                Member.status == "active",
                Member.erased_at.is_(None),
            )
        )
    )


def paper_members(
    session: Session,
    edition: Edition,
    listings: list[Listing],
    found_markers,
    vouchers: dict[int, tuple[str, ...]],
    named: set[int] | None = None,
) -> list[pd.PaperMember]:
    """Each paper member's insert: statement since the previous edition, own listings, vouchers;
    in postal-code order for mailing. ``named`` collects the numbers of every member an insert
    names (the reader, and the partners of their bookings)."""
    previous = previous_edition(session, edition)
    start_day = (
        (previous.cutoff + dt.timedelta(days=1)) if previous else edition.cutoff - dt.timedelta(days=30)
    )
    start = dt.datetime.combine(start_day, dt.time(), RING_ZONE)
    end = _end_of_day(edition.cutoff)
    members = paper_readers(session, edition.ring_id)
    own: dict[int, list[pd.Listing]] = {}
    for listing in listings:
        own.setdefault(listing.member_id, []).append(_print_listing(listing, found_markers[listing.id]))
    # The limits in force for each account (ring defaults or the member's own), None for no limit.
    balances = ledger.balances_of(
        session, ring_id=edition.ring_id, account_ids=[m.account_id for m in members]
    )
    inserts = []
    for member in sorted(members, key=lambda m: (m.postal_code or "99999", m.last_name, m.number)):
        # Partners as the member may see them (other members as they chose to be shown), in German.
        result = statement_of(session, member, full_names=False, start=start, end=end)
        if named is not None:
            named.add(member.number)
            partners = (p.account.member_number for line in result.lines for p in line.partners)
            named.update(number for number in partners if number)
        with german():
            lines = tuple(
                pd.StatementLine(
                    booking_date=line.booked_at.astimezone(RING_ZONE).date(),
                    text=line.memo if line.kind != "reversal" else f"Storno: {line.memo}",
                    minutes=line.amount,
                    balance_after=line.balance_after,
                    service_date=line.service_date,
                    partner=line.partner_text,
                )
                for line in result.lines
            )
        address = tuple(
            line
            for line in (
                member.full_name,
                member.street or "",
                " ".join(p for p in (member.postal_code, member.city) if p),
            )
            if line
        )
        balance = balances.get(member.account_id)
        limits = None if balance is None else pd.Limits(balance.min_balance, balance.max_balance)
        inserts.append(
            pd.PaperMember(
                member_number=str(member.number),
                name=member.full_name,
                address=address,
                large_print=member.large_print,
                statement=pd.Statement(
                    period_start=start_day,
                    period_end=edition.cutoff,
                    opening_balance=result.opening_balance,
                    closing_balance=result.closing_balance,
                    lines=lines,
                ),
                listings=tuple(own.get(member.id, ())),
                voucher_numbers=vouchers.get(member.id, ()),
                limits=limits,
            )
        )
    return inserts


# ---------------------------------------------------------------------------------------------
# Voucher numbers of an edition


def _edition_vouchers(
    session: Session, edition: Edition, members: list[Member], now: dt.datetime, user_id: int | None
) -> tuple[dict[int, tuple[str, ...]], tuple[str, ...]]:
    """The numbers of this edition: reused when it is generated again, so none are wasted."""
    ranges = session.scalars(select(VoucherRange).where(VoucherRange.edition_id == edition.id)).all()
    by_member = {r.member_id: r for r in ranges}
    result = {}
    for member in members:
        voucher_range = by_member.get(member.id) or issue_vouchers(
            session,
            ring_id=edition.ring_id,
            count=VOUCHERS_PER_PAPER_MEMBER,
            now=now,
            user_id=user_id,
            member_id=member.id,
            edition_id=edition.id,
            note=f"Beilage Ausgabe {month_label(edition)}",
        )
        result[member.id] = range_numbers(voucher_range)
    blank = by_member.get(None) or issue_vouchers(
        session,
        ring_id=edition.ring_id,
        count=BLANK_VOUCHERS,
        now=now,
        user_id=user_id,
        edition_id=edition.id,
        note=f"Blanko-Belege Ausgabe {month_label(edition)}",
    )
    return result, range_numbers(blank)


# ---------------------------------------------------------------------------------------------
# Generating


@dataclass
class Generated:
    files: dict[str, bytes]
    print_run: int
    large_print_run: int
    listings: int


def _pages(pdf: bytes) -> int:
    return pdf.count(b"/Type /Page\n") or pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages")


def _people_in_files(
    session: Session, edition: Edition, listings: list[Listing], insert_numbers: set[int]
) -> dict[str, set[int]]:
    """Whose data each file carries (member ids): the paper names listing owners, new members and
    the contact list; the inserts their readers and the partners of their bookings."""
    printable = {
        m.id
        for m in session.scalars(
            select(Member).where(
                Member.ring_id == edition.ring_id, Member.status == "active", Member.erased_at.is_(None)
            )
        )
        if _prints_anything(m)
    }
    paper = printable | {listing.member_id for listing in listings}
    inserts = set(
        session.scalars(
            select(Member.id).where(Member.ring_id == edition.ring_id, Member.number.in_(insert_numbers))
        )
    )
    return {
        "marktzeitung.pdf": paper,
        "grossdruck.pdf": paper,
        "kontaktliste.pdf": printable,
        "beilagen.pdf": inserts,
        "belege.pdf": set(),
    }


def generate_edition(
    session: Session,
    actor: Actor,
    edition: Edition,
    *,
    now: dt.datetime,
    progress: Callable[[str], None] | None = None,
) -> Generated:
    """Render every file of the edition and keep them with it (flushes; the caller commits)."""
    require_office(actor)
    user_id = actor.user_id
    step = progress or (lambda name: None)
    listings = _listings_at_cutoff(session, edition)
    found_markers = markers(session, edition, listings)
    paper = paper_readers(session, edition.ring_id)
    vouchers, blank = _edition_vouchers(session, edition, list(paper), now, user_id)
    data = edition_data(session, edition, listings, found_markers)
    in_inserts: set[int] = set()
    inserts = paper_members(session, edition, listings, found_markers, vouchers, named=in_inserts)
    files: dict[str, bytes] = {}
    renderers = (
        ("marktzeitung.pdf", lambda: render_newspaper(data)),
        ("grossdruck.pdf", lambda: render_large_print(data)),
        ("kontaktliste.pdf", lambda: render_contact_list(data)),
        ("beilagen.pdf", lambda: render_inserts(inserts, data.ring, data.info)),
        ("belege.pdf", lambda: render_blank_vouchers(blank, data.ring)),
    )
    for name, render in renderers:
        step(name)
        files[name] = render()
    old_files = select(EditionFile.id).where(EditionFile.edition_id == edition.id)
    session.execute(delete(EditionFileMember).where(EditionFileMember.file_id.in_(old_files)))
    session.execute(delete(EditionFile).where(EditionFile.edition_id == edition.id))
    session.execute(delete(EditionListing).where(EditionListing.edition_id == edition.id))
    people = _people_in_files(session, edition, listings, in_inserts)
    for name, content in files.items():
        archived = EditionFile(
            edition_id=edition.id,
            name=name,
            content=content,
            sha256=hashlib.sha256(content).hexdigest(),
            pages=_pages(content),
            created_at=now,
            members_recorded=True,
        )
        session.add(archived)
        session.flush()
        session.add_all(EditionFileMember(file_id=archived.id, member_id=m) for m in sorted(people[name]))
    for listing in listings:
        session.add(
            EditionListing(edition_id=edition.id, listing_id=listing.id, marker=found_markers[listing.id])
        )
    edition.status, edition.generated_at, edition.generated_by_id = "generated", now, user_id
    edition.print_run = len(paper)
    edition.large_print_run = sum(1 for m in paper if m.large_print)
    session.flush()
    _audit(
        session,
        actor,
        edition,
        now,
        "edition.generate",
        f"Ausgabe {month_label(edition)} erzeugt",
        after={
            "listings": len(listings),
            "print_run": edition.print_run,
            "large_print_run": edition.large_print_run,
        },
    )
    events.record(session, events.EditionGenerated(ring_id=edition.ring_id, edition_id=edition.id, at=now))
    return Generated(
        files=files,
        print_run=edition.print_run,
        large_print_run=edition.large_print_run,
        listings=len(listings),
    )
