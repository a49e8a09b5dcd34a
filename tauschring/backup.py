"""Backups while the service runs (the commands `tauschring backup FILE` and `tauschring restore FILE`
are in ``cli/backup.py``).

SQLite: the online backup API (``sqlite3.Connection.backup``) copies every page in one step, i.e.
inside one read transaction of the live database: a consistent snapshot, while writers go on in
WAL mode. The copy is switched to rollback journal mode (one self-contained file) and checked
with ``PRAGMA quick_check``. A restore writes the backup into the live database file through the
same API: SQLite takes the exclusive write lock of the live database for that one step and
commits it as one transaction (other writers wait, readers see the old database until the
commit and the restored one after). Files are never copied over a database that another process
may have open.

PostgreSQL: ``pg_dump --format=custom`` from a snapshot exported by a REPEATABLE READ
transaction, which also counts the rows the backup holds. A restore runs
``pg_restore --clean --if-exists --no-owner --single-transaction`` into the database of the URL.
Connection settings come from the SQLAlchemy URL; a password only ever travels in the
environment (PGPASSWORD), never on a command line.

Both: a backup is sealed. The file starts with a line naming it a Tauschring backup and a line
of facts (backend, schema revision, the rings, counts, the SHA-256 and size of what follows);
the database copy follows. A restore reads the seal and the whole copy first (one flipped byte
and it refuses), then proves the copy is a Tauschring database of a known revision with the
books' append-only triggers, all before the live database is touched: SQLite in a scratch copy
migrated to the newest revision and compared with the models; PostgreSQL by the archive's table
of contents against the tables of its revision. Only then is the live database replaced, in one
transaction (SQLite: the online backup API; PostgreSQL: pg_restore's script run by psql in a
single transaction, with the live database's newer tables dropped in the same transaction), and
migrated. Backups of the previous format (no seal) are restored only when asked for.

A backup is written to a temporary file in the target folder and renamed into place, so a crash
never leaves a half file under the target name; an existing file is only replaced when asked
to. Backups and everything written on the way are readable by their owner only (0600).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.pool import NullPool

from .db import SQLITE_BUSY_TIMEOUT_S, make_engine

SEAL = b"TAUSCHRING-SICHERUNG 1\n"
SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
BACKENDS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


class BackupError(Exception):
    """A backup or restore that was refused or failed; the message is meant for the office."""


@dataclass(frozen=True)
class BackupInfo:
    """What a backup holds: counted inside the snapshot the backup was taken from."""

    path: Path
    backend: str  # "sqlite" or "postgresql"
    size: int  # bytes
    revision: str | None  # the Alembic revision of the backed-up schema
    members: int | None  # rows of `member`; None if the table does not exist
    entries: int | None  # rows of `journal_entry`; None if the table does not exist
    rings: tuple[str, ...] = ()  # the names of the rings it holds


@dataclass(frozen=True)
class BackupFacts:
    """What a restore would bring back, found out before anything is changed."""

    path: Path
    backend: str
    revision: str
    sealed: bool = True
    rings: tuple[str, ...] = ()
    created_at: str | None = None
    members: int | None = None
    entries: int | None = None


# ---------------------------------------------------------------------------------------------
# Public functions


def backup(url: str, path: str | os.PathLike[str], *, force: bool = False) -> BackupInfo:
    """Write a consistent, sealed backup of the database at ``url`` to ``path``.

    Refuses an existing ``path`` unless ``force``; the file appears only when it is complete.
    """
    backend = backend_of(url)
    target = Path(path)
    _check_target(target, force)
    with _atomic_file(target, force) as final, _scratch_folder(target.parent) as scratch:
        payload = scratch / "kopie"
        if backend == "sqlite":
            revision, members, entries, rings = _backup_sqlite(url, payload, target)
        else:
            revision, members, entries, rings = _backup_postgres(url, payload)
        facts = {
            "backend": backend,
            "revision": revision,
            "rings": list(rings),
            "members": members,
            "entries": entries,
            "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }
        _seal(payload, final, facts)
        size = final.stat().st_size
    return BackupInfo(target, backend, size, revision, members, entries, tuple(rings))


def check_backup(url: str, path: str | os.PathLike[str], *, unsealed: bool = False) -> BackupFacts:
    """Check that ``path`` is an intact backup that can be restored into the database at ``url``
    (its seal, its checksum over every byte, its backend and revision). ``unsealed`` accepts a
    backup of the earlier format, which has no seal to check."""
    backend = backend_of(url)
    source = Path(path)
    facts = _read_seal(source, unsealed)
    if facts.backend != backend:
        raise BackupError(
            f"{source} ist eine {BACKENDS[facts.backend]}-Sicherung, die Datenbank ist aber "
            f"{BACKENDS[backend]}. Eine {BACKENDS[facts.backend]}-Sicherung lässt sich nur in eine "
            f"{BACKENDS[facts.backend]}-Datenbank zurückspielen; nichts wurde verändert."
        )
    if backend == "sqlite":
        live = _sqlite_path(url)
        if live.exists() and _same_file(live, source):
            raise BackupError(f"{source} ist die Datenbank selbst, keine Sicherung.")
    _check_revision(url, facts.revision, source)
    return facts


def restore(url: str, path: str | os.PathLike[str], *, unsealed: bool = False) -> BackupFacts:
    """Replace the database at ``url`` by the backup at ``path``, migrated to the head.

    Refuses, and changes nothing, when the file is missing, is not a Tauschring backup, is
    damaged (checksum), is of the other backend, comes from a newer schema, or does not hold the
    schema of its revision with the books' append-only triggers.
    """
    facts = check_backup(url, path, unsealed=unsealed)
    source = Path(path)
    folder = _sqlite_path(url).parent if facts.backend == "sqlite" else None
    with _scratch_folder(folder) as scratch:
        payload = _unpack(source, scratch / "kopie", facts)
        if facts.backend == "sqlite":
            proven = _prove_sqlite(payload, scratch / "pruefung.sqlite", source)
            _restore_sqlite(url, proven)
        else:
            archive = _pg_archive(payload)
            _prove_pg_archive(archive, source)
            _restore_postgres(url, payload, archive)
            from .migrate import upgrade

            upgrade(url)
    return facts


def backend_of(url: str) -> str:
    """``sqlite`` or ``postgresql``, from a SQLAlchemy URL."""
    try:
        backend = sa.make_url(url).get_backend_name()
    except ArgumentError as exc:
        raise BackupError(f"Unbrauchbare Datenbank-URL: {exc}") from exc
    if backend not in BACKENDS:
        raise BackupError(f"Sicherungen gibt es nur für SQLite und PostgreSQL, nicht für {backend}.")
    return backend


# ---------------------------------------------------------------------------------------------
# Files


def _check_target(target: Path, force: bool) -> None:
    if target.is_dir():
        raise BackupError(f"{target} ist ein Ordner; bitte einen Dateinamen angeben.")
    if not target.parent.is_dir():
        raise BackupError(f"Den Ordner {target.parent} gibt es nicht.")
    if target.exists() and not force:
        raise BackupError(f"{target} gibt es schon; mit --force wird die Datei überschrieben.")


@contextmanager
def _atomic_file(target: Path, force: bool) -> Iterator[Path]:
    """A temporary file next to ``target`` (mode 0600: backups hold personal data) that becomes
    ``target`` only when the block completes; on any error it is removed."""
    handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        _fsync(temporary)
        _publish(temporary, target, force)
        _fsync(target.parent)
    finally:
        temporary.unlink(missing_ok=True)


def _publish(temporary: Path, target: Path, force: bool) -> None:
    if force:
        os.replace(temporary, target)
        return
    try:
        # A hard link never replaces a file that appeared meanwhile.
        os.link(temporary, target)
    except FileExistsError:
        raise BackupError(f"{target} gibt es schon; mit --force wird die Datei überschrieben.") from None
    except OSError:
        # A file system without hard links.
        if target.exists():
            raise BackupError(f"{target} gibt es schon; mit --force wird die Datei überschrieben.") from None
        os.replace(temporary, target)


def _fsync(path: Path) -> None:
    try:
        descriptor = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass  # some platforms cannot sync a folder
    finally:
        os.close(descriptor)


@contextmanager
def _scratch_folder(near: Path | None) -> Iterator[Path]:
    """A private folder (0700) for what a backup or restore writes on the way, removed after."""
    folder = Path(tempfile.mkdtemp(dir=near, prefix=".tauschring-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _seal(payload: Path, final: Path, facts: dict) -> None:
    """The seal line, the facts with the copy's checksum, and the copy."""
    digest = hashlib.sha256()
    with payload.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    facts = {**facts, "sha256": digest.hexdigest(), "size": payload.stat().st_size}
    with final.open("wb") as out, payload.open("rb") as file:
        out.write(SEAL)
        out.write(json.dumps(facts, sort_keys=True, ensure_ascii=False).encode() + b"\n")
        shutil.copyfileobj(file, out, 1 << 20)


