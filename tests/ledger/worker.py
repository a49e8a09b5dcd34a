"""Helpers for the tests that need real commits: concurrency, crashes and error injection.

- ``run_transfers`` is the body of one worker process of the concurrency test (started with
  the multiprocessing "spawn" context, so it imports only this module and the ledger).
- ``python -m tests.ledger.worker --url ... --ring ... --accounts ... --prefix ...`` is the
  child of the crash test: it books transfers under fresh idempotency keys and prints each key
  only after its COMMIT returned.
- ``scratch_database`` gives a test a database of its own that it may commit to.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import traceback
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

import ledger
from tauschring.db import TransactionFailed, make_engine, run_in_transaction

# The service date of every crash-test transfer: fixed, so a resubmission hashes the same.
CRASH_SERVICE_DATE = dt.date(2024, 6, 1)
PROJECT_ROOT = Path(__file__).resolve().parents[2]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@contextmanager
def scratch_database(request: Any, tmp_path: Path, backend: str, purpose: str) -> Iterator[str]:
    """The URL of an empty database of its own: a temporary SQLite file, or a PostgreSQL
    database named after the purpose and the xdist worker (dropped afterwards)."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / f'{purpose}.sqlite'}"
        return
    from tests.conftest import (
        create_postgres_database,
        drop_postgres_database,
        require_postgres,
        worker_suffix,
    )

    require_postgres()
    name = f"tauschring_{purpose}_{worker_suffix(request)}"
    url = create_postgres_database(name)
    try:
        yield url
    finally:
        drop_postgres_database(name)


# ---------------------------------------------------------------------------------------------
# The concurrency test's worker process


def run_transfers(
    url: str,
    ring_id: int,
    account_ids: Sequence[int],
    transfers: int,
    seed: int,
    start: Any,
    results: Any,
) -> None:
    """Book ``transfers`` random transfers, each in its own transaction, and report the outcomes
    on the ``results`` queue. Waits at the ``start`` barrier so all workers begin together.
    Never raises: whatever goes wrong is reported as ``unexpected``."""
    outcome: dict[str, Any] = {
        "seed": seed,
        "entry_ids": [],
        "refused_lower": 0,
        "refused_upper": 0,
        "attempts": 0,
        "transaction_failed": [],
        "wrong_refusals": [],
        "unexpected": [],
    }
    try:
        rng = random.Random(seed)
        engine = make_engine(url)
        try:
            start.wait(timeout=120)
            with Session(engine) as session:
                for _ in range(transfers):
                    _one_transfer(session, rng, ring_id, account_ids, outcome)
        finally:
            engine.dispose()
    except BaseException:
        outcome["unexpected"].append(traceback.format_exc())
    results.put(outcome)


def _one_transfer(
    session: Session, rng: random.Random, ring_id: int, account_ids: Sequence[int], outcome: dict
) -> None:
    payer, payee = rng.sample(list(account_ids), 2)
    minutes = rng.randrange(15, 121, 15)

    def work(session: Session) -> ledger.EntryView:
        outcome["attempts"] += 1
        now = utc_now()
        return ledger.book_transfer(
            session,
            ring_id=ring_id,
            payer=payer,
            payee=payee,
            minutes=minutes,
            memo="Lasttest",
            service_date=now.date(),
            now=now,
            channel="api",
        )

    try:
        booked = run_in_transaction(session, work)
    except ledger.LimitExceeded as refusal:
        outcome[f"refused_{refusal.side}"] += 1
        after = refusal.balance + refusal.amount
        really_crossed = after < refusal.limit if refusal.side == "lower" else after > refusal.limit
        if not really_crossed:
            outcome["wrong_refusals"].append(refusal.message)
    except TransactionFailed as failed:
        outcome["transaction_failed"].append(str(failed))
    except Exception:
        outcome["unexpected"].append(traceback.format_exc())
    else:
        outcome["entry_ids"].append(booked.id)


# ---------------------------------------------------------------------------------------------
# The crash test's child


def crash_transfer(key: str, account_ids: Sequence[int]) -> tuple[int, int, int]:
    """Payer, payee and minutes of the crash-test transfer under ``key``: always the same."""
    rng = random.Random(key)
    payer, payee = rng.sample(sorted(account_ids), 2)
    return payer, payee, rng.randrange(15, 241, 15)


def book_crash_transfer(
    session: Session, ring_id: int, key: str, account_ids: Sequence[int]
) -> ledger.EntryView:
    payer, payee, minutes = crash_transfer(key, account_ids)
    return ledger.book_transfer(
        session,
        ring_id=ring_id,
        payer=payer,
        payee=payee,
        minutes=minutes,
        memo=f"Absturztest {key}",
        service_date=CRASH_SERVICE_DATE,
        now=utc_now(),
        channel="api",
        idempotency_key=key,
    )


def crash_key(prefix: str, number: int) -> str:
    return f"{prefix}-{number:06d}"


def crash_child(argv: Sequence[str]) -> None:
    """Book transfers under the keys prefix-000000, prefix-000001, ... one transaction each.

    After each COMMIT returned, print one line: ``booked <key> <entry id>`` or
    ``refused <key> <error code> <params as JSON>`` (a refusal recorded under the key).
    """
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--ring", type=int, required=True)
    parser.add_argument("--accounts", required=True, help="comma-separated account ids")
    parser.add_argument("--prefix", required=True)
    parser.add_argument("--count", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    account_ids = [int(part) for part in args.accounts.split(",")]

    engine = make_engine(args.url)
    try:
        with Session(engine) as session:
            for number in range(args.count):
                key = crash_key(args.prefix, number)
                try:
                    booked = run_in_transaction(
                        session, lambda s, key=key: book_crash_transfer(s, args.ring, key, account_ids)
                    )
                except ledger.LedgerError as refusal:
                    if not refusal.recorded:
                        raise
                    print(f"refused {key} {refusal.code} {refusal.to_json()}", flush=True)
                else:
                    print(f"booked {key} {booked.id}", flush=True)
    finally:
        engine.dispose()


if __name__ == "__main__":
    crash_child(sys.argv[1:])
