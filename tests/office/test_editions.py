"""Editions of the Marktzeitung from the database: what goes in, the markers, privacy end to end,
the inserts (order, statements, vouchers), the archive and the command line.

Every test builds its data with the application's own operations (create_listing, set_consents,
ledger.book_transfer, ...) at frozen dates, generates editions as the office does and reads the
PDFs back with pypdf. Two consecutive editions are used throughout:

    edition A (06/2026): cut-off Wed 20.05.2026, next cut-off 20.06.2026, generated 25.05.
    edition B (07/2026): cut-off Sat 20.06.2026, next cut-off 20.07.2026, generated 25.06.

Listings run for the ring's three months from the day they are created.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from types import SimpleNamespace

from freezegun import freeze_time
from sqlalchemy import func, select

import ledger
from tauschring.clock import RING_ZONE
from tauschring.db import db
from tauschring.editions import create_edition, generate_edition
from tauschring.listings import create_listing, edit_listing, withdraw_listing
from tauschring.members import admit_member, leave_member, set_consents, suspend_member
from tauschring.models import (
    Category,
    Edition,
    EditionEvent,
    EditionFile,
    EditionListing,
    EditionNews,
    Listing,
    Member,
    User,
    VoucherRange,
)
from tauschring.permissions import Actor
from tauschring.rings import next_number
from tauschring.vouchers import add_line, check_batch, in_ranges, issued_ranges, open_batch
from tests.print.pdfcheck import (
    all_text,
    flat,
    font_report,
    image_count,
    metadata_text,
    page_texts,
    placed_texts,
    reader,
)

FILES = ("marktzeitung.pdf", "grossdruck.pdf", "kontaktliste.pdf", "beilagen.pdf", "belege.pdf")
PAPERS = ("marktzeitung.pdf", "grossdruck.pdf", "kontaktliste.pdf")
OFFICE_LINE = "Kontakt über das Büro, Tel. 0341 111 222"


def at(month: int, day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    """A moment of 2026 on the ring's clock (Europe/Berlin)."""
    return dt.datetime(2026, month, day, hour, minute, tzinfo=RING_ZONE)


A = SimpleNamespace(
    year=2026,
    month=6,
    cutoff=dt.date(2026, 5, 20),
    next_cutoff=dt.date(2026, 6, 20),
    now=at(5, 25),
    label="06/2026",
)
B = SimpleNamespace(
    year=2026,
    month=7,
    cutoff=dt.date(2026, 6, 20),
    next_cutoff=dt.date(2026, 7, 20),
    now=at(6, 25),
    label="07/2026",
)


# ---------------------------------------------------------------------------------------------
# Building the data with the application's operations


def member(session, who) -> Member:
    return session.get(Member, who.id)


def clerk(session, ring) -> Actor:
    """The office login of the test ring, acting."""
    return Actor.of(session.get(User, ring.users["buero"]))


def category_id(session, ring_id: int, name: str = "Garten") -> int:
    return session.scalar(select(Category.id).where(Category.ring_id == ring_id, Category.name == name))


def add_listing(app, who, title: str, when: dt.datetime, *, kind: str = "offer", **details) -> int:
    """A listing created by the member at ``when`` (it runs three months from that day)."""
    details.setdefault("text", f"Näheres zu {title}.")
    with freeze_time(when), app.app_context():
        session = db.session
        owner = member(session, who)
        listing = create_listing(
            session,
            Actor.system(owner.ring_id),
            member=owner,
            kind=kind,
            category_id=category_id(session, owner.ring_id),
            title=title,
            now=when,
            **details,
        )
        session.commit()
        return listing.id


def edit(app, listing_id: int, when: dt.datetime, **changes) -> None:
    with freeze_time(when), app.app_context():
        listing = db.session.get(Listing, listing_id)
        assert edit_listing(db.session, Actor.system(listing.ring_id), listing, now=when, **changes)
        db.session.commit()


def withdraw(app, listing_id: int, when: dt.datetime) -> None:
    with freeze_time(when), app.app_context():
        listing = db.session.get(Listing, listing_id)
        withdraw_listing(db.session, Actor.system(listing.ring_id), listing, now=when)
        db.session.commit()


def consent(app, who, field: str, when: dt.datetime, *, granted: bool = True, channel: str = "print") -> None:
    with freeze_time(when), app.app_context():
        session = db.session
        found = member(session, who)
        assert set_consents(
            session,
            Actor.system(found.ring_id),
            found,
            {(field, channel): granted},
            source="paper_form",
            changed_on=when.date(),
            now=when,
        )
        session.commit()