def _read_seal(source: Path, unsealed: bool) -> BackupFacts:
    """The facts a backup states about itself, after checking every byte against its checksum."""
    kind = _backup_kind(source)
    if kind != "sealed":
        if not unsealed:
            raise BackupError(
                f"{source} ist eine Sicherung ohne Siegel (frühere Tauschring-Version): ihre Vollständigkeit "
                "lässt sich nicht prüfen. Mit --unsealed wird sie trotzdem geprüft und zurückgespielt; "
                "nichts wurde verändert."
            )
        if kind == "sqlite":
            with closing(_open_sqlite_backup(source)) as connection:
                revision = _sqlite_revision(connection, source)
        else:
            revision = _pg_archive(source).revision
        return BackupFacts(path=source, backend=kind, revision=revision, sealed=False)
    with source.open("rb") as file:
        file.read(len(SEAL))
        try:
            facts = json.loads(file.readline(64 * 1024).decode())
            backend, revision = facts["backend"], facts["revision"]
            expected, size = facts["sha256"], int(facts["size"])
        except (ValueError, KeyError, TypeError, UnicodeDecodeError):
            raise BackupError(f"{source} ist keine Tauschring-Sicherung (das Siegel ist unlesbar).") from None
        digest, read = hashlib.sha256(), 0
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
            read += len(block)
    if read != size or digest.hexdigest() != expected:
        raise BackupError(
            f"Die Sicherung {source} ist beschädigt (Prüfsumme oder Länge stimmen nicht); "
            "nichts wurde verändert."
        )
    if backend not in BACKENDS or not isinstance(revision, str):
        raise BackupError(f"{source} ist keine Tauschring-Sicherung (das Siegel ist unlesbar).")
    return BackupFacts(
        path=source,
        backend=backend,
        revision=revision,
        rings=tuple(facts.get("rings") or ()),
        created_at=facts.get("created_at"),
        members=facts.get("members"),
        entries=facts.get("entries"),
    )


