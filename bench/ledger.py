"""Benchmark of the ledger: booking rate against plain DB-API code, and read latency by book size.

Run as a module from the repository root::

    python -m bench.ledger [--quick] [--no-postgres] [--postgres-url URL]

It prints exactly one JSON line on stdout (progress goes to stderr) and exits 0; 1 only when a
part of the benchmark broke (the JSON then lists the errors). Goals are reported, never enforced.

Writes: the same transfers are booked through ``ledger.book_transfer`` (one transaction each,
committed by ``run_in_transaction``) and by plain ``sqlite3`` / ``psycopg`` code that runs the
same statements by hand (lock-read the two accounts in id order, update both balances, insert
the entry, insert its two postings, commit). Both write into the same ring of one database in
rounds of A B B A / B A A B on the same transfers; the ratio ledger/plain is taken per round
(both paths saw the same moments of a noisy machine) and its median reported, next to the median
rates. ``verify`` must find the shared book clean afterwards, which proves the plain rows are
equivalent; the columns of one entry of each path are compared as well. SQLite runs in this
process; PostgreSQL with 1 and with 8 worker processes, each with its own connections.

Reads: a consistent book (balance_after chains, cached balances) is bulk-inserted, checked with
``verify``, and ``balance_of`` and a 50-line ``statement`` page for a period in the middle of an
account's history are timed in a small and a large book, alternately.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import json
import multiprocessing
import os
import platform
import queue
import random
import sqlite3
import statistics
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import asdict, dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

import ledger
from bench.common import postgres_database, postgres_unreachable, postgres_version
from tauschring.db import make_engine, run_in_transaction
from tauschring.models import metadata

try:
    import psycopg
except ImportError:  # PostgreSQL is an optional extra
    psycopg = None

DEFAULT_POSTGRES_URL = os.environ.get(
    "BENCH_POSTGRES_URL",
    os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"),
)
# Base names of the databases the benchmark creates and drops; each run adds its own suffix
# (bench.common.database_name), so two runs at once never share one.
DB_WRITES = "tauschring_bench"
DB_SMALL = "tauschring_bench_small"
DB_LARGE = "tauschring_bench_large"

GOAL_SQLITE_WRITE_RATIO = 0.6
GOAL_POSTGRES_8_WRITE_RATIO = 0.5
GOAL_READ_RATIO = 1.5

MEMO = "Gartenarbeit"
# Generous limits: no booking of the benchmark is ever refused.
LIMIT = 1_000_000
STATEMENT_PAGE = 50
# The built books start here, one entry per minute (a million postings fit in one year).
BOOK_START = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Sizes:
    rounds: int  # write rounds (A B B A, B A A B, ...)
    warmup: int  # untimed bookings per path (and worker) before the rounds
    sqlite_per_round: int  # bookings per path and round
    pg1_per_round: int
    pg8_per_worker: int  # bookings per path, worker and round
    workers: int
    members: int  # member accounts the transfers move between
    small_postings: int
    large_postings: int
    book_members: int  # member accounts of the built books
    read_targets: int  # accounts whose balance and statement are read in turn
    read_blocks: int  # alternations small/large
    read_per_block: int  # calls of each kind per book and block


FULL = Sizes(
    rounds=10,
    warmup=30,
    sqlite_per_round=300,
    pg1_per_round=200,
    pg8_per_worker=80,
    workers=8,
    members=200,
    small_postings=10_000,
    large_postings=1_000_000,
    book_members=100,
    read_targets=20,
    read_blocks=5,
    read_per_block=60,
)
QUICK = Sizes(
    rounds=3,
    warmup=5,
    sqlite_per_round=40,
    pg1_per_round=20,
    pg8_per_worker=6,
    workers=8,
    members=50,
    small_postings=2_000,
    large_postings=20_000,
    book_members=20,
    read_targets=5,
    read_blocks=3,
    read_per_block=10,
)


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def sqlite_stamp(moment: dt.datetime) -> str:
    """A datetime (naive UTC) as SQLAlchemy stores it in SQLite: always with microseconds."""
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def rounded(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


# ---------------------------------------------------------------------------------------------
# Databases


def postgres_urls(admin_url: str, name: str) -> tuple[str, str]:
    """(SQLAlchemy URL, libpq conninfo URL) of database ``name`` on the admin URL's server."""
    url = sa.make_url(admin_url).set(database=name)
    return (
        url.render_as_string(hide_password=False),
        url.set(drivername="postgresql").render_as_string(hide_password=False),
    )


def open_plain_sqlite(path: Path) -> sqlite3.Connection:
    """A raw sqlite3 connection with the application's settings (see tauschring.db)."""
    connection = sqlite3.connect(path, timeout=30, isolation_level=None)
    connection.execute("PRAGMA foreign_keys=ON")
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")
    connection.execute("PRAGMA busy_timeout=30000")
    return connection