def admit(app, ring, first: str, last: str, when: dt.datetime, **details) -> SimpleNamespace:
    with freeze_time(when), app.app_context():
        session = db.session
        made = admit_member(
            session, Actor.system(ring.id), first_name=first, last_name=last, now=when, **details
        )
        session.commit()
        return SimpleNamespace(id=made.id, number=made.number, account=made.account_id)


def update_member(app, who, **values) -> None:
    with app.app_context():
        found = member(db.session, who)
        for name, value in values.items():
            setattr(found, name, value)
        db.session.commit()


def book(app, ring, payer, payee, minutes: int, memo: str, when: dt.datetime) -> None:
    with freeze_time(when), app.app_context():
        ledger.book_transfer(
            db.session,
            ring_id=ring.id,
            payer=payer.account,
            payee=payee.account,
            minutes=minutes,
            memo=memo,
            service_date=when.date(),
            now=when,
        )
        db.session.commit()


def make_edition(app, ring, edition: SimpleNamespace, *, news=(), events=()) -> int:
    with freeze_time(edition.now), app.app_context():
        session = db.session
        made = create_edition(
            session,
            clerk(session, ring),
            year=edition.year,
            month=edition.month,
            cutoff=edition.cutoff,
            next_cutoff=edition.next_cutoff,
            now=edition.now,
        )
        for position, (title, text) in enumerate(news, start=1):
            made.news.append(EditionNews(position=position, title=title, text=text))
        for day, title, text in events:
            made.events.append(
                EditionEvent(date=day, time="19:00", title=title, place="Bürgerhaus", text=text)
            )
        session.commit()
        return made.id


def generate(app, ring, edition_id: int, now: dt.datetime) -> SimpleNamespace:
    """Generate an edition as the office does (one unit of work, committed); the files by name."""
    with freeze_time(now), app.app_context():
        session = db.session
        done = generate_edition(session, clerk(session, ring), session.get(Edition, edition_id), now=now)
        session.commit()
        return SimpleNamespace(
            files=done.files,
            print_run=done.print_run,
            large_print_run=done.large_print_run,
            listings=done.listings,
        )


def publish(app, ring, edition: SimpleNamespace, **content) -> SimpleNamespace:
    edition_id = make_edition(app, ring, edition, **content)
    done = generate(app, ring, edition_id, edition.now)
    done.id = edition_id
    return done


# ---------------------------------------------------------------------------------------------
# Reading the PDFs


def squeezed(pdf: bytes) -> str:
    """All page text with whitespace folded to single spaces."""
    return " ".join(all_text(pdf).split())


def marker_of(pdf: bytes, number: str, title: str) -> str | None:
    """The marker printed between a listing's number and its title (None: no marker)."""
    found = re.findall(
        rf"{re.escape(number)} (?:(NEU|GEÄNDERT|LETZTMALIG) )?{re.escape(title)}", squeezed(pdf)
    )
    assert found, f"{number} {title} is not in the paper"
    assert len(set(found)) == 1, found
    return found[0] or None


def public_numbers(app) -> dict[str, str]:
    """Every listing's public number (A-0001, G-0001) by its current title."""
    with app.app_context():
        return {listing.title: listing.public_number for listing in db.session.scalars(select(Listing))}


def stored_markers(app, edition_id: int) -> dict[str, str | None]:
    with app.app_context():
        rows = db.session.execute(
            select(Listing.title, EditionListing.marker)
            .join(Listing, Listing.id == EditionListing.listing_id)
            .where(EditionListing.edition_id == edition_id)
        )
        return dict(rows.all())


FOOTER = re.compile(r"Beilage zur Marktzeitung \d\d/\d{4} · Mitglied (\S+)")


def insert_pages(pdf: bytes) -> dict[str, list[int]]:
    """The page indexes of each member's insert, by member number, in the order of the file.

    The number is read from the running footer; voucher pages carry none and belong to the
    insert before them."""
    by_member: dict[str, list[int]] = {}
    last = None
    for index, text in enumerate(page_texts(pdf)):
        numbers = set(FOOTER.findall(text))
        assert len(numbers) <= 1, numbers
        if numbers:
            last = numbers.pop()
        assert last is not None, "the file starts with a page of no insert"
        by_member.setdefault(last, []).append(index)
    return by_member


def insert_texts(pdf: bytes) -> dict[str, str]:
    texts = page_texts(pdf)
    return {number: "\n".join(texts[i] for i in pages) for number, pages in insert_pages(pdf).items()}


VOUCHER = re.compile(r"^(\d+)\n\1\nBeleg-Nr\.$", re.M)


