"""Benchmark of the monthly print job: one edition of the Marktzeitung for a ring of realistic
size, from the database to the kept PDFs.

    python -m bench.print [--quick] [--out DIR] [--seed N] [--no-direct]    # from the repository root

**Build** (in a child process, so that its memory does not count): a temporary SQLite database
with a ring of 500 members (170 paper members, a fifth of them in large print, Leipzig postal
codes, print and online consents), 2,000 live listings for print (plus withdrawn, expired and
online-only ones that must stay out), three months of bookings (about 8 statement lines per
member and month) and the November edition, so the December edition gets real markers (NEU,
GEÄNDERT, LETZTMALIG). It uses the application's own operations (found_ring, admit_member,
set_consents, create_listing, edit_listing, renew_listing, withdraw_listing, create_edition,
ledger.book_transfer), acting as the system (``Actor.system``), in a few transactions.

**The job** (timed, in this process): `tauschring.editions.generate_edition` for the December
edition and its commit, acting as the system as `tauschring print edition` does: the database
queries (listings live at the cut-off, markers, consents, new members, a statement per paper
member, voucher numbers), rendering marktzeitung, grossdruck, kontaktliste, beilagen and belege,
and keeping them with the edition.

**Direct** (second figure, in a child process; `--no-direct` skips it): the same five files from
print/ dataclasses built in memory (`generate()`), without the database: print/ alone.

Prints one JSON line: wall and CPU time of the job, the database part, pages, bytes and seconds per
file, peak memory (maximum resident set of the job's process), and whether the goals (under 10 s,
under 500 MB) were met. `--quick` uses small sizes (a smoke test of a few seconds; no goal verdict).
Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent  # the repository root, where `-m bench.print` runs
GOAL_SECONDS = 10.0
GOAL_MB = 500.0


@dataclass(frozen=True)
class Sizes:
    members: int
    paper: int
    listings: int  # live and flagged for print at the cut-off
    months: int  # of bookings before the cut-off
    transfers_per_month: int


FULL = Sizes(members=500, paper=170, listings=2000, months=3, transfers_per_month=2000)
QUICK = Sizes(members=60, paper=20, listings=200, months=1, transfers_per_month=240)

FIRST_NAMES = (
    "Anna",
    "Bernd",
    "Carla",
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
    "Stefan",
    "Tanja",
    "Uwe",
)
SURNAMES = (
    "Müller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Schulz",
    "Hoffmann",
    "Schäfer",
    "Koch",
    "Bauer",
    "Richter",
    "Klein",
    "Wolf",
    "Schröder",
    "Neumann",
)
DISTRICTS = ("Lindenau", "Plagwitz", "Leutzsch", "Schleußig", "Gohlis", "Connewitz", "Reudnitz", "Zentrum")
CATEGORY_NAMES = (
    "Haus und Garten",
    "Handwerk und Reparaturen",
    "Computer und Technik",
    "Fahrdienste",
    "Begleitung und Besuche",
    "Kinder und Familie",
    "Lernen und Nachhilfe",
    "Sprachen",
    "Musik und Kultur",
    "Gesundheit und Wohlbefinden",
    "Kochen und Backen",
    "Nähen und Textil",
    "Tiere",
    "Verleih",
    "Büro und Verwaltung",
    "Sonstiges",
)
ACTIVITIES = (
    "Rasenmähen",
    "Fenster putzen",
    "Einkaufen",
    "Fahrrad reparieren",
    "Smartphone erklären",
    "Vorlesen",
    "Nachhilfe in Mathe",
    "Kuchen backen",
    "Hemden bügeln",
    "Hund ausführen",
    "Regal aufbauen",
    "Briefe schreiben",
    "Gitarrenunterricht",
    "Begleitung zum Arzt",
    "Umzugshilfe",
    "Blumen gießen",
    "Computer einrichten",
    "Englisch üben",
    "Socken stopfen",
)
SENTENCES = (
    "Ich helfe gern und habe Erfahrung.",
    "Am liebsten am Wochenende.",
    "Werkzeug bringe ich mit.",
    "Bitte rechtzeitig anrufen.",
    "Auch kurzfristig möglich.",
    "Material bitte stellen oder gegen Euro erstatten.",
    "Ich freue mich auf neue Kontakte.",
    "Gern auch regelmäßig, zum Beispiel einmal pro Woche.",
    "Nur im Stadtteil, ich habe kein Auto.",
    "Für Seniorinnen und Senioren besonders gern.",
)


@dataclass(frozen=True)
class MonthlyJob:
    """Everything the print job needs: the edition, the paper members and blank voucher numbers."""

    edition: object
    paper_members: list[object]
    blank_voucher_numbers: list[str]


def generate(seed: int = 12, members: int = 500, listings: int = 2000, paper: int = 170) -> MonthlyJob:
    """A ring of realistic size directly as print/ dataclasses, without the database (the direct
    measurement: what print/ alone costs)."""
    from print.data import (
        Category,
        Contact,
        ContactEntry,
        Edition,
        Event,
        Listing,
        NewMember,
        NewsItem,
        PaperMember,
        RingInfo,
        Statement,
        StatementLine,
    )

    rng = random.Random(seed)
    ring = RingInfo(
        "Tauschring Lindenau",
        ("Bürgerhaus Lindenau", "Marktstraße 12", "04177 Leipzig"),
        "0341 246 810",
        "Dienstag 10–12 Uhr und Donnerstag 16–18 Uhr im Bürgerhaus",
        "buero@tauschring-lindenau.example",
    )
    cutoff, next_cutoff = dt.date(2026, 11, 30), dt.date(2026, 12, 29)

    people = []
    for number in range(1, members + 1):
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"
        consents = {field for field in ("name", "phone", "email", "address") if rng.random() < 0.55}
        people.append(
            {
                "number": f"{number:04d}",
                "name": name,
                "district": rng.choice(DISTRICTS),
                "contact": Contact(
                    name=name if "name" in consents else None,
                    phone=f"0341 {rng.randrange(100, 999)} {rng.randrange(1000, 9999)}"
                    if "phone" in consents
                    else None,
                    email=f"{name.split()[0].lower()}{number}@example.org" if "email" in consents else None,
                    address=f"{rng.choice(SURNAMES)}straße {rng.randrange(1, 120)}"
                    if "address" in consents
                    else None,
                ),
            }
        )

    categories = tuple(Category(name, index * 10) for index, name in enumerate(CATEGORY_NAMES))
    all_listings = []
    owned: dict[str, list[Listing]] = {}
    for index in range(listings):
        owner = people[rng.randrange(members)]
        kind = "offer" if rng.random() < 0.7 else "request"
        activity = rng.choice(ACTIVITIES)
        marker = rng.choices([None, "NEU", "GEÄNDERT", "LETZTMALIG"], [80, 10, 5, 5])[0]
        item = Listing(
            kind=kind,  # type: ignore[arg-type]
            number=f"{'A' if kind == 'offer' else 'G'}-{index + 1:04d}",
            category=rng.choice(CATEGORY_NAMES[:-1]) if rng.random() < 0.97 else "Sonstiges",
            title=activity if kind == "offer" else f"Suche Hilfe: {activity}",
            text=" ".join(rng.sample(SENTENCES, rng.randrange(1, 5))),
            contact=owner["contact"],
            expires=cutoff + dt.timedelta(days=rng.randrange(20, 180)),
            district=owner["district"] if rng.random() < 0.6 else None,
            availability=rng.choice([None, "abends", "am Wochenende", "vormittags", "nach Absprache"]),
            price_hint=rng.choice([None, None, "1 Std. pro Einsatz", "plus Fahrtkosten", "nach Aufwand"]),
            marker=marker,  # type: ignore[arg-type]
        )
        all_listings.append(item)
        owned.setdefault(owner["number"], []).append(item)

    paper_members = []
    for person in rng.sample(people, paper):
        balance = rng.randrange(-1800, 3600, 15)
        opening = balance
        lines = []
        for _ in range(min(60, int(rng.expovariate(1 / 8)))):
            minutes = rng.choice([-1, 1]) * rng.randrange(15, 300, 15)
            balance += minutes
            day = dt.date(2026, 11, rng.randrange(1, 31))
            lines.append(
                StatementLine(
                    day,
                    f"{rng.choice(ACTIVITIES)}",
                    minutes,
                    balance,
                    day - dt.timedelta(days=rng.randrange(0, 20)),
                    rng.choice(people)["name"],
                )
            )
        lines.sort(key=lambda line: line.booking_date)
        running = opening
        ordered = []
        for line in lines:
            running += line.minutes
            ordered.append(
                StatementLine(
                    line.booking_date, line.text, line.minutes, running, line.service_date, line.partner
                )
            )
        number = int(person["number"])
        paper_members.append(
            PaperMember(
                member_number=person["number"],
                name=person["name"],
                address=(
                    person["name"],
                    f"{rng.choice(SURNAMES)}straße {rng.randrange(1, 99)}",
                    f"04{rng.randrange(100, 350)} Leipzig",
                ),
                large_print=rng.random() < 0.2,
                statement=Statement(dt.date(2026, 11, 1), cutoff, opening, running, tuple(ordered)),
                listings=tuple(owned.get(person["number"], ())),
                voucher_numbers=tuple(f"2026-{number * 10 + index:05d}" for index in range(6)),
            )
        )
    paper_members.sort(key=lambda member: member.address[-1])  # postal code order for mailing

    edition = Edition(
        ring=ring,
        number=12,
        year=2026,
        month=12,
        cutoff=cutoff,
        next_cutoff=next_cutoff,
        events=tuple(
            Event(dt.date(2026, 12, day), title, dt.time(19, 0), "Bürgerhaus", "Alle sind willkommen.")
            for day, title in (
                (1, "Sprechstunde"),
                (8, "Tauschtreffen"),
                (12, "Repair-Café"),
                (15, "Sprechstunde"),
                (19, "Weihnachtsmarkt"),
                (22, "Tauschtreffen"),
            )
        ),
        news=(
            NewsItem("Neue Sprechzeiten", "Ab Januar ist das Büro auch donnerstags geöffnet.\n\nDanke!"),
            NewsItem("Kontoführungsgebühr", "Die monatliche Gebühr bleibt bei 0:15 Stunden."),
            NewsItem("Jahresversammlung", " ".join(SENTENCES)),
        ),
        new_members=tuple(NewMember(person["name"], person["district"]) for person in people[-6:]),
        categories=categories,
        listings=tuple(all_listings),
        contact_list=tuple(
            ContactEntry(person["contact"], person["number"], person["district"])
            for person in people
            if not person["contact"].is_empty
        ),
        impressum="Redaktion: Arbeitsgruppe Marktzeitung. Druck: im Büro.",
    )
    blank = [f"2026-{90000 + index:05d}" for index in range(300)]
    return MonthlyJob(edition, paper_members, blank)


def _pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type /Page\b(?!s)", pdf))


def _accelerated() -> bool:
    """Whether reportlab found its optional C accelerator (the rl_accel package)."""
    try:
        import _rl_accel  # noqa: F401
    except ImportError:
        return False
    return True


def run(job: MonthlyJob, out: Path | None = None) -> dict[str, object]:
    """Render every file of the monthly job; return timings, pages and sizes."""
    from print.inserts import render_inserts
    from print.newspaper import render_contact_list, render_large_print, render_newspaper
    from print.vouchers import render_blank_vouchers

    edition = job.edition
    steps = {
        "marktzeitung.pdf": lambda: render_newspaper(edition),  # type: ignore[arg-type]
        "grossdruck.pdf": lambda: render_large_print(edition),  # type: ignore[arg-type]
        "kontaktliste.pdf": lambda: render_contact_list(edition),  # type: ignore[arg-type]
        "beilagen.pdf": lambda: render_inserts(job.paper_members, edition.ring, edition.info),  # type: ignore
        "belege.pdf": lambda: render_blank_vouchers(job.blank_voucher_numbers, edition.ring),  # type: ignore
    }
    files: dict[str, dict[str, float | int]] = {}
    started, cpu_started = time.perf_counter(), time.process_time()
    for name, render in steps.items():
        step, cpu_step = time.perf_counter(), time.process_time()
        pdf = render()
        files[name] = {
            "pages": _pages(pdf),
            "bytes": len(pdf),
            "seconds": round(time.perf_counter() - step, 3),
            "cpu_seconds": round(time.process_time() - cpu_step, 3),
        }
        if out is not None:
            out.mkdir(parents=True, exist_ok=True)
            (out / name).write_bytes(pdf)
    wall = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    peak_mb = _memory_mb("VmHWM")
    return {
        "benchmark": "print",
        "wall_seconds": round(wall, 2),
        "cpu_seconds": round(cpu, 2),
        "c_accelerator": _accelerated(),
        "files": files,
        "peak_rss_mb": round(peak_mb, 1),
        "goal": {"seconds": GOAL_SECONDS, "mb": GOAL_MB, "met": wall < GOAL_SECONDS and peak_mb < GOAL_MB},
    }


# ---------------------------------------------------------------------------------------------
# From the database: the ring built with the application's operations, the job timed


POSTAL_CODES = (
    "04103", "04105", "04107", "04109", "04129", "04155", "04157", "04158", "04159", "04177",
    "04178", "04179", "04205", "04207", "04209", "04229", "04249", "04275", "04277", "04279",
    "04289", "04299", "04315", "04317", "04318", "04319", "04328", "04329", "04347", "04349",
    "04356", "04357", "04416", "04420",
)  # fmt: skip
STREETS = (
    "Lützner Straße",
    "Merseburger Straße",
    "Georg-Schwarz-Straße",
    "Karl-Heine-Straße",
    "Zschochersche Straße",
    "Gohliser Straße",
    "Eisenbahnstraße",
    "Karl-Liebknecht-Straße",
    "Kochstraße",
    "Holbeinstraße",
    "Josephstraße",
    "Lindenauer Markt",
)
FOUNDED = dt.date(2026, 6, 1)
PREVIOUS_CUTOFF = dt.date(2026, 10, 31)  # the November edition
CUTOFF = dt.date(2026, 11, 30)  # the December edition: the job
NEXT_CUTOFF = dt.date(2026, 12, 29)
FLOOR, CEILING = -30 * 60, 60 * 60


RING_ZONE = ZoneInfo("Europe/Berlin")  # tauschring.clock.RING_ZONE, without importing the app here


def _moment(day: dt.date, minute_of_day: int = 9 * 60) -> dt.datetime:
    """A moment on the ring's clock."""
    return dt.datetime.combine(day, dt.time(), RING_ZONE) + dt.timedelta(minutes=minute_of_day)


