"""A demo ring for a first look: a few members and a season of exchanges."""

from __future__ import annotations

import datetime as dt
import functools
import random

from sqlalchemy import select
from sqlalchemy.orm import Session

import ledger

from .clock import RING_ZONE, local_now
from .db import run_in_transaction

DEMO_MEMBERS = [
    "Anna Becker",
    "Bernd Schulz",
    "Clara Wagner",
    "Dieter Hoffmann",
    "Elke Neumann",
    "Frank Richter",
    "Gisela Krüger",
    "Hans Zimmermann",
    "Ingrid Braun",
    "Jürgen Hartmann",
]
DEMO_SERVICES = [
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
]


def create_demo(session: Session, *, seed: int = 7, weeks: int = 26) -> int | None:
    """Create the demo ring if the database has none; return its id (None if a ring exists)."""
    if session.execute(select(ledger.Ring.id).limit(1)).first() is not None:
        return None
    rng = random.Random(seed)
    end = local_now()
    start = end - dt.timedelta(weeks=weeks)

    def setup(session: Session) -> tuple[int, list[int]]:
        ring_id = ledger.create_ring(
            session,
            name="Tauschring Lindenau",
            now=start,
            default_min_balance=-30 * 60,
            default_max_balance=60 * 60,
        )
        accounts = [
            ledger.open_account(session, ring_id=ring_id, label=f"{number} {name}", now=start)
            for number, name in enumerate(DEMO_MEMBERS, start=1)
        ]
        return ring_id, accounts

    ring_id, accounts = run_in_transaction(session, setup)
    moment = start
    for _ in range(weeks * 6):
        moment += dt.timedelta(hours=rng.randint(4, 40))
        if moment > end:
            break
        payer, payee = rng.sample(accounts, 2)
        minutes = rng.choice([30, 45, 60, 90, 120, 180])
        booked_at = moment.astimezone(RING_ZONE)
        book = functools.partial(
            ledger.book_transfer,
            ring_id=ring_id,
            payer=payer,
            payee=payee,
            minutes=minutes,
            memo=rng.choice(DEMO_SERVICES),
            service_date=booked_at.date() - dt.timedelta(days=rng.randint(0, 6)),
            now=booked_at,
            channel="web",
        )
        try:
            run_in_transaction(session, book)
        except ledger.LimitExceeded:
            pass  # a member at the limit simply does not get this exchange
    return ring_id