def voucher_numbers(pdf: bytes, pages: list[int] | None = None) -> list[str]:
    """The numbers printed on the vouchers (stub, then slip, then the slip's label), in page order."""
    texts = page_texts(pdf)
    indexes = range(len(texts)) if pages is None else pages
    return [number for index in indexes for number in VOUCHER.findall(texts[index])]


def section(pdf: bytes, heading: str, next_heading: str) -> str:
    """The text of a section of the paper (after the title page), up to the next section."""
    text = " " + " ".join("\n".join(page_texts(pdf)[1:]).split()) + " "
    start = text.index(f" {heading} ")
    return text[start : text.index(f" {next_heading} ", start + 1)]


# ---------------------------------------------------------------------------------------------
# What goes into an edition


def test_listings_live_at_the_cutoff_with_the_print_flag_go_in_and_nothing_else(app, ring):
    live = add_listing(app, ring.anna, "Rasen mähen", at(5, 2))
    add_listing(app, ring.anna, "Hund ausführen", at(5, 3), kind="request")
    add_listing(app, ring.anna, "Last-minute am Stichtag", at(5, 20, 23, 30))  # 21:30 UTC, still the 20th
    add_listing(app, ring.anna, "Läuft am Stichtag aus", at(2, 20))  # expires on the cut-off day
    gone = add_listing(app, ring.anna, "Vorher zurückgezogen", at(5, 2))
    withdraw(app, gone, at(5, 19))
    late_withdrawal = add_listing(app, ring.anna, "Nachher zurückgezogen", at(5, 2))
    withdraw(app, late_withdrawal, at(5, 21, 8))  # live at the cut-off: printed
    add_listing(app, ring.anna, "Abgelaufen", at(2, 10))  # expired 10.05.
    add_listing(app, ring.anna, "Nur online", at(5, 2), print_in_paper=False)
    add_listing(app, ring.bernd, "Von Bernd (gesperrt)", at(5, 2))
    add_listing(app, ring.dora, "Von Dora (ausgetreten)", at(5, 2))
    add_listing(app, ring.anna, "Nach dem Stichtag", at(5, 21, 0, 30))  # 22:30 UTC on the 20th: too late
    add_listing(app, ring.xaver, "Aus dem Nachbarring", at(5, 2))
    with freeze_time(at(5, 22)), app.app_context():
        session = db.session
        system = Actor.system(ring.id)
        suspend_member(session, system, member(session, ring.bernd), now=at(5, 22))
        leave_member(session, system, member(session, ring.dora), now=at(5, 22))
        session.commit()

    done = publish(app, ring, A)

    printed_in = {
        "Rasen mähen",
        "Hund ausführen",
        "Last-minute am Stichtag",
        "Läuft am Stichtag aus",
        "Nachher zurückgezogen",
    }
    left_out = {
        "Vorher zurückgezogen",
        "Abgelaufen",
        "Nur online",
        "Von Bernd (gesperrt)",
        "Von Dora (ausgetreten)",
        "Nach dem Stichtag",
        "Aus dem Nachbarring",
    }
    assert set(stored_markers(app, done.id)) == printed_in
    assert done.listings == len(printed_in)
    for name in ("marktzeitung.pdf", "grossdruck.pdf"):
        text = squeezed(done.files[name])
        for title in printed_in:
            assert title in text, (name, title)
        for title in left_out:
            assert title not in text, (name, title)
    offers = section(done.files["marktzeitung.pdf"], "Angebote", "Gesuche")
    with app.app_context():
        number = db.session.get(Listing, live).public_number
    assert f"{number} NEU Rasen mähen" in offers and "Hund ausführen" not in offers


