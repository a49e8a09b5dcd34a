"""A living demo ring: about 120 members (a third on paper), 300 listings, six months of exchanges.

Everything is generated from a fixed seed, so two demos of the same day look the same.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

import ledger

from .clock import RING_ZONE, local_now
from .db import run_in_transaction
from .listings import create_listing, withdraw_listing
from .logins import add_helper, create_login
from .members import admit_member, set_consents
from .models import Category, Member, User
from .payments import request_payment
from .permissions import Actor
from .rings import found_ring
from .vouchers import add_line, open_batch

DEMO_PASSWORD = "tauschen-2026"

FIRST_NAMES = [
    "Anna",
    "Bernd",
    "Clara",
    "Dieter",
    "Elke",
    "Frank",
    "Gisela",
    "Hans",
    "Ingrid",
    "Jürgen",
    "Karin",
    "Lothar",
    "Monika",
    "Norbert",
    "Olga",
    "Peter",
    "Renate",
    "Siegfried",
    "Tanja",
    "Uwe",
    "Vera",
    "Werner",
    "Yvonne",
    "Zoe",
    "Brigitte",
    "Christa",
    "Detlef",
    "Erika",
    "Friedrich",
    "Gerda",
    "Helmut",
    "Ilse",
    "Jan",
    "Katharina",
    "Lena",
    "Maximilian",
    "Nina",
    "Ole",
    "Paula",
    "Ralf",
    "Sabine",
    "Thomas",
    "Ursula",
    "Volker",
    "Waltraud",
    "Leonie",
    "Mehmet",
    "Ayşe",
    "Dragan",
    "Jelena",
    "Hannelore",
    "Rüdiger",
]
LAST_NAMES = [
    "Becker",
    "Schulz",
    "Wagner",
    "Hoffmann",
    "Neumann",
    "Richter",
    "Krüger",
    "Zimmermann",
    "Braun",
    "Hartmann",
    "Schmidt",
    "Müller",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Koch",
    "Bauer",
    "Wolf",
    "Schröder",
    "Klein",
    "Schwarz",
    "Lange",
    "Werner",
    "Krause",
    "Lehmann",
    "Köhler",
    "Herrmann",
    "König",
    "Walter",
    "Mayer",
    "Huber",
    "Kaiser",
    "Fuchs",
    "Peters",
    "Lang",
    "Scholz",
    "Möller",
    "Weiß",
    "Jung",
    "Hahn",
    "Vogel",
    "Friedrich",
    "Günther",
    "Keller",
    "Berger",
    "Frank",
    "Roth",
    "Beck",
    "Lorenz",
    "Yılmaz",
]
STREETS = [
    "Lützner Straße",
    "Merseburger Straße",
    "Odermannstraße",
    "Henriettenstraße",
    "Demmeringstraße",
    "Karl-Heine-Straße",
    "Zschochersche Straße",
    "Josephstraße",
    "Gießerstraße",
    "Aurelienstraße",
    "Rietschelstraße",
    "Endersstraße",
    "Uhlandstraße",
    "Angerstraße",
    "Hähnelstraße",
    "Saalfelder Straße",
]
DISTRICTS = [
    ("Altlindenau", "04177"),
    ("Neulindenau", "04179"),
    ("Lindenau", "04177"),
    ("Plagwitz", "04229"),
    ("Schleußig", "04229"),
    ("Leutzsch", "04179"),
    ("Kleinzschocher", "04229"),
    ("Grünau", "04209"),
]

# Per Rubrik: (offer titles, request titles, texts). Texts are short and concrete, as members write.
LISTING_IDEAS: dict[str, tuple[list[str], list[str], list[str]]] = {
    "Haushalt": (
        [
            "Fenster putzen",
            "Bügeln für Sie",
            "Hilfe beim Frühjahrsputz",
            "Einkaufen gehen",
            "Wäsche aufhängen und legen",
        ],
        ["Hilfe beim Fensterputzen", "Wer bügelt meine Hemden?", "Einkaufshilfe gesucht"],
        [
            "Ich komme gern zu Ihnen, am liebsten vormittags.",
            "Zuverlässig und gründlich, bringe eigenes Putzzeug mit.",
            "Kleine und große Aufträge, sprechen Sie mich an.",
        ],
    ),
    "Garten": (
        [
            "Rasen mähen",
            "Hecke schneiden",
            "Obstbäume schneiden",
            "Unkraut jäten",
            "Balkonkästen bepflanzen",
            "Laub rechen im Herbst",
        ],
        ["Hilfe im Kleingarten gesucht", "Wer schneidet meine Hecke?", "Gießhilfe im Urlaub gesucht"],
        [
            "Ich bringe meinen eigenen Rasenmäher mit.",
            "Mit Leiter und Gartenschere, auch im Schrebergarten.",
            "Ich habe viel Erfahrung mit Stauden und Gemüsebeeten.",
        ],
    ),
    "Handwerk": (
        [
            "Kleine Reparaturen im Haushalt",
            "Regale und Lampen anbringen",
            "Möbel aufbauen",
            "Fahrrad reparieren",
            "Wände streichen",
        ],
        ["Wer baut meinen Schrank auf?", "Tropfender Wasserhahn", "Hilfe beim Tapezieren"],
        [
            "Bohrmaschine und Werkzeug bringe ich mit.",
            "Gelernter Tischler, jetzt im Ruhestand.",
            "Keine Elektro-Installationen, aber alles andere gern.",
        ],
    ),
    "Computer & Technik": (
        [
            "Hilfe am Computer",
            "Handy einrichten",
            "Fotos vom Handy auf den Computer",
            "Drucker einrichten",
            "Videotelefonie erklären",
        ],
        ["Wer erklärt mir mein Smartphone?", "Hilfe bei Online-Formularen", "WLAN funktioniert nicht"],
        [
            "Geduldig und in Ruhe, auch für Anfänger.",
            "Ich komme zu Ihnen nach Hause.",
            "Windows, Linux und Android.",
        ],
    ),
    "Fahrdienste": (
        [
            "Fahrten zum Arzt",
            "Begleitung zu Behörden",
            "Einkaufsfahrten mit dem Auto",
            "Transport kleiner Möbel",
        ],
        [
            "Fahrt zum Krankenhaus gesucht",
            "Wer fährt mich zum Friedhof?",
            "Mitfahrgelegenheit zum Wochenmarkt",
        ],
        [
            "Kleinwagen, Fahrtkosten nach Absprache.",
            "Auch mit Rollator, ich helfe beim Einsteigen.",
            "Kombi, passt auch ein Sessel hinein.",
        ],
    ),
    "Kinder & Familie": (
        [
            "Kinderbetreuung am Nachmittag",
            "Vorlesen für Kinder",
            "Hausaufgabenhilfe Grundschule",
            "Babysitten am Abend",
        ],
        ["Leihoma gesucht", "Betreuung für zwei Kinder", "Wer holt meinen Sohn von der Kita ab?"],
        [
            "Erfahrene Mutter von drei Kindern.",
            "Erweitertes Führungszeugnis liegt vor.",
            "Spiele, Basteln und Spazierengehen.",
        ],
    ),
    "Kochen & Backen": (
        ["Kuchen backen für Feiern", "Marmelade einkochen", "Kochen für Sie", "Brot backen lernen"],
        ["Hilfe beim Kochen für ein Fest", "Wer backt eine Torte?", "Suche Rezepte und Kochpartner"],
        [
            "Am liebsten Obstkuchen und Streusel.",
            "Auch vegetarisch und glutenfrei.",
            "Ich koche gern für mehrere Personen.",
        ],
    ),
    "Gesundheit & Wellness": (
        [
            "Massage zur Entspannung",
            "Spaziergänge gegen Einsamkeit",
            "Gymnastik für Senioren",
            "Begleitung beim Spazierengehen",
        ],
        ["Gesprächspartnerin gesucht", "Wer geht mit mir spazieren?", "Begleitung zur Physiotherapie"],
        [
            "Ich höre gern zu und habe Zeit.",
            "Sanfte Übungen, im Sitzen möglich.",
            "Einmal pro Woche, bei jedem Wetter.",
        ],
    ),
    "Kreatives": (
        [
            "Nähen und Ändern",
            "Stricken lernen",
            "Fotografieren bei Festen",
            "Karten und Einladungen gestalten",
        ],
        ["Wer kürzt meine Hosen?", "Hilfe beim Basteln für den Adventsmarkt", "Suche Nähmaschine zum Leihen"],
        [
            "Reißverschlüsse, Säume, Flicken.",
            "Anfänger willkommen, Wolle ist da.",
            "Digitalkamera und Drucker vorhanden.",
        ],
    ),
    "Unterricht & Sprachen": (
        [
            "Nachhilfe Mathematik",
            "Englisch-Konversation",
            "Deutsch für Zugewanderte",
            "Gitarrenunterricht",
            "Französisch für Anfänger",
        ],
        ["Nachhilfe in Chemie gesucht", "Wer übt mit mir Spanisch?", "Klavierunterricht gesucht"],
        [
            "Pensionierte Lehrerin, bis Klasse 10.",
            "Locker und ohne Leistungsdruck.",
            "Einzeln oder in kleiner Gruppe.",
        ],
    ),
    "Tiere": (
        ["Hund ausführen", "Katzen füttern im Urlaub", "Kleintiere betreuen", "Vogelhaus bauen"],
        ["Gassigeher gesucht", "Wer füttert meine Katze?", "Pflegestelle für Kaninchen"],
        [
            "Ich liebe Hunde jeder Größe.",
            "Zweimal täglich, auch am Wochenende.",
            "Eigene Erfahrung mit Katzen und Kaninchen.",
        ],
    ),
    "Sonstiges": (
        [
            "Briefe schreiben und Formulare ausfüllen",
            "Umzugshilfe",
            "Vorlesen",
            "Bücher tauschen",
            "Hilfe bei Ämtern",
        ],
        ["Hilfe beim Umzug gesucht", "Wer hilft beim Ausfüllen der Steuererklärung?", "Tragehilfe gesucht"],
        ["Ich bin geduldig und verschwiegen.", "Kräftig und pünktlich.", "Sprechen Sie mich einfach an."],
    ),
}
AVAILABILITY = [
    None,
    None,
    "werktags ab 16 Uhr",
    "vormittags",
    "am Wochenende",
    "nach Absprache",
    "dienstags und donnerstags",
]
PRICE_HINTS = [None, None, None, "nach Absprache", "+ Fahrtkosten", "+ Materialkosten"]


@dataclass(frozen=True)
class DemoInfo:
    ring_id: int
    members: int
    paper_members: int
    listings: int
    entries: int
    logins: dict[str, str]  # role -> username


def create_demo(
    session: Session, *, seed: int = 7, now: dt.datetime | None = None, slug: str = "demo"
) -> DemoInfo | None:
    """Create the demo ring if the database has none; None if a ring exists already."""
    if session.execute(select(ledger.Ring.id).limit(1)).first() is not None:
        return None
    rng = random.Random(seed)
    end = (now or local_now()).astimezone(RING_ZONE)
    start = end - dt.timedelta(days=183)

    def setup(session: Session) -> tuple[int, list[int], dict[str, str]]:
        ring_id = found_ring(
            session,
            name="Tauschring Lindenau",
            now=start,
            slug=slug,
            office_address="Tauschring Lindenau e. V.\nStadtteilladen, Demmeringstraße 32\n04177 Leipzig",
            office_phone="0341 4926 3310",
            office_email="buero@tauschring-lindenau.example",
            office_hours="Dienstag 10–12 Uhr und Donnerstag 16–18 Uhr",
            auto_accept_days=14,
            fee_minutes=15,
            warn_min_balance=-20 * 60,
            warn_max_balance=50 * 60,
        )
        member_ids = []
        for index in range(120):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            district, postal = rng.choice(DISTRICTS)
            paper = index % 3 == 2
            joined = start - dt.timedelta(days=rng.randint(0, 1500))
            member = admit_member(
                session,
                Actor.system(ring_id),
                first_name=first,
                last_name=last,
                now=start,
                joined_on=joined.date(),
                paper_member=paper,
                large_print=paper and rng.random() < 0.3,
                phone=f"0341 {rng.randint(200, 999)} {rng.randint(1000, 9999)}",
                email=None
                if paper
                else f"{first.lower()}.{last.lower()}{index}@example.org".replace("ü", "ue")
                .replace("ö", "oe")
                .replace("ä", "ae")
                .replace("ş", "s")
                .replace("ı", "i"),
                street=f"{rng.choice(STREETS)} {rng.randint(1, 120)}",
                postal_code=postal,
                city="Leipzig",
                district=district,
                name_display=rng.choice(["full", "full", "first_initial"]),
            )
            granted = {
                (field, channel): True
                for field, chance in (("phone", 0.7), ("email", 0.4), ("address", 0.2))
                for channel in ("online", "print")
                if rng.random() < chance
            }
            set_consents(
                session,
                Actor.system(ring_id),
                member,
                granted,
                now=start,
                changed_on=joined.date(),
                source="paper_form" if paper else "office",
            )
            member_ids.append(member.id)
        members = [session.get(Member, i) for i in member_ids]
        # Fixed demo people for the printed logins.
        anna, bernd, clara = members[0], members[1], members[2]
        anna.first_name, anna.last_name, anna.name_display = "Anna", "Becker", "full"
        bernd.first_name, bernd.last_name = "Bernd", "Schulz"
        clara.first_name, clara.last_name, clara.paper_member = "Clara", "Wagner", True
        for m in (anna, bernd, clara):
            ledger.relabel_account(
                session, ring_id=ring_id, account_id=m.account_id, label=f"{m.number} {m.full_name}"
            )
        system = Actor.system(ring_id)
        logins = {
            "member": create_login(
                session, system, username="anna", password=DEMO_PASSWORD, now=start, member=anna
            ).username,
            "member2": create_login(
                session, system, username="bernd", password=DEMO_PASSWORD, now=start, member=bernd
            ).username,
            "office": create_login(
                session,
                system,
                username="buero",
                password=DEMO_PASSWORD,
                now=start,
                role="office",
                member=members[3],
            ).username,
            "admin": create_login(
                session,
                system,
                username="admin",
                password=DEMO_PASSWORD,
                now=start,
                role="admin",
                display="Vorstand",
            ).username,
        }
        helper = create_login(
            session,
            system,
            username="hilde",
            password=DEMO_PASSWORD,
            now=start,
            display="Hilde Betreuerin",
        )
        logins["helper"] = helper.username
        add_helper(session, system, clara, helper=helper, now=start)
        add_helper(session, system, members[5], helper=helper, now=start)
        for m in members[6:90:6]:
            create_login(
                session,
                system,
                username=f"mitglied{m.number}",
                password=DEMO_PASSWORD,
                now=start,
                member=m,
            )
        return ring_id, member_ids, logins

    ring_id, member_ids, logins = run_in_transaction(session, setup)

    def listings(session: Session) -> int:
        categories = {
            c.name: c.id for c in session.scalars(select(Category).where(Category.ring_id == ring_id))
        }
        count = 0
        for _ in range(300):
            member = session.get(Member, rng.choice(member_ids))
            category = rng.choice(list(LISTING_IDEAS))
            offers, requests, texts = LISTING_IDEAS[category]
            kind = "offer" if rng.random() < 0.7 else "request"
            created = start + dt.timedelta(days=rng.randint(60, 183), hours=rng.randint(8, 20))
            created = min(created, end)
            listing = create_listing(
                session,
                Actor.system(ring_id),
                member=member,
                kind=kind,
                category_id=categories[category],
                title=rng.choice(offers if kind == "offer" else requests),
                text=rng.choice(texts),
                now=created,
                district=member.district if rng.random() < 0.5 else None,
                availability=rng.choice(AVAILABILITY),
                price_hint=rng.choice(PRICE_HINTS),
                print_in_paper=rng.random() < 0.9,
            )
            if rng.random() < 0.05:
                withdraw_listing(
                    session, Actor.system(ring_id), listing, now=min(created + dt.timedelta(days=10), end)
                )
            count += 1
        return count

    listing_count = run_in_transaction(session, listings)

    # Six months of exchanges, a week per transaction; a member at a limit just misses one.
    accounts = {i: session.get(Member, i).account_id for i in member_ids}
    booked = 0
    week = start
    while week < end:
        week_end = min(week + dt.timedelta(days=7), end)

        def book_week(session: Session, week=week, week_end=week_end) -> int:
            count = 0
            moments = sorted(week + (week_end - week) * rng.random() for _ in range(rng.randint(30, 45)))
            for moment in moments:
                payer, payee = rng.sample(member_ids, 2)
                try:
                    ledger.book_transfer(
                        session,
                        ring_id=ring_id,
                        payer=accounts[payer],
                        payee=accounts[payee],
                        minutes=rng.choice([30, 45, 60, 60, 90, 120, 150, 180]),
                        memo=rng.choice(_SERVICES),
                        service_date=(moment - dt.timedelta(days=rng.randint(0, 5))).date(),
                        now=moment,
                        channel=rng.choice(["web", "web", "office", "voucher"]),
                    )
                    count += 1
                except ledger.LimitExceeded:
                    pass
            return count

        booked += run_in_transaction(session, book_week)
        week = week_end

    def open_requests(session: Session) -> None:
        anna, bernd = session.get(Member, member_ids[0]), session.get(Member, member_ids[1])
        bernd_login = session.scalar(select(User).where(User.member_id == bernd.id))
        request_payment(
            session,
            Actor.of(bernd_login),
            payee=bernd,
            payer=anna,
            minutes=90,
            memo="Fahrrad repariert",
            service_date=(end - dt.timedelta(days=2)).date(),
            now=end - dt.timedelta(days=1),
        )

    run_in_transaction(session, open_requests)

    def open_batch_from_the_meeting(session: Session) -> None:
        office = Actor.of(session.scalar(select(User).where(User.username == "buero")))
        batch = open_batch(session, office, now=end, title="Tauschtreffen (Demo)")
        day = (end - dt.timedelta(days=3)).strftime("%d.%m.%Y")
        numbers = [session.get(Member, i).number for i in member_ids[10:16]]
        for voucher, payer, payee, amount, memo in (
            ("D-1001", numbers[0], numbers[1], "1:30", "Hecke geschnitten"),
            ("D-1002", numbers[2], numbers[3], "2", "Umzugshilfe"),
            ("D-1003", numbers[4], numbers[4], "0:45", "Vorgelesen"),
        ):
            add_line(
                session,
                office,
                batch,
                now=end,
                voucher_number=voucher,
                service_date=day,
                payer_number=str(payer),
                payee_number=str(payee),
                amount=amount,
                memo=memo,
            )

    run_in_transaction(session, open_batch_from_the_meeting)
    paper = sum(1 for i in member_ids if session.get(Member, i).paper_member)
    return DemoInfo(
        ring_id=ring_id,
        members=len(member_ids),
        paper_members=paper,
        listings=listing_count,
        entries=booked,
        logins=logins,
    )


_SERVICES = [
    "Rasen gemäht",
    "Einkauf erledigt",
    "Fahrt zum Arzt",
    "Kuchen gebacken",
    "Computerhilfe",
    "Fenster geputzt",
    "Nachhilfe Mathematik",
    "Hecke geschnitten",
    "Regal montiert",
    "Hund ausgeführt",
    "Hosen gekürzt",
    "Vorgelesen",
    "Umzugshilfe",
    "Formular ausgefüllt",
    "Katze gefüttert",
    "Fahrrad repariert",
    "Gartenarbeit",
    "Begleitung zum Amt",
    "Englisch geübt",
    "Marmelade eingekocht",
]


def demo_banner(info: DemoInfo) -> str:
    """What the demo prints: the ring in numbers and a login for each role."""
    return "\n".join(
        [
            f"Demo-Tauschring angelegt: {info.members} Mitglieder ({info.paper_members} Papiermitglieder), "
            f"{info.listings} Inserate, {info.entries} Buchungen.",
            "Demo-Zugänge (Passwort jeweils: " + DEMO_PASSWORD + "):",
            f"  Mitglied:      {info.logins['member']}",
            f"  Mitglied:      {info.logins['member2']}",
            f"  Betreuerin:    {info.logins['helper']}  (handelt für das Papiermitglied Clara Wagner)",
            f"  Büro:          {info.logins['office']}",
            f"  Administrator: {info.logins['admin']}",
        ]
    )