def _random_moment(rng: random.Random, first: dt.date, last: dt.date) -> dt.datetime:
    """A moment between 7:00 and 22:00 on a day from first to last (inclusive)."""
    day = first + dt.timedelta(days=rng.randrange((last - first).days + 1))
    return _moment(day, rng.randrange(7 * 60, 22 * 60))


JOB_NOW = _moment(dt.date(2026, 12, 2), 9 * 60)


def _log(message: str) -> None:
    sys.stderr.write(f"[bench/print] {message}\n")
    sys.stderr.flush()


def build_ring(url: str, sizes: Sizes, seed: int) -> dict[str, int]:
    """Fill an empty database with the ring, its listings, bookings and the previous edition."""
    from sqlalchemy.orm import Session

    import ledger
    from tauschring.db import make_engine
    from tauschring.editions import create_edition
    from tauschring.listings import create_listing, edit_listing, renew_listing, withdraw_listing
    from tauschring.members import admit_member, set_consents
    from tauschring.models import EditionListing, metadata
    from tauschring.permissions import Actor
    from tauschring.rings import categories_of, found_ring

    rng = random.Random(seed)
    engine = make_engine(url)
    metadata.create_all(engine)
    founded = _moment(FOUNDED)
    stats: dict[str, int] = {}
    with Session(engine) as session:
        ring_id = found_ring(
            session,
            name="Tauschring Lindenau",
            now=founded,
            min_balance=FLOOR,
            max_balance=CEILING,
            office_address="Bürgerhaus Lindenau\nMarktstraße 12\n04177 Leipzig",
            office_phone="0341 246 810",
            office_email="buero@tauschring-lindenau.example",
            office_hours="Dienstag 10–12 Uhr und Donnerstag 16–18 Uhr im Bürgerhaus",
        )
        system = Actor.system(ring_id)  # seed data: the ring's own console

        # -- members, consents -------------------------------------------------------------
        paper = set(rng.sample(range(sizes.members), sizes.paper))
        newcomers = set(rng.sample(sorted(set(range(sizes.members)) - paper), max(2, sizes.members // 80)))
        members = []
        for index in range(sizes.members):
            first, last = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
            is_paper = index in paper
            joined = (
                _random_moment(rng, PREVIOUS_CUTOFF + dt.timedelta(days=1), CUTOFF).date()
                if index in newcomers
                else FOUNDED - dt.timedelta(days=rng.randrange(0, 3000))
            )
            member = admit_member(
                session,
                system,
                first_name=first,
                last_name=last,
                now=founded,
                joined_on=joined,
                phone=f"0341 {rng.randrange(200, 999)} {rng.randrange(1000, 9999)}",
                email=None if is_paper else f"{first.lower()}.{index}@example.org",
                street=f"{rng.choice(STREETS)} {rng.randrange(1, 140)}",
                postal_code=rng.choice(POSTAL_CODES),
                city="Leipzig",
                district=rng.choice(DISTRICTS),
                name_display=rng.choices(("full", "first_initial", "number"), (5, 4, 1))[0],
                paper_member=is_paper,
                large_print=is_paper and rng.random() < 0.2,
            )
            chances = {
                ("phone", "print"): 0.7 if is_paper else 0.5,
                ("email", "print"): 0.25,
                ("address", "print"): 0.1,
                ("phone", "online"): 0.6,
                ("email", "online"): 0.6,
            }
            granted = {key: True for key, chance in chances.items() if rng.random() < chance}
            if granted:
                # Recorded by the office: from the paper form, or as the member said ("office").
                set_consents(
                    session,
                    system,
                    member,
                    granted,
                    now=founded,
                    changed_on=FOUNDED,
                    source="paper_form" if is_paper else "office",
                )
            members.append(member)
        session.commit()
        stats["members"] = len(members)
        stats["paper_members"] = len(paper)
        stats["large_print"] = sum(1 for m in members if m.large_print)
        _log(f"{len(members)} members")

        # -- listings: live ones, and some that must stay out of the paper -------------------
        categories = [c.id for c in categories_of(session, ring_id)]
        active = [m for i, m in enumerate(members) if i not in newcomers]
        busy = rng.sample(active, max(1, len(active) // 4))  # a quarter of the members list most
        extra = max(3, sizes.listings // 20)
        plans = [
            ("live", _random_moment(rng, CUTOFF - dt.timedelta(days=88), CUTOFF))
            for _ in range(sizes.listings)
        ]
        plans += [
            ("withdrawn", _random_moment(rng, CUTOFF - dt.timedelta(days=80), CUTOFF)) for _ in range(extra)
        ]
        plans += [
            ("online", _random_moment(rng, CUTOFF - dt.timedelta(days=80), CUTOFF)) for _ in range(extra)
        ]
        plans += [
            ("expired", _random_moment(rng, FOUNDED, CUTOFF - dt.timedelta(days=96))) for _ in range(extra)
        ]
        plans.sort(key=lambda plan: plan[1])
        previous_end = _moment(PREVIOUS_CUTOFF + dt.timedelta(days=1), 0)
        in_previous = []
        live = []
        for fate, created in plans:
            owner = rng.choice(busy) if rng.random() < 0.6 else rng.choice(active)
            kind = "offer" if rng.random() < 0.7 else "request"
            activity = rng.choice(ACTIVITIES)
            listing = create_listing(
                session,
                system,
                member=owner,
                kind=kind,
                category_id=rng.choice(categories),
                title=activity if kind == "offer" else f"Suche Hilfe: {activity}",
                text=" ".join(rng.sample(SENTENCES, rng.randrange(1, 5))),
                now=created,
                district=owner.district if rng.random() < 0.6 else None,
                availability=rng.choice([None, "abends", "am Wochenende", "vormittags", "nach Absprache"]),
                price_hint=rng.choice([None, None, "1 Std. pro Einsatz", "plus Fahrtkosten", "nach Aufwand"]),
                print_in_paper=fate != "online",
            )
            withdrawn = None
            if fate == "withdrawn":
                withdrawn = created + dt.timedelta(hours=rng.randrange(1, 24 * 30))
                withdrawn = min(withdrawn, _moment(CUTOFF, 8 * 60))
                withdraw_listing(session, system, listing, now=withdrawn)
            if (
                listing.print_in_paper
                and listing.created_at < previous_end
                and (withdrawn is None or withdrawn >= previous_end)
                and listing.expires_on >= PREVIOUS_CUTOFF
            ):
                in_previous.append(listing.id)
            if fate == "live":
                live.append(listing)
        stats["listings_in_database"] = len(plans)

        # edits (after the previous cut-off: GEÄNDERT) and renewals of listings about to run out
        for listing in live:
            if listing.created_at < previous_end and rng.random() < 0.08:
                when = _random_moment(rng, PREVIOUS_CUTOFF + dt.timedelta(days=1), CUTOFF)
                edit_listing(session, system, listing, now=when, text=listing.text + " Jetzt auch samstags.")
            if listing.expires_on < NEXT_CUTOFF and rng.random() < 0.5:
                renew_listing(session, system, listing, now=_random_moment(rng, dt.date(2026, 11, 1), CUTOFF))

        # the November edition, as printed: the December markers come from it
        previous = create_edition(
            session,
            system,
            year=2026,
            month=11,
            cutoff=PREVIOUS_CUTOFF,
            next_cutoff=CUTOFF,
            now=_moment(dt.date(2026, 11, 2)),
        )
        previous.status, previous.generated_at = "generated", _moment(dt.date(2026, 11, 2))
        session.add_all(
            EditionListing(edition_id=previous.id, listing_id=i, marker=None) for i in in_previous
        )
        session.commit()
        _log(
            f"{len(plans)} listings ({len(live)} live for print), {len(in_previous)} in the previous edition"
        )

        # -- bookings, in time order (an account's postings never go back in time) ----------
        accounts = [m.account_id for m in members]
        paper_accounts = {m.account_id for m in members if m.paper_member}
        balances = dict.fromkeys(accounts, 0)
        first_day = CUTOFF - dt.timedelta(days=30 * sizes.months - 1)
        last_day = CUTOFF + dt.timedelta(days=1)  # a few after the cut-off: not on the statements
        moments = sorted(
            _random_moment(rng, first_day, last_day) for _ in range(sizes.months * sizes.transfers_per_month)
        )
        booked = 0
        for number, now in enumerate(moments, start=1):
            for _attempt in range(10):
                payer, payee = rng.sample(accounts, 2)
                minutes = rng.randrange(15, 241, 15)
                if balances[payer] - minutes >= FLOOR and balances[payee] + minutes <= CEILING:
                    break
            else:
                continue
            ledger.book_transfer(
                session,
                ring_id=ring_id,
                payer=payer,
                payee=payee,
                minutes=minutes,
                memo=rng.choice(ACTIVITIES),
                service_date=now.date() - dt.timedelta(days=rng.randrange(0, 10)),
                now=now,
                channel="office" if payer in paper_accounts else "web",
            )
            balances[payer] -= minutes
            balances[payee] += minutes
            booked += 1
            if number % 2000 == 0:
                session.commit()
        session.commit()
        stats["bookings"] = booked
        _log(f"{booked} bookings")
    engine.dispose()
    return stats


RENDERERS = {
    "render_newspaper": "marktzeitung.pdf",
    "render_large_print": "grossdruck.pdf",
    "render_contact_list": "kontaktliste.pdf",
    "render_inserts": "beilagen.pdf",
    "render_blank_vouchers": "belege.pdf",
}


def _memory_mb(field: str) -> float:
    """VmRSS (now) or VmHWM (peak) of this process. Unlike ru_maxrss, the peak starts afresh in a
    child process (ru_maxrss carries the parent's over fork and exec)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(f"{field}:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_job(url: str, out: Path | None = None) -> dict[str, object]:
    """Create the December edition (not timed), then time generate_edition and its commit."""
    from sqlalchemy import func, select
    from sqlalchemy.orm import Session

    import ledger
    import tauschring.editions as editions
    from tauschring.db import make_engine
    from tauschring.models import Edition, EditionEvent, EditionListing, EditionNews, Member, VoucherRange
    from tauschring.permissions import Actor

    engine = make_engine(url)
    with Session(engine) as session:
        system = Actor.system(session.scalar(select(ledger.Ring.id)))  # as `tauschring print edition`
        edition = editions.create_edition(
            session,
            system,
            year=2026,
            month=12,
            cutoff=CUTOFF,
            next_cutoff=NEXT_CUTOFF,
            now=JOB_NOW,
        )
        for day, title in (
            (1, "Sprechstunde"),
            (8, "Tauschtreffen"),
            (12, "Repair-Café"),
            (22, "Tauschtreffen"),
        ):
            edition.events.append(
                EditionEvent(date=dt.date(2026, 12, day), time="19:00", title=title, place="Bürgerhaus")
            )
        for position, (title, text) in enumerate(
            (
                ("Neue Sprechzeiten", "Ab Januar ist das Büro auch donnerstags geöffnet.\n\nDanke!"),
                ("Jahresversammlung", " ".join(SENTENCES)),
            ),
            start=1,
        ):
            edition.news.append(EditionNews(position=position, title=title, text=text))
        session.commit()
        edition_id = edition.id

    timings: dict[str, dict[str, float]] = {}

    def timed(name: str, render):
        def wrapper(*args, **kwargs):
            wall, cpu = time.perf_counter(), time.process_time()
            result = render(*args, **kwargs)
            timings[name] = {
                "seconds": round(time.perf_counter() - wall, 3),
                "cpu_seconds": round(time.process_time() - cpu, 3),
            }
            return result

        return wrapper

    originals = {attr: getattr(editions, attr) for attr in RENDERERS}
    rss_before = _memory_mb("VmRSS")
    try:
        for attr, name in RENDERERS.items():
            setattr(editions, attr, timed(name, originals[attr]))
        started, cpu_started = time.perf_counter(), time.process_time()
        with Session(engine) as session:  # a fresh session: nothing cached from the set-up
            done = editions.generate_edition(session, system, session.get(Edition, edition_id), now=JOB_NOW)
            session.commit()
        wall = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
    finally:
        for attr, render in originals.items():
            setattr(editions, attr, render)
    peak_mb = _memory_mb("VmHWM")

    files = {}
    for name, pdf in done.files.items():
        files[name] = {"pages": _pages(pdf), "bytes": len(pdf), **timings[name]}
        if out is not None:
            out.mkdir(parents=True, exist_ok=True)
            (out / name).write_bytes(pdf)
    with Session(engine) as session:
        markers = dict(
            session.execute(
                select(func.coalesce(EditionListing.marker, "-"), func.count())
                .where(EditionListing.edition_id == edition_id)
                .group_by(EditionListing.marker)
            ).all()
        )
        paper_accounts = select(Member.account_id).where(
            Member.paper_member.is_(True), Member.status == "active"
        )
        statement_lines = session.scalar(
            select(func.count())
            .select_from(ledger.Posting)
            .where(
                ledger.Posting.account_id.in_(paper_accounts),
                ledger.Posting.booked_at >= _moment(PREVIOUS_CUTOFF + dt.timedelta(days=1), 0),
                ledger.Posting.booked_at < _moment(CUTOFF + dt.timedelta(days=1), 0),
            )
        )
        vouchers = session.scalar(
            select(func.sum(VoucherRange.last - VoucherRange.first + 1)).where(
                VoucherRange.edition_id == edition_id
            )
        )
    engine.dispose()
    rendering = sum(step["seconds"] for step in timings.values())
    return {
        "wall_seconds": round(wall, 2),
        "cpu_seconds": round(cpu, 2),
        "database_seconds": round(wall - rendering, 2),
        "files": files,
        "pages": sum(int(f["pages"]) for f in files.values()),
        "peak_rss_mb": round(peak_mb, 1),
        "rss_before_job_mb": round(rss_before, 1),
        "edition": {
            "listings": done.listings,
            "markers": markers,
            "print_run": done.print_run,
            "large_print_run": done.large_print_run,
            "statement_lines": statement_lines,
            "vouchers": vouchers,
        },
    }


def _child(*arguments: str) -> dict[str, object]:
    """Run this benchmark with the given arguments in a fresh interpreter; its one JSON line."""
    finished = subprocess.run(
        [sys.executable, "-m", "bench.print", *arguments],
        check=True,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    return json.loads(finished.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke test of a few seconds")
    parser.add_argument("--out", type=Path, help="write the job's PDFs into this folder")
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--no-direct", action="store_true", help="skip the direct print/ measurement")
    parser.add_argument("--build-only", metavar="SQLITE_FILE", help=argparse.SUPPRESS)
    parser.add_argument("--direct-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sizes = QUICK if args.quick else FULL
    seed_args = ["--seed", str(args.seed)] + (["--quick"] if args.quick else [])

    if args.build_only:
        started = time.perf_counter()
        stats = build_ring(f"sqlite:///{args.build_only}", sizes, args.seed)
        stats["build_seconds"] = round(time.perf_counter() - started, 2)  # type: ignore[assignment]
        sys.stdout.write(json.dumps(stats) + "\n")
        return
    if args.direct_only:
        job = generate(args.seed, sizes.members, sizes.listings, sizes.paper)
        direct = run(job)
        sys.stdout.write(
            json.dumps(
                {
                    "wall_seconds": direct["wall_seconds"],
                    "cpu_seconds": direct["cpu_seconds"],
                    "pages": sum(f["pages"] for f in direct["files"].values()),  # type: ignore[union-attr]
                    "peak_rss_mb": round(_memory_mb("VmHWM"), 1),
                }
            )
            + "\n"
        )
        return

    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="tauschring-bench-print-") as folder:
        database = Path(folder) / "ring.sqlite"
        _log("building the ring in a child process ...")
        ring = _child("--build-only", str(database), *seed_args)
        _log(f"built in {ring['build_seconds']} s; generating the December edition ...")
        result = run_job(f"sqlite:///{database}", args.out)
    wall, peak = float(result["wall_seconds"]), float(result["peak_rss_mb"])  # type: ignore[arg-type]
    met = None if args.quick else (wall < GOAL_SECONDS and peak < GOAL_MB)
    report: dict[str, object] = {
        "benchmark": "print",
        "job": "generate_edition from SQLite (queries, 5 files, archive) and commit",
        "quick": args.quick,
        **result,
        "goal": {"seconds": GOAL_SECONDS, "mb": GOAL_MB, "met": met},
        "ring": {**ring, "sizes": asdict(sizes)},
        "c_accelerator": _accelerated(),
    }
    if not args.no_direct:
        _log("the direct print/ measurement in a child process ...")
        report["direct_dataclasses"] = _child("--direct-only", *seed_args)
    report["load_average"] = {
        "before": [round(x, 2) for x in load_before],
        "after": [round(x, 2) for x in os.getloadavg()],
    }
    sys.stdout.write(json.dumps(report, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
