"""Benchmark of the monthly print job: every file of one edition for a ring of realistic size.

    python bench/print.py [--out DIR] [--seed N]

Generates a ring of 500 members, 2,000 listings and 170 paper members (statements with realistic
line counts, 6 vouchers each) directly as print/ dataclasses, renders marktzeitung, grossdruck,
kontaktliste, beilagen and belege, and prints one JSON line: wall time, pages and bytes per file,
peak memory, and whether the goals (under 10 s, under 500 MB) were met.

`generate()` is the data step: the application will replace it by its database-to-dataclass
mapping and keep the rest.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import resource
import sys
import time
from dataclasses import dataclass
from pathlib import Path

if not __package__:  # run as a file: this script's folder would shadow the package `print`
    _here = Path(__file__).resolve().parent
    sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != _here]
    sys.path.insert(0, str(_here.parent))

GOAL_SECONDS = 10.0
GOAL_MB = 500.0

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
    """A ring of realistic size as print/ dataclasses (the application replaces this step)."""
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
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "benchmark": "print",
        "wall_seconds": round(wall, 2),
        "cpu_seconds": round(cpu, 2),
        "c_accelerator": _accelerated(),
        "files": files,
        "peak_rss_mb": round(peak_mb, 1),
        "goal": {"seconds": GOAL_SECONDS, "mb": GOAL_MB, "met": wall < GOAL_SECONDS and peak_mb < GOAL_MB},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="write the PDFs into this folder")
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args()
    generated = time.perf_counter()
    job = generate(args.seed)
    data_seconds = time.perf_counter() - generated
    result = run(job, args.out)
    result["data_seconds"] = round(data_seconds, 2)
    result["ring"] = {
        "members": 500,
        "listings": len(job.edition.listings),  # type: ignore[attr-defined]
        "paper_members": len(job.paper_members),
        "statement_lines": sum(len(m.statement.lines) for m in job.paper_members),  # type: ignore
        "vouchers": sum(len(m.voucher_numbers) for m in job.paper_members),
    }  # type: ignore
    sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