def test_markers_come_from_the_previous_edition(app, ring):
    unchanged = "Fenster putzen"
    edited = "Regal aufbauen"
    edited_before = "Kuchen backen"
    edited_late = "Briefe schreiben"
    last_time = "Vorlesen"
    boundary = "Blumen gießen"
    expiring_now = "Socken stopfen"
    add_listing(app, ring.anna, unchanged, at(4, 25))
    edited_id = add_listing(app, ring.anna, edited, at(4, 25))
    before_id = add_listing(app, ring.anna, edited_before, at(4, 25))
    late_id = add_listing(app, ring.anna, edited_late, at(4, 25))
    add_listing(app, ring.anna, last_time, at(4, 10))  # expires 10.07., before B's next cut-off
    add_listing(app, ring.anna, boundary, at(3, 20))  # expires 20.06. = A's next cut-off = B's cut-off
    add_listing(app, ring.anna, expiring_now, at(3, 15))  # expires 15.06., before A's next cut-off
    edit(app, before_id, at(5, 10), text="Vor dem Redaktionsschluss geändert.")
    edit(app, late_id, at(5, 22), text="Nach dem Redaktionsschluss, vor dem Druck geändert.")

    first = publish(app, ring, A)

    paper = first.files["marktzeitung.pdf"]
    expected_a = {
        unchanged: "NEU",
        edited: "NEU",
        edited_before: "NEU",
        edited_late: "NEU",
        last_time: "NEU",
        boundary: "NEU",  # still printed in the next edition: not its last time
        expiring_now: "LETZTMALIG",  # its last edition weighs more than its first
    }
    assert stored_markers(app, first.id) == expected_a
    public = public_numbers(app)
    for title, marker in expected_a.items():
        assert marker_of(paper, public[title], title) == marker
    assert "Nach dem Redaktionsschluss, vor dem Druck geändert." in squeezed(paper)  # as at printing

    edit(app, edited_id, at(6, 1), title=f"{edited} und Schrank")
    newcomer = "Einkaufen"
    add_listing(app, ring.anna, newcomer, at(6, 5))
    second = publish(app, ring, B)

    expected_b = {
        unchanged: None,
        f"{edited} und Schrank": "GEÄNDERT",
        edited_before: None,  # edited before the previous cut-off: already printed so
        edited_late: "GEÄNDERT",  # edited after the previous cut-off
        last_time: "LETZTMALIG",
        boundary: "LETZTMALIG",
        newcomer: "NEU",
    }
    assert stored_markers(app, second.id) == expected_b
    public = public_numbers(app)
    for name in ("marktzeitung.pdf", "grossdruck.pdf"):
        for title, marker in expected_b.items():
            assert marker_of(second.files[name], public[title], title) == marker, (name, title)
    assert expiring_now not in squeezed(second.files["marktzeitung.pdf"])
    # the paper lists new listings first within their Rubrik
    text = squeezed(second.files["marktzeitung.pdf"])
    assert text.index(newcomer) < text.index(unchanged)


# ---------------------------------------------------------------------------------------------
# Privacy, end to end

SECRET_PHONE = "0176 4455 6677"  # Frieda's: never consented
BERND_PHONE = "0341 100 002"  # Bernd's: consented for online display only
ANNA_PHONE = "0341 100 001"  # Anna's: consented for print (fixture)
DORA_PHONE = "0341 999 999"  # Dora's: consented, then withdrawn before edition B


def privacy_ring(app, ring) -> SimpleNamespace:
    """Frieda and Clara get the paper; Frieda, Bernd and Clara never consented to print anything
    (Bernd shows his phone online); Dora consents to print her phone (withdrawn before edition B
    in one test)."""
    frieda = admit(
        app,
        ring,
        "Frieda",
        "Geheim",
        at(1, 10),
        phone=SECRET_PHONE,
        email="frieda@example.org",
        street="Stille Gasse 7",
        postal_code="04109",
        city="Leipzig",
        paper_member=True,
    )
    consent(app, ring.dora, "phone", at(5, 1))
    consent(app, ring.bernd, "phone", at(5, 1), channel="online")  # online is not print
    for who, title in (
        (ring.anna, "Gitarrenunterricht"),
        (ring.bernd, "Fahrrad reparieren"),
        (ring.clara, "Hemden bügeln"),
        (ring.dora, "Computer einrichten"),
        (frieda, "Umzugshilfe"),
    ):
        add_listing(app, who, title, at(5, 2))
    # partners in each other's statements
    book(app, ring, ring.clara, frieda, 60, "Umzugshilfe", at(5, 5))
    book(app, ring, frieda, ring.bernd, 30, "Fahrrad reparieren", at(5, 6))
    book(app, ring, ring.anna, ring.clara, 45, "Hemden bügeln", at(5, 7))
    return SimpleNamespace(frieda=frieda)


