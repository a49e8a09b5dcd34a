"""Backups on a schedule: one a day into the backup folder, each checked by restoring it into a
scratch database and verifying every ring, old ones thinned out by a retention rule.

The folder (``BACKUP_DIR``) is private (0700); each backup is written by ``backup.backup``
(atomically, mode 0600, sealed) as ``tauschring-2026-12-01T030000Z.bak``; the result of its check
is kept beside it in ``….bak.pruefung.json`` (0600), so the list of backups and their checks
survives the database they were taken from.

The check uses ``backup.restore``, which proves the copy before it writes, into a scratch
database: on SQLite a file in a private scratch folder; on PostgreSQL a database created beside
the live one (``<name>_pruefung``; the role needs CREATEDB) or the one named by
``BACKUP_CHECK_DATABASE_URL``, which is emptied first. Then ``ledger.verify`` for every ring.

Retention (grandfather-father-son): of all backups, the newest of each of the last 7 days that
have one, of the last 4 ISO weeks and of the last 12 months are kept, the rest removed.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

import ledger

from .backup import BackupError, backend_of, backup, restore
from .db import make_engine
from .files import private_folder, write_private

PREFIX = "tauschring-"
SUFFIX = ".bak"
CHECK_SUFFIX = ".pruefung.json"
_STAMP = "%Y-%m-%dT%H%M%SZ"
_NAME = re.compile(r"^tauschring-(\d{4}-\d{2}-\d{2}T\d{6}Z)\.bak$")
MAX_AGE = dt.timedelta(days=1, hours=1)  # a daily backup, with an hour's slack for the schedule


@dataclass(frozen=True)
class Retention:
    daily: int = 7
    weekly: int = 4
    monthly: int = 12


@dataclass(frozen=True)
class Check:
    ok: bool
    at: str  # ISO time of the check
    detail: str  # what was found: rings verified, or what failed (no personal data)


@dataclass(frozen=True)
class Listed:
    path: Path
    taken_at: dt.datetime
    size: int
    check: Check | None


@dataclass(frozen=True)
class Taken:
    path: Path
    size: int
    check: Check
    removed: tuple[Path, ...]


def backup_folder(configured: str | os.PathLike[str]) -> Path:
    """The backup folder, created private (0700) if missing."""
    folder = Path(configured)
    private_folder(folder)
    return folder


def take(
    url: str,
    folder: Path,
    now: dt.datetime,
    *,
    retention: Retention = Retention(),
    check_url: str | None = None,
) -> Taken:
    """Write today's backup, check it, record the check beside it and apply the retention rule.

    A failed check is recorded (and returned), never raised: the backup file stays, for the
    operator to look at. A backup that cannot be written raises ``BackupError``.
    """
    folder = backup_folder(folder)
    path = folder / f"{PREFIX}{now.astimezone(dt.UTC).strftime(_STAMP)}{SUFFIX}"
    info = backup(url, path)
    result = check(url, path, now=now, check_url=check_url)
    removed = retain(folder, retention)
    return Taken(path, info.size, result, tuple(removed))


def check(url: str, path: Path, *, now: dt.datetime, check_url: str | None = None) -> Check:
    """Restore the backup into a scratch database, verify every ring there, record the result."""
    try:
        with _scratch_database(url, path.parent, check_url) as scratch:
            restore(scratch, path)
            engine = make_engine(scratch, poolclass=NullPool)
            try:
                with Session(engine) as session:
                    ring_ids = list(session.scalars(select(ledger.Ring.id).order_by(ledger.Ring.id)))
                    reports = [ledger.verify(session, ring_id) for ring_id in ring_ids]
            finally:
                engine.dispose()
        broken = [r for r in reports if not r.ok]
        if broken:
            detail = "; ".join(f"Tauschring {r.ring_id}: {len(r.violations)} Verstöße" for r in broken)
            result = Check(False, _iso(now), f"Prüfung nach Wiederherstellung: {detail}")
        else:
            entries = sum(r.entries for r in reports)
            result = Check(True, _iso(now), f"{len(reports)} Tauschringe, {entries} Buchungen geprüft")
    except (BackupError, sa.exc.SQLAlchemyError, OSError) as error:
        result = Check(False, _iso(now), f"Wiederherstellung fehlgeschlagen: {_short(error)}")
    write_private(
        path.with_name(path.name + CHECK_SUFFIX),
        json.dumps({"ok": result.ok, "at": result.at, "detail": result.detail}, ensure_ascii=False).encode(),
    )
    return result


def listing(folder: str | os.PathLike[str]) -> list[Listed]:
    """The scheduled backups in the folder, newest first, with their check results."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    found = []
    for path in folder.iterdir():
        match = _NAME.match(path.name)
        if not match or not path.is_file():
            continue
        taken_at = dt.datetime.strptime(match.group(1), _STAMP).replace(tzinfo=dt.UTC)
        found.append(Listed(path, taken_at, path.stat().st_size, _read_check(path)))
    return sorted(found, key=lambda listed: listed.taken_at, reverse=True)


