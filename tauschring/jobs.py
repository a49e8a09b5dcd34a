"""Scheduled work: what is due happens here, never on a page that only reads.

Each job has a schedule (every five minutes, hourly, daily) and runs once per slot of it however
many processes try: ``tauschring serve`` tries every minute in a background thread (``start``),
``tauschring jobs run`` does the same once for cron or a systemd timer, and the claim in the
database (``jobruns.claim``) lets exactly one of them run each slot. Each run's outcome is kept in
``job_run``: ``tauschring jobs`` and the office page "Betrieb" show it, ``/metrics`` exports it.

The jobs: accepting payment requests past their answer time, verifying every ring's books, and
the daily backup with its check and retention (``backups``).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

import ledger

from . import backups, jobruns, verification
from .clock import local_now
from .db import db, run_in_transaction
from .payments import accept_due_requests

log = logging.getLogger(__name__)

# How often `serve` looks for due work (seconds); each job runs at most once per slot anyway.
INTERVAL_S = 60


@dataclass(frozen=True)
class DueRequests:
    ring_id: int
    accepted: int
    failed: int


@dataclass(frozen=True)
class Settings:
    """What the jobs need of the configuration."""

    database_url: str
    backup_dir: str | None = None
    backup_check_url: str | None = None
    retention: backups.Retention = field(default_factory=backups.Retention)

    @classmethod
    def of(cls, config: dict) -> Settings:
        return cls(
            database_url=str(config["SQLALCHEMY_ENGINES"]["default"]["url"]),
            backup_dir=config.get("BACKUP_DIR") or None,
            backup_check_url=config.get("BACKUP_CHECK_DATABASE_URL") or None,
            retention=backups.Retention(
                int(config.get("BACKUP_KEEP_DAILY", 7)),
                int(config.get("BACKUP_KEEP_WEEKLY", 4)),
                int(config.get("BACKUP_KEEP_MONTHLY", 12)),
            ),
        )


class JobFailed(Exception):
    """The job ran to its end and found something wrong (a violation, a failed check)."""


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


def _accept_due_job(session: Session, settings: Settings, now: dt.datetime) -> str:
    done = accept_due(session)
    return "; ".join(
        f"Tauschring {d.ring_id}: {d.accepted} angenommen, {d.failed} nicht buchbar" for d in done
    ) or ("keine Tauschringe")


def _verify_job(session: Session, settings: Settings, now: dt.datetime) -> str:
    session.rollback()
    # Only reads: on SQLite a deferred transaction, so bookings need not wait for it.
    session.connection(execution_options={"read_only": True})
    reports = [ledger.verify(session, ring_id) for ring_id in ring_ids(session)]
    session.rollback()

    def keep(s: Session) -> None:  # what the office home shows, in one short write transaction
        for report in reports:
            verification.record(s, report, now=now, source="job")

    run_in_transaction(session, keep)
    detail = "; ".join(
        f"Tauschring {r.ring_id}: " + ("in Ordnung" if r.ok else f"{len(r.violations)} Verstöße")
        for r in reports
    )
    if any(not r.ok for r in reports):
        raise JobFailed(detail)
    return detail or "keine Tauschringe"


def _backup_job(session: Session, settings: Settings, now: dt.datetime) -> str:
    if not settings.backup_dir:
        return "skipped:kein Sicherungsordner (BACKUP_DIR) eingestellt"
    session.close()
    taken = backups.take(
        settings.database_url,
        Path(settings.backup_dir),
        now,
        retention=settings.retention,
        check_url=settings.backup_check_url,
    )
    detail = f"{taken.path.name} ({taken.size} Bytes); Prüfung: {taken.check.detail}"
    if taken.removed:
        detail += f"; {len(taken.removed)} alte entfernt"
    if not taken.check.ok:
        raise JobFailed(detail)
    return detail


@dataclass(frozen=True)
class Job:
    name: str
    every: dt.timedelta
    work: Callable[[Session, Settings, dt.datetime], str]
    # How long a run may stay "running" before another process takes it over as lost.
    lease: dt.timedelta


JOBS: dict[str, Job] = {
    job.name: job
    for job in (
        Job("accept_due_requests", dt.timedelta(minutes=5), _accept_due_job, dt.timedelta(minutes=30)),
        Job("verify", dt.timedelta(hours=1), _verify_job, dt.timedelta(hours=1)),
        Job("backup", dt.timedelta(days=1), _backup_job, dt.timedelta(hours=3)),
    )
}


@dataclass(frozen=True)
class Outcome:
    job: str
    slot: str
    ran: bool  # False: another process had this slot
    status: str | None = None
    detail: str = ""


def run_job(
    session: Session,
    job: Job,
    settings: Settings,
    *,
    now: dt.datetime | None = None,
    clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    runner: str | None = None,
) -> Outcome:
    """Run ``job`` for the slot of ``now`` if no other process has; record the outcome."""
    now = now or clock()
    runner = runner or jobruns.runner_name()
    slot = jobruns.slot_of(now, job.every)
    session.rollback()
    run = run_in_transaction(
        session, lambda s: jobruns.claim(s, job.name, slot, now=now, runner=runner, lease=job.lease)
    )
    if run is None:
        return Outcome(job.name, slot, ran=False)
    run_id = run.id
    log.info("job %s slot %s started", job.name, slot)
    try:
        detail = job.work(session, settings, now)
        status = "ok"
        if detail.startswith("skipped:"):
            status, detail = "skipped", detail.removeprefix("skipped:")
    except JobFailed as failure:
        status, detail = "failed", str(failure)
    except Exception as error:  # a job's fault is recorded and logged; the others go on
        log.exception("job %s slot %s failed", job.name, slot)
        status, detail = (
            "failed",
            f"{type(error).__name__}: {str(error).splitlines()[0][:300] if str(error) else ''}",
        )
    session.rollback()
    run_in_transaction(
        session,
        lambda s: jobruns.finish(s, run_id, runner=runner, status=status, detail=detail, now=clock()),
    )
    log.log(
        logging.WARNING if status == "failed" else logging.INFO,
        "job %s slot %s %s",
        job.name,
        slot,
        status,
    )
    return Outcome(job.name, slot, True, status, detail)


def run_due(session: Session, settings: Settings, names: list[str] | None = None) -> list[Outcome]:
    """Each job (or the named ones) for its current slot, unless another process has it."""
    outcomes = []
    for name in names or list(JOBS):
        outcomes.append(run_job(session, JOBS[name], settings))
        session.close()
    now = dt.datetime.now(dt.UTC)
    run_in_transaction(session, lambda s: jobruns.prune(s, now))
    session.close()
    return outcomes


def run_all(app: Flask) -> list[Outcome]:
    """Every job due now, in the app's context; a failing job is recorded and the others go on."""
    with app.app_context():
        try:
            return run_due(db.session, Settings.of(app.config))
        except Exception:  # the database is away: try again next time
            log.exception("scheduled jobs could not run")
            return []
        finally:
            db.session.close()


def start(app: Flask, interval_s: float = INTERVAL_S) -> threading.Event:
    """Run the due jobs now and then every ``interval_s`` seconds in a daemon thread; set the
    returned event to stop it."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            run_all(app)
            stop.wait(interval_s)

    threading.Thread(target=loop, name="tauschring-jobs", daemon=True).start()
    return stop