def setup_ring(engine: sa.Engine, *, members: int, now: dt.datetime) -> tuple[int, list[int]]:
    """Schema by create_all, then a ring and its member accounts through the ledger."""
    metadata.create_all(engine)
    with Session(engine) as session:
        ring_id = ledger.create_ring(
            session, name="Benchmark", now=now, default_min_balance=-LIMIT, default_max_balance=LIMIT
        )
        member_ids = [
            ledger.open_account(session, ring_id=ring_id, label=f"Mitglied {number}", now=now)
            for number in range(1, members + 1)
        ]
        session.commit()
    return ring_id, member_ids


def check_book(engine: sa.Engine, ring_id: int) -> dict[str, object]:
    """Run ledger.verify on a ring; report whether it is clean and how long it took."""
    with Session(engine) as session:
        started = time.perf_counter()
        report = ledger.verify(session, ring_id)
        seconds = time.perf_counter() - started
        session.rollback()
    result: dict[str, object] = {
        "verify_clean": report.ok and not report.notices,
        "verify_s": round(seconds, 3),
        "entries": report.entries,
        "postings": report.postings,
    }
    if not result["verify_clean"]:
        result["verify_findings"] = [v.detail for v in (*report.violations, *report.notices)][:5]
    return result


_SHAPE_COLUMNS_WITH_FORMAT = {"booked_at", "service_date", "last_booked_at", "created_at"}


def _row_shape(row: dict[str, object]) -> dict[str, object]:
    """What a row fills and how: per column NULL or the value's type (and text length of stamps)."""
    shape: dict[str, object] = {}
    for column, value in row.items():
        if column in ("id", "entry_id", "account_id", "amount", "balance_after") or isinstance(
            value, dt.date
        ):
            shape[column] = type(value).__name__
        elif column in _SHAPE_COLUMNS_WITH_FORMAT and isinstance(value, str):
            shape[column] = f"str[{len(value)}]"
        elif value is None:
            shape[column] = None
        else:
            shape[column] = (type(value).__name__, value)
    return shape


def compare_rows(engine: sa.Engine, ledger_entry: int, plain_entry: int) -> dict[str, object]:
    """Whether an entry booked by the ledger and one booked by plain code fill the same columns."""
    differences: list[str] = []
    with engine.connect() as connection:
        for table, key in (("journal_entry", "id"), ("posting", "entry_id")):
            query = sa.text(f"SELECT * FROM {table} WHERE {key} = :id ORDER BY id")
            by_ledger = [
                _row_shape(dict(r)) for r in connection.execute(query, {"id": ledger_entry}).mappings()
            ]
            by_plain = [
                _row_shape(dict(r)) for r in connection.execute(query, {"id": plain_entry}).mappings()
            ]
            if len(by_ledger) != len(by_plain):
                differences.append(f"{table}: {len(by_ledger)} rows by the ledger, {len(by_plain)} plain")
                continue
            for left, right in zip(by_ledger, by_plain, strict=True):
                for column in left:
                    if column in ("account_id", "limit_checked", "amount"):
                        # Different accounts and directions: compare only NULL-ness and type.
                        same = (left[column] is None) == (right[column] is None)
                    else:
                        same = left[column] == right[column]
                    if not same:
                        differences.append(f"{table}.{column}: {left[column]!r} vs {right[column]!r}")
    result: dict[str, object] = {"rows_equivalent": not differences}
    if differences:
        result["rows_differences"] = differences[:10]
    return result


# ---------------------------------------------------------------------------------------------
# Booking: through the ledger, and by plain DB-API code


Transfer = tuple[int, int, int]  # payer, payee, minutes


def draw_transfers(rng: random.Random, members: list[int], count: int) -> list[Transfer]:
    transfers = []
    for _ in range(count):
        payer, payee = rng.sample(members, 2)
        transfers.append((payer, payee, 15 * rng.randint(1, 16)))
    return transfers


def book_with_ledger(session: Session, ring_id: int, transfers: list[Transfer]) -> int:
    """Each transfer in its own transaction, as the application books it. Returns the last entry id."""
    last = 0
    for payer, payee, minutes in transfers:
        now = utcnow()
        work = functools.partial(
            ledger.book_transfer,
            ring_id=ring_id,
            payer=payer,
            payee=payee,
            minutes=minutes,
            memo=MEMO,
            service_date=now.date(),
            now=now,
        )
        last = run_in_transaction(session, work).id
    return last


def _limit(limited: bool, floor: int | None, ceiling: int | None, amount: int) -> int | None:
    if not limited:
        return None
    return floor if amount < 0 else ceiling


_SQLITE_LOCK = (
    "SELECT a.id, a.balance, a.last_booked_at, a.limited, "
    "COALESCE(a.min_balance, r.default_min_balance), COALESCE(a.max_balance, r.default_max_balance) "
    "FROM account a JOIN ring r ON r.id = a.ring_id WHERE a.id IN (?, ?) ORDER BY a.id"
)
_SQLITE_UPDATE = "UPDATE account SET balance = ?, last_booked_at = ? WHERE id = ?"
_SQLITE_ENTRY = (
    "INSERT INTO journal_entry (ring_id, kind, memo, service_date, booked_at, channel) "
    "VALUES (?, 'transfer', ?, ?, ?, 'web')"
)
_SQLITE_POSTING = (
    "INSERT INTO posting (entry_id, account_id, amount, balance_after, booked_at, limit_checked) "
    "VALUES (?, ?, ?, ?, ?, ?)"
)