def test_phone_numbers_without_print_consent_appear_nowhere_and_consented_ones_do(app, ring):
    people = privacy_ring(app, ring)
    done = publish(app, ring, A)

    for name in PAPERS:
        pdf = done.files[name]
        text, meta = flat(all_text(pdf)), metadata_text(pdf)
        for secret in (SECRET_PHONE, BERND_PHONE, "0341 100 003", "frieda@example.org", "Stille Gasse"):
            assert flat(secret) not in text, (name, secret)
            assert secret not in meta and flat(secret) not in flat(meta), (name, secret)
        assert flat(ANNA_PHONE) in text, name  # consented for print
        assert flat(DORA_PHONE) in text, name
        assert "anna@example.org" not in all_text(pdf)  # consented online only
    # in the paper, with the listing; in the contact list, with the name
    paper = squeezed(done.files["marktzeitung.pdf"])
    assert re.search(r"Gitarrenunterricht .{0,80}Kontakt: Anna Becker · Tel\. 0341 100 001", paper)
    contacts = squeezed(done.files["kontaktliste.pdf"])
    assert "Anna Becker (Nr. 1, Plagwitz) Tel. 0341 100 001" in contacts
    assert "Bernd" not in contacts and "Frieda" not in contacts and "Clara" not in contacts

    inserts = insert_texts(done.files["beilagen.pdf"])
    assert set(inserts) == {str(ring.clara.number), str(people.frieda.number)}
    for number, text in inserts.items():
        assert flat(BERND_PHONE) not in flat(text)
        if number != str(people.frieda.number):
            assert flat(SECRET_PHONE) not in flat(text) and "Stille Gasse" not in text
        if number != str(ring.clara.number):
            assert flat("0341 100 003") not in flat(text) and "Lützner" not in text
    assert "Stille Gasse 7" in inserts[str(people.frieda.number)]  # her own address, in the window
    beilagen_meta = metadata_text(done.files["beilagen.pdf"])
    for secret in (SECRET_PHONE, BERND_PHONE, "0341 100 003", "Frieda", "Clara", "Geheim", "Wagner"):
        assert secret not in beilagen_meta


def test_listings_without_any_print_consent_say_contact_via_the_office(app, ring):
    privacy_ring(app, ring)
    done = publish(app, ring, A)
    for name in ("marktzeitung.pdf", "grossdruck.pdf"):
        paper = squeezed(done.files[name])
        for title in ("Fahrrad reparieren", "Hemden bügeln", "Umzugshilfe"):
            match = re.search(
                rf"{title} Näheres zu {title}\. (.*?) (?:[AG]-\d{{4}}|Testring Lindenau ·)", paper
            )
            assert match, (name, title)
            assert match.group(1) == OFFICE_LINE, (name, title, match.group(1))
        assert re.search(
            r"Computer einrichten Näheres zu Computer einrichten\. Kontakt: Dora N\. · Tel\. 0341 999 999",
            paper,
        )
    # the paper member's own listing in her insert reads the same way
    inserts = " ".join(all_text(done.files["beilagen.pdf"]).split())
    assert f"Hemden bügeln Näheres zu Hemden bügeln. {OFFICE_LINE}" in inserts


def test_a_print_consent_withdrawn_before_generating_is_honoured(app, ring):
    privacy_ring(app, ring)
    first = publish(app, ring, A)
    assert flat(DORA_PHONE) in flat(all_text(first.files["marktzeitung.pdf"]))

    consent(app, ring.dora, "phone", at(6, 24), granted=False)  # after B's cut-off, before printing
    second = publish(app, ring, B)
    for name in PAPERS:
        assert flat(DORA_PHONE) not in flat(all_text(second.files[name])), name
        assert "Dora" not in all_text(second.files["kontaktliste.pdf"])
    assert f"Computer einrichten Näheres zu Computer einrichten. {OFFICE_LINE}" in squeezed(
        second.files["marktzeitung.pdf"]
    )
    # the archive keeps what was printed then
    with app.app_context():
        kept = db.session.scalar(
            select(EditionFile.content).where(
                EditionFile.edition_id == first.id, EditionFile.name == "marktzeitung.pdf"
            )
        )
    assert kept == first.files["marktzeitung.pdf"]


def test_new_members_are_welcomed_only_with_a_print_consent(app, ring):
    emil = admit(app, ring, "Emil", "Neumeier", at(5, 5), phone="0341 555 0101", district="Gohlis")
    admit(app, ring, "Greta", "Stillschweig", at(5, 6), phone="0341 555 0202", district="Gohlis")
    olga = admit(app, ring, "Olga", "Altmann", at(3, 1), phone="0341 555 0303")  # joined long before
    consent(app, emil, "phone", at(5, 5))
    consent(app, olga, "phone", at(5, 5))
    first = publish(app, ring, A)

    paper = first.files["marktzeitung.pdf"]
    welcome = section(paper, "Neue Mitglieder", "Angebote")
    assert "Emil N." in welcome and "Gohlis" in welcome
    assert "Olga" not in welcome
    for name in FILES:
        assert "Greta" not in all_text(first.files[name]) and "Stillschweig" not in all_text(
            first.files[name]
        )

    hans = admit(app, ring, "Hans", "Später", at(6, 2), phone="0341 555 0404", name_display="full")
    admit(app, ring, "Ida", "Ohnezusage", at(6, 3))
    consent(app, hans, "email", at(6, 2))  # consent to print a field the member has not given
    consent(app, hans, "phone", at(6, 3))
    second = publish(app, ring, B)
    welcome = section(second.files["marktzeitung.pdf"], "Neue Mitglieder", "Angebote")
    assert "Hans Später" in welcome
    assert "Emil" not in welcome and "Ida" not in welcome


