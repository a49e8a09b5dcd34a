"""Sample data for the print tests, built directly as print/ dataclasses.

`SampleMember` stands in for the application's member row with its per-field print consents;
`printable_contact` is the rule the application must apply (a field without print consent
becomes None) so that the tests can show what print/ does with the result.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from print.data import (
    Category,
    Contact,
    ContactEntry,
    Edition,
    EditionInfo,
    Event,
    Limits,
    Listing,
    NewMember,
    NewsItem,
    PaperMember,
    RingInfo,
    Statement,
    StatementLine,
)

OFFICE_PHONE = "0341 246 810"
CONSENTED_PHONE = "0341 555 0123"
SECRET_PHONE = "0341 987 6543"  # stored by the office, but the member did not consent to print it
SECRET_EMAIL = "geheim@example.org"
INSERT_PHONE = "0341 444 4321"  # appears in one member's statement only

HOSTILE_TEXTS = (
    "<b>fett?</b> & Co.",
    "Müller & Söhne <i>unclosed <b>tag",
    '<img src="/etc/passwd"> Bild',
    "Emoji: \U0001f984\U0001f9e1 \U0001f44d\U0001f3fd "
    "\U0001f468\u200d\U0001f469\u200d\U0001f467 \u2764\ufe0f",
    "Wort " + "Donaudampfschifffahrtsgesellschaft" * 6 + "ende",
    "&amp; &lt;entity&gt; &#169; ]]> <!-- comment --> <![CDATA[x]]>",
    "Steuerzeichen\x00\x07\x1b[31m und\ttab",
    "Zeilen\r\numbruch\n\n\n\nmit Abstand",
)


def ring(**overrides: object) -> RingInfo:
    """A ring that counts in hours."""
    values: dict[str, object] = {
        "name": "Tauschring Lindenau",
        "office_address": ("Bürgerhaus Lindenau", "Marktstraße 12", "04177 Leipzig"),
        "office_phone": OFFICE_PHONE,
        "sprechstunde": "Dienstag 10–12 Uhr und Donnerstag 16–18 Uhr im Bürgerhaus",
        "office_email": "buero@tauschring-lindenau.example",
    }
    values.update(overrides)
    return RingInfo(**values)  # type: ignore[arg-type]


def talent_ring() -> RingInfo:
    """A ring that counts in Talente (20 Talente make an hour)."""
    return ring(
        name="Talente-Tauschring Süd",
        unit_singular="Talent",
        unit_plural="Talente",
        unit_abbreviation="Tal.",
        minutes_per_unit=3,
    )


@dataclass(frozen=True)
class SampleMember:
    """A member as the application stores them: all details plus the print consents."""

    name: str
    phone: str | None = None
    email: str | None = None
    address: str | None = None
    print_consents: frozenset[str] = field(default_factory=frozenset)


def printable_contact(member: SampleMember) -> Contact:
    """The application's rule: every field without print consent is None."""

    def allowed(name: str, value: str | None) -> str | None:
        return value if name in member.print_consents else None

    return Contact(
        name=allowed("name", member.name),
        phone=allowed("phone", member.phone),
        email=allowed("email", member.email),
        address=allowed("address", member.address),
    )


ERIKA = SampleMember(
    "Erika Mustermann", CONSENTED_PHONE, "erika@example.org", "Lindenweg 5", frozenset({"name", "phone"})
)
SECRETIVE = SampleMember("Hans Heimlich", SECRET_PHONE, SECRET_EMAIL, "Geheimgasse 1", frozenset())
NAME_ONLY = SampleMember("Nora Nurname", "0341 000 1111", None, None, frozenset({"name"}))

CATEGORIES = (
    Category("Haus und Garten", 10),
    Category("Handwerk und Reparaturen", 20),
    Category("Computer und Technik", 30),
    Category("Fahrdienste und Begleitung", 40),
    Category("Tiere", 50),  # stays empty
    Category("Lernen und Nachhilfe", 60),
    Category("Kinder und Familie", 70),
)

EDITION_INFO = EditionInfo(12, 2026, 12, dt.date(2026, 11, 30), dt.date(2026, 12, 29))