def book_plain_sqlite(connection: sqlite3.Connection, ring_id: int, transfers: list[Transfer]) -> int:
    """The same rows with sqlite3 alone: one BEGIN IMMEDIATE ... COMMIT per transfer."""
    last = 0
    cursor = connection.cursor()
    for payer, payee, minutes in transfers:
        now = utcnow()
        booked_at = sqlite_stamp(now.replace(tzinfo=None))
        cursor.execute("BEGIN IMMEDIATE")
        try:
            accounts = {
                row[0]: row for row in cursor.execute(_SQLITE_LOCK, (min(payer, payee), max(payer, payee)))
            }
            for _, _, last_booked_at, *_ in accounts.values():
                if last_booked_at is not None and last_booked_at > booked_at:
                    booked_at = last_booked_at
            postings = []
            for account_id, amount in ((payer, -minutes), (payee, minutes)):
                _, balance, _, limited, floor, ceiling = accounts[account_id]
                limit = _limit(limited, floor, ceiling, amount)
                if limit is not None and (
                    balance + amount < limit if amount < 0 else balance + amount > limit
                ):
                    raise RuntimeError(f"limit of account {account_id} reached; raise LIMIT")
                postings.append((account_id, amount, balance + amount, limit))
            cursor.executemany(
                _SQLITE_UPDATE,
                [(after, booked_at, account_id) for account_id, _, after, _ in sorted(postings)],
            )
            cursor.execute(_SQLITE_ENTRY, (ring_id, MEMO, now.date().isoformat(), booked_at))
            last = cursor.lastrowid
            cursor.executemany(
                _SQLITE_POSTING,
                [
                    (last, account_id, amount, after, booked_at, limit)
                    for account_id, amount, after, limit in postings
                ],
            )
            cursor.execute("COMMIT")
        except BaseException:
            cursor.execute("ROLLBACK")
            raise
    return last


_PG_LOCK = (
    "SELECT a.id, a.balance, a.last_booked_at, a.limited, "
    "COALESCE(a.min_balance, r.default_min_balance), COALESCE(a.max_balance, r.default_max_balance) "
    "FROM account a JOIN ring r ON r.id = a.ring_id WHERE a.id IN (%s, %s) ORDER BY a.id FOR UPDATE OF a"
)
_PG_UPDATE = "UPDATE account SET balance = %s, last_booked_at = %s WHERE id = %s"
_PG_ENTRY = (
    "INSERT INTO journal_entry (ring_id, kind, memo, service_date, booked_at, channel) "
    "VALUES (%s, 'transfer', %s, %s, %s, 'web') RETURNING id"
)
_PG_POSTING = (
    "INSERT INTO posting (entry_id, account_id, amount, balance_after, booked_at, limit_checked) "
    "VALUES (%s, %s, %s, %s, %s, %s)"
)


def book_plain_postgres(connection, ring_id: int, transfers: list[Transfer]) -> tuple[int, int]:
    """The same rows with psycopg alone, one transaction per transfer. Returns (last id, retries)."""
    last = retries = 0
    retryable = (psycopg.errors.DeadlockDetected, psycopg.errors.SerializationFailure)
    with connection.cursor() as cursor:
        for payer, payee, minutes in transfers:
            for attempt in range(1, 6):
                now = utcnow()
                booked_at = now.replace(tzinfo=None)
                try:
                    cursor.execute(_PG_LOCK, (min(payer, payee), max(payer, payee)))
                    accounts = {row[0]: row for row in cursor.fetchall()}
                    for _, _, last_booked_at, *_ in accounts.values():
                        if last_booked_at is not None and last_booked_at > booked_at:
                            booked_at = last_booked_at
                    postings = []
                    for account_id, amount in ((payer, -minutes), (payee, minutes)):
                        _, balance, _, limited, floor, ceiling = accounts[account_id]
                        limit = _limit(limited, floor, ceiling, amount)
                        if limit is not None and (
                            balance + amount < limit if amount < 0 else balance + amount > limit
                        ):
                            raise RuntimeError(f"limit of account {account_id} reached; raise LIMIT")
                        postings.append((account_id, amount, balance + amount, limit))
                    cursor.executemany(
                        _PG_UPDATE,
                        [(after, booked_at, account_id) for account_id, _, after, _ in sorted(postings)],
                    )
                    cursor.execute(_PG_ENTRY, (ring_id, MEMO, now.date(), booked_at))
                    last = cursor.fetchone()[0]
                    cursor.executemany(
                        _PG_POSTING,
                        [
                            (last, account, amount, after, booked_at, limit)
                            for account, amount, after, limit in postings
                        ],
                    )
                    connection.commit()
                    break
                except retryable:
                    connection.rollback()
                    retries += 1
                    if attempt == 5:
                        raise
                except BaseException:
                    connection.rollback()
                    raise
    return last, retries


