"""A process killed with SIGKILL in the middle of posting a voucher batch leaves all of it or none.

A child process (``tests.office.batch_worker``) posts an open batch of 300 valid vouchers the way
the office does: ``run_in_transaction(session, lambda s: post_batch(...))``. It reports each
voucher booked inside the open transaction, the flush and the return of COMMIT; the parent
SIGKILLs it at a moment chosen at random per round: while the batch is checked, among the lines,
with every line booked (flush and COMMIT under way), right after the flush (COMMIT under way), at
a random time while a slowed child posts, and after the COMMIT returned. Each round posts a fresh
batch. After each kill the batch is either posted with every line booked once (one journal entry
per line carrying the batch id and the voucher number, balances moved by exactly the batch's
sums) or still open with nothing of it in the books, and ``ledger.verify`` is clean. Finally an
unkilled child posts a fresh batch and every batch left open, and posting a posted batch again is
refused and books nothing.
"""

from __future__ import annotations

import datetime as dt
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from sqlalchemy import func, select
from sqlalchemy.orm import Session

import ledger
from tauschring import errors
from tauschring.db import make_engine, run_in_transaction
from tauschring.logins import create_login
from tauschring.members import admit_member
from tauschring.models import User, VoucherBatch, metadata
from tauschring.permissions import Actor
from tauschring.rings import found_ring
from tauschring.vouchers import add_line, open_batch, post_batch
from tests.conftest import BACKENDS, worker_suffix
from tests.ledger.worker import PROJECT_ROOT, scratch_database, utc_now

LINES = 300
MEMBERS = 24
# Generous limits: no line of any batch comes near them, so every line is valid.
LIMIT = 600_000
CHILD_TIMEOUT_S = 180
# The slowed child sleeps this long before every statement (about 1,500 statements per batch).
SLOW_STATEMENT_MS = 0.5

pytestmark = pytest.mark.slow

JournalEntry = ledger.JournalEntry
Posting = ledger.Posting


@dataclass(frozen=True)
class KillPlan:
    """When to kill: ``delay_s`` after the child reported ``trigger`` (see tests.office.batch_worker)."""

    name: str
    trigger: str
    delay_s: float = 0.0
    statement_delay_ms: float = 0.0


def kill_plans(rng: random.Random) -> list[KillPlan]:
    third = LINES // 3
    return [
        KillPlan("while checking", "posting", delay_s=rng.uniform(0, 0.01)),
        KillPlan("in the first third", f"line {rng.randint(1, third)}"),
        KillPlan("in the second third", f"line {rng.randint(third + 1, 2 * third)}"),
        KillPlan("in the last third", f"line {rng.randint(2 * third + 1, LINES - 1)}"),
        KillPlan("every line booked", f"line {LINES}", delay_s=rng.uniform(0, 0.02)),
        KillPlan("in the commit", "flushed", delay_s=rng.uniform(0, 0.004)),
        KillPlan(
            "slowed, at a random time",
            "posting",
            delay_s=rng.uniform(0.05, 0.7),
            statement_delay_ms=SLOW_STATEMENT_MS,
        ),
        KillPlan("after the commit", "committed"),
    ]


@dataclass
class Batch:
    id: int
    vouchers: dict[str, tuple[int, int, int]]  # voucher number -> payer, payee account, minutes
    deltas: Counter = field(default_factory=Counter)  # account id -> minutes the batch moves


@dataclass
class ChildRun:
    output: list[str]  # the complete lines it printed
    returncode: int
    stderr: str

    @property
    def lines_booked(self) -> int:
        """How many vouchers the child had booked in its (last) transaction."""
        booked = 0
        for line in self.output:
            if line.startswith("posting "):
                booked = 0
            elif line.startswith("line "):
                booked = int(line.split()[1])
        return booked

    @property
    def committed(self) -> bool:
        return any(line.startswith("committed ") for line in self.output)


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path):
    with scratch_database(request, tmp_path, request.param, "batchcrash") as url:
        yield url


@pytest.fixture
def books(request, database_url):
    """The schema, a ring with generous limits, its members and an office login, committed."""
    engine = make_engine(database_url)
    try:
        metadata.create_all(engine)
        now = utc_now()
        with Session(engine) as session:
            ring_id = found_ring(session, name="Stapelring", now=now, min_balance=-LIMIT, max_balance=LIMIT)
            system = Actor.system(ring_id)
            members = [
                admit_member(session, system, first_name=f"Mitglied{n}", last_name="Test", now=now)
                for n in range(1, MEMBERS + 1)
            ]
            clerk = create_login(
                session, system, username="buero", password="geheim-und-lang", now=now, role="office"
            )
            members = [(m.number, m.account_id) for m in members]
            clerk_id = clerk.id
            session.commit()
        yield SimpleNamespace(
            engine=engine,
            url=database_url,
            ring_id=ring_id,
            members=members,
            user_id=clerk_id,
            worker=worker_suffix(request),
        )
    finally:
        engine.dispose()