def _unpack(source: Path, target: Path, facts: BackupFacts) -> Path:
    """The database copy out of a sealed backup (checked again while copied: the file might have
    changed since it was checked); an unsealed backup is copied as it is."""
    with source.open("rb") as file, target.open("wb") as out:
        if facts.sealed:
            file.read(len(SEAL))
            stated = json.loads(file.readline(64 * 1024).decode())
            digest = hashlib.sha256()
            for block in iter(lambda: file.read(1 << 20), b""):
                digest.update(block)
                out.write(block)
            if digest.hexdigest() != stated["sha256"]:
                raise BackupError(
                    f"Die Sicherung {source} hat sich während des Prüfens verändert; nichts wurde verändert."
                )
        else:
            shutil.copyfileobj(file, out, 1 << 20)
    return target


def _backup_kind(path: Path) -> str:
    if not path.exists():
        raise BackupError(f"Die Sicherungsdatei {path} gibt es nicht.")
    if not path.is_file():
        raise BackupError(f"{path} ist keine Datei.")
    with path.open("rb") as file:
        head = file.read(max(len(SEAL), len(SQLITE_MAGIC)))
    if head.startswith(SEAL):
        return "sealed"
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PG_DUMP_MAGIC):
        return "postgresql"
    raise BackupError(
        f"{path} ist keine Tauschring-Sicherung (weder eine SQLite-Datenbank noch ein pg_dump-Archiv)."
    )


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _check_revision(url: str, revision: str, source: Path) -> None:
    from alembic.script import ScriptDirectory

    from .migrate import alembic_config

    known = {script.revision for script in ScriptDirectory.from_config(alembic_config(url)).walk_revisions()}
    if revision not in known:
        raise BackupError(
            f"{source} stammt von einer neueren Tauschring-Version (Datenbankversion {revision}); "
            "bitte zuerst Tauschring aktualisieren. Nichts wurde verändert."
        )


# ---------------------------------------------------------------------------------------------
# SQLite


def _sqlite_path(url: str) -> Path:
    database = sa.make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        raise BackupError("Sicherungen gibt es nur für eine SQLite-Datenbank in einer Datei.")
    return Path(database)


