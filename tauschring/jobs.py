"""Scheduled work: what is due happens here, never on a page that only reads.

``tauschring serve`` runs these jobs in a background thread (``start``); ``tauschring requests
accept-due`` runs the same for cron. Every job is safe when several server processes run it at
once: each takes what it works on under a row lock in its own transaction (see
``payments.accept_due_requests``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

import ledger

from .clock import local_now
from .db import db, run_in_transaction
from .payments import accept_due_requests

log = logging.getLogger(__name__)

# How often `serve` looks for due work (seconds). Requests are due by the day; a few minutes late
# is on time.
INTERVAL_S = 300


@dataclass(frozen=True)
class DueRequests:
    ring_id: int
    accepted: int
    failed: int


def ring_ids(session: Session) -> list[int]:
    return list(session.scalars(select(ledger.Ring.id).order_by(ledger.Ring.id)))


def accept_due(session: Session, rings: list[int] | None = None) -> list[DueRequests]:
    """Accept the payment requests whose answer time ran out, ring by ring, each in its own
    transaction."""
    done = []
    for ring_id in rings if rings is not None else ring_ids(session):
        session.rollback()
        statuses = run_in_transaction(
            session,
            lambda s, ring_id=ring_id: [r.status for r in accept_due_requests(s, ring_id, local_now())],
        )
        accepted = statuses.count("auto_accepted")
        done.append(DueRequests(ring_id, accepted, len(statuses) - accepted))
    return done


JOBS: dict[str, Callable[[Session], object]] = {"accept_due_requests": accept_due}


def run_all(app: Flask) -> None:
    """Run every job once, in the app's context; a failing job is logged and the others go on."""
    with app.app_context():
        for name, job in JOBS.items():
            try:
                job(db.session)
            except Exception:
                log.exception("job %s failed", name)
            finally:
                db.session.close()


def start(app: Flask, interval_s: float = INTERVAL_S) -> threading.Event:
    """Run the jobs now and then every ``interval_s`` seconds in a daemon thread; set the returned
    event to stop it."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            run_all(app)
            stop.wait(interval_s)

    threading.Thread(target=loop, name="tauschring-jobs", daemon=True).start()
    return stop
