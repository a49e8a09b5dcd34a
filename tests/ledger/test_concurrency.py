"""Many processes booking on the same hot accounts at once: no limit is ever crossed, no update
is lost, every booking the workers saw commit is in the books and nothing else is.

Each worker is a separate process with its own engine (as several app processes sharing one
database would be); each transfer runs in its own transaction through run_in_transaction.
The limits are tight (-2 h .. +2 h) and the amounts large, so floors and ceilings are hit often.
"""

from __future__ import annotations

import multiprocessing
import queue
import random
import time
from collections import defaultdict

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

import ledger
from tauschring.db import make_engine
from tauschring.models import metadata
from tests.ledger.worker import run_transfers, scratch_database, utc_now

FLOOR, CEILING = -120, 120
ACCOUNTS = 10
WORKERS = 8
TRANSFERS_PER_WORKER = 250
WORKER_TIMEOUT_S = 300

pytestmark = pytest.mark.slow


@pytest.fixture
def database_url(request, tmp_path):
    """An empty database of the backend the test names (parametrize indirectly)."""
    with scratch_database(request, tmp_path, request.param, "concurrency") as url:
        yield url


@pytest.fixture
def books(database_url):
    """The schema, one ring with tight limits and ten member accounts, committed."""
    engine = make_engine(database_url)
    try:
        metadata.create_all(engine)
        now = utc_now()
        with Session(engine) as session:
            ring_id = ledger.create_ring(
                session, name="Lastring", now=now, default_min_balance=FLOOR, default_max_balance=CEILING
            )
            accounts = [
                ledger.open_account(session, ring_id=ring_id, label=f"Mitglied {n}", now=now)
                for n in range(1, ACCOUNTS + 1)
            ]
            session.commit()
        yield engine, ring_id, accounts
    finally:
        engine.dispose()


def run_workers(url: str, ring_id: int, accounts: list[int]) -> list[dict]:
    """Start the worker processes, let them begin together, and collect their reports."""
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(WORKERS)
    results = context.Queue()
    base_seed = random.randrange(2**32)
    processes = [
        context.Process(
            target=run_transfers,
            args=(url, ring_id, accounts, TRANSFERS_PER_WORKER, base_seed + n, start, results),
            name=f"booker-{n}",
        )
        for n in range(WORKERS)
    ]
    for process in processes:
        process.start()
    reports = []
    try:
        deadline = time.monotonic() + WORKER_TIMEOUT_S
        while len(reports) < WORKERS:
            try:
                reports.append(results.get(timeout=5))
            except queue.Empty:
                dead = [p.name for p in processes if p.exitcode not in (None, 0)]
                if dead or time.monotonic() > deadline:
                    pytest.fail(f"workers died or hung (dead: {dead}); seeds from {base_seed}")
    finally:
        for process in processes:
            process.join(timeout=30)
            if process.is_alive():
                process.kill()
                process.join()
            process.close()
        results.close()
        results.join_thread()
    return reports


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_eight_processes_never_cross_a_limit_or_lose_an_update(books, database_url):
    engine, ring_id, accounts = books

    reports = run_workers(database_url, ring_id, accounts)

    prove_the_books(engine, ring_id, accounts, reports)
    # The accounts are locked in id order, so no two bookings ever wait for each other in a
    # circle: not one deadlock, so not one transfer needed a second attempt.
    assert retries(reports) == 0


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_on_sqlite_eight_processes_wait_for_each_other_and_none_fails(books, database_url):
    engine, ring_id, accounts = books

    reports = run_workers(database_url, ring_id, accounts)

    prove_the_books(engine, ring_id, accounts, reports)
    # BEGIN IMMEDIATE and the busy timeout make a second writer wait, never fail: not one
    # "database is locked" came back, so not one transfer needed a second attempt.
    assert retries(reports) == 0


def retries(reports: list[dict]) -> int:
    """How many attempts the workers' transfers needed beyond one each."""
    return sum(report["attempts"] for report in reports) - WORKERS * TRANSFERS_PER_WORKER


def prove_the_books(engine, ring_id: int, accounts: list[int], reports: list[dict]) -> None:
    """Every worker finished cleanly, the limits were hit on both sides and held, and the books
    hold exactly the entries the workers saw commit, with balances that replay from them."""
    unexpected = [text for report in reports for text in report["unexpected"]]
    assert not unexpected, unexpected[0]
    failed = [text for report in reports for text in report["transaction_failed"]]
    assert not failed, f"{len(failed)} transactions given up, e.g. {failed[0]}"
    wrong = [text for report in reports for text in report["wrong_refusals"]]
    assert not wrong, f"refused although the limit held: {wrong[:3]}"
    booked_ids = [entry_id for report in reports for entry_id in report["entry_ids"]]
    refused_lower = sum(report["refused_lower"] for report in reports)
    refused_upper = sum(report["refused_upper"] for report in reports)
    assert len(booked_ids) + refused_lower + refused_upper == WORKERS * TRANSFERS_PER_WORKER
    # The limits were really exercised, on both sides.
    assert refused_lower > 0 and refused_upper > 0, (refused_lower, refused_upper)
    assert len(booked_ids) > 0
    print(
        f"\n{engine.dialect.name}: {len(booked_ids)} booked, {refused_lower} refused at the floor, "
        f"{refused_upper} at the ceiling, {retries(reports)} retries"
    )

    with Session(engine) as session:
        report = ledger.verify(session, ring_id)
        assert report.ok, report.violations
        assert not report.notices, report.notices

        # Exactly the entries the workers saw commit are in the books, each once.
        entry_ids = session.scalars(
            select(ledger.JournalEntry.id).where(ledger.JournalEntry.ring_id == ring_id)
        ).all()
        assert len(entry_ids) == len(booked_ids)
        assert sorted(entry_ids) == sorted(booked_ids)

        # Replay the postings in Python, independently of verify's SQL.
        postings = session.execute(
            select(
                ledger.Posting.entry_id,
                ledger.Posting.account_id,
                ledger.Posting.amount,
                ledger.Posting.balance_after,
                ledger.Posting.limit_checked,
            ).order_by(ledger.Posting.id)
        ).all()
        by_entry = defaultdict(list)
        replayed = dict.fromkeys(accounts, 0)
        for posting in postings:
            by_entry[posting.entry_id].append(posting.amount)
            replayed[posting.account_id] += posting.amount
            # Posting ids follow commit order per account: the chain replays without a gap.
            assert posting.balance_after == replayed[posting.account_id], posting
            assert FLOOR <= posting.balance_after <= CEILING, posting
            assert posting.limit_checked == (FLOOR if posting.amount < 0 else CEILING), posting
        assert sorted(by_entry) == sorted(booked_ids)
        assert all(len(amounts) == 2 and sum(amounts) == 0 for amounts in by_entry.values())

        balances = {b.account_id: b.balance for b in ledger.ring_balances(session, ring_id=ring_id)}
        for account_id in accounts:
            assert balances[account_id] == replayed[account_id], account_id
            assert FLOOR <= balances[account_id] <= CEILING, account_id
        assert sum(balances.values()) == 0