@dataclass
class Measured:
    """One timed batch of one path: wall seconds, bookings, client CPU seconds, last entry id."""

    seconds: float
    bookings: int
    cpu_seconds: float
    last_entry: int
    retries: int = 0


PATHS = ("ledger", "plain")


def alternate(
    label: str,
    rounds: int,
    draw: Callable[[], object],
    run: Callable[[str, object], Measured],
) -> dict[str, object]:
    """Rounds of A B B A (then B A A B, ...), each path booking the same two batches per round.

    A round's rate for a path is its bookings over its time in that round; the ratio is taken
    per round (both paths saw the same moments of a noisy machine) and its median reported.
    """
    rates: dict[str, list[float]] = {path: [] for path in PATHS}
    cpu = dict.fromkeys(PATHS, 0.0)
    booked = dict.fromkeys(PATHS, 0)
    last = dict.fromkeys(PATHS, 0)
    retries = dict.fromkeys(PATHS, 0)
    for index in range(rounds):
        first, second = PATHS if index % 2 == 0 else PATHS[::-1]
        batches = (draw(), draw())
        spent = dict.fromkeys(PATHS, 0.0)
        count = dict.fromkeys(PATHS, 0)
        for path, batch in (
            (first, batches[0]),
            (second, batches[0]),
            (second, batches[1]),
            (first, batches[1]),
        ):
            measured = run(path, batch)
            spent[path] += measured.seconds
            count[path] += measured.bookings
            cpu[path] += measured.cpu_seconds
            last[path] = measured.last_entry
            retries[path] += measured.retries
        for path in PATHS:
            rates[path].append(count[path] / spent[path])
            booked[path] += count[path]
        log(
            f"{label} round {index + 1}/{rounds}: ledger {rates['ledger'][-1]:.0f}/s, "
            f"plain {rates['plain'][-1]:.0f}/s"
        )
    ledger_rate, plain_rate = median(rates["ledger"]), median(rates["plain"])
    paired = [a / b for a, b in zip(rates["ledger"], rates["plain"], strict=True)]
    return {
        "rounds": rounds,
        "bookings_per_round": booked["ledger"] // rounds,
        "ledger_per_s": round(ledger_rate, 1),
        "plain_per_s": round(plain_rate, 1),
        "ratio": round(median(paired), 3),
        "ratio_of_medians": round(ledger_rate / plain_rate, 3),
        "ratio_min": round(min(paired), 3),
        "ratio_max": round(max(paired), 3),
        "ledger_cpu_ms_per_booking": round(1000 * cpu["ledger"] / booked["ledger"], 3),
        "plain_cpu_ms_per_booking": round(1000 * cpu["plain"] / booked["plain"], 3),
        "ledger_rounds_per_s": [round(r, 1) for r in rates["ledger"]],
        "plain_rounds_per_s": [round(r, 1) for r in rates["plain"]],
        "plain_retries": retries["plain"],
        "last_entry": last,
    }


# ---------------------------------------------------------------------------------------------
# Writes on SQLite (in this process)


