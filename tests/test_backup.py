"""Backups: `tauschring backup FILE` and `tauschring restore FILE`, on SQLite and PostgreSQL.

- A backup taken while a writer keeps booking is a consistent snapshot: restored into a fresh
  database its book verifies clean and equals the book after some prefix of the writer's
  transfers (the entries and balances of one moment).
- backup -> more bookings -> restore brings the database back exactly; a connection another
  process keeps open sees the restored database (nothing was copied over the file).
- An older backup (an older schema) comes back migrated to the newest revision.
- A backup of the other backend, a missing file or a file that is no backup is refused and
  changes nothing; an existing target is not overwritten without --force; a failed backup
  leaves no file behind.

These tests commit for real, so each database is its own (PostgreSQL databases carry the
xdist worker id in their names).
"""

from __future__ import annotations

import os
import random
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.orm import Session

import ledger
import tauschring.backup as backup_module
from tauschring import create_app
from tauschring.backup import BackupError, backup, restore
from tauschring.db import make_engine, run_in_transaction
from tauschring.members import admit_member
from tauschring.migrate import alembic_config, current_revision, upgrade
from tauschring.models import metadata
from tauschring.permissions import Actor
from tauschring.rings import found_ring
from tests.conftest import BACKENDS, IN_CI
from tests.ledger.worker import scratch_database, utc_now

TAUSCHRING = str(Path(sys.executable).with_name("tauschring"))
HEAD = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


# ---------------------------------------------------------------------------------------------
# Databases


def require_pg_tools() -> None:
    missing = [tool for tool in ("pg_dump", "pg_restore") if shutil.which(tool) is None]
    if not missing:
        return
    message = f"{' and '.join(missing)} not installed (Debian package postgresql-client)"
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgres":
        require_pg_tools()
    return request.param


@pytest.fixture
def live(request: pytest.FixtureRequest, tmp_path: Path, backend: str) -> Iterator[str]:
    """The running service's database, migrated to the head."""
    with scratch_database(request, tmp_path, backend, "backup_live") as url:
        upgrade(url)
        yield url