# ---------------------------------------------------------------------------------------------
# The inserts: print run, mailing order, statements


def test_print_run_counts_active_paper_members_and_inserts_come_in_postal_code_order(app, ring):
    erich = admit(
        app, ring, "Erich", "Groß", at(2, 1), paper_member=True, large_print=True, postal_code="04229"
    )
    frieda = admit(app, ring, "Frieda", "Früh", at(2, 1), paper_member=True, postal_code="01067")
    gustav = admit(app, ring, "Gustav", "Ohneort", at(2, 1), paper_member=True)  # no postal code: last
    hanna = admit(app, ring, "Hanna", "Gesperrt", at(2, 1), paper_member=True, postal_code="01001")
    ines = admit(app, ring, "Ines", "Weg", at(2, 1), paper_member=True, large_print=True, postal_code="01002")
    with freeze_time(at(5, 10)), app.app_context():
        session = db.session
        system = Actor.system(ring.id)
        suspend_member(session, system, member(session, hanna), now=at(5, 10))
        leave_member(session, system, member(session, ines), now=at(5, 10))
        session.commit()

    done = publish(app, ring, A)

    assert (done.print_run, done.large_print_run) == (4, 1)  # Frieda, Clara, Erich (large), Gustav
    with app.app_context():
        stored = db.session.get(Edition, done.id)
        assert (stored.print_run, stored.large_print_run, stored.status) == (4, 1, "generated")
    order = list(insert_pages(done.files["beilagen.pdf"]))
    assert order == [str(m.number) for m in (frieda, ring.clara, erich, gustav)]
    texts = insert_texts(done.files["beilagen.pdf"])
    assert "Erich Groß" in texts[str(erich.number)] and "04229 Leipzig" not in texts[str(erich.number)]
    assert "Hanna" not in all_text(done.files["beilagen.pdf"]) and "Ines" not in all_text(
        done.files["beilagen.pdf"]
    )
    # Erich's insert is set in large print, the others are not
    pages = insert_pages(done.files["beilagen.pdf"])

    def heading_size(who) -> float:
        first_page = placed_texts(done.files["beilagen.pdf"], pages[str(who.number)][0])
        return next(piece.size for piece in first_page if piece.text == "Ihr Kontoauszug")

    assert heading_size(erich) > heading_size(ring.clara) == heading_size(frieda)


def test_each_statement_covers_the_time_since_the_previous_cutoff(app, ring):
    clara = ring.clara
    book(app, ring, clara, ring.anna, 90, "Fenster putzen", at(5, 10))
    book(app, ring, ring.anna, clara, 30, "Kuchen backen", at(5, 20, 23, 30))  # still the cut-off day
    book(app, ring, clara, ring.bernd, 45, "Fahrrad reparieren", at(5, 21, 0, 30))  # 22:30 UTC on the 20th
    first = publish(app, ring, A)
    book(app, ring, ring.bernd, clara, 120, "Einkaufen", at(6, 10))
    book(app, ring, clara, ring.anna, 15, "Blumen gießen", at(6, 21, 9))  # after B's cut-off
    second = publish(app, ring, B)

    def expected(start: dt.datetime, end: dt.datetime):
        with app.app_context():
            return ledger.statement(
                db.session, ring_id=ring.id, account_id=clara.account, start=start, end=end
            )

    period_a = expected(at(4, 20, 0, 0), at(5, 21, 0, 0))  # the first edition looks back 30 days
    period_b = expected(at(5, 21, 0, 0), at(6, 21, 0, 0))
    assert (period_a.opening_balance, period_a.closing_balance) == (0, -60)
    assert (period_b.opening_balance, period_b.closing_balance) == (-60, 15)
    assert [line.memo for line in period_a.lines] == ["Fenster putzen", "Kuchen backen"]
    assert [line.memo for line in period_b.lines] == ["Fahrrad reparieren", "Einkaufen"]

    text_a = " ".join(insert_texts(first.files["beilagen.pdf"])[str(clara.number)].split())
    assert "Zeitraum 20.04.2026 bis 20.05.2026" in text_a
    assert "Kontostand am 19.04.2026 0:00" in text_a and "Kontostand am 20.05.2026 -1:00" in text_a
    assert "Fenster putzen" in text_a and "Kuchen backen" in text_a and "Fahrrad reparieren" not in text_a
    assert "Ihr Kontostand am 20.05.2026: 1:00 Stunde im Minus" in text_a

    text_b = " ".join(insert_texts(second.files["beilagen.pdf"])[str(clara.number)].split())
    assert "Zeitraum 21.05.2026 bis 20.06.2026" in text_b
    assert "Kontostand am 20.05.2026 -1:00" in text_b and "Kontostand am 20.06.2026 0:15" in text_b
    for memo in ("Fenster putzen", "Kuchen backen", "Blumen gießen"):
        assert memo not in text_b
    # Partners as the paper member may see them: Bernd chose his first name and initial.
    assert re.search(r"21\.05\.26 21\.05\.26 Fahrrad reparieren Bernd S\. \(2\) 0:45 -1:45", text_b), text_b
    assert re.search(r"10\.06\.26 10\.06\.26 Einkaufen Bernd S\. \(2\) 2:00 0:15", text_b), text_b
    assert "Ihr Kontostand am 20.06.2026: 0:15 Stunden Guthaben" in text_b
    with app.app_context():  # the statement is at the cut-off, not today's balance
        assert ledger.balance_of(db.session, ring_id=ring.id, account_id=clara.account).balance == 0