def make_batch(books, label: str, rng: random.Random) -> Batch:
    """An open batch of LINES valid vouchers (numbers label-0001 ...), committed."""
    now = utc_now()
    vouchers: dict[str, tuple[int, int, int]] = {}
    deltas: Counter = Counter()
    with Session(books.engine) as session:
        clerk = Actor.of(session.get(User, books.user_id))
        batch = open_batch(session, clerk, now=now, title=f"Absturz {label}")
        for n in range(1, LINES + 1):
            (payer_number, payer), (payee_number, payee) = rng.sample(books.members, 2)
            minutes = 15 * rng.randint(1, 16)
            voucher = f"{label}-{n:04d}"
            add_line(
                session,
                clerk,
                batch,
                now=now,
                voucher_number=voucher,
                service_date=(now.date() - dt.timedelta(days=rng.randint(1, 20))).strftime("%d.%m.%Y"),
                payer_number=str(payer_number),
                payee_number=str(payee_number),
                amount=f"{minutes // 60}:{minutes % 60:02d}",
                memo=f"Absturztest {voucher}",
            )
            vouchers[voucher] = (payer, payee, minutes)
            deltas[payer] -= minutes
            deltas[payee] += minutes
        session.commit()
        return Batch(id=batch.id, vouchers=vouchers, deltas=deltas)


