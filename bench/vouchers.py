"""Benchmark of voucher batches: posting a batch of 300 vouchers against 300 single bookings.

Run as a module from the repository root::

    python -m bench.vouchers [--quick] [--no-postgres] [--postgres-url URL] [--members N]

It prints exactly one JSON line on stdout (progress goes to stderr) and exits 0; 1 only when a
part of the benchmark broke (the JSON then lists the errors). The goal is reported, never enforced.

The batch path does what the office does when a clerk posts a stack: a fresh session loads the
open batch, ``post_batch`` checks every line (``check_batch``) and books each through
``ledger.book_transfer``, all in one transaction committed by ``run_in_transaction``; the timing
covers all of it (load, check, bookings, flush, COMMIT). Creating the batch (``open_batch`` and
``add_line``) is not timed. The singles path books the same 300 transfers (same accounts,
amounts, service dates, voucher numbers of their own, channel, operator) through
``ledger.book_transfer``, each in its own transaction via ``run_in_transaction``.

Both paths write into the same ring of one database, in rounds of A B B A / B A A B with a fresh
batch each time and the same transfers for both paths within a round; the ratio batch/singles is
taken per round (both paths saw the same moments of a noisy machine) and its median reported
next to the median times. A last, untimed-in-the-rounds batch is posted with timers around the
parts of ``post_batch`` (``breakdown``). ``ledger.verify`` must find the book clean afterwards.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import json
import os
import platform
import random
import sqlite3
import statistics
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

import ledger
from bench.common import postgres_database, postgres_unreachable, postgres_version
from tauschring import vouchers
from tauschring.db import make_engine, run_in_transaction
from tauschring.logins import create_login
from tauschring.members import admit_member
from tauschring.models import User, VoucherBatch, metadata
from tauschring.permissions import Actor
from tauschring.rings import found_ring

try:
    import psycopg
except ImportError:  # PostgreSQL is an optional extra
    psycopg = None

DEFAULT_POSTGRES_URL = os.environ.get(
    "BENCH_POSTGRES_URL",
    os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"),
)
DB_NAME = "tauschring_bench_vouchers"  # the base name: each run adds its own suffix (bench.common)

# The batch is no slower than the same vouchers booked one by one.
GOAL_RATIO = 1.0

MEMO = "Gartenarbeit"
# Generous limits: no voucher of the benchmark is ever refused.
LIMIT = 600_000


@dataclass(frozen=True)
class Sizes:
    rounds: int  # rounds of A B B A / B A A B (two batches and two sets of singles each)
    vouchers: int  # vouchers per batch (and single bookings per set)
    members: int  # members the vouchers move hours between
    warmup: int  # untimed vouchers per path before the rounds


FULL = Sizes(rounds=8, vouchers=300, members=100, warmup=100)
QUICK = Sizes(rounds=2, vouchers=50, members=30, warmup=20)


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def goal(value: float | None, target: float) -> dict[str, object]:
    return {"target": f"<= {target}", "value": value, "met": None if value is None else value <= target}


# ---------------------------------------------------------------------------------------------
# PostgreSQL


# ---------------------------------------------------------------------------------------------
# The ring, the batches and the two paths


Transfer = tuple[int, int, int, int, int, dt.date]  # payer no., account; payee no., account; minutes; day


@dataclass
class Ring:
    engine: sa.Engine
    ring_id: int
    members: list[tuple[int, int]]  # member number, account id
    clerk_id: int


def setup_ring(engine: sa.Engine, members: int) -> Ring:
    """Schema by create_all, then a ring with generous limits, its members and an office login."""
    metadata.create_all(engine)
    now = utcnow()
    with Session(engine) as session:
        ring_id = found_ring(session, name="Benchmark", now=now, min_balance=-LIMIT, max_balance=LIMIT)
        system = Actor.system(ring_id)  # seed data: the ring's own console
        admitted = [
            admit_member(session, system, first_name=f"Mitglied{n}", last_name="Bench", now=now)
            for n in range(1, members + 1)
        ]
        clerk = create_login(
            session, system, username="buero", password="bench-passwort", now=now, role="office"
        )
        ring = Ring(engine, ring_id, [(m.number, m.account_id) for m in admitted], clerk.id)
        session.commit()
    return ring


def draw_transfers(rng: random.Random, ring: Ring, count: int) -> list[Transfer]:
    today = utcnow().date()
    transfers = []
    for _ in range(count):
        (payer_number, payer), (payee_number, payee) = rng.sample(ring.members, 2)
        minutes = 15 * rng.randint(1, 16)
        transfers.append(
            (payer_number, payer, payee_number, payee, minutes, today - dt.timedelta(days=rng.randint(1, 20)))
        )
    return transfers


def make_batch(ring: Ring, transfers: list[Transfer], prefix: str) -> int:
    """An open batch of the transfers as a clerk types them (not timed); returns its id."""
    now = utcnow()
    with Session(ring.engine) as session:
        clerk = Actor.of(session.get(User, ring.clerk_id))
        batch = vouchers.open_batch(session, clerk, now=now, title=prefix)
        for number, (payer_number, _, payee_number, _, minutes, day) in enumerate(transfers, start=1):
            vouchers.add_line(
                session,
                clerk,
                batch,
                now=now,
                voucher_number=f"{prefix}-{number:04d}",
                service_date=day.strftime("%d.%m.%Y"),
                payer_number=str(payer_number),
                payee_number=str(payee_number),
                amount=f"{minutes // 60}:{minutes % 60:02d}",
                memo=MEMO,
            )
        session.commit()
        return batch.id


@dataclass
class Measured:
    seconds: float
    cpu_seconds: float


def post_timed(ring: Ring, batch_id: int, expected: int) -> Measured:
    """What posting costs the office: load the batch, check and book it, commit."""
    cpu, started = time.process_time(), time.perf_counter()
    with Session(ring.engine) as session:
        batch = session.get(VoucherBatch, batch_id)
        clerk = Actor.of(session.get(User, ring.clerk_id))

        def work(s: Session) -> list[ledger.EntryView]:
            return vouchers.post_batch(s, clerk, batch, now=utcnow())

        entries = run_in_transaction(session, work)
    measured = Measured(time.perf_counter() - started, time.process_time() - cpu)
    if len(entries) != expected:
        raise RuntimeError(f"batch {batch_id}: {len(entries)} entries booked, expected {expected}")
    return measured


def singles_timed(ring: Ring, transfers: list[Transfer], prefix: str) -> Measured:
    """The same transfers booked one by one, each in its own transaction."""
    cpu, started = time.process_time(), time.perf_counter()
    with Session(ring.engine) as session:
        for number, (_, payer, _, payee, minutes, day) in enumerate(transfers, start=1):
            work = functools.partial(
                ledger.book_transfer,
                ring_id=ring.ring_id,
                payer=payer,
                payee=payee,
                minutes=minutes,
                memo=MEMO,
                service_date=day,
                now=utcnow(),
                operator_id=ring.clerk_id,
                on_behalf_of_id=payer,
                channel="voucher",
                voucher_number=f"{prefix}-{number:04d}",
            )
            run_in_transaction(session, work)
    return Measured(time.perf_counter() - started, time.process_time() - cpu)


PATHS = ("batch", "singles")


def alternate(label: str, ring: Ring, sizes: Sizes, rng: random.Random) -> dict[str, object]:
    """Rounds of A B B A (then B A A B, ...) on two fresh transfer lists per round."""
    per_round: dict[str, list[float]] = {path: [] for path in PATHS}
    cpu = dict.fromkeys(PATHS, 0.0)
    for index in range(sizes.rounds):
        first, second = PATHS if index % 2 == 0 else PATHS[::-1]
        lists = (draw_transfers(rng, ring, sizes.vouchers), draw_transfers(rng, ring, sizes.vouchers))
        batches = [make_batch(ring, transfers, f"B{index}.{half}") for half, transfers in enumerate(lists)]
        spent = dict.fromkeys(PATHS, 0.0)
        for path, half in ((first, 0), (second, 0), (second, 1), (first, 1)):
            if path == "batch":
                measured = post_timed(ring, batches[half], sizes.vouchers)
            else:
                measured = singles_timed(ring, lists[half], f"S{index}.{half}")
            spent[path] += measured.seconds
            cpu[path] += measured.cpu_seconds
        for path in PATHS:
            per_round[path].append(spent[path] / 2)  # seconds per batch / per set of singles
        log(
            f"{label} round {index + 1}/{sizes.rounds}: batch {1000 * per_round['batch'][-1]:.0f} ms, "
            f"{sizes.vouchers} singles {1000 * per_round['singles'][-1]:.0f} ms"
        )
    batch_s, singles_s = median(per_round["batch"]), median(per_round["singles"])
    paired = [a / b for a, b in zip(per_round["batch"], per_round["singles"], strict=True)]
    bookings = 2 * sizes.rounds * sizes.vouchers
    return {
        "rounds": sizes.rounds,
        "vouchers_per_batch": sizes.vouchers,
        "batch_ms": round(1000 * batch_s, 1),
        "singles_ms": round(1000 * singles_s, 1),
        "ratio": round(median(paired), 3),
        "ratio_of_medians": round(batch_s / singles_s, 3),
        "ratio_min": round(min(paired), 3),
        "ratio_max": round(max(paired), 3),
        "batch_ms_per_voucher": round(1000 * batch_s / sizes.vouchers, 3),
        "single_ms_per_booking": round(1000 * singles_s / sizes.vouchers, 3),
        "batch_cpu_ms_per_voucher": round(1000 * cpu["batch"] / bookings, 3),
        "singles_cpu_ms_per_booking": round(1000 * cpu["singles"] / bookings, 3),
        "batch_rounds_ms": [round(1000 * s, 1) for s in per_round["batch"]],
        "singles_rounds_ms": [round(1000 * s, 1) for s in per_round["singles"]],
    }


def breakdown(ring: Ring, transfers: list[Transfer], prefix: str) -> dict[str, float]:
    """Post one more batch with timers around the parts of post_batch (milliseconds)."""
    batch_id = make_batch(ring, transfers, prefix)
    spent = dict.fromkeys(("load", "check_batch", "book_transfer", "flush", "commit"), 0.0)
    original_check, original_book = vouchers.check_batch, ledger.book_transfer

    def timed(name: str, function: Callable) -> Callable:
        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent[name] += time.perf_counter() - started

        return wrapper

    vouchers.check_batch = timed("check_batch", original_check)
    ledger.book_transfer = timed("book_transfer", original_book)
    try:
        started = time.perf_counter()
        with Session(ring.engine) as session:
            flush_started: list[float] = []

            @event.listens_for(session, "before_flush")
            def _flushing(*_) -> None:
                flush_started.append(time.perf_counter())

            @event.listens_for(session, "after_flush_postexec")
            def _flushed(*_) -> None:
                spent["flush"] += time.perf_counter() - flush_started.pop()

            batch = session.get(VoucherBatch, batch_id)
            clerk = Actor.of(session.get(User, ring.clerk_id))
            batch.lines  # noqa: B018 - loaded here, as the office page has it loaded
            spent["load"] = time.perf_counter() - started
            now = utcnow()
            posting = time.perf_counter()
            entries = vouchers.post_batch(session, clerk, batch, now=now)
            spent["post_batch"] = time.perf_counter() - posting
            committing = time.perf_counter()
            session.commit()
            spent["commit"] = time.perf_counter() - committing
        spent["total"] = time.perf_counter() - started
    finally:
        vouchers.check_batch, ledger.book_transfer = original_check, original_book
    if len(entries) != len(transfers):
        raise RuntimeError(f"breakdown batch: {len(entries)} entries, expected {len(transfers)}")
    inside = spent["check_batch"] + spent["book_transfer"] + spent["flush"]
    spent["post_batch_rest"] = spent["post_batch"] - inside
    return {f"{name}_ms": round(1000 * seconds, 2) for name, seconds in spent.items()}


def check_book(ring: Ring, expected_entries: int) -> dict[str, object]:
    with Session(ring.engine) as session:
        report = ledger.verify(session, ring.ring_id)
        open_batches = session.scalar(
            select(func.count()).select_from(VoucherBatch).where(VoucherBatch.status != "posted")
        )
        session.rollback()
    result: dict[str, object] = {
        "verify_clean": report.ok and not report.notices and report.entries == expected_entries,
        "entries": report.entries,
        "unposted_batches": open_batches,
    }
    if not result["verify_clean"]:
        findings = [v.detail for v in (*report.violations, *report.notices)][:5]
        result["verify_findings"] = findings or [f"{report.entries} entries, expected {expected_entries}"]
    return result


def bench_backend(label: str, url: str, sizes: Sizes, seed: int) -> dict[str, object]:
    engine = make_engine(url)
    try:
        rng = random.Random(seed)
        ring = setup_ring(engine, sizes.members)
        # Warm-up (untimed): connections, compiled statements, the ORM's caches.
        warm = draw_transfers(rng, ring, sizes.warmup)
        post_timed(ring, make_batch(ring, warm, "W"), sizes.warmup)
        singles_timed(ring, warm, "WS")
        result = alternate(label, ring, sizes, rng)
        result["breakdown"] = breakdown(ring, draw_transfers(rng, ring, sizes.vouchers), "P")
        expected = 2 * sizes.warmup + 4 * sizes.rounds * sizes.vouchers + sizes.vouchers
        result.update(check_book(ring, expected))
        return result
    finally:
        engine.dispose()


# ---------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke test of a few seconds")
    parser.add_argument("--no-postgres", action="store_true", help="skip PostgreSQL")
    parser.add_argument(
        "--postgres-url",
        default=DEFAULT_POSTGRES_URL,
        help=f"an admin URL of the server (the benchmark creates and drops {DB_NAME}_*, the name ending "
        "in the run's process id and random digits); default from BENCH_POSTGRES_URL",
    )
    parser.add_argument(
        "--members", type=int, help="members of the ring (default 100, quick 30): check_batch reads them all"
    )
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    if args.members is not None:
        if args.members < 2:
            parser.error("--members: at least 2")
        sizes = replace(sizes, members=args.members)
    began = time.perf_counter()
    load_before = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    notes: list[str] = []
    errors: list[str] = []
    output: dict[str, object] = {
        "benchmark": "vouchers",
        "quick": args.quick,
        "python": platform.python_version(),
        "sqlalchemy": sa.__version__,
        "sqlite": sqlite3.sqlite_version,
        "postgresql": None,
        "cpus": os.cpu_count(),
        "sizes": asdict(sizes),
    }
    results: dict[str, object] = {}

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
        url = f"sqlite:///{Path(folder) / 'vouchers.sqlite'}"
        results["sqlite"] = section("sqlite", lambda: bench_backend("sqlite", url, sizes, seed=1))

    unreachable = (
        "skipped on request (--no-postgres)" if args.no_postgres else postgres_unreachable(args.postgres_url)
    )
    if unreachable is None:
        output["postgresql"] = postgres_version(args.postgres_url)

        def postgres() -> dict[str, object]:
            with postgres_database(args.postgres_url, DB_NAME) as url:
                return bench_backend("postgresql", url, sizes, seed=2)

        results["postgresql"] = section("postgresql", postgres)
    else:
        notes.append(f"PostgreSQL skipped: {unreachable}")
        results["postgresql"] = None

    goals = {
        f"{backend}_batch_vs_singles": goal(
            result.get("ratio") if isinstance(result, dict) else None, GOAL_RATIO
        )
        for backend, result in results.items()
    }
    clean = [result["verify_clean"] for result in results.values() if isinstance(result, dict)]
    if args.quick:
        notes.append(f"quick run: batches of {sizes.vouchers} vouchers, not 300; times from few rounds")
    output.update(
        results=results,
        goals=goals,
        goals_met=all(g["met"] for g in goals.values() if g["met"] is not None),
        books_verified_clean=bool(clean) and all(clean),
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