def _connect_sqlite(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path, timeout=SQLITE_BUSY_TIMEOUT_S, isolation_level=None)


def _copy_sqlite(source: sqlite3.Connection, target: sqlite3.Connection, what: str) -> None:
    """All pages in one step (``pages=-1``), i.e. in one read transaction of the source and one
    write transaction of the target. Python retries a busy step without end; past the busy
    timeout the copy is given up instead."""
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_S

    def progress(status: int, remaining: int, total: int) -> None:
        if status in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED) and time.monotonic() > deadline:
            raise BackupError(
                f"{what}: die Datenbank war länger als {SQLITE_BUSY_TIMEOUT_S} Sekunden gesperrt; "
                "nichts wurde verändert."
            )

    try:
        source.backup(target, pages=-1, progress=progress)
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{what} ist fehlgeschlagen: {exc}") from exc


def _open_sqlite_backup(path: Path) -> sqlite3.Connection:
    """The backup file, read-only, after SQLite's own check of its pages."""
    uri = path.resolve().as_uri() + "?mode=ro"
    connection = sqlite3.connect(uri, uri=True, isolation_level=None)
    try:
        result = connection.execute("PRAGMA quick_check").fetchall()
    except sqlite3.DatabaseError as exc:
        connection.close()
        raise BackupError(f"Die Sicherung {path} ist nicht lesbar: {exc}") from exc
    if result != [("ok",)]:
        connection.close()
        problems = "; ".join(row[0] for row in result[:5])
        raise BackupError(f"Die Sicherung {path} ist beschädigt: {problems}")
    return connection


def _sqlite_tables(connection: sqlite3.Connection) -> set[str]:
    return {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def _sqlite_revision(connection: sqlite3.Connection, source: Path) -> str:
    revision = None
    if "alembic_version" in _sqlite_tables(connection):
        revision = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    if revision is None:
        raise BackupError(f"{source} ist keine Tauschring-Datenbank (keine Datenbankversion).")
    return revision[0]


def _sqlite_counts(connection: sqlite3.Connection) -> tuple[str | None, int | None, int | None, list[str]]:
    tables = _sqlite_tables(connection)

    def count(table: str) -> int | None:
        return connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0] if table in tables else None

    revision = None
    if "alembic_version" in tables:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        revision = row[0] if row else None
    rings = (
        [row[0] for row in connection.execute("SELECT name FROM ring ORDER BY id")]
        if "ring" in tables
        else []
    )
    return revision, count("member"), count("journal_entry"), rings


def _backup_sqlite(
    url: str, payload: Path, target: Path
) -> tuple[str | None, int | None, int | None, list[str]]:
    live = _sqlite_path(url)
    if not live.is_file():
        raise BackupError(f"Die Datenbank {live} gibt es nicht.")
    if _same_file(live, target):
        raise BackupError(f"{target} ist die Datenbank selbst.")
    with closing(_connect_sqlite(live)) as source, closing(_connect_sqlite(payload)) as copy:
        _copy_sqlite(source, copy, f"Die Sicherung von {live}")
        # One self-contained file: no -wal beside it.
        copy.execute("PRAGMA journal_mode=DELETE")
        result = copy.execute("PRAGMA quick_check").fetchall()
        if result != [("ok",)]:
            raise BackupError(f"Die Sicherung hat SQLites Prüfung nicht bestanden: {result[:5]}")
        return _sqlite_counts(copy)


def _prove_sqlite(payload: Path, scratch: Path, source: Path) -> Path:
    """A scratch copy of the backup, migrated to the newest revision and compared with the models,
    its append-only triggers in place; the live database is not touched."""
    with closing(_open_sqlite_backup(payload)) as backup_db, closing(_connect_sqlite(scratch)) as copy:
        _copy_sqlite(backup_db, copy, f"Das Prüfen von {source}")
        copy.execute("PRAGMA journal_mode=DELETE")
    _prove_schema(f"sqlite:///{scratch}", source)
    return scratch


