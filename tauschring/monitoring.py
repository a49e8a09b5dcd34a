"""What the operator must know, from the database and the backup folder: each job's last run,
the last verify, the newest backup and its check. Read at scrape time for ``/metrics``
(``StateCollector``) and for the office page "Betrieb" (``operations``); bookings counted from
the committed events; the pool watched through SQLAlchemy's pool events."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import event
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from . import backups, events, jobruns, metrics
from .jobs import JOBS


@dataclass(frozen=True)
class Problem:
    """Something the operator must look at: ``kind`` (job_failed, no_backup_dir, and the backup
    state's kinds none, unchecked, check_failed, old), the job, and the technical detail."""

    kind: str
    job: str | None = None
    detail: str = ""


@dataclass(frozen=True)
class Operations:
    """The jobs' last runs, the backups' state and what needs the operator (no personal data)."""

    runs: dict[str, jobruns.LastRun | None]
    backup: backups.State | None  # None: no backup folder configured
    backups: tuple[backups.Listed, ...]
    problems: tuple[Problem, ...]


def operations(session: Session, backup_dir: str | None, now: dt.datetime) -> Operations:
    runs = jobruns.last_runs(session, list(JOBS))
    problems = [
        Problem("job_failed", name, run.detail)
        for name, run in runs.items()
        if run is not None and run.status == "failed"
    ]
    state = backups.state(backup_dir, now) if backup_dir else None
    if state is None:
        problems.append(Problem("no_backup_dir"))
    elif state.kind:
        failed_check = state.kind == "check_failed" and state.latest and state.latest.check
        problems.append(Problem(state.kind, None, state.latest.check.detail if failed_check else ""))
    listed = tuple(backups.listing(backup_dir)) if backup_dir else ()
    return Operations(runs, state, listed, tuple(problems))


class StateCollector:
    """Gauges read from the database and the backup folder at each scrape."""

    def __init__(self, session: Session, backup_dir: str | None, now: dt.datetime) -> None:
        self.session, self.backup_dir, self.now = session, backup_dir, now

    def collect(self):
        try:
            facts = operations(self.session, self.backup_dir, self.now)
        except SQLAlchemyError:  # the database is away or not migrated: say so, keep the rest
            self.session.rollback()
            yield GaugeMetricFamily(
                "tauschring_state_readable", "1 if the database could be read.", value=0.0
            )
            return
        yield GaugeMetricFamily("tauschring_state_readable", "1 if the database could be read.", value=1.0)
        last_run = GaugeMetricFamily(
            "tauschring_job_last_run_timestamp_seconds", "When each job last started.", labels=["job"]
        )
        last_ok = GaugeMetricFamily(
            "tauschring_job_last_success_timestamp_seconds", "When each job last ended well.", labels=["job"]
        )
        healthy = GaugeMetricFamily(
            "tauschring_job_last_run_ok",
            "1 if the job's last run ended well (or was skipped), else 0.",
            labels=["job"],
        )
        for name, run in facts.runs.items():
            if run is None:
                continue
            last_run.add_metric([name], run.started_at.timestamp())
            if run.last_ok_at is not None:
                last_ok.add_metric([name], run.last_ok_at.timestamp())
            if run.status != "running":
                healthy.add_metric([name], 0.0 if run.status == "failed" else 1.0)
        yield from (last_run, last_ok, healthy)
        verify = facts.runs.get("verify")
        if verify is not None and verify.status in ("ok", "failed"):
            yield GaugeMetricFamily(
                "tauschring_verify_ok",
                "1 if the last verify found every ring's books in order.",
                value=float(verify.status == "ok"),
            )
        state = facts.backup
        if state is not None and state.latest is not None:
            yield GaugeMetricFamily(
                "tauschring_backup_age_seconds", "Age of the newest backup.", value=state.age.total_seconds()
            )
            yield GaugeMetricFamily(
                "tauschring_backup_check_ok",
                "1 if the newest backup was restored into a scratch database and verified.",
                value=float(bool(state.latest.check and state.latest.check.ok)),
            )
        yield GaugeMetricFamily(
            "tauschring_operator_problems",
            "Things the operator must look at (office page Betrieb).",
            value=len(facts.problems),
        )


# ---------------------------------------------------------------------------------------------
# Counted as it happens


@events.subscribe(events.PaymentBooked)
def _payment(event: events.PaymentBooked) -> None:
    metrics.BOOKINGS.labels(kind="payment").inc()


@events.subscribe(events.FeesBooked)
def _fees(event: events.FeesBooked) -> None:
    metrics.BOOKINGS.labels(kind="fee").inc(len(event.entry_ids))


@events.subscribe(events.EntryReversed)
def _reversal(event: events.EntryReversed) -> None:
    metrics.BOOKINGS.labels(kind="reversal").inc()


def watch_pool(engine: sa.Engine) -> None:
    """Count the engine's pooled connections in use and open (once per engine)."""
    if engine.pool.__dict__.get("_tauschring_watched"):
        return
    engine.pool.__dict__["_tauschring_watched"] = True
    event.listen(engine, "connect", lambda *args: metrics.POOL_OPEN.inc())
    event.listen(engine, "close", lambda *args: metrics.POOL_OPEN.dec())
    event.listen(engine, "checkout", lambda *args: metrics.POOL_IN_USE.inc())
    event.listen(engine, "checkin", lambda *args: metrics.POOL_IN_USE.dec())