def listing(
    kind: str,
    number: int,
    category: str,
    title: str,
    *,
    marker: str | None = None,
    contact: Contact | None = None,
    text: str | None = None,
    **extra: object,
) -> Listing:
    """A listing with a plausible text; the number gets the kind's prefix (A- or G-)."""
    prefix = "A" if kind == "offer" else "G"
    return Listing(
        kind=kind,  # type: ignore[arg-type]
        number=f"{prefix}-{number:04d}",
        category=category,
        title=title,
        text=text
        if text is not None
        else (
            f"{title}: gern auch kurzfristig, bitte einfach anrufen. Ich freue mich auf neue Kontakte "
            "im Tauschring."
        ),
        contact=contact if contact is not None else Contact(),
        expires=dt.date(2027, 2, 28),
        marker=marker,  # type: ignore[arg-type]
        **extra,  # type: ignore[arg-type]
    )


def listings() -> tuple[Listing, ...]:
    """Offers and requests across the Rubriken (Tiere stays empty), with all three markers."""
    erika = printable_contact(ERIKA)
    secretive = printable_contact(SECRETIVE)
    name_only = printable_contact(NAME_ONLY)
    full = Contact("Paul Offen", "0341 111 2222", "paul@example.org", "Birkenallee 7, 04177 Leipzig")
    offers = [
        listing(
            "offer",
            137,
            "Haus und Garten",
            "Rasenmähen und Heckenschnitt",
            contact=erika,
            district="Lindenau",
            availability="Samstags",
            price_hint="1 Std. pro Einsatz",
        ),
        listing(
            "offer", 12, "Haus und Garten", "Blumen gießen im Urlaub", marker="LETZTMALIG", contact=secretive
        ),
        listing("offer", 201, "Haus und Garten", "Fenster putzen", marker="NEU", contact=full),
        listing(
            "offer",
            45,
            "Handwerk und Reparaturen",
            "Fahrräder reparieren",
            marker="GEÄNDERT",
            contact=name_only,
            district="Plagwitz",
        ),
        listing("offer", 46, "Handwerk und Reparaturen", "Kleine Tischlerarbeiten", contact=erika),
        listing(
            "offer",
            88,
            "Computer und Technik",
            "Hilfe mit Smartphone und Tablet",
            marker="NEU",
            contact=secretive,
            availability="nachmittags",
        ),
        listing("offer", 9, "Fahrdienste und Begleitung", "Fahrten zum Arzt", contact=full),
        listing("offer", 150, "Lernen und Nachhilfe", "Mathe-Nachhilfe bis Klasse 10"),
        listing("offer", 151, "Kinder und Familie", "Vorlesen und Spielen", marker="NEU"),
    ]
    requests = [
        listing("request", 42, "Haus und Garten", "Hilfe beim Umgraben", contact=erika, marker="NEU"),
        listing("request", 7, "Computer und Technik", "Wer richtet meinen Drucker ein?", contact=secretive),
        listing("request", 60, "Fahrdienste und Begleitung", "Begleitung zum Einkaufen", marker="LETZTMALIG"),
        listing("request", 61, "Lernen und Nachhilfe", "Englisch-Konversation", contact=full),
    ]
    filler = [
        listing(
            "offer",
            300 + index,
            CATEGORIES[index % 4].name,
            f"Angebot Nummer {index + 1}",
            contact=full if index % 3 else Contact(),
        )
        for index in range(24)
    ]
    return tuple(offers + requests + filler)


def contact_list() -> tuple[ContactEntry, ...]:
    """Contact-list entries, among them one with no printable field (left out)."""
    entries = [
        ContactEntry(printable_contact(ERIKA), "0042", "Lindenau"),
        ContactEntry(printable_contact(SECRETIVE), "0043"),
        ContactEntry(printable_contact(NAME_ONLY), "0044", "Plagwitz"),
        ContactEntry(Contact("Paul Offen", "0341 111 2222", "paul@example.org", "Birkenallee 7"), "0045"),
    ]
    entries += [
        ContactEntry(Contact(f"Mitglied {index}", f"0341 700 {index:04d}"), f"{100 + index:04d}", "Leutzsch")
        for index in range(40)
    ]
    return tuple(entries)