def bench_sqlite_writes(sizes: Sizes, folder: Path) -> dict[str, object]:
    path = folder / "writes.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    plain = None
    session = None
    try:
        ring_id, members = setup_ring(engine, members=sizes.members, now=utcnow())
        plain = open_plain_sqlite(path)
        session = Session(engine)
        rng = random.Random(1)

        def run(path_name: str, transfers: list[Transfer]) -> Measured:
            cpu, started = time.process_time(), time.perf_counter()
            if path_name == "ledger":
                last = book_with_ledger(session, ring_id, transfers)
            else:
                last = book_plain_sqlite(plain, ring_id, transfers)
            seconds = time.perf_counter() - started
            return Measured(seconds, len(transfers), time.process_time() - cpu, last)

        for path_name in PATHS:
            run(path_name, draw_transfers(rng, members, sizes.warmup))
        result = alternate(
            "sqlite",
            sizes.rounds,
            lambda: draw_transfers(rng, members, sizes.sqlite_per_round // 2),
            run,
        )
        last = result.pop("last_entry")
        result.update(check_book(engine, ring_id))
        result.update(compare_rows(engine, last["ledger"], last["plain"]))
        return result
    finally:
        if session is not None:
            session.close()
        if plain is not None:
            plain.close()
        engine.dispose()


# ---------------------------------------------------------------------------------------------
# Writes on PostgreSQL (worker processes, each with its own connections)


def _worker_main(index: int, sa_url: str, raw_url: str, commands, results, barrier) -> None:
    engine = make_engine(sa_url)
    session = Session(engine)
    raw = psycopg.connect(raw_url)
    try:
        while (command := commands.get()) is not None:
            try:
                transfers = command["transfers"]
                if command["sync"]:
                    barrier.wait(timeout=120)
                cpu, started = time.process_time(), time.monotonic()
                retries = 0
                if command["path"] == "ledger":
                    last = book_with_ledger(session, command["ring_id"], transfers)
                else:
                    last, retries = book_plain_postgres(raw, command["ring_id"], transfers)
                finished = time.monotonic()
                outcome = {
                    "started": started,
                    "finished": finished,
                    "n": len(transfers),
                    "cpu": time.process_time() - cpu,
                    "last": last,
                    "retries": retries,
                }
                results.put(("ok", index, outcome))
            except Exception:
                results.put(("error", index, traceback.format_exc()))
    finally:
        session.close()
        engine.dispose()
        raw.close()


class WorkerPool:
    """Worker processes that book on command; started once, used for every PostgreSQL round."""

    def __init__(self, size: int, sa_url: str, raw_url: str) -> None:
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        self.results = context.Queue()
        self.barrier = context.Barrier(size)
        self.commands = [context.Queue() for _ in range(size)]
        self.processes = [
            context.Process(
                target=_worker_main,
                args=(index, sa_url, raw_url, self.commands[index], self.results, self.barrier),
                daemon=True,
            )
            for index in range(size)
        ]
        for process in self.processes:
            process.start()

    def run(self, path: str, transfer_lists: list[list[Transfer]], *, ring_id: int) -> Measured:
        """Book one list per worker (all at once after a barrier if more than one worker).

        The time is the span from the first worker's start to the last one's end.
        """
        active = len(transfer_lists)
        if active not in (1, len(self.processes)):
            raise ValueError("run with one worker or with all of them")
        for index, transfers in enumerate(transfer_lists):
            self.commands[index].put(
                {"path": path, "ring_id": ring_id, "transfers": transfers, "sync": active > 1}
            )
        outcomes = []
        while len(outcomes) < active:
            try:
                status, index, outcome = self.results.get(timeout=600)
            except queue.Empty:
                raise RuntimeError("a worker gave no answer within 10 minutes") from None
            if status != "ok":
                raise RuntimeError(f"worker {index} failed:\n{outcome}")
            outcomes.append(outcome)
        return Measured(
            seconds=max(o["finished"] for o in outcomes) - min(o["started"] for o in outcomes),
            bookings=sum(o["n"] for o in outcomes),
            cpu_seconds=sum(o["cpu"] for o in outcomes),
            last_entry=max(o["last"] for o in outcomes),
            retries=sum(o["retries"] for o in outcomes),
        )

    def close(self) -> None:
        for commands in self.commands:
            commands.put(None)
        for process in self.processes:
            process.join(timeout=30)
            if process.is_alive():
                process.terminate()
                process.join(timeout=5)


def bench_postgres_writes(sizes: Sizes, admin_url: str) -> dict[str, object]:
    with postgres_database(admin_url, DB_WRITES) as url:
        return _bench_postgres_writes(sizes, admin_url, sa.make_url(url).database)


def _bench_postgres_writes(sizes: Sizes, admin_url: str, name: str) -> dict[str, object]:
    sa_url, raw_url = postgres_urls(admin_url, name)
    engine = make_engine(sa_url)
    try:
        ring_id, members = setup_ring(engine, members=sizes.members, now=utcnow())
    finally:
        engine.dispose()  # no connection may be open when the workers are forked
    pool = WorkerPool(sizes.workers, sa_url, raw_url)
    rng = random.Random(2)
    last: dict[str, int] = {}
    results: dict[str, object] = {}
    try:
        for path in PATHS:  # warm-up: connections, statement caches, prepared statements
            pool.run(
                path,
                [draw_transfers(rng, members, sizes.warmup) for _ in range(sizes.workers)],
                ring_id=ring_id,
            )
        for workers, per_worker in ((1, sizes.pg1_per_round), (sizes.workers, sizes.pg8_per_worker)):
            result = alternate(
                f"postgresql {workers} worker(s)",
                sizes.rounds,
                lambda workers=workers, per_worker=per_worker: [
                    draw_transfers(rng, members, per_worker // 2) for _ in range(workers)
                ],
                functools.partial(pool.run, ring_id=ring_id),
            )
            last = result.pop("last_entry")
            results[f"workers_{workers}"] = {"workers": workers, **result}
    finally:
        pool.close()
    engine = make_engine(sa_url)
    try:
        results.update(check_book(engine, ring_id))
        results.update(compare_rows(engine, last["ledger"], last["plain"]))
    finally:
        engine.dispose()
    return results


# ---------------------------------------------------------------------------------------------
# Reads: bulk-built consistent books
#
# Entry i (from 0) moves 15..240 minutes from member i mod K to another member, one minute after
# entry i-1; postings get ids 2i+1 (payer) and 2i+2 (payee), so each account's balance_after
# chain follows both the id and the time order. Every member pays and receives equally often.


def _plan(i: int, members: int) -> tuple[int, int, int]:
    payer = i % members
    payee = (payer + 1 + (i // members) % (members - 1)) % members
    return payer, payee, 15 * (1 + (i * 7919) % 16)


def build_book_sqlite(path: Path, ring_id: int, members: list[int], entries: int) -> None:
    count = len(members)
    balances = dict.fromkeys(members, 0)
    last_at: dict[int, str] = {}
    connection = open_plain_sqlite(path)
    try:
        connection.execute("BEGIN IMMEDIATE")
        entry_base = connection.execute("SELECT COALESCE(MAX(id), 0) FROM journal_entry").fetchone()[0]
        posting_base = connection.execute("SELECT COALESCE(MAX(id), 0) FROM posting").fetchone()[0]
        start = BOOK_START.replace(tzinfo=None)
        for chunk in range(0, entries, 20_000):
            entry_rows, posting_rows = [], []
            for i in range(chunk, min(chunk + 20_000, entries)):
                payer_index, payee_index, minutes = _plan(i, count)
                payer, payee = members[payer_index], members[payee_index]
                moment = start + dt.timedelta(minutes=i)
                at = sqlite_stamp(moment)
                entry_id = entry_base + i + 1
                entry_rows.append((entry_id, ring_id, "transfer", MEMO, moment.date().isoformat(), at, "web"))
                balances[payer] -= minutes
                balances[payee] += minutes
                last_at[payer] = last_at[payee] = at
                posting_rows.append(
                    (posting_base + 2 * i + 1, entry_id, payer, -minutes, balances[payer], at, -LIMIT)
                )
                posting_rows.append(
                    (posting_base + 2 * i + 2, entry_id, payee, minutes, balances[payee], at, LIMIT)
                )
            connection.executemany(
                "INSERT INTO journal_entry (id, ring_id, kind, memo, service_date, booked_at, channel) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                entry_rows,
            )
            connection.executemany(
                "INSERT INTO posting (id, entry_id, account_id, amount, balance_after, booked_at, "
                "limit_checked) VALUES (?, ?, ?, ?, ?, ?, ?)",
                posting_rows,
            )
        connection.executemany(
            "UPDATE account SET balance = ?, last_booked_at = ? WHERE id = ?",
            [(balances[a], last_at[a], a) for a in members if a in last_at],
        )
        connection.execute("COMMIT")
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()


def build_book_postgres(raw_url: str, ring_id: int, members: list[int], entries: int) -> None:
    count = len(members)
    plan = f"""
        SELECT i, leg,
               (%(members)s::int[])[1 + CASE WHEN leg = 0 THEN i %% {count}
                    ELSE (i %% {count} + 1 + (i / {count}) %% {count - 1}) %% {count} END] AS account_id,
               CASE WHEN leg = 0 THEN -1 ELSE 1 END * 15 * (1 + (i * 7919) %% 16) AS amount,
               %(start)s + i * interval '1 minute' AS booked_at
        FROM generate_series(0::bigint, %(entries)s - 1) AS i CROSS JOIN (VALUES (0), (1)) AS legs(leg)
    """
    params = {
        "members": members,
        "start": BOOK_START.replace(tzinfo=None),
        "entries": entries,
        "ring": ring_id,
    }
    with psycopg.connect(raw_url) as connection:
        with connection.cursor() as cursor:
            cursor.execute("SELECT COALESCE(MAX(id), 0) FROM journal_entry")
            params["entry_base"] = cursor.fetchone()[0]
            cursor.execute("SELECT COALESCE(MAX(id), 0) FROM posting")
            params["posting_base"] = cursor.fetchone()[0]
            cursor.execute(
                "INSERT INTO journal_entry (id, ring_id, kind, memo, service_date, booked_at, channel) "
                "SELECT %(entry_base)s + i + 1, %(ring)s, 'transfer', %(memo)s, "
                "(%(start)s + i * interval '1 minute')::date, %(start)s + i * interval '1 minute', 'web' "
                "FROM generate_series(0::bigint, %(entries)s - 1) AS i",
                {**params, "memo": MEMO},
            )
            cursor.execute(
                "INSERT INTO posting "
                "(id, entry_id, account_id, amount, balance_after, booked_at, limit_checked) "
                "SELECT %(posting_base)s + 2 * i + leg + 1, %(entry_base)s + i + 1, account_id, amount, "
                "SUM(amount) OVER (PARTITION BY account_id ORDER BY i, leg), booked_at, "
                f"CASE WHEN leg = 0 THEN {-LIMIT} ELSE {LIMIT} END "
                f"FROM ({plan}) AS planned ORDER BY i, leg",
                params,
            )
            cursor.execute(
                "UPDATE account SET balance = s.total, last_booked_at = s.last "
                "FROM (SELECT account_id, SUM(amount) AS total, MAX(booked_at) AS last "
                "      FROM posting GROUP BY account_id) AS s WHERE account.id = s.account_id"
            )
            for table in ("journal_entry", "posting"):
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), MAX(id)) FROM {table}"
                )
        connection.commit()
        # What autovacuum would have done by the time anyone reads a book this size.
        connection.autocommit = True
        connection.execute("VACUUM ANALYZE")


@dataclass
class Book:
    label: str
    postings: int
    engine: sa.Engine
    ring_id: int
    targets: list[tuple[int, dt.datetime, dt.datetime]]  # account, period start, period end
    facts: dict[str, object]


def read_targets(
    engine: sa.Engine, members: list[int], how_many: int
) -> list[tuple[int, dt.datetime, dt.datetime]]:
    """For a few accounts, a period in the middle of their history holding more than one page."""
    posting = ledger.Posting.__table__
    targets = []
    with Session(engine) as session:
        for account_id in members[:how_many]:
            count = session.execute(
                sa.select(sa.func.count()).select_from(posting).where(posting.c.account_id == account_id)
            ).scalar_one()
            first = max(0, count // 2 - STATEMENT_PAGE // 2)

            def at(offset: int, account_id: int = account_id) -> dt.datetime:
                return session.execute(
                    sa.select(posting.c.booked_at)
                    .where(posting.c.account_id == account_id)
                    .order_by(posting.c.booked_at, posting.c.id)
                    .offset(offset)
                    .limit(1)
                ).scalar_one()

            targets.append((account_id, at(first), at(min(count - 1, first + 3 * STATEMENT_PAGE // 2))))
    return targets


def make_book(
    label: str,
    postings: int,
    members: int,
    engine_for: Callable[[], sa.Engine],
    build: Callable[[int, list[int], int], None],
    how_many_targets: int,
) -> Book:
    engine = engine_for()
    ring_id, member_ids = setup_ring(engine, members=members, now=BOOK_START - dt.timedelta(days=1))
    started = time.perf_counter()
    build(ring_id, member_ids, postings // 2)
    build_s = time.perf_counter() - started
    facts: dict[str, object] = {"postings": postings, "build_s": round(build_s, 2)}
    facts.update(check_book(engine, ring_id))
    log(f"{label} book: {postings} postings built in {build_s:.1f} s, verify {facts['verify_s']} s")
    return Book(label, postings, engine, ring_id, read_targets(engine, member_ids, how_many_targets), facts)


def time_reads(books: list[Book], sizes: Sizes) -> dict[str, dict[str, list[float]]]:
    """Milliseconds per call of balance_of and of a statement page, the books taken in turn."""
    times = {book.label: {"balance_of": [], "statement": []} for book in books}
    sessions = {book.label: Session(book.engine.execution_options(read_only=True)) for book in books}

    def one(book: Book, kind: str, target: tuple[int, dt.datetime, dt.datetime]) -> float:
        session = sessions[book.label]
        account_id, start, end = target
        session.connection()  # BEGIN, not timed
        started = time.perf_counter()
        if kind == "balance_of":
            ledger.balance_of(session, ring_id=book.ring_id, account_id=account_id)
        else:
            page = ledger.statement(
                session,
                ring_id=book.ring_id,
                account_id=account_id,
                start=start,
                end=end,
                page_size=STATEMENT_PAGE,
            )
        elapsed = (time.perf_counter() - started) * 1000
        session.rollback()
        if kind == "statement" and (len(page.lines) != STATEMENT_PAGE or page.next_cursor is None):
            raise RuntimeError(
                f"{book.label} book: statement page of {len(page.lines)} lines, expected a full one"
            )
        return elapsed

    try:
        for book in books:  # warm-up
            for target in book.targets:
                one(book, "balance_of", target)
                one(book, "statement", target)
        for _ in range(sizes.read_blocks):
            for book in books:
                for call in range(sizes.read_per_block):
                    target = book.targets[call % len(book.targets)]
                    times[book.label]["balance_of"].append(one(book, "balance_of", target))
                    times[book.label]["statement"].append(one(book, "statement", target))
    finally:
        for session in sessions.values():
            session.close()
    return times


def summarize_reads(books: list[Book], times: dict[str, dict[str, list[float]]]) -> dict[str, object]:
    result: dict[str, object] = {}
    for book in books:
        facts = dict(book.facts)
        for kind, values in times[book.label].items():
            ordered = sorted(values)
            facts[f"{kind}_ms"] = round(median(values), 4)
            facts[f"{kind}_p90_ms"] = round(ordered[int(0.9 * (len(ordered) - 1))], 4)
        result[book.label] = facts
    small, large = result["small"], result["large"]
    for kind in ("balance_of", "statement"):
        result[f"{kind}_ratio"] = round(large[f"{kind}_ms"] / small[f"{kind}_ms"], 3)
    return result


def bench_sqlite_reads(sizes: Sizes, folder: Path) -> dict[str, object]:
    books: list[Book] = []
    try:
        for label, postings in (("small", sizes.small_postings), ("large", sizes.large_postings)):
            path = folder / f"book_{label}.sqlite"
            books.append(
                make_book(
                    label,
                    postings,
                    sizes.book_members,
                    functools.partial(make_engine, f"sqlite:///{path}"),
                    functools.partial(build_book_sqlite, path),
                    sizes.read_targets,
                )
            )
        return summarize_reads(books, time_reads(books, sizes))
    finally:
        for book in books:
            book.engine.dispose()


def bench_postgres_reads(sizes: Sizes, admin_url: str) -> dict[str, object]:
    books: list[Book] = []
    bases = {"small": DB_SMALL, "large": DB_LARGE}
    with ExitStack() as databases:  # the databases are dropped last, after the engines are disposed
        try:
            for label, postings in (("small", sizes.small_postings), ("large", sizes.large_postings)):
                url = databases.enter_context(postgres_database(admin_url, bases[label]))
                sa_url, raw_url = postgres_urls(admin_url, sa.make_url(url).database)
                books.append(
                    make_book(
                        label,
                        postings,
                        sizes.book_members,
                        functools.partial(make_engine, sa_url),
                        functools.partial(build_book_postgres, raw_url),
                        sizes.read_targets,
                    )
                )
            return summarize_reads(books, time_reads(books, sizes))
        finally:
            for book in books:
                book.engine.dispose()


# ---------------------------------------------------------------------------------------------


def goal(value: float | None, target: float, *, at_least: bool) -> dict[str, object]:
    met = None if value is None else (value >= target if at_least else value <= target)
    return {"target": f"{'>=' if at_least else '<='} {target}", "value": value, "met": met}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke test of a few seconds")
    parser.add_argument("--no-postgres", action="store_true", help="skip the PostgreSQL parts")
    parser.add_argument(
        "--postgres-url",
        default=DEFAULT_POSTGRES_URL,
        help="an admin URL of the server (its databases are not touched; the benchmark creates "
        f"and drops {DB_WRITES}_*, {DB_SMALL}_* and {DB_LARGE}_*, each name ending in the run's "
        "process id and random digits); default from BENCH_POSTGRES_URL",
    )
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    began = time.perf_counter()
    load_before = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    notes: list[str] = []
    errors: list[str] = []
    output: dict[str, object] = {
        "benchmark": "ledger",
        "quick": args.quick,
        "python": platform.python_version(),
        "sqlalchemy": sa.__version__,
        "sqlite": sqlite3.sqlite_version,
        "postgresql": None,
        "cpus": os.cpu_count(),
        "sizes": asdict(sizes),
    }
    writes: dict[str, object] = {}
    reads: dict[str, object] = {}

    def section(name: str, run: Callable[[], dict[str, object]]) -> dict[str, object] | None:
        log(f"{name} ...")
        started = time.perf_counter()
        try:
            result = run()
        except Exception:
            errors.append(f"{name}: {traceback.format_exc()}")
            log(f"{name} FAILED:\n{traceback.format_exc()}")
            return None
        log(f"{name} done in {time.perf_counter() - started:.1f} s")
        return result

    with tempfile.TemporaryDirectory(prefix="tauschring-bench-") as folder:
        writes["sqlite"] = section("sqlite writes", lambda: bench_sqlite_writes(sizes, Path(folder)))
        reads["sqlite"] = section("sqlite reads", lambda: bench_sqlite_reads(sizes, Path(folder)))

    unreachable = (
        "skipped on request (--no-postgres)" if args.no_postgres else postgres_unreachable(args.postgres_url)
    )
    if unreachable is None:
        output["postgresql"] = postgres_version(args.postgres_url)
        writes["postgresql"] = section(
            "postgresql writes", lambda: bench_postgres_writes(sizes, args.postgres_url)
        )
        reads["postgresql"] = section(
            "postgresql reads", lambda: bench_postgres_reads(sizes, args.postgres_url)
        )
    else:
        notes.append(f"PostgreSQL parts skipped: {unreachable}")
        writes["postgresql"] = reads["postgresql"] = None

    def pick(tree: dict[str, object] | None, *keys: str) -> float | None:
        for key in keys:
            if not isinstance(tree, dict):
                return None
            tree = tree.get(key)
        return tree  # type: ignore[return-value]

    goals = {
        "sqlite_write_ratio": goal(pick(writes, "sqlite", "ratio"), GOAL_SQLITE_WRITE_RATIO, at_least=True),
        "postgresql_8_workers_write_ratio": goal(
            pick(writes, "postgresql", f"workers_{sizes.workers}", "ratio"),
            GOAL_POSTGRES_8_WRITE_RATIO,
            at_least=True,
        ),
    }
    for backend in ("sqlite", "postgresql"):
        for kind in ("balance_of", "statement"):
            goals[f"{backend}_{kind}_large_vs_small"] = goal(
                pick(reads, backend, f"{kind}_ratio"), GOAL_READ_RATIO, at_least=False
            )
    books_clean = [
        value
        for value in (
            pick(writes, "sqlite", "verify_clean"),
            pick(writes, "postgresql", "verify_clean"),
            pick(reads, "sqlite", "small", "verify_clean"),
            pick(reads, "sqlite", "large", "verify_clean"),
            pick(reads, "postgresql", "small", "verify_clean"),
            pick(reads, "postgresql", "large", "verify_clean"),
        )
        if value is not None
    ]
    if args.quick:
        notes.append(
            f"quick run: the large book has {sizes.large_postings} postings, not 1,000,000; "
            "rates from few bookings"
        )
    output.update(
        writes=writes,
        reads=reads,
        goals=goals,
        goals_met=all(g["met"] for g in goals.values() if g["met"] is not None),
        books_verified_clean=bool(books_clean) and all(books_clean),
        load_average={
            "before": load_before,
            "after": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
        },
        notes=notes,
        errors=errors,
        elapsed_s=round(time.perf_counter() - began, 1),
    )
    print(json.dumps(output, separators=(",", ":")), flush=True)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