# ---------------------------------------------------------------------------------------------
# Pre-numbered vouchers


def test_vouchers_are_registered_reused_on_regeneration_and_checked_at_entry(app, ring):
    frieda = admit(app, ring, "Frieda", "Früh", at(2, 1), paper_member=True, postal_code="01067")
    with app.app_context():  # the ring's paper stock so far ended at 41000
        next_number(db.session, ring.id, "voucher", 41000)
        db.session.commit()
    add_listing(app, ring.clara, "Hemden bügeln", at(5, 2))
    done = publish(app, ring, A)

    with app.app_context():
        ranges = db.session.scalars(select(VoucherRange).where(VoucherRange.edition_id == done.id)).all()
        by_member = {r.member_id: [str(n) for n in range(r.first, r.last + 1)] for r in ranges}
        range_count = db.session.scalar(select(func.count()).select_from(VoucherRange))
    assert set(by_member) == {ring.clara.id, frieda.id, None}
    assert len(ranges) == 3 and range_count == 3
    assert all(int(n) > 41000 for numbers in by_member.values() for n in numbers)
    pdf = done.files["beilagen.pdf"]
    pages = insert_pages(pdf)
    for who in (ring.clara, frieda):
        assert voucher_numbers(pdf, pages[str(who.number)]) == by_member[who.id]
        assert len(by_member[who.id]) == 3
    assert voucher_numbers(done.files["belege.pdf"]) == by_member[None]  # blank: the office's
    assert len(by_member[None]) == 30
    every = [n for numbers in by_member.values() for n in numbers]
    assert len(set(every)) == len(every)

    again = generate(app, ring, done.id, A.now + dt.timedelta(hours=3))
    for name in FILES:
        assert again.files[name] == done.files[name], name
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(VoucherRange)) == range_count
        assert db.session.scalar(select(func.count()).select_from(EditionFile)) == len(FILES)

    issued = by_member[ring.clara.id][1]
    with freeze_time(at(6, 2)), app.test_request_context():
        session = db.session
        office = clerk(session, ring)
        batch = open_batch(session, office, now=at(6, 2), title="Juni")
        for number in (issued, "99999", by_member[None][0]):
            add_line(
                session,
                office,
                batch,
                now=at(6, 2),
                voucher_number=number,
                service_date="01.06.2026",
                payer_number=str(ring.clara.number),
                payee_number=str(ring.anna.number),
                amount="0:30",
                memo="Hilfe",
            )
        checks = check_batch(session, batch, today=dt.date(2026, 6, 2)).lines
        assert [" ".join(c.warnings) for c in checks] == [
            "",
            "Beleg-Nr. 99999 wurde nie ausgegeben – bitte den Beleg prüfen.",
            "",
        ]
        ranges = issued_ranges(session, ring.id)
        assert in_ranges(issued, ranges) is True and in_ranges("99999", ranges) is False
        assert issued_ranges(session, ring.other_id) is None  # the other ring issues none
        session.rollback()


# ---------------------------------------------------------------------------------------------
# The command line and the archive


