"""A test ring with something on every page: a listing, a payment and its storno, a request
waiting, a voucher batch with a line, consents given in the office, limits of a member's own, an
edition. Pages show what they are for, so a check over every page sees every kind of text."""

from __future__ import annotations

import datetime as dt

from tauschring import corrections, editions, imports, listings, members, payments, rings, vouchers
from tauschring.db import db
from tauschring.models import Member, User
from tauschring.permissions import Actor


def fill_ring(app, ring) -> dict:
    """Book the content through the use cases (as people would); returns the ids the pages need."""
    with app.app_context():
        s = db.session
        now = dt.datetime.now(dt.UTC)
        user = lambda name: Actor.of(s.get(User, ring.users[name]))  # noqa: E731
        anna, bernd = s.get(Member, ring.anna.id), s.get(Member, ring.bernd.id)
        category = rings.categories_of(s, ring.id)[1]
        listing = listings.create_listing(
            s,
            user("anna"),
            member=anna,
            kind="offer",
            category_id=category.id,
            title="Rasen mähen",
            text="Mit eigenem Mäher.\nAuch Hecken.",
            now=now,
        )
        entry = payments.pay(
            s,
            user("anna"),
            payer=anna,
            payee=bernd,
            minutes=90,
            memo="Hecke",
            service_date=now.date(),
            now=now,
        )
        mistake = payments.pay(
            s,
            user("anna"),
            payer=anna,
            payee=bernd,
            minutes=30,
            memo="doppelt",
            service_date=now.date(),
            now=now,
        )
        corrections.reverse(s, user("buero"), entry_id=mistake.id, reason="doppelt gebucht", now=now)
        payments.request_payment(
            s,
            user("bernd"),
            payee=bernd,
            payer=anna,
            minutes=60,
            memo="Einkauf",
            service_date=now.date(),
            now=now,
        )
        members.set_consents(
            s,
            user("buero"),
            bernd,
            {("phone", "print"): True, ("email", "online"): False},
            now=now,
            source="office",
        )
        members.set_limits(s, user("buero"), bernd, min_balance=-20 * 60, max_balance=None, now=now)
        batch = vouchers.open_batch(s, user("buero"), now=now, title="Treffen")
        vouchers.add_line(
            s,
            user("buero"),
            batch,
            now=now,
            voucher_number="101",
            payer_number=str(anna.number),
            payee_number=str(bernd.number),
            amount="1:00",
            memo="Hilfe",
            service_date=now.strftime("%d.%m.%Y"),
        )
        edition = editions.create_edition(
            s,
            user("buero"),
            year=2027,
            month=1,
            cutoff=now.date(),
            next_cutoff=now.date() + dt.timedelta(days=30),
            now=now,
        )
        staged = {
            kind: imports.stage_import(
                s, user("buero"), kind=kind, source="template", filename=f"{kind}.csv", raw=raw, now=now
            ).id
            for kind, raw in MOVING_IN.items()
        }
        s.commit()
        return {
            "imports": staged,
            "listing": listing.public_number,
            "listing_id": listing.id,
            "entry": entry.id,
            "reversed": mistake.id,
            "batch": batch.id,
            "edition": edition.id,
        }


# A file of each kind, staged for the moving-in pages: ready lines, an error, a duplicate, an
# unknown Rubrik, a balance and its total.
MOVING_IN = {
    "members": (
        "Mitgliedsnummer;Vorname;Nachname;Straße;PLZ;Ort;Telefon;E-Mail;Telefon online;Einwilligung vom\n"
        "20;Jürgen;Müller;Gießerstraße 7;04229;Leipzig;0341 200;juergen@example.org;ja;01.02.2025\n"
        "1;Ömer;Çelik;;;;;;;\n;Pepa;;;;;;;;\n20;Jürgen;Müller;;;;;;;\n"
    ).encode("cp1252"),
    "listings": (
        "Mitgliedsnummer;Art;Rubrik;Titel;Text\n1;Angebot;Garten;Äpfel pflücken;Im Herbst\n"
        "2;Gesuch;Haus & Hof;Hilfe beim Umzug;\n"
    ).encode(),
    "balances": b"Mitgliedsnummer;Kontostand;Untergrenze\n1;12:30;-40:00\n2;-4,5;\n3;0;\n99;1:00;\n",
}


def pages_of(role: str, ring, made: dict) -> list[str]:
    """Every page a role reaches, with the content above."""
    member = [
        "/",
        "/bezahlen",
        "/anforderungen",
        "/kontoauszug",
        f"/buchungen/{made['entry']}",
        "/markt",
        "/markt?q=rasen",
        f"/markt/{made['listing']}",
        "/meine-inserate",
        "/meine-inserate/neu",
        f"/meine-inserate/{made['listing_id']}/bearbeiten",
        "/profil",
        "/passwort",
        "/api-tokens",
        "/handeln-fuer",
        "/sitzungen",
    ]
    office = [
        "/buero/",
        "/buero/stapel",
        f"/buero/stapel/{made['batch']}",
        "/buero/mitglieder",
        "/buero/mitglieder/neu",
        f"/buero/mitglieder/{ring.anna.number}",
        f"/buero/mitglieder/{ring.bernd.number}",
        f"/buero/mitglieder/{ring.clara.number}",
        f"/buero/mitglieder/{ring.anna.number}/kontoauszug",
        "/buero/buchungen",
        f"/buero/buchungen/{made['entry']}",
        f"/buero/buchungen/{made['reversed']}",
        "/buero/gebuehren",
        "/buero/ausgaben",
        f"/buero/ausgaben/{made['edition']}",
        "/buero/belegnummern",
        "/buero/grenzen",
        "/buero/berichte",
        "/buero/protokoll",
        "/buero/umzug",
        *(f"/buero/umzug/{import_id}" for import_id in made["imports"].values()),
        "/buero/abschluesse",
        "/buero/statistik",
        "/buero/pflege",
        "/buero/betrieb",
    ]
    return {
        "anonymous": ["/anmelden", "/gibt-es-nicht"],
        "anna": member,
        "hilde": ["/handeln-fuer", "/", "/bezahlen", "/anforderungen", "/kontoauszug", "/profil"],
        "buero": office,
        "admin": ["/buero/einstellungen", "/buero/rubriken", "/buero/protokoll"],
    }[role]
