"""Scheduled jobs run once per slot of their schedule, however many processes serve.

A job's schedule cuts time into slots (every five minutes, every hour, every day; counted in UTC
from the epoch, so every process computes the same slot). The first process to insert the row
(job, slot) into ``job_run`` runs the job; the unique constraint refuses every other insert, on
SQLite and on PostgreSQL alike, so the others do nothing. A run whose process died stays
"running"; after the job's lease another process takes it over with a conditional UPDATE that
only one of them can win. These functions flush and never commit: the caller (``jobs``) commits
the claim before the work starts, so the claim is visible to every other process.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
from dataclasses import dataclass

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .models import JobRun

DETAIL_LIMIT = 2000


def runner_name() -> str:
    """This process: host and pid (no person, so fine for the log and the page)."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}"


def slot_of(now: dt.datetime, every: dt.timedelta) -> str:
    """The slot ``now`` falls into, in UTC: ``2026-12-01T10:05Z`` for five minutes."""
    seconds = int(every.total_seconds())
    epoch = int(now.astimezone(dt.UTC).timestamp())
    start = dt.datetime.fromtimestamp(epoch - epoch % seconds, dt.UTC)
    return start.strftime("%Y-%m-%dT%H:%MZ")


def claim(
    session: Session, job: str, slot: str, *, now: dt.datetime, runner: str, lease: dt.timedelta
) -> JobRun | None:
    """The run of ``job`` for ``slot`` if this process got it, else None (another has it).

    Inserted in a savepoint: a refused insert leaves the caller's transaction usable. A run left
    "running" past ``lease`` is taken over by an UPDATE guarded by its old start, so of several
    processes trying, exactly one sees a row changed.
    """
    try:
        with session.begin_nested():
            run = JobRun(job=job, slot=slot, status="running", runner=runner, started_at=now, detail="")
            session.add(run)
    except IntegrityError:
        pass
    else:
        return run
    taken = session.execute(
        update(JobRun)
        .where(
            JobRun.job == job,
            JobRun.slot == slot,
            JobRun.status == "running",
            JobRun.started_at < now - lease,
        )
        .values(runner=runner, started_at=now, detail="übernommen")
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:
        return None
    session.expire_all()
    return session.scalars(select(JobRun).where(JobRun.job == job, JobRun.slot == slot)).one()


def finish(session: Session, run_id: int, *, runner: str, status: str, detail: str, now: dt.datetime) -> bool:
    """Record the outcome; only the runner that still holds the run may (a lost run taken over
    belongs to its new runner). Whether it was recorded."""
    done = session.execute(
        update(JobRun)
        .where(JobRun.id == run_id, JobRun.runner == runner, JobRun.status == "running")
        .values(status=status, detail=detail[:DETAIL_LIMIT], finished_at=now)
        .execution_options(synchronize_session=False)
    )
    return done.rowcount == 1


@dataclass(frozen=True)
class LastRun:
    job: str
    slot: str
    status: str
    runner: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    detail: str
    last_ok_at: dt.datetime | None  # the end of the last successful run, perhaps an older one


def last_runs(session: Session, jobs: list[str]) -> dict[str, LastRun | None]:
    """Each job's newest run (None if it never ran), with when it last succeeded."""
    found: dict[str, LastRun | None] = {}
    for job in jobs:
        run = session.scalars(
            select(JobRun)
            .where(JobRun.job == job)
            .order_by(JobRun.started_at.desc(), JobRun.id.desc())
            .limit(1)
        ).first()
        if run is None:
            found[job] = None
            continue
        last_ok = session.scalar(
            select(func.max(JobRun.finished_at)).where(JobRun.job == job, JobRun.status == "ok")
        )
        found[job] = LastRun(
            run.job, run.slot, run.status, run.runner, run.started_at, run.finished_at, run.detail, last_ok
        )
    return found


def history(session: Session, job: str | None = None, limit: int = 50) -> list[JobRun]:
    """The newest runs, of one job or of all."""
    query = select(JobRun).order_by(JobRun.started_at.desc(), JobRun.id.desc()).limit(limit)
    if job is not None:
        query = query.where(JobRun.job == job)
    return list(session.scalars(query))


KEEP_RUNS = dt.timedelta(days=90)


def prune(session: Session, now: dt.datetime, keep: dt.timedelta = KEEP_RUNS) -> int:
    """Forget finished runs older than ``keep`` (a run every five minutes is 100,000 rows a
    year); a job's newest run is always kept. How many were removed."""
    newest = select(func.max(JobRun.id)).group_by(JobRun.job)
    done = session.execute(
        delete(JobRun)
        .where(JobRun.started_at < now - keep, JobRun.status != "running", JobRun.id.not_in(newest))
        .execution_options(synchronize_session=False)
    )
    return done.rowcount