def run_child(books, batch_ids: list[int], application_name: str, plan: KillPlan | None) -> ChildRun:
    """Start the posting child; without a plan let it finish, else SIGKILL it as planned."""
    command = [
        sys.executable,
        "-m",
        "tests.office.batch_worker",
        "--url",
        books.url,
        "--user",
        str(books.user_id),
        "--application-name",
        application_name,
        *(f"--batch={batch_id}" for batch_id in batch_ids),
    ]
    if plan is not None:
        command += ["--linger", f"--statement-delay-ms={plan.statement_delay_ms}"]
    child = subprocess.Popen(
        command,
        cwd=PROJECT_ROOT,
        stdin=subprocess.PIPE if plan is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    watchdog = threading.Timer(CHILD_TIMEOUT_S, child.kill)  # should the child hang
    watchdog.start()
    try:
        seen = []
        if plan is not None:
            for line in child.stdout:
                seen.append(line)
                if line.rstrip("\n") == plan.trigger or line.startswith(plan.trigger + " "):
                    time.sleep(plan.delay_s)  # not a synchronisation: the random moment of the kill
                    break
            child.send_signal(signal.SIGKILL)
        rest = child.stdout.read()
        stderr = child.stderr.read()
        child.wait()
    finally:
        watchdog.cancel()
        for pipe in (child.stdin, child.stdout, child.stderr):
            if pipe is not None:
                pipe.close()
        if child.poll() is None:
            child.kill()
            child.wait()
    # A line counts only when it is complete (the kill may cut the last one).
    return ChildRun(
        output=("".join(seen) + rest).split("\n")[:-1], returncode=child.returncode, stderr=stderr
    )


def wait_until_disconnected(engine: sa.Engine, application_name: str) -> None:
    """PostgreSQL: wait until the killed child's server process has ended (and rolled back or
    committed what it had), so that what we read next is final."""
    if engine.dialect.name != "postgresql":
        return
    query = sa.text("SELECT count(*) FROM pg_stat_activity WHERE application_name = :name")
    deadline = time.monotonic() + CHILD_TIMEOUT_S
    while True:
        with engine.connect() as connection:
            if connection.execute(query, {"name": application_name}).scalar_one() == 0:
                return
        assert time.monotonic() < deadline, f"the server still serves {application_name}"
        time.sleep(0.02)


def balances_of(session: Session, ring_id: int) -> dict[int, int]:
    return {b.account_id: b.balance for b in ledger.ring_balances(session, ring_id=ring_id)}


def moved(balances: dict[int, int], *batches: Batch) -> dict[int, int]:
    after = dict(balances)
    for batch in batches:
        for account_id, minutes in batch.deltas.items():
            after[account_id] += minutes
    return after


def state_of(session: Session, books, batch: Batch, context: str) -> str:
    """The batch's status, after checking that it is whole: posted with every line booked once
    as typed, or open with nothing of it in the books."""
    record = session.get(VoucherBatch, batch.id)
    lines = list(record.lines)
    assert [line.voucher_number for line in lines] == list(batch.vouchers), context
    columns = (JournalEntry.id, JournalEntry.voucher_number, JournalEntry.batch_id, JournalEntry.channel)
    by_batch = session.execute(select(*columns).where(JournalEntry.batch_id == batch.id)).all()
    by_voucher = session.execute(
        select(*columns).where(
            JournalEntry.ring_id == books.ring_id, JournalEntry.voucher_number.in_(list(batch.vouchers))
        )
    ).all()
    if record.status == "open":
        assert [line.position for line in lines if line.entry_id is not None] == [], context
        assert by_batch == [] and by_voucher == [], context
        assert record.posted_at is None and record.posted_by_id is None, context
        return "open"
    assert record.status == "posted", f"{context}: status {record.status}"
    assert record.posted_at is not None and record.posted_by_id == books.user_id, context
    assert [line.position for line in lines if line.entry_id is None] == [], context
    assert len(by_batch) == LINES and sorted(by_batch) == sorted(by_voucher), context
    entries = {row.id: row for row in by_batch}
    assert len({line.entry_id for line in lines}) == LINES, context
    legs: dict[int, set[tuple[int, int]]] = {entry_id: set() for entry_id in entries}
    for row in session.execute(
        select(Posting.entry_id, Posting.account_id, Posting.amount).where(
            Posting.entry_id.in_(list(entries))
        )
    ):
        legs[row.entry_id].add((row.account_id, row.amount))
    for line in lines:
        entry = entries[line.entry_id]
        assert entry.voucher_number == line.voucher_number and entry.channel == "voucher", context
        payer, payee, minutes = batch.vouchers[line.voucher_number]
        assert legs[entry.id] == {(payer, -minutes), (payee, minutes)}, f"{context}: {line.voucher_number}"
    return "posted"


def assert_books_clean(session: Session, books, posted_batches: int, context: str) -> None:
    report = ledger.verify(session, books.ring_id)
    assert report.ok, f"{context}: {report.violations}"
    assert not report.notices, f"{context}: {report.notices}"
    entries = session.scalar(
        select(func.count()).select_from(JournalEntry).where(JournalEntry.ring_id == books.ring_id)
    )
    assert entries == LINES * posted_batches, f"{context}: {entries} entries, nothing else may be booked"


def phase_of(run: ChildRun) -> str:
    """Where the kill landed, as far as the child had reported before it died."""
    if run.committed:
        return "after the commit"
    if run.lines_booked == LINES:
        return "during flush and commit"
    return "before the commit"


def test_a_batch_posting_killed_at_any_moment_leaves_all_of_it_or_none(books):
    seed = random.randrange(2**32)
    rng = random.Random(seed)
    engine, ring_id = books.engine, books.ring_id
    with Session(engine) as session:
        balances = balances_of(session, ring_id)
    posted: list[Batch] = []
    left_open: list[Batch] = []
    rounds = []

    for number, plan in enumerate(kill_plans(rng)):
        context = f"seed {seed}, round {number} ({plan.name})"
        batch = make_batch(books, f"K{number}", rng)
        application_name = f"batchcrash_{books.worker}_{number}"
        run = run_child(books, [batch.id], application_name, plan)
        assert run.returncode == -signal.SIGKILL, f"{context}: the child died by itself:\n{run.stderr}"
        wait_until_disconnected(engine, application_name)

        with Session(engine) as session:
            status = state_of(session, books, batch, context)
            expected = moved(balances, batch) if status == "posted" else balances
            assert balances_of(session, ring_id) == expected, context
            assert_books_clean(session, books, len(posted) + (status == "posted"), context)
        phase = phase_of(run)
        # COMMIT is sent only after the last line was booked, and reported only after it returned.
        if phase == "before the commit":
            assert status == "open", context
        if phase == "after the commit":
            assert status == "posted", context
        (posted if status == "posted" else left_open).append(batch)
        balances = expected
        rounds.append((plan.name, run.lines_booked, phase, status))

    # An unkilled child posts a fresh batch and every batch a killed child left open.
    final = make_batch(books, "F", rng)
    to_post = [*left_open, final]
    run = run_child(books, [batch.id for batch in to_post], f"batchcrash_{books.worker}_final", None)
    assert run.returncode == 0, f"seed {seed}: the final child failed:\n{run.stderr}"
    assert [line for line in run.output if line.startswith("committed ")] == [
        f"committed {batch.id} {LINES}" for batch in to_post
    ]
    posted += to_post
    balances = moved(balances, *to_post)
    with Session(engine) as session:
        for batch in posted:
            assert state_of(session, books, batch, f"seed {seed}, batch {batch.id}") == "posted"
        assert balances_of(session, ring_id) == balances
        assert_books_clean(session, books, len(posted), f"seed {seed}, after the final posting")

    # Posting a posted batch again is refused and books nothing.
    with Session(engine) as session:
        clerk = Actor.of(session.get(User, books.user_id))
        for batch in posted:
            record = session.get(VoucherBatch, batch.id)
            now = utc_now()
            with pytest.raises(errors.BatchNotOpen):
                run_in_transaction(
                    session, lambda s, record=record, now=now: post_batch(s, clerk, record, now=now)
                )
    with Session(engine) as session:
        for batch in posted:
            assert state_of(session, books, batch, f"seed {seed}, re-posted batch {batch.id}") == "posted"
        assert balances_of(session, ring_id) == balances
        assert_books_clean(session, books, len(posted), f"seed {seed}, after posting again")

    phases = Counter((phase, status) for _, _, phase, status in rounds)
    print(
        f"\n{engine.dialect.name} (seed {seed}): {len(rounds)} kills, "
        + ", ".join(f"{count} {phase} ({status})" for (phase, status), count in sorted(phases.items()))
        + "; "
        + "; ".join(
            f"{name}: {lines} lines booked, {phase}, {status}" for name, lines, phase, status in rounds
        )
        + f"; then {len(to_post)} batches posted unkilled"
    )