def edition(**overrides: object) -> Edition:
    """A complete December edition."""
    values: dict[str, object] = {
        "ring": ring(),
        "number": 12,
        "year": 2026,
        "month": 12,
        "cutoff": dt.date(2026, 11, 30),
        "next_cutoff": dt.date(2026, 12, 29),
        "events": (
            Event(
                dt.date(2026, 12, 8),
                "Tauschtreffen mit Adventskaffee",
                dt.time(19, 0),
                "Bürgerhaus Lindenau, Saal",
                "Bitte Belege mitbringen.",
            ),
            Event(dt.date(2026, 12, 1), "Sprechstunde", dt.time(10, 0), "Büro"),
            Event(
                dt.date(2026, 12, 19),
                "Weihnachtsmarkt-Stand",
                None,
                "Marktplatz",
                "Wir suchen noch Helferinnen und Helfer für den Stand.",
            ),
        ),
        "news": (
            NewsItem(
                "Neue Sprechzeiten im Büro",
                "Ab Januar ist das Büro auch donnerstags geöffnet.\n\nDanke an alle, die mithelfen!",
            ),
            NewsItem("Kontoführungsgebühr", "Die monatliche Gebühr bleibt bei 0:15 Stunden."),
        ),
        "new_members": (NewMember("Ilse Neu", "Lindenau"), NewMember("Kemal Y.")),
        "categories": CATEGORIES,
        "listings": listings(),
        "contact_list": contact_list(),
        "impressum": "Redaktion: Arbeitsgruppe Marktzeitung.\n\nDruck: im Büro.",
        "privacy_notice": "",
    }
    values.update(overrides)
    return Edition(**values)  # type: ignore[arg-type]


def statement(
    count: int, opening: int = 600, start: dt.date = dt.date(2026, 11, 1), partner: str = "Paul Offen"
) -> Statement:
    """A statement of `count` lines alternating in and out, with consistent balances."""
    lines = []
    balance = opening
    for index in range(count):
        minutes = 90 if index % 3 else -45
        balance += minutes
        day = start + dt.timedelta(days=index % 29)
        lines.append(
            StatementLine(
                booking_date=day,
                text=f"Buchung {index + 1}: " + ("Gartenhilfe" if minutes > 0 else "Fahrt zum Arzt"),
                minutes=minutes,
                balance_after=balance,
                service_date=day - dt.timedelta(days=3),
                partner=partner if index % 4 else "Gemeinschaftskonto",
            )
        )
    return Statement(start, dt.date(2026, 11, 30), opening, balance, tuple(lines))


ERIKA_LIMITS = Limits(-30 * 60, 60 * 60)  # the ring's defaults: -30 h and +60 h
HEIMLICH_LIMITS = Limits(-20 * 60, None)  # a lower floor of his own, no ceiling


def paper_members() -> tuple[PaperMember, ...]:
    """Four paper members: normal, large print, a long statement (no limits given), and one with
    nothing but limits."""
    erika_listings = tuple(item for item in listings() if item.contact == printable_contact(ERIKA))
    return (
        PaperMember(
            "0042",
            "Erika Mustermann",
            ("Frau", "Erika Mustermann", "Lindenweg 5", "04177 Leipzig"),
            statement=statement(12),
            listings=erika_listings,
            voucher_numbers=tuple(f"2026-{number:05d}" for number in range(101, 107)),
            limits=ERIKA_LIMITS,
        ),
        PaperMember(
            "0043",
            "Hans Heimlich",
            ("Herrn", "Hans Heimlich", "Geheimgasse 1", "04179 Leipzig"),
            large_print=True,
            statement=statement(9, opening=-120, partner=f"Nachbarin, Tel. {INSERT_PHONE}"),
            listings=tuple(item for item in listings() if item.contact == printable_contact(SECRETIVE)),
            voucher_numbers=("2026-00201", "2026-00202", "2026-00203", "2026-00204"),
            limits=HEIMLICH_LIMITS,
        ),
        PaperMember(
            "0044",
            "Viel Gebucht",
            ("Viel Gebucht", "Langer Weg 200", "04229 Leipzig"),
            statement=statement(200),
            voucher_numbers=("2026-00301",),
        ),
        PaperMember(
            "0045", "Otto Ohne", ("Otto Ohne", "Stiller Winkel 1", "04249 Leipzig"), limits=Limits(0, None)
        ),
    )
