"""Scheduled jobs run once per slot, however many threads and processes race for it; each run's
outcome is recorded (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tauschring import jobruns, jobs
from tauschring.db import make_engine
from tauschring.models import JobRun, metadata

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
NOW = dt.datetime(2026, 12, 1, 10, 7, 30, tzinfo=dt.UTC)


def _count_work(session: Session, settings: jobs.Settings, now: dt.datetime) -> str:
    """A job that leaves a trace outside the database: one line per run."""
    with open(Path(settings.backup_dir) / "runs.txt", "a") as file:
        file.write("run\n")
    return "gezählt"


COUNTING = jobs.Job("counting", dt.timedelta(hours=1), _count_work, dt.timedelta(minutes=10))


def _failing_work(session, settings, now):
    raise RuntimeError("kaputt")


def _race_in_process(url: str, folder: str, barrier, results) -> None:
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            barrier.wait(30)
            outcome = jobs.run_job(session, COUNTING, jobs.Settings(url, folder), now=NOW)
            results.put(outcome.ran)
    finally:
        engine.dispose()


@pytest.fixture
def database(fresh_database: str) -> str:
    engine = make_engine(fresh_database)
    metadata.create_all(engine)
    engine.dispose()
    return fresh_database


def _runs(url: str) -> list[tuple[str, str, str]]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(select(JobRun.job, JobRun.slot, JobRun.status))]
    finally:
        engine.dispose()


def test_slots_are_cut_in_utc_from_the_epoch():
    assert jobruns.slot_of(NOW, dt.timedelta(minutes=5)) == "2026-12-01T10:05Z"
    assert jobruns.slot_of(NOW, dt.timedelta(hours=1)) == "2026-12-01T10:00Z"
    assert jobruns.slot_of(NOW.astimezone(dt.timezone(dt.timedelta(hours=1))), dt.timedelta(days=1)) == (
        "2026-12-01T00:00Z"
    )


def test_a_job_runs_once_per_slot_and_again_in_the_next(session, tmp_path):
    settings = jobs.Settings("sqlite://", str(tmp_path))
    first = jobs.run_job(session, COUNTING, settings, now=NOW, runner="a:1")
    again = jobs.run_job(session, COUNTING, settings, now=NOW + dt.timedelta(minutes=20), runner="b:2")
    later = jobs.run_job(session, COUNTING, settings, now=NOW + dt.timedelta(hours=1), runner="b:2")

    assert (first.ran, first.status, first.detail) == (True, "ok", "gezählt")
    assert again.ran is False
    assert later.ran is True and later.slot == "2026-12-01T11:00Z"
    assert (tmp_path / "runs.txt").read_text() == "run\nrun\n"
    last = jobruns.last_runs(session, ["counting"])["counting"]
    assert last.status == "ok" and last.slot == "2026-12-01T11:00Z" and last.runner == "b:2"


def test_a_failing_job_is_recorded_as_failed_with_its_reason(session, tmp_path):
    failing = jobs.Job("failing", dt.timedelta(hours=1), _failing_work, dt.timedelta(minutes=10))
    outcome = jobs.run_job(session, failing, jobs.Settings("sqlite://", str(tmp_path)), now=NOW)

    assert outcome.status == "failed" and outcome.detail == "RuntimeError: kaputt"
    last = jobruns.last_runs(session, ["failing"])["failing"]
    assert last.status == "failed" and last.last_ok_at is None and last.finished_at is not None


def test_a_run_lost_with_its_process_is_taken_over_after_its_lease_by_exactly_one(session):
    lease = dt.timedelta(minutes=10)
    lost = jobruns.claim(session, "counting", "s", now=NOW, runner="dead:1", lease=lease)
    assert lost is not None
    assert (
        jobruns.claim(session, "counting", "s", now=NOW + dt.timedelta(minutes=5), runner="b:2", lease=lease)
        is None
    )

    taken = jobruns.claim(
        session, "counting", "s", now=NOW + dt.timedelta(minutes=11), runner="b:2", lease=lease
    )
    twice = jobruns.claim(
        session, "counting", "s", now=NOW + dt.timedelta(minutes=11), runner="c:3", lease=lease
    )

    assert taken is not None and taken.runner == "b:2" and twice is None
    assert not jobruns.finish(session, lost.id, runner="dead:1", status="ok", detail="", now=NOW)
    assert jobruns.finish(session, lost.id, runner="b:2", status="ok", detail="", now=NOW)


@pytest.mark.slow
@pytest.mark.parametrize("fresh_database", BACKENDS, indirect=True)
def test_threads_racing_for_one_slot_run_the_job_once(database, tmp_path):
    engine = make_engine(database)
    barrier = threading.Barrier(8)
    ran: list[bool] = []

    def race() -> None:
        with Session(engine) as session:
            barrier.wait(30)
            ran.append(jobs.run_job(session, COUNTING, jobs.Settings(database, str(tmp_path)), now=NOW).ran)

    threads = [threading.Thread(target=race) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    engine.dispose()

    assert sorted(ran) == [False] * 7 + [True]
    assert (tmp_path / "runs.txt").read_text() == "run\n"
    assert _runs(database) == [("counting", "2026-12-01T10:00Z", "ok")]


@pytest.mark.slow
@pytest.mark.parametrize("fresh_database", BACKENDS, indirect=True)
def test_processes_racing_for_one_slot_run_the_job_once(database, tmp_path):
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(4)
    results = context.Queue()
    processes = [
        context.Process(target=_race_in_process, args=(database, str(tmp_path), barrier, results))
        for _ in range(4)
    ]
    for process in processes:
        process.start()
    ran = [results.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(60)

    assert sorted(ran) == [False, False, False, True]
    assert (tmp_path / "runs.txt").read_text() == "run\n"
    engine = make_engine(database)
    with engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(JobRun)) == 1
    engine.dispose()


def test_the_jobs_command_shows_each_jobs_last_run(tmp_path, monkeypatch):
    from tauschring import create_app

    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    from tauschring.migrate import upgrade

    upgrade(url)
    app = create_app({"SQLALCHEMY_ENGINES": {"default": url}, "BACKUP_DIR": ""})
    runner = app.test_cli_runner()

    never = runner.invoke(args=["jobs"])
    assert never.exit_code == 0 and "verify (stündlich): noch nie gelaufen" in never.output

    done = runner.invoke(args=["jobs", "run"])
    assert done.exit_code == 0, done.output
    assert "backup" in done.output and "übersprungen" in done.output
    second = runner.invoke(args=["jobs", "run", "verify"])
    assert "in einem anderen Prozess" in second.output

    shown = runner.invoke(args=["jobs"])
    assert shown.exit_code == 0
    assert "verify (stündlich): in Ordnung" in shown.output
    assert "accept_due_requests (alle 5 Minuten): in Ordnung" in shown.output
    with app.app_context():
        from tauschring.db import db

        for engine in db.engines.values():
            engine.dispose()


def test_old_runs_are_forgotten_but_each_jobs_newest_is_kept(session, tmp_path):
    settings = jobs.Settings("sqlite://", str(tmp_path))
    for hours in range(3):
        jobs.run_job(session, COUNTING, settings, now=NOW + dt.timedelta(hours=hours), runner="a:1")
    long_ago = jobs.Job("long_ago", dt.timedelta(hours=1), _count_work, dt.timedelta(minutes=10))
    jobs.run_job(session, long_ago, settings, now=NOW, runner="a:1")

    removed = jobruns.prune(session, NOW + dt.timedelta(days=90, hours=1, minutes=30))

    assert removed == 2
    left = session.execute(select(JobRun.job, JobRun.slot).order_by(JobRun.job)).all()
    assert [tuple(row) for row in left] == [
        ("counting", "2026-12-01T12:00Z"),
        ("long_ago", "2026-12-01T10:00Z"),
    ]