@pytest.fixture
def other(request: pytest.FixtureRequest, tmp_path: Path, backend: str) -> Iterator[str]:
    """A second, empty database of the same backend."""
    with scratch_database(request, tmp_path, backend, "backup_other") as url:
        yield url


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A folder for backup files only, to see that nothing else is left in it."""
    path = tmp_path / "sicherungen"
    path.mkdir()
    return path


def with_engine(url: str, work):
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            return work(session)
    finally:
        engine.dispose()


def build_ring(url: str, members: int = 8) -> tuple[int, list[int]]:
    """A ring with ``members`` members, committed; returns the ring id and their account ids."""
    now = utc_now()

    def work(session: Session) -> tuple[int, list[int]]:
        ring_id = found_ring(session, name="Tauschring Sicherung", now=now)
        accounts = [
            admit_member(
                session, Actor.system(ring_id), first_name="Mitglied", last_name=str(n), now=now
            ).account_id
            for n in range(1, members + 1)
        ]
        return ring_id, accounts

    return with_engine(url, lambda session: run_in_transaction(session, work))


def book_one(session: Session, ring_id: int, payer: int, payee: int, minutes: int) -> bool:
    """One transfer in its own transaction; False if a limit refused it."""

    def work(session: Session) -> ledger.EntryView:
        now = utc_now()
        return ledger.book_transfer(
            session,
            ring_id=ring_id,
            payer=payer,
            payee=payee,
            minutes=minutes,
            memo="Sicherungstest",
            service_date=now.date(),
            now=now,
        )

    try:
        run_in_transaction(session, work)
    except ledger.LimitExceeded:
        return False
    return True


def book(url: str, ring_id: int, accounts: list[int], count: int, seed: int) -> int:
    rng = random.Random(seed)

    def work(session: Session) -> int:
        booked = 0
        for _ in range(count):
            payer, payee = rng.sample(accounts, 2)
            booked += book_one(session, ring_id, payer, payee, rng.randrange(15, 121, 15))
        return booked

    return with_engine(url, work)


@dataclass(frozen=True)
class State:
    balances: dict[int, dict[int, int]]  # ring -> account -> balance
    entries: int
    postings: int
    members: int | None


def state(url: str) -> State:
    def read(session: Session) -> State:
        rings = session.scalars(sa.select(ledger.Ring.id).order_by(ledger.Ring.id)).all()
        balances = {
            ring_id: {b.account_id: b.balance for b in ledger.ring_balances(session, ring_id=ring_id)}
            for ring_id in rings
        }
        count = lambda table: session.scalar(sa.text(f"SELECT count(*) FROM {table}"))  # noqa: E731
        has_members = sa.inspect(session.connection()).has_table("member")
        return State(
            balances, count("journal_entry"), count("posting"), count("member") if has_members else None
        )

    return with_engine(url, read)


def reports(url: str) -> list[ledger.VerifyReport]:
    def read(session: Session) -> list[ledger.VerifyReport]:
        rings = session.scalars(sa.select(ledger.Ring.id).order_by(ledger.Ring.id)).all()
        return [ledger.verify(session, ring_id) for ring_id in rings]

    return with_engine(url, read)


def schema_differences(url: str) -> list:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return compare_metadata(context, metadata)
    finally:
        engine.dispose()


@pytest.fixture
def cli_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, live: str):
    monkeypatch.setenv("TAUSCHRING_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app({"TESTING": True, "SQLALCHEMY_ENGINES": {"default": live}})
    yield app
    with app.app_context():
        from tauschring.db import db

        for engine in db.engines.values():
            engine.dispose()


# ---------------------------------------------------------------------------------------------
# A backup while the service books


class Writer(threading.Thread):
    """Books random transfers, one transaction each, until stopped; ``booked`` holds the
    committed ones in commit order (one writer, so that order is the book's)."""

    def __init__(self, url: str, ring_id: int, accounts: list[int]):
        super().__init__(daemon=True)
        self.url, self.ring_id, self.accounts = url, ring_id, accounts
        self.booked: list[tuple[int, int, int]] = []
        self.error: BaseException | None = None
        self.halt = threading.Event()

    def run(self) -> None:
        rng = random.Random(11)
        engine = make_engine(self.url)
        try:
            with Session(engine) as session:
                while not self.halt.is_set():
                    payer, payee = rng.sample(self.accounts, 2)
                    minutes = rng.randrange(15, 121, 15)
                    if book_one(session, self.ring_id, payer, payee, minutes):
                        self.booked.append((payer, payee, minutes))
        except BaseException as exc:  # reported by the test
            self.error = exc
        finally:
            engine.dispose()

    def wait_for(self, count: int, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while len(self.booked) < count:
            assert self.error is None, self.error
            assert time.monotonic() < deadline, f"the writer booked only {len(self.booked)} transfers"
            time.sleep(0.005)


def replay(transfers: list[tuple[int, int, int]]) -> dict[int, int]:
    balances: dict[int, int] = {}
    for payer, payee, minutes in transfers:
        balances[payer] = balances.get(payer, 0) - minutes
        balances[payee] = balances.get(payee, 0) + minutes
    return balances


def test_a_backup_taken_while_transfers_are_booked_is_a_consistent_snapshot(live, other, folder):
    ring_id, accounts = build_ring(live)
    writer = Writer(live, ring_id, accounts)
    writer.start()
    snapshots = []
    try:
        for round_ in range(3):
            writer.wait_for(len(writer.booked) + 30)
            before = len(writer.booked)
            info = backup(live, folder / f"sicherung-{round_}.bak")
            after = len(writer.booked)
            snapshots.append((info, before, after))
        # The backup did not stop the service: the writer books on.
        writer.wait_for(len(writer.booked) + 20)
    finally:
        writer.halt.set()
        writer.join(timeout=60)
    assert not writer.is_alive()
    assert writer.error is None, writer.error

    for info, before, after in snapshots:
        restore(other, info.path)

        restored = state(other)
        # One moment: the writer's first `entries` transfers, no more and no less.
        assert before <= restored.entries <= after + 1
        assert restored.postings == 2 * restored.entries
        assert restored.members == info.members == len(accounts)
        assert info.entries == restored.entries
        expected = replay(writer.booked[: restored.entries])
        assert restored.balances[ring_id] == {
            account: expected.get(account, 0) for account in restored.balances[ring_id]
        }
        [report] = reports(other)
        assert report.ok, report.violations
        assert report.entries == restored.entries
        assert current_revision(other) == HEAD
    assert [name.name for name in sorted(folder.iterdir())] == [f"sicherung-{n}.bak" for n in range(3)]


# ---------------------------------------------------------------------------------------------
# backup -> more bookings -> restore, through the command line


def test_restore_brings_the_database_back_to_the_state_of_the_backup(live, cli_app, folder):
    ring_id, accounts = build_ring(live)
    assert book(live, ring_id, accounts, 12, seed=1) == 12
    saved = state(live)
    runner = cli_app.test_cli_runner()
    file = folder / "sicherung.bak"

    done = runner.invoke(args=["backup", str(file)])

    assert done.exit_code == 0, done.output
    assert done.output.startswith(f"Sicherung geschrieben: {file} (")
    assert done.output.rstrip().endswith(" KB, 8 Mitglieder, 12 Buchungen)")

    assert book(live, ring_id, accounts, 7, seed=2) == 7
    with_engine(
        live,
        lambda session: run_in_transaction(
            session,
            lambda s: admit_member(
                s, Actor.system(ring_id), first_name="Neu", last_name="Mitglied", now=utc_now()
            ),
        ),
    )
    assert state(live) != saved

    # Another process of the service keeps its connection open across the restore.
    service = make_engine(live)
    try:
        with service.connect() as connection:
            assert connection.scalar(sa.text("SELECT count(*) FROM journal_entry")) == 19
            connection.rollback()

            done = runner.invoke(args=["restore", str(file), "--yes"])

            assert connection.scalar(sa.text("SELECT count(*) FROM journal_entry")) == 12
            connection.rollback()
    finally:
        service.dispose()

    assert done.exit_code == 0, done.output
    assert f"Sicherung wiederhergestellt: {file} (8 Mitglieder, 12 Buchungen)" in done.output
    assert done.output.count("[OK    ]") == len(ledger.CHECKS)
    assert "Ergebnis: Die Bücher stimmen." in done.output
    assert state(live) == saved
    assert current_revision(live) == HEAD


def test_restore_asks_first_and_a_no_changes_nothing(live, cli_app, folder):
    ring_id, accounts = build_ring(live)
    book(live, ring_id, accounts, 5, seed=3)
    file = folder / "sicherung.bak"
    backup(live, file)
    book(live, ring_id, accounts, 5, seed=4)
    current = state(live)
    runner = cli_app.test_cli_runner()

    for answer in ("\n", "n\n", ""):  # Enter (the default is No), no, end of input
        done = runner.invoke(args=["restore", str(file)], input=answer)

        assert "wird durch die Sicherung" in done.output and "Wiederherstellen? [y/N]" in done.output
        assert "Abgebrochen; die Datenbank ist unverändert." in done.output
        assert done.exit_code == 1
        assert state(live) == current

    done = runner.invoke(args=["restore", str(file)], input="y\n")
    assert done.exit_code == 0, done.output
    assert state(live).entries == 5


def test_restore_exits_non_zero_when_the_restored_book_has_a_violation(live, cli_app, folder):
    ring_id, accounts = build_ring(live)
    book(live, ring_id, accounts, 4, seed=5)

    def tamper(session: Session) -> None:
        # The cached balance disagrees with the postings (account rows are not append-only).
        session.execute(
            sa.text("UPDATE account SET balance = balance + 7 WHERE id = :id"), {"id": accounts[0]}
        )
        session.commit()

    with_engine(live, tamper)
    file = folder / "sicherung.bak"
    backup(live, file)

    done = cli_app.test_cli_runner().invoke(args=["restore", str(file), "--yes"])

    assert done.exit_code == 1
    assert "[FEHLER] Jeder Kontostand ist gleich der Summe seiner Buchungszeilen" in done.output
    assert "Verstoß/Verstöße gefunden" in done.output


# ---------------------------------------------------------------------------------------------
# An older backup comes back in the newest schema


def test_an_older_backup_is_migrated_to_the_newest_schema(request, tmp_path, backend, live, folder):
    with scratch_database(request, tmp_path, backend, "backup_old") as old:
        upgrade(old, "0001")  # the ledger's tables only
        now = utc_now()

        def old_book(session: Session) -> None:
            ring_id = ledger.create_ring(
                session, name="Alter Ring", now=now, default_min_balance=-600, default_max_balance=600
            )
            a, b = (ledger.open_account(session, ring_id=ring_id, label=f"Konto {n}", now=now) for n in "AB")
            for minutes in (60, 45, 30):
                ledger.book_transfer(
                    session,
                    ring_id=ring_id,
                    payer=a,
                    payee=b,
                    minutes=minutes,
                    memo="vor der Mitgliederverwaltung",
                    service_date=now.date(),
                    now=now,
                )

        # Today's ledger reads the closed periods (revision 0011) when it books: give it an empty
        # closing table for the old book, then drop it, so the backup is exactly revision 0001.
        closing_table = ledger.Closing.__table__
        engine = make_engine(old)
        try:
            with engine.begin() as connection:
                closing_table.create(connection)
        finally:
            engine.dispose()
        with_engine(old, lambda session: run_in_transaction(session, old_book))
        engine = make_engine(old)
        try:
            with engine.begin() as connection:
                closing_table.drop(connection)
        finally:
            engine.dispose()
        saved = state(old)
        info = backup(old, folder / "alt.bak")
    assert info.revision == "0001" and info.members is None and info.entries == 3

    # The live database is at the head, with members that reference the ring and its accounts.
    ring_id, accounts = build_ring(live)
    book(live, ring_id, accounts, 5, seed=6)

    restore(live, info.path)

    assert current_revision(live) == HEAD
    assert schema_differences(live) == []
    restored = state(live)
    assert restored.balances == saved.balances
    assert restored.entries == 3 and restored.members == 0
    assert all(report.ok for report in reports(live))


# ---------------------------------------------------------------------------------------------
# Refusals that change nothing


@pytest.mark.postgres
def test_a_backup_of_the_other_backend_is_refused_and_changes_nothing(request, tmp_path, folder):
    require_pg_tools()
    with (
        scratch_database(request, tmp_path, "sqlite", "backup_cross") as sqlite_url,
        scratch_database(request, tmp_path, "postgres", "backup_cross") as postgres_url,
    ):
        files = {}
        for name, url in (("sqlite", sqlite_url), ("postgres", postgres_url)):
            upgrade(url)
            ring_id, accounts = build_ring(url, members=3)
            book(url, ring_id, accounts, 3, seed=7)
            files[name] = backup(url, folder / f"{name}.bak").path
            book(url, ring_id, accounts, 2, seed=8)
        before = {"sqlite": state(sqlite_url), "postgres": state(postgres_url)}

        with pytest.raises(BackupError, match="ist eine SQLite-Sicherung, die Datenbank ist aber PostgreSQL"):
            restore(postgres_url, files["sqlite"])
        with pytest.raises(BackupError, match="ist eine PostgreSQL-Sicherung, die Datenbank ist aber SQLite"):
            restore(sqlite_url, files["postgres"])

        assert state(sqlite_url) == before["sqlite"]
        assert state(postgres_url) == before["postgres"]
        assert state(sqlite_url).entries == 5


def test_a_missing_file_or_a_file_that_is_no_backup_is_refused(live, cli_app, folder):
    ring_id, accounts = build_ring(live, members=2)
    book(live, ring_id, accounts, 2, seed=9)
    before = state(live)
    runner = cli_app.test_cli_runner()
    text = folder / "notizen.txt"
    text.write_text("Kassenbuch 2025\n")

    missing = runner.invoke(args=["restore", str(folder / "gibt-es-nicht.bak"), "--yes"])
    not_a_backup = runner.invoke(args=["restore", str(text), "--yes"])

    assert missing.exit_code == 2
    assert f"Fehler: Die Sicherungsdatei {folder / 'gibt-es-nicht.bak'} gibt es nicht." in missing.output
    assert not_a_backup.exit_code == 2
    assert "ist keine Tauschring-Sicherung" in not_a_backup.output
    assert state(live) == before


def test_a_backup_from_a_newer_schema_is_refused(tmp_path, folder):
    newer = f"sqlite:///{tmp_path / 'neuer.sqlite'}"
    upgrade(newer)
    with closing(sqlite3.connect(tmp_path / "neuer.sqlite", isolation_level=None)) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999'")
    file = backup(newer, folder / "sicherung.bak").path
    url = f"sqlite:///{tmp_path / 'live.sqlite'}"
    upgrade(url)
    ring_id, accounts = build_ring(url, members=2)
    book(url, ring_id, accounts, 1, seed=14)
    before = state(url)

    with pytest.raises(BackupError, match="neueren Tauschring-Version"):
        restore(url, file)

    assert state(url) == before


def test_an_existing_file_is_only_overwritten_with_force(live, cli_app, folder):
    build_ring(live, members=2)
    runner = cli_app.test_cli_runner()
    file = folder / "sicherung.bak"
    file.write_text("die Sicherung von gestern")

    refused = runner.invoke(args=["backup", str(file)])

    assert refused.exit_code == 2
    assert "gibt es schon; mit --force wird die Datei überschrieben" in refused.output
    assert file.read_text() == "die Sicherung von gestern"

    forced = runner.invoke(args=["backup", str(file), "--force"])

    assert forced.exit_code == 0, forced.output
    assert "Sicherung geschrieben" in forced.output and "2 Mitglieder, 0 Buchungen" in forced.output
    assert file.read_bytes().startswith(backup_module.SEAL)
    assert [path.name for path in folder.iterdir()] == ["sicherung.bak"]

    # Written with its own mode: a backup holds members' addresses.
    assert file.stat().st_mode & 0o077 == 0


def test_a_failing_backup_leaves_no_file(live, folder, monkeypatch, backend):
    if backend == "sqlite":

        def broken(connection: sqlite3.Connection):
            raise OSError("Datenträger voll")

        monkeypatch.setattr(backup_module, "_sqlite_counts", broken)
        expected = "Datenträger voll"
    else:
        # A pg_dump that writes half an archive and dies.
        tools = folder.parent / "tools"
        tools.mkdir()
        fake = tools / "pg_dump"
        fake.write_text(
            "#!/bin/sh\n"
            'for arg in "$@"; do\n'
            '  case "$arg" in --file=*) printf "PGDMP halb" > "${arg#--file=}";; esac\n'
            "done\n"
            'echo "pg_dump: error: connection to server lost" >&2\n'
            "exit 1\n"
        )
        fake.chmod(0o755)
        monkeypatch.setenv("PATH", f"{tools}{os.pathsep}{os.environ['PATH']}")
        expected = "pg_dump ist fehlgeschlagen:\npg_dump: error: connection to server lost"

    with pytest.raises((BackupError, OSError), match=expected):
        backup(live, folder / "sicherung.bak")

    assert list(folder.iterdir()) == []


@pytest.mark.postgres
def test_missing_postgres_tools_give_a_clear_error(request, tmp_path, folder, monkeypatch):
    with scratch_database(request, tmp_path, "postgres", "backup_tools") as url:
        empty = tmp_path / "leer"
        empty.mkdir()
        monkeypatch.setenv("PATH", str(empty))

        with pytest.raises(BackupError, match="pg_dump wurde nicht gefunden"):
            backup(url, folder / "sicherung.bak")
    assert list(folder.iterdir()) == []


def test_a_sqlite_restore_gives_up_on_a_database_locked_for_too_long(tmp_path, folder, monkeypatch):
    url = f"sqlite:///{tmp_path / 'gesperrt.sqlite'}"
    upgrade(url)
    ring_id, accounts = build_ring(url, members=2)
    file = backup(url, folder / "sicherung.bak").path
    book(url, ring_id, accounts, 1, seed=10)
    before = state(url)
    monkeypatch.setattr(backup_module, "SQLITE_BUSY_TIMEOUT_S", 0.5)
    # A writer that does not let go of the write lock.
    with closing(sqlite3.connect(tmp_path / "gesperrt.sqlite", isolation_level=None)) as holder:
        holder.execute("BEGIN IMMEDIATE")
        with pytest.raises(BackupError, match="länger als 0.5 Sekunden gesperrt"):
            restore(url, file)
        holder.execute("ROLLBACK")
    assert state(url) == before


def test_a_password_reaches_pg_dump_only_through_the_environment():
    options, env = backup_module._pg_connection(
        "postgresql+psycopg://kasse:geheim%40pw@db.example:5433/tauschring?sslmode=require"
    )

    assert options == [
        "--no-password",
        "--host=db.example",
        "--port=5433",
        "--username=kasse",
        "--dbname=dbname='tauschring' sslmode='require'",
    ]
    assert env["PGPASSWORD"] == "geheim@pw"
    assert not any("geheim" in option for option in options)


# ---------------------------------------------------------------------------------------------
# The console script


def test_the_console_script_backs_up_and_restores(live, tmp_path, folder, backend):
    ring_id, accounts = build_ring(live, members=3)
    book(live, ring_id, accounts, 4, seed=12)
    saved = state(live)
    env = {**os.environ, "DATABASE_URL": live, "TAUSCHRING_INSTANCE_PATH": str(tmp_path / "instance")}
    file = folder / "sicherung.bak"

    def run(*args: str, answer: str = "") -> subprocess.CompletedProcess:
        return subprocess.run(
            [TAUSCHRING, *args], env=env, input=answer, capture_output=True, text=True, timeout=120
        )

    written = run("backup", str(file))
    assert written.returncode == 0, written.stderr
    assert "3 Mitglieder, 4 Buchungen" in written.stdout

    book(live, ring_id, accounts, 3, seed=13)
    declined = run("restore", str(file), answer="n\n")
    assert declined.returncode == 1
    assert state(live).entries == 7

    restored = run("restore", str(file), "--yes")
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert "Ergebnis: Die Bücher stimmen." in restored.stdout
    assert state(live) == saved

    missing = run("restore", str(folder / "fehlt.bak"), "--yes")
    assert missing.returncode == 2
    assert "gibt es nicht" in missing.stderr


# ---------------------------------------------------------------------------------------------
# A restore proves the backup before it touches the live database


def test_one_flipped_byte_is_caught_and_changes_nothing(live, folder):
    ring_id, accounts = build_ring(live, members=3)
    book(live, ring_id, accounts, 3, seed=21)
    file = backup(live, folder / "sicherung.bak").path
    book(live, ring_id, accounts, 2, seed=22)
    before = state(live)
    content = bytearray(file.read_bytes())
    content[len(content) // 2] ^= 0x01
    file.write_bytes(bytes(content))

    with pytest.raises(BackupError, match="ist beschädigt \\(Prüfsumme oder Länge stimmen nicht\\)"):
        restore(live, file)

    assert state(live) == before


def test_a_foreign_database_with_a_known_revision_name_is_refused_before_anything_changes(
    request, tmp_path, backend, live, folder
):
    """Another program's database that happens to have an alembic_version of 0001: refused
    without --unsealed, and with it refused by the schema proof; the live database stays whole."""
    with scratch_database(request, tmp_path, backend, "backup_foreign") as foreign:
        engine = make_engine(foreign)
        try:
            with engine.begin() as connection:
                connection.exec_driver_sql("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
                connection.exec_driver_sql("INSERT INTO alembic_version VALUES ('0001')")
                connection.exec_driver_sql(
                    "CREATE TABLE kassenbuch (id INTEGER PRIMARY KEY, text VARCHAR(20))"
                )
        finally:
            engine.dispose()
        sealed = backup(foreign, folder / "fremd.bak").path
        raw = folder / "fremd-roh.bak"
        raw.write_bytes(sealed.read_bytes().split(b"\n", 2)[2])  # the copy without its seal
    ring_id, accounts = build_ring(live, members=2)
    book(live, ring_id, accounts, 2, seed=23)
    before = state(live)

    with pytest.raises(BackupError, match="ohne Siegel"):
        restore(live, raw)
    for file, unsealed in ((sealed, False), (raw, True)):
        with pytest.raises(BackupError, match="keine Tauschring-Sicherung|passt nicht zum Schema"):
            restore(live, file, unsealed=unsealed)
        assert state(live) == before
    assert schema_differences(live) == [] and all(report.ok for report in reports(live))


def test_a_backup_without_the_append_only_triggers_is_refused_and_verify_sees_them_missing(
    request, tmp_path, backend, live, folder
):
    with scratch_database(request, tmp_path, backend, "backup_bare") as bare:
        upgrade(bare)
        ring_id, accounts = build_ring(bare, members=2)
        book(bare, ring_id, accounts, 2, seed=24)
        engine = make_engine(bare)
        try:
            with engine.begin() as connection:
                for table in ledger.models.APPEND_ONLY_TABLES:
                    for op in ("update", "delete"):
                        on = "" if backend == "sqlite" else f" ON {table}"
                        connection.exec_driver_sql(f"DROP TRIGGER trg_{table}_no_{op}{on}")
        finally:
            engine.dispose()
        (report,) = reports(bare)
        assert not report.ok and {v.check for v in report.violations} == {"append_only"}
        file = backup(bare, folder / "ohne-trigger.bak").path
    build_ring(live, members=1)
    before = state(live)

    with pytest.raises(BackupError, match="fehlen die Trigger"):
        restore(live, file)

    assert state(live) == before


@pytest.mark.postgres
def test_a_postgres_restore_that_fails_half_way_leaves_the_live_database_as_it_was(
    request, tmp_path, folder, monkeypatch
):
    require_pg_tools()
    with scratch_database(request, tmp_path, "postgres", "backup_half") as url:
        upgrade(url)
        ring_id, accounts = build_ring(url, members=3)
        file = backup(url, folder / "sicherung.bak").path
        book(url, ring_id, accounts, 3, seed=25)
        before = state(url)
        real = backup_module._pg_extra_objects
        # The live database has a table the backup lacks; dropping it works, then the script fails.
        monkeypatch.setattr(
            backup_module,
            "_pg_extra_objects",
            lambda engine, archive: (real(engine, archive)[0], ["gibt_es_nicht(integer, kaputt"]),
        )

        with pytest.raises(BackupError, match="Das Zurückspielen ist fehlgeschlagen; nichts wurde verändert"):
            restore(url, file)

        assert state(url) == before
        assert schema_differences(url) == []


def test_a_backup_of_the_earlier_format_comes_back_when_asked_for(live, folder):
    ring_id, accounts = build_ring(live, members=2)
    book(live, ring_id, accounts, 3, seed=26)
    saved = state(live)
    sealed = backup(live, folder / "neu.bak").path
    raw = folder / "alt.bak"
    raw.write_bytes(sealed.read_bytes().split(b"\n", 2)[2])
    book(live, ring_id, accounts, 2, seed=27)

    with pytest.raises(BackupError, match="Mit --unsealed"):
        restore(live, raw)
    facts = restore(live, raw, unsealed=True)

    assert not facts.sealed and state(live) == saved