def retain(folder: Path, retention: Retention = Retention()) -> list[Path]:
    """Remove the backups the rule does not keep (with their check files); what was removed."""
    backups = listing(folder)
    keep = kept(backups, retention)
    removed = []
    for listed in backups:
        if listed.path in keep:
            continue
        listed.path.unlink(missing_ok=True)
        listed.path.with_name(listed.path.name + CHECK_SUFFIX).unlink(missing_ok=True)
        removed.append(listed.path)
    return removed


def kept(backups: list[Listed], retention: Retention = Retention()) -> set[Path]:
    """The newest backup of each of the last ``daily`` days, ``weekly`` ISO weeks and ``monthly``
    months that have one (a backup may count for all three)."""
    keep: set[Path] = set()
    newest_first = sorted(backups, key=lambda listed: listed.taken_at, reverse=True)
    for count, period in (
        (retention.daily, lambda t: t.date()),
        (retention.weekly, lambda t: t.isocalendar()[:2]),
        (retention.monthly, lambda t: (t.year, t.month)),
    ):
        seen: list[object] = []
        for listed in newest_first:
            key = period(listed.taken_at)
            if key in seen:
                continue
            if len(seen) == count:
                break
            seen.append(key)
            keep.add(listed.path)
    return keep


@dataclass(frozen=True)
class State:
    """What the operator must know about the backups: the newest, its age and check, and a
    problem (None when all is well)."""

    latest: Listed | None
    age: dt.timedelta | None
    problem: str | None
    # The problem as a code for pages that word it themselves: none, unchecked, check_failed, old.
    kind: str | None = None


def state(folder: str | os.PathLike[str], now: dt.datetime) -> State:
    backups = listing(folder)
    if not backups:
        return State(None, None, "Es gibt noch keine Sicherung.", "none")
    latest = backups[0]
    age = now - latest.taken_at
    if latest.check is None:
        return State(latest, age, "Die neueste Sicherung ist noch nicht geprüft.", "unchecked")
    if not latest.check.ok:
        problem = f"Die Prüfung der neuesten Sicherung ist fehlgeschlagen: {latest.check.detail}"
        return State(latest, age, problem, "check_failed")
    if age > MAX_AGE:
        return State(latest, age, "Die neueste Sicherung ist älter als ein Tag.", "old")
    return State(latest, age, None)


# ---------------------------------------------------------------------------------------------


def _iso(now: dt.datetime) -> str:
    return now.astimezone(dt.UTC).isoformat(timespec="seconds")


def _short(error: BaseException) -> str:
    text = str(getattr(error, "orig", None) or error).strip().splitlines()
    return (text[0] if text else type(error).__name__)[:300]


def _read_check(path: Path) -> Check | None:
    try:
        facts = json.loads(path.with_name(path.name + CHECK_SUFFIX).read_text())
        return Check(bool(facts["ok"]), str(facts["at"]), str(facts["detail"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


@contextmanager
def _scratch_database(url: str, near: Path, check_url: str | None) -> Iterator[str]:
    """An empty database of the live one's backend, removed afterwards."""
    if backend_of(url) == "sqlite":
        folder = Path(tempfile.mkdtemp(dir=near, prefix=".pruefung-"))
        try:
            yield f"sqlite:///{folder / 'pruefung.sqlite'}"
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    if check_url:
        _empty_postgres(check_url)
        yield check_url
        return
    live = sa.make_url(url)
    name = f"{live.database}_pruefung"[:63]
    admin = sa.create_engine(live, isolation_level="AUTOCOMMIT", poolclass=NullPool, hide_parameters=True)
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        try:
            yield live.set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as connection:
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def _empty_postgres(url: str) -> None:
    engine = sa.create_engine(url, poolclass=NullPool, hide_parameters=True)
    try:
        with engine.begin() as connection:
            connection.execute(sa.text("DROP SCHEMA public CASCADE"))
            connection.execute(sa.text("CREATE SCHEMA public"))
    finally:
        engine.dispose()