def _prove_schema(url: str, source: Path) -> None:
    """Migrate a scratch database to the head and compare it with the models: what is not a
    Tauschring database of a known revision fails here, before anything live is changed."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy.orm import Session

    from ledger.verify import missing_append_only_triggers

    from .migrate import upgrade
    from .models import metadata

    try:
        upgrade(url)
    except Exception as exc:  # any failure of a foreign schema to migrate
        raise BackupError(
            f"{source} ist keine Tauschring-Sicherung: sie lässt sich nicht auf den neuesten Stand "
            f"bringen ({type(exc).__name__}: {str(exc).splitlines()[0][:200]}). Nichts wurde verändert."
        ) from exc
    engine = make_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": False})
            differences = compare_metadata(context, metadata)
        with Session(engine) as session:
            missing = missing_append_only_triggers(session)
    finally:
        engine.dispose()
    if differences:
        shown = "; ".join(str(d)[:120] for d in differences[:3])
        raise BackupError(
            f"{source} passt nicht zum Schema von Tauschring ({len(differences)} Abweichungen, "
            f"z. B. {shown}). Nichts wurde verändert."
        )
    if missing:
        raise BackupError(
            f"{source} fehlen die Trigger, die Buchungen vor Änderung schützen ({', '.join(missing)}); "
            "so eine Datenbank wird nicht zurückgespielt. Nichts wurde verändert."
        )


def _restore_sqlite(url: str, proven: Path) -> None:
    live = _sqlite_path(url)
    if not live.parent.is_dir():
        raise BackupError(f"Den Ordner {live.parent} gibt es nicht.")
    if live.exists() and live.stat().st_size > 0:
        with live.open("rb") as file:
            if not file.read(len(SQLITE_MAGIC)).startswith(SQLITE_MAGIC):
                raise BackupError(f"{live} ist keine SQLite-Datenbank; nichts wurde verändert.")
    with closing(_connect_sqlite(proven)) as backup_db, closing(_connect_sqlite(live)) as live_db:
        mode = live_db.execute("PRAGMA journal_mode").fetchone()[0]
        source_page = backup_db.execute("PRAGMA page_size").fetchone()[0]
        live_page = live_db.execute("PRAGMA page_size").fetchone()[0]
        if mode == "wal" and source_page != live_page:
            raise BackupError(
                f"Die Sicherung hat Seiten von {source_page} Bytes, die Datenbank im WAL-Modus "
                f"{live_page} Bytes; so kann SQLite sie nicht zurückspielen. Nichts wurde verändert."
            )
        # One step under the live database's exclusive write lock, committed as a whole.
        _copy_sqlite(backup_db, live_db, f"Das Zurückspielen nach {live}")
        if mode == "wal":
            live_db.execute("PRAGMA wal_checkpoint(PASSIVE)")


# ---------------------------------------------------------------------------------------------
# PostgreSQL


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} wurde nicht gefunden. Für Sicherungen von PostgreSQL-Datenbanken werden pg_dump "
            "und pg_restore gebraucht (Debian: Paket postgresql-client, in der Version des Servers)."
        )
    return found


def _pg_connection(url: str) -> tuple[list[str], dict[str, str]]:
    """libpq options for the command line and the environment (the password goes only there)."""
    parsed = sa.make_url(url)
    options = ["--no-password"]
    if parsed.host:
        options.append(f"--host={parsed.host}")
    if parsed.port:
        options.append(f"--port={parsed.port}")
    if parsed.username:
        options.append(f"--username={parsed.username}")
    # A connection string as --dbname carries the URL's other libpq settings (sslmode, ...).
    settings = {"dbname": parsed.database or ""}
    for key, value in parsed.query.items():
        if key != "password":
            settings[key] = value if isinstance(value, str) else value[-1]
    options.append(
        "--dbname=" + " ".join(f"{key}={_conninfo_quote(value)}" for key, value in settings.items())
    )
    env = dict(os.environ)
    password = parsed.password or parsed.query.get("password")
    if password:
        env["PGPASSWORD"] = password if isinstance(password, str) else password[-1]
    env.setdefault("PGAPPNAME", "tauschring")
    return options, env


def _conninfo_quote(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _run(command: Sequence[str], env: dict[str, str], what: str) -> str:
    done = subprocess.run(list(command), env=env, capture_output=True, text=True, errors="replace")
    if done.returncode != 0:
        detail = "\n".join(done.stderr.strip().splitlines()[-15:]) or f"Exit-Code {done.returncode}"
        raise BackupError(f"{what} ist fehlgeschlagen:\n{detail}")
    return done.stdout


def _pg_engine(url: str) -> sa.Engine:
    return make_engine(url, poolclass=NullPool)


def _pg_counts(connection: sa.Connection) -> tuple[str | None, int | None, int | None, list[str]]:
    tables = set(sa.inspect(connection).get_table_names())

    def count(table: str) -> int | None:
        return connection.scalar(sa.text(f"SELECT count(*) FROM {table}")) if table in tables else None

    revision = None
    if "alembic_version" in tables:
        revision = connection.scalar(sa.text("SELECT version_num FROM alembic_version"))
    rings = list(connection.scalars(sa.text("SELECT name FROM ring ORDER BY id"))) if "ring" in tables else []
    return revision, count("member"), count("journal_entry"), rings


def _backup_postgres(url: str, payload: Path) -> tuple[str | None, int | None, int | None, list[str]]:
    pg_dump = _pg_tool("pg_dump")
    options, env = _pg_connection(url)
    engine = _pg_engine(url)
    try:
        try:
            connection = engine.connect().execution_options(
                isolation_level="REPEATABLE READ", postgresql_readonly=True
            )
        except OperationalError as exc:
            raise BackupError(f"Keine Verbindung zur Datenbank: {exc.orig}") from exc
        with connection, connection.begin():
            # pg_dump reads from this transaction's snapshot, so the counts match the file.
            snapshot = connection.scalar(sa.text("SELECT pg_export_snapshot()"))
            counted = _pg_counts(connection)
            _run(
                [pg_dump, *options, "--format=custom", f"--snapshot={snapshot}", f"--file={payload}"],
                env,
                "pg_dump",
            )
        with payload.open("rb") as file:
            if file.read(len(PG_DUMP_MAGIC)) != PG_DUMP_MAGIC:
                raise BackupError("pg_dump hat kein Archiv geschrieben.")
    finally:
        engine.dispose()
    return counted


@dataclass(frozen=True)
class _Archive:
    revision: str
    tables: frozenset[tuple[str, str]]  # (schema, name)
    functions: frozenset[tuple[str, str]]
    triggers: frozenset[str]


_TOC_TABLE = re.compile(r"^\d+; \d+ \d+ TABLE (?!DATA )(\S+) (\S+) ")
_TOC_FUNCTION = re.compile(r"^\d+; \d+ \d+ FUNCTION (\S+) ([^\s(]+)\(")
_TOC_TRIGGER = re.compile(r"^\d+; \d+ \d+ TRIGGER \S+ \S+ (\S+) ")


def _pg_archive(source: Path) -> _Archive:
    """The archive's table of contents and schema revision, read with pg_restore."""
    pg_restore = _pg_tool("pg_restore")
    env = dict(os.environ)
    listing = _run([pg_restore, "--list", str(source)], env, f"pg_restore --list {source}")
    tables = frozenset(m.groups() for line in listing.splitlines() if (m := _TOC_TABLE.match(line)))
    functions = frozenset(m.groups() for line in listing.splitlines() if (m := _TOC_FUNCTION.match(line)))
    triggers = frozenset(m.group(1) for line in listing.splitlines() if (m := _TOC_TRIGGER.match(line)))
    revision = None
    if any(name == "alembic_version" for _, name in tables):
        script = _run(
            [pg_restore, "--data-only", "--table=alembic_version", "--file=-", str(source)],
            env,
            f"pg_restore {source}",
        )
        lines = iter(script.splitlines())
        for line in lines:
            if line.startswith("COPY ") and ".alembic_version " in line:
                first = next(lines, "\\.")
                revision = None if first == "\\." else first.strip()
                break
    if revision is None:
        raise BackupError(f"{source} ist keine Tauschring-Sicherung (keine Datenbankversion).")
    return _Archive(revision, tables, functions, triggers)