def test_print_edition_writes_five_valid_pdfs_with_embedded_fonts_and_archives_them(app, ring, tmp_path):
    add_listing(app, ring.anna, "Gitarrenunterricht", at(11, 2))
    add_listing(app, ring.clara, "Hemden bügeln", at(11, 3), kind="request")
    out = tmp_path / "ausgabe"
    with freeze_time(at(11, 30, 18)):
        result = app.test_cli_runner().invoke(
            args=["print", "edition", "--month", "2026-12", "--out", str(out), "--ring", str(ring.id)]
        )
    assert result.exit_code == 0, result.output
    assert "Ausgabe 1 (2026-12): 2 Inserate; Druckauflage 1 (davon 0 in Großdruck)." in result.output
    assert sorted(path.name for path in out.iterdir()) == sorted(FILES)
    # Every paper member's address is in them: the office's eyes only (0600, folder 0700).
    assert out.stat().st_mode & 0o777 == 0o700
    assert all(path.stat().st_mode & 0o777 == 0o600 for path in out.iterdir())

    with app.app_context():
        edition = db.session.scalar(select(Edition).where(Edition.ring_id == ring.id))
        assert (edition.year, edition.month, edition.cutoff) == (2026, 12, dt.date(2026, 11, 30))
        kept = {
            f.name: f
            for f in db.session.scalars(select(EditionFile).where(EditionFile.edition_id == edition.id))
        }
        assert set(kept) == set(FILES)
        for name in FILES:
            content = (out / name).read_bytes()
            assert content.startswith(b"%PDF-") and content.rstrip().endswith(b"%%EOF"), name
            pages = len(reader(content).pages)
            assert pages >= 1
            assert kept[name].content == content
            assert kept[name].sha256 == hashlib.sha256(content).hexdigest()
            assert kept[name].pages == pages, (name, kept[name].pages, pages)
            seen, problems = font_report(content)
            assert problems == [], (name, problems)
            assert seen and all("DejaVuSans" in font for font in seen), (name, seen)
            assert b"/Helvetica" not in content and b"/Times" not in content and b"/Courier" not in content
    assert "Gitarrenunterricht" in all_text((out / "marktzeitung.pdf").read_bytes())


def test_print_edition_needs_a_ring_when_there_are_several(app, ring, tmp_path):
    with freeze_time(at(11, 30, 18)):
        result = app.test_cli_runner().invoke(
            args=["print", "edition", "--month", "2026-12", "--out", str(tmp_path)]
        )
    assert result.exit_code != 0
    assert "--ring" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Edition)) == 0


# ---------------------------------------------------------------------------------------------
# Member text is data, never markup

HOSTILE = {
    "title": "<b>fett</b> & Co",
    "text": 'Bild: <img src="/etc/passwd"> und <font color="red">offen & ehrlich 🙂',
    "availability": "<i>abends",
    "price_hint": "1 Std. &amp; Tee",
    "district": "Nord & <u>Süd</u>",
}
LONG_WORD = "Donaudampfschifffahrt" * 10  # 210 characters


def test_member_text_that_looks_like_markup_prints_literally(app, ring):
    zora = admit(
        app,
        ring,
        "<b>Zora</b>",
        "Böse & <Co>",
        at(2, 1),
        phone="0341 & 777",
        street='<img src="/etc/passwd">',
        postal_code="04109",
        city="Leipzig & Umland",
        paper_member=True,
        name_display="full",
    )
    consent(app, zora, "phone", at(2, 1))
    consent(app, zora, "address", at(2, 1))
    add_listing(app, zora, HOSTILE["title"], at(5, 2), **{k: v for k, v in HOSTILE.items() if k != "title"})
    add_listing(app, ring.anna, "Langes Wort", at(5, 2), text=LONG_WORD)
    book(app, ring, ring.anna, zora, 30, "<b>Danke</b> & tschüss", at(5, 5))
    done = publish(
        app,
        ring,
        A,
        news=[("Neues & <b>Wichtiges</b>", 'Text mit <img src="/etc/passwd"> & mehr.')],
        events=[(dt.date(2026, 6, 3), "<i>Treffen</i> & Tausch", "Bitte <b>pünktlich</b>.")],
    )

    paper = flat(all_text(done.files["marktzeitung.pdf"]))
    for literal in (
        "<b>fett</b> & Co",
        'Bild: <img src="/etc/passwd"> und <font color="red">offen & ehrlich',
        "<i>abends",
        "1 Std. &amp; Tee",
        "Nord & <u>Süd</u>",
        "<b>Zora</b> Böse & <Co>",
        "0341 & 777",
        "Neues & <b>Wichtiges</b>",
        'Text mit <img src="/etc/passwd"> & mehr.',
        "<i>Treffen</i> & Tausch",
        LONG_WORD,
    ):
        assert flat(literal) in paper, literal
    assert flat("<b>Zora</b> Böse & <Co>") in flat(all_text(done.files["kontaktliste.pdf"]))
    insert = flat(all_text(done.files["beilagen.pdf"]))
    for literal in (
        "<b>Zora</b> Böse & <Co>",
        '<img src="/etc/passwd">',
        "Leipzig & Umland",
        "<b>Danke</b> & tschüss",
    ):
        assert flat(literal) in insert, literal
    for name in FILES:
        assert image_count(done.files[name]) == 0, name  # no file was read as an image
        assert b"root:" not in done.files[name]
