"""A booking process killed at any moment leaves the books whole.

A child process books transfers under fresh idempotency keys and prints each key only after
its COMMIT returned. We SIGKILL it at random moments and start it again, several times. Then
every key it reported is in the books exactly as it reported it, nothing is half-written, and
resubmitting every key (same content) books nothing new.
"""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import threading
import time
from collections import defaultdict

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

import ledger
from tauschring.db import make_engine, run_in_transaction
from tauschring.models import metadata
from tests.conftest import BACKENDS
from tests.ledger.worker import (
    PROJECT_ROOT,
    book_crash_transfer,
    crash_key,
    crash_transfer,
    scratch_database,
    utc_now,
)

KILLS = 8
ACCOUNTS = 6
FLOOR, CEILING = -300, 300
# How long the child books before it is killed, at most (chosen at random per round).
MAX_LIFETIME_S = 0.4
CHILD_TIMEOUT_S = 120

pytestmark = pytest.mark.slow


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path):
    with scratch_database(request, tmp_path, request.param, "crash") as url:
        yield url


@pytest.fixture
def books(database_url):
    """The schema and one ring with six members, committed."""
    engine = make_engine(database_url)
    try:
        metadata.create_all(engine)
        now = utc_now()
        with Session(engine) as session:
            ring_id = ledger.create_ring(
                session, name="Absturzring", now=now, default_min_balance=FLOOR, default_max_balance=CEILING
            )
            accounts = [
                ledger.open_account(session, ring_id=ring_id, label=f"Mitglied {n}", now=now)
                for n in range(1, ACCOUNTS + 1)
            ]
            session.commit()
        yield engine, ring_id, accounts
    finally:
        engine.dispose()


def book_until_killed(
    url: str, ring_id: int, accounts: list[int], prefix: str, lifetime_s: float
) -> list[str]:
    """Start the booking child, let it book for ``lifetime_s`` after its first commit, SIGKILL it,
    and return the complete lines it printed."""
    child = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.ledger.worker",
            "--url",
            url,
            "--ring",
            str(ring_id),
            "--accounts",
            ",".join(map(str, accounts)),
            "--prefix",
            prefix,
        ],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    watchdog = threading.Timer(CHILD_TIMEOUT_S, child.kill)  # should the child hang
    watchdog.start()
    try:
        first = child.stdout.readline()  # the child is booking: its first key is committed
        if first:
            time.sleep(lifetime_s)  # not a synchronisation: the random moment of the kill
        child.send_signal(signal.SIGKILL)
        rest = child.stdout.read()
        errors = child.stderr.read()
        child.wait()
    finally:
        watchdog.cancel()
        child.stdout.close()
        child.stderr.close()
        if child.poll() is None:
            child.kill()
            child.wait()
    assert first and child.returncode == -signal.SIGKILL, f"the child died by itself:\n{errors}"
    output = first + rest
    # A line is reported only when it is complete (the kill may cut the last one).
    return output.split("\n")[:-1]


def test_a_booker_killed_at_random_moments_leaves_every_reported_key_booked_once(books, database_url):
    engine, ring_id, accounts = books
    rng = random.Random()

    booked: dict[str, int] = {}  # key -> entry id, as the child reported it
    refused: dict[str, dict] = {}  # key -> refusal params, as the child reported it
    in_flight: set[str] = set()  # per round, the key after the last reported one
    for round_number in range(KILLS):
        prefix = f"r{round_number}"
        lines = book_until_killed(database_url, ring_id, accounts, prefix, rng.uniform(0, MAX_LIFETIME_S))
        reported = set()
        for line in lines:
            outcome, key, rest = line.split(" ", 2)
            if outcome == "booked":
                booked[key] = int(rest)
            else:
                code, params = rest.split(" ", 1)
                assert code == "limit_exceeded", line
                refused[key] = json.loads(params)
            reported.add(key)
        # The child books its keys one after the other: the next one may have been mid-commit.
        assert reported == {crash_key(prefix, n) for n in range(len(reported))}
        in_flight.add(crash_key(prefix, len(reported)))
    assert len(booked) + len(refused) >= KILLS

    with Session(engine) as session:
        report = ledger.verify(session, ring_id)
        assert report.ok, report.violations

        entries = {
            row.idempotency_key: row.id
            for row in session.execute(
                select(ledger.JournalEntry.id, ledger.JournalEntry.idempotency_key).where(
                    ledger.JournalEntry.ring_id == ring_id
                )
            )
        }
        records = {
            row.key: row
            for row in session.execute(
                select(ledger.IdempotencyRecord).where(ledger.IdempotencyRecord.ring_id == ring_id)
            ).scalars()
        }
        postings = defaultdict(set)
        legs = select(ledger.Posting.entry_id, ledger.Posting.account_id, ledger.Posting.amount)
        for row in session.execute(legs):
            postings[row.entry_id].add((row.account_id, row.amount))

        # Every reported booking is in the books, under its key, whole and as requested.
        for key, entry_id in booked.items():
            assert entries.get(key) == entry_id, key
            assert records[key].entry_id == entry_id and records[key].refusal_code is None, key
            payer, payee, minutes = crash_transfer(key, accounts)
            assert postings[entry_id] == {(payer, -minutes), (payee, minutes)}, key
        # Every reported refusal is recorded under its key, with no entry.
        for key, params in refused.items():
            assert key not in entries, key
            assert records[key].entry_id is None and records[key].refusal_code == "limit_exceeded", key
            assert json.loads(records[key].refusal_detail) == params, key
        # Nothing else was written but the one key each killed child may have been committing.
        assert set(records) <= set(booked) | set(refused) | in_flight
        # An entry and its key record are written together or not at all.
        assert set(entries) == {key for key, record in records.items() if record.entry_id is not None}
        assert set(postings) == set(entries.values())

        entry_count = session.scalar(select(func.count()).select_from(ledger.JournalEntry))
        record_count = session.scalar(select(func.count()).select_from(ledger.IdempotencyRecord))
        balances = {b.account_id: b.balance for b in ledger.ring_balances(session, ring_id=ring_id)}

    # Resubmitting every key with the same content books nothing: the stored outcome comes back.
    with Session(engine) as session:
        for key in sorted(records):
            work = lambda s, key=key: book_crash_transfer(s, ring_id, key, accounts)  # noqa: E731
            if records[key].entry_id is not None:
                replay = run_in_transaction(session, work)
                assert replay.replayed and replay.id == records[key].entry_id, key
            else:
                with pytest.raises(ledger.LimitExceeded) as refusal:
                    run_in_transaction(session, work)
                assert refusal.value.params == json.loads(records[key].refusal_detail), key

    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(ledger.JournalEntry)) == entry_count
        assert session.scalar(select(func.count()).select_from(ledger.IdempotencyRecord)) == record_count
        assert {b.account_id: b.balance for b in ledger.ring_balances(session, ring_id=ring_id)} == balances
        assert ledger.verify(session, ring_id).ok
    print(
        f"\n{engine.dialect.name}: {KILLS} kills, {len(booked)} booked and {len(refused)} refused keys "
        f"reported, {len(set(records) & in_flight)} of {len(in_flight)} in-flight keys committed"
    )