@functools.cache
def tables_of_revision(revision: str) -> frozenset[str]:
    """The tables a Tauschring database has at a schema revision (built once in a scratch SQLite)."""
    from .migrate import upgrade

    with tempfile.TemporaryDirectory(prefix="tauschring-schema-") as folder:
        url = f"sqlite:///{Path(folder) / 'schema.sqlite'}"
        upgrade(url, revision)
        engine = make_engine(url, poolclass=NullPool)
        try:
            with engine.connect() as connection:
                return frozenset(sa.inspect(connection).get_table_names())
        finally:
            engine.dispose()


def _prove_pg_archive(archive: _Archive, source: Path) -> None:
    """An archive of exactly the tables of its revision, with the books' append-only triggers."""
    from ledger.models import APPEND_ONLY_TABLES

    schemas = {schema for schema, _ in archive.tables}
    names = {name for _, name in archive.tables}
    expected = tables_of_revision(archive.revision)
    if schemas != {"public"} or names != expected:
        extra, missing = sorted(names - expected), sorted(expected - names)
        raise BackupError(
            f"{source} passt nicht zum Schema von Tauschring (Datenbankversion {archive.revision}): "
            f"fremde Tabellen {extra[:5] or '–'}, fehlende {missing[:5] or '–'}. Nichts wurde verändert."
        )
    triggers = {f"trg_{table}_no_{op}" for table in APPEND_ONLY_TABLES for op in ("update", "delete")}
    if not triggers <= archive.triggers:
        raise BackupError(
            f"{source} fehlen die Trigger, die Buchungen vor Änderung schützen "
            f"({', '.join(sorted(triggers - archive.triggers))}); so eine Datenbank wird nicht "
            "zurückgespielt. Nichts wurde verändert."
        )


