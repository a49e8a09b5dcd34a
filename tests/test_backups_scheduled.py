"""Scheduled backups: written private into the backup folder, checked by a restore into a scratch
database and verify, listed with their check, thinned out by the retention rule; the operator
learns of a missing, old or failed backup (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import stat
from pathlib import Path

from tauschring import backups, jobs
from tests.test_backup import backend, book_one, build_ring, folder, live, with_engine  # noqa: F401

NOW = dt.datetime(2026, 12, 1, 3, 0, tzinfo=dt.UTC)


def _listed(*stamps: str) -> list[backups.Listed]:
    return [
        backups.Listed(
            Path(f"tauschring-{s}.bak"),
            dt.datetime.strptime(s, "%Y-%m-%dT%H%M%SZ").replace(tzinfo=dt.UTC),
            1,
            None,
        )
        for s in stamps
    ]


def test_retention_keeps_seven_days_four_weeks_and_twelve_months():
    days = [NOW - dt.timedelta(days=n) for n in range(400)]
    listed = _listed(*[d.strftime("%Y-%m-%dT%H%M%SZ") for d in days])
    kept = backups.kept(listed)
    kept_days = sorted((listed_.taken_at for listed_ in listed if listed_.path in kept), reverse=True)

    # 7 newest days; the newest of each of the last 4 ISO weeks; of each of the last 12 months.
    assert kept_days[:7] == days[:7]
    weeks = {d.isocalendar()[:2] for d in kept_days}
    months = {(d.year, d.month) for d in kept_days}
    assert len(months) == 12 and len(weeks) >= 4
    assert len(kept) <= 7 + 4 + 12
    assert min(kept_days) > NOW - dt.timedelta(days=366)


def test_two_backups_on_one_day_keep_the_newer():
    listed = _listed("2026-12-01T030000Z", "2026-12-01T150000Z")
    assert backups.kept(listed) == {Path("tauschring-2026-12-01T150000Z.bak")}


def test_the_daily_backup_is_private_checked_listed_and_thinned_out(live, folder, backend):  # noqa: F811
    ring_id, accounts = build_ring(live, members=3)
    with_engine(live, lambda session: book_one(session, ring_id, accounts[0], accounts[1], 30))
    for month in range(1, 13):  # one a month in 2025: with today's, January is the thirteenth month
        (folder / f"tauschring-2025-{month:02}-15T030000Z.bak").write_bytes(b"alt")

    taken = backups.take(live, folder, NOW)

    assert taken.check.ok, taken.check.detail
    assert taken.check.detail == "1 Tauschringe, 1 Buchungen geprüft"
    assert stat.S_IMODE(taken.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert [p.name for p in taken.removed] == ["tauschring-2025-01-15T030000Z.bak"]
    listed = backups.listing(folder)
    assert len(listed) == 12 and listed[0].path.name == "tauschring-2026-12-01T030000Z.bak"
    assert listed[0].check is not None and listed[0].check.ok
    assert (folder / "tauschring-2026-12-01T030000Z.bak.pruefung.json").exists()
    assert backups.state(folder, NOW + dt.timedelta(hours=2)).problem is None
    assert (
        backups.state(folder, NOW + dt.timedelta(days=2)).problem
        == "Die neueste Sicherung ist älter als ein Tag."
    )


def test_a_backup_whose_restore_fails_is_reported_as_failed(live, folder, backend, monkeypatch):  # noqa: F811
    build_ring(live, members=1)

    def broken_restore(url, path, **kwargs):
        raise backups.BackupError("Die Sicherung ist beschädigt")

    monkeypatch.setattr(backups, "restore", broken_restore)
    outcome = with_engine(
        live,
        lambda session: jobs.run_job(
            session, jobs.JOBS["backup"], jobs.Settings(live, str(folder)), now=NOW, runner="t:1"
        ),
    )

    assert outcome.status == "failed"
    assert "Wiederherstellung fehlgeschlagen: Die Sicherung ist beschädigt" in outcome.detail
    state = backups.state(folder, NOW)
    assert state.problem is not None and "fehlgeschlagen" in state.problem


def test_no_backup_at_all_is_a_problem(tmp_path):
    assert backups.state(tmp_path, NOW).problem == "Es gibt noch keine Sicherung."