def _restore_postgres(url: str, source: Path, archive: _Archive) -> None:
    """pg_restore's script, run by psql in one transaction together with dropping the live
    database's newer tables: it all happens, or nothing does."""
    pg_restore, psql = _pg_tool("pg_restore"), _pg_tool("psql")
    # Read the whole archive once first: a damaged file fails here, before the database is touched.
    _run([pg_restore, "--file=" + os.devnull, str(source)], dict(os.environ), f"pg_restore {source}")
    options, env = _pg_connection(url)
    engine = _pg_engine(url)
    try:
        extra_tables, extra_functions = _pg_extra_objects(engine, archive)
    finally:
        engine.dispose()
    prelude = "".join(
        [f'DROP TABLE IF EXISTS "{schema}"."{name}" CASCADE;\n' for schema, name in extra_tables]
        + [f"DROP FUNCTION IF EXISTS {signature} CASCADE;\n" for signature in extra_functions]
    )
    shell = subprocess.Popen(
        [psql, *options, "--no-psqlrc", "--quiet", "--single-transaction", "--set=ON_ERROR_STOP=1"],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert shell.stdin is not None
    shell.stdin.write(prelude.encode())
    shell.stdin.flush()
    script = subprocess.Popen(
        [pg_restore, "--clean", "--if-exists", "--no-owner", "--file=-", str(source)],
        stdout=shell.stdin,
        stderr=subprocess.PIPE,
        env=dict(os.environ),
    )
    _script_out, script_errors = script.communicate()
    shell.stdin.close()
    shell.stdin = None  # closed: psql sees the end of the script
    _shell_out, shell_errors = shell.communicate()
    if script.returncode != 0 or shell.returncode != 0:
        detail = (shell_errors or script_errors or b"").decode(errors="replace").strip().splitlines()[-10:]
        raise BackupError(
            "Das Zurückspielen ist fehlgeschlagen; nichts wurde verändert:\n" + "\n".join(detail)
        )


def _pg_extra_objects(engine: sa.Engine, archive: _Archive) -> tuple[list[tuple[str, str]], list[str]]:
    """Tables and functions of the live database that the archive does not have (extensions'
    objects excluded)."""
    schemas = sorted({schema for schema, _ in archive.tables} | {"public"})
    not_from_extension = "NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = {oid} AND d.deptype = 'e')"
    try:
        with engine.connect() as connection:
            tables = connection.execute(
                sa.text(
                    "SELECT n.nspname, c.relname FROM pg_class c "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE c.relkind IN ('r', 'p') AND n.nspname IN :schemas AND "
                    + not_from_extension.format(oid="c.oid")
                    + " ORDER BY 1, 2"
                ).bindparams(sa.bindparam("schemas", expanding=True)),
                {"schemas": schemas},
            ).all()
            functions = connection.execute(
                sa.text(
                    "SELECT n.nspname, p.proname, p.oid::regprocedure::text FROM pg_proc p "
                    "JOIN pg_namespace n ON n.oid = p.pronamespace "
                    "WHERE n.nspname IN :schemas AND "
                    + not_from_extension.format(oid="p.oid")
                    + " ORDER BY 1, 2"
                ).bindparams(sa.bindparam("schemas", expanding=True)),
                {"schemas": schemas},
            ).all()
    except OperationalError as exc:
        raise BackupError(f"Keine Verbindung zur Datenbank: {exc.orig}") from exc
    extra_tables = [(s, n) for s, n in tables if (s, n) not in archive.tables]
    extra_functions = [sig for s, n, sig in functions if (s, n) not in archive.functions]
    return extra_tables, extra_functions
