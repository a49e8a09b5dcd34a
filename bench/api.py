"""Benchmark of the JSON API over HTTP: waitress serving the app on 127.0.0.1, 16 clients at once.

Run as a module from the repository root::

    python -m bench.api [--quick] [--no-postgres] [--postgres-url URL] [--seconds S] [--clients N]

It prints exactly one JSON line on stdout (progress goes to stderr) and exits 0; 1 only when a
part of the benchmark broke (the JSON then lists the errors).

For each database (SQLite in a temporary directory; PostgreSQL when it answers, in a database of
this run's own, ``tauschring_bench_api_<pid>_<random hex>``, dropped at the end) a ring of members
with generous limits is built, each member with a login and a personal API token. The app is then
served by waitress in a child process on 127.0.0.1 (a free port), and N client threads of this
process, each on its own keep-alive connection, run one scenario at a time for a bounded time:

- ``trivial``: GET /api/v1/me without a token: the 401 problem answer comes from the app before
  any database work; the floor of the same server (WSGI, Flask, routing, the JSON answer).
- ``balance``: GET /api/v1/accounts/me with the client's token (token lookup, balance read).
- ``payment``: POST /api/v1/entries with the client's token, a random payee, a random amount (a
  multiple of the ring's step, 15 minutes, up to 2 hours) and an Idempotency-Key of its own
  (token lookup, one booking committed).

``trivial`` runs first and last (its two runs pooled; ``trivial_drift`` compares them). Per
scenario: requests, throughput, p50/p99 latency, the status codes, the server's CPU time per
request; ``ratios`` relates each scenario to the trivial one. Afterwards every 201 must be in the
books exactly once and ``ledger.verify`` must find them clean. Only loopback traffic, bounded in
time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import logging
import os
import platform
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from unittest import mock

from sqlalchemy import func, select
from sqlalchemy.orm import Session

import ledger
from bench.common import postgres_database, postgres_unreachable
from tauschring.db import make_engine
from tauschring.logins import create_login
from tauschring.members import admit_member
from tauschring.models import metadata
from tauschring.permissions import Actor
from tauschring.rings import found_ring
from tauschring.tokens import create_token

DEFAULT_POSTGRES_URL = os.environ.get(
    "BENCH_POSTGRES_URL",
    os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"),
)
DB_NAME = "tauschring_bench_api"  # the base name: each run adds its own suffix (bench.common)
ROOT = Path(__file__).resolve().parent.parent  # the repository root, where `-m bench.api` runs
HOST = "127.0.0.1"
LIMIT = 1_000_000  # generous limits: no payment of the benchmark is refused
STEP = 15  # the ring's smallest bookable step (the default): payments off it are refused with 422
SCENARIOS = ("trivial", "balance", "payment")
EXPECTED = {"trivial": {401}, "balance": {200}, "payment": {201}}
# 503 is the API's documented answer when bookings keep colliding; counted, not an error.
TOLERATED = {"trivial": set(), "balance": set(), "payment": {503}}


@dataclass(frozen=True)
class Sizes:
    seconds: float  # per scenario
    warmup: float
    members: int


FULL = Sizes(seconds=10.0, warmup=1.0, members=64)
QUICK = Sizes(seconds=2.0, warmup=0.5, members=32)


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# ---------------------------------------------------------------------------------------------
# The databases


@dataclass
class Ring:
    ring_id: int
    members: list[tuple[int, str]]  # member number, plain API token


def build_ring(url: str, members: int) -> Ring:
    """Schema by create_all; a ring with generous limits whose members each have a login and a token."""
    from werkzeug.security import generate_password_hash

    engine = make_engine(url)
    try:
        metadata.create_all(engine)
        now = utcnow()
        shared_hash = generate_password_hash("benchmark-only-password")  # hashing is slow on purpose
        with (
            Session(engine) as session,
            mock.patch("tauschring.logins.generate_password_hash", return_value=shared_hash),
        ):
            ring_id = found_ring(session, name="Benchmark", now=now, min_balance=-LIMIT, max_balance=LIMIT)
            system = Actor.system(ring_id)  # seed data: the ring's own console
            made = []
            for n in range(1, members + 1):
                member = admit_member(session, system, first_name=f"Mitglied{n}", last_name="Bench", now=now)
                user = create_login(
                    session,
                    system,
                    username=f"bench{n}",
                    password="benchmark-only-password",
                    now=now,
                    member=member,
                )
                # A personal token is made by its owner, on the web pages.
                _record, token = create_token(session, Actor.of(user), name="Benchmark", now=now)
                made.append((member.number, token))
            session.commit()
        return Ring(ring_id, made)
    finally:
        engine.dispose()


def check_books(url: str, ring_id: int, payments: int, before: int) -> dict[str, object]:
    """Every 201 of the run is one entry in the books, and the books verify clean."""
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            entries = session.scalar(
                select(func.count())
                .select_from(ledger.JournalEntry)
                .where(ledger.JournalEntry.ring_id == ring_id)
            )
            report = ledger.verify(session, ring_id)
        result: dict[str, object] = {
            "entries_booked": entries - before,
            "entries_match_201": entries - before == payments,
            "verify_clean": report.ok and not report.notices,
        }
        if not result["verify_clean"]:
            result["verify_findings"] = [v.detail for v in (*report.violations, *report.notices)][:5]
        return result
    finally:
        engine.dispose()


def count_entries(url: str, ring_id: int) -> int:
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            return session.scalar(
                select(func.count())
                .select_from(ledger.JournalEntry)
                .where(ledger.JournalEntry.ring_id == ring_id)
            )
    finally:
        engine.dispose()


# ---------------------------------------------------------------------------------------------
# The server: a child process running waitress


def serve(url: str, instance: str, threads: int) -> None:
    """The child: the app on waitress at 127.0.0.1 and a free port, printed as "PORT <n>"."""
    os.environ["TAUSCHRING_INSTANCE_PATH"] = instance
    # With more clients than threads requests queue up by design; waitress would log every one.
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    from waitress import create_server

    from tauschring import create_app

    app = create_app({"SECRET_KEY": "benchmark", "SQLALCHEMY_ENGINES": {"default": url}})
    server = create_server(app, host=HOST, port=0, threads=threads, connection_limit=256, ident="tauschring")
    print(f"PORT {server.effective_port}", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: server.close() or sys.exit(0))
    server.run()


class Server:
    def __init__(self, url: str, instance: Path, threads: int) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bench.api",
                "--serve",
                url,
                "--instance",
                str(instance),
                "--threads",
                str(threads),
            ],
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        line = self._first_line(timeout=60)
        if not line.startswith("PORT "):
            self.stop()
            raise RuntimeError(f"the server did not start: {line!r}")
        self.port = int(line.split()[1])

    def _first_line(self, timeout: float) -> str:
        found: list[str] = []
        reader = threading.Thread(target=lambda: found.append(self.process.stdout.readline()), daemon=True)
        reader.start()
        reader.join(timeout)
        return found[0].strip() if found else ""

    def cpu_seconds(self) -> float | None:
        """User + system CPU of the server process so far (Linux /proc), None elsewhere."""
        try:
            fields_after_name = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return (int(fields_after_name[11]) + int(fields_after_name[12])) / os.sysconf("SC_CLK_TCK")

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        if self.process.stdout:
            self.process.stdout.close()


# ---------------------------------------------------------------------------------------------
# The clients


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    transport_errors: int = 0


class Client:
    """One keep-alive connection acting as one member (payer of its payments)."""

    def __init__(self, port: int, number: int, token: str, others: list[int], seed: int) -> None:
        self.port, self.number, self.token, self.others = port, number, token, others
        self.rng = random.Random(seed)
        self.connection = http.client.HTTPConnection(HOST, port, timeout=60)

    def request(self, scenario: str) -> tuple[int, bytes]:
        headers = {"Accept": "application/json"}
        body = None
        if scenario == "trivial":
            method, path = "GET", "/api/v1/me"
        elif scenario == "balance":
            method, path = "GET", "/api/v1/accounts/me"
            headers["Authorization"] = f"Bearer {self.token}"
        else:
            method, path = "POST", "/api/v1/entries"
            headers["Authorization"] = f"Bearer {self.token}"
            headers["Content-Type"] = "application/json"
            headers["Idempotency-Key"] = str(uuid.uuid4())
            body = json.dumps(
                {
                    "payee": self.rng.choice(self.others),
                    "minutes": STEP * self.rng.randint(1, 120 // STEP),
                    "memo": "Benchmark",
                }
            )
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        return response.status, response.read()

    def close(self) -> None:
        self.connection.close()


def percentile(sorted_values: list[float], fraction: float) -> float | None:
    if not sorted_values:
        return None
    index = min(len(sorted_values) - 1, max(0, round(fraction * (len(sorted_values) - 1))))
    return sorted_values[index]


def run_scenario(server: Server, clients: list[Client], scenario: str, seconds: float) -> dict[str, object]:
    """All clients on one scenario for ``seconds``; the tallies merged."""
    tallies = [Tally() for _ in clients]
    start = threading.Barrier(len(clients) + 1)
    cpu_before, client_cpu_before = server.cpu_seconds(), time.process_time()
    threads = []
    deadline = [float("inf")]  # set once every thread is ready

    def work(client: Client, tally: Tally) -> None:
        start.wait()
        while time.perf_counter() < deadline[0]:
            began = time.perf_counter()
            try:
                status, _body = client.request(scenario)
            except (OSError, http.client.HTTPException):
                tally.transport_errors += 1
                client.connection.close()
                client.connection = http.client.HTTPConnection(HOST, client.port, timeout=60)
                continue
            tally.latencies.append(time.perf_counter() - began)
            tally.statuses[status] = tally.statuses.get(status, 0) + 1

    for client, tally in zip(clients, tallies, strict=True):
        thread = threading.Thread(target=work, args=(client, tally), daemon=True)
        thread.start()
        threads.append(thread)
    began = time.perf_counter()
    deadline[0] = began + seconds
    start.wait()
    for thread in threads:
        thread.join(seconds + 120)
    elapsed = time.perf_counter() - began
    cpu_after, client_cpu_after = server.cpu_seconds(), time.process_time()
    latencies = sorted(value for tally in tallies for value in tally.latencies)
    statuses: dict[int, int] = {}
    for tally in tallies:
        for status, count in tally.statuses.items():
            statuses[status] = statuses.get(status, 0) + count
    requests = len(latencies)
    unexpected = sum(n for s, n in statuses.items() if s not in EXPECTED[scenario] | TOLERATED[scenario])
    return {
        "requests": requests,
        "seconds": round(elapsed, 3),
        "per_s": round(requests / elapsed, 1) if elapsed else None,
        "p50_ms": _ms(percentile(latencies, 0.50)),
        "p99_ms": _ms(percentile(latencies, 0.99)),
        "mean_ms": _ms(statistics.fmean(latencies) if latencies else None),
        "max_ms": _ms(latencies[-1] if latencies else None),
        "statuses": {str(status): count for status, count in sorted(statuses.items())},
        "unexpected": unexpected,
        "transport_errors": sum(t.transport_errors for t in tallies),
        "server_cpu_ms_per_request": (
            round((cpu_after - cpu_before) * 1000 / requests, 3)
            if requests and cpu_before is not None and cpu_after is not None
            else None
        ),
        "client_cpu_ms_per_request": (
            round((client_cpu_after - client_cpu_before) * 1000 / requests, 3) if requests else None
        ),
        "_latencies": latencies,
    }


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 3)


def pooled(first: dict[str, object], second: dict[str, object]) -> dict[str, object]:
    """The two trivial runs as one: all requests, all latencies, the whole time."""
    latencies = sorted(first["_latencies"] + second["_latencies"])
    seconds = first["seconds"] + second["seconds"]
    statuses: dict[str, int] = dict(first["statuses"])
    for status, count in second["statuses"].items():
        statuses[status] = statuses.get(status, 0) + count
    requests = len(latencies)
    cpu = [
        r["server_cpu_ms_per_request"] for r in (first, second) if r["server_cpu_ms_per_request"] is not None
    ]
    return {
        "requests": requests,
        "seconds": round(seconds, 3),
        "per_s": round(requests / seconds, 1) if seconds else None,
        "p50_ms": _ms(percentile(latencies, 0.50)),
        "p99_ms": _ms(percentile(latencies, 0.99)),
        "mean_ms": _ms(statistics.fmean(latencies) if latencies else None),
        "max_ms": _ms(latencies[-1] if latencies else None),
        "statuses": statuses,
        "unexpected": first["unexpected"] + second["unexpected"],
        "transport_errors": first["transport_errors"] + second["transport_errors"],
        "server_cpu_ms_per_request": round(statistics.fmean(cpu), 3) if cpu else None,
        "runs_per_s": [first["per_s"], second["per_s"]],
    }


def ratio(value: float | None, base: float | None, digits: int = 3) -> float | None:
    if value is None or not base:
        return None
    return round(value / base, digits)


def bench_backend(url: str, folder: Path, sizes: Sizes, clients: int, threads: int) -> dict[str, object]:
    log(f"building a ring of {sizes.members} members with tokens")
    ring = build_ring(url, sizes.members)
    entries_before = count_entries(url, ring.ring_id)
    server = Server(url, folder, threads)
    log(f"waitress on {HOST}:{server.port} with {threads} threads; {clients} clients")
    numbers = [number for number, _token in ring.members]
    pool = [
        Client(server.port, number, token, [n for n in numbers if n != number], seed=index)
        for index, (number, token) in enumerate(ring.members[i % len(ring.members)] for i in range(clients))
    ]
    try:
        for scenario in SCENARIOS:  # warm up every path (imports, caches, connections)
            run_scenario(server, pool, scenario, sizes.warmup)
        warm_payments = count_entries(url, ring.ring_id) - entries_before
        runs: dict[str, dict[str, object]] = {}
        for scenario in ("trivial", "balance", "payment", "trivial_again"):
            name = scenario.removesuffix("_again")
            log(f"{scenario}: {sizes.seconds:g} s")
            runs[scenario] = run_scenario(server, pool, name, sizes.seconds)
            log(
                f"{scenario}: {runs[scenario]['per_s']}/s, p50 {runs[scenario]['p50_ms']} ms, "
                f"p99 {runs[scenario]['p99_ms']} ms, statuses {runs[scenario]['statuses']}"
            )
            if not server.alive():
                raise RuntimeError(f"the server died during {scenario}")
    finally:
        for client in pool:
            client.close()
        server.stop()
    trivial = pooled(runs["trivial"], runs.pop("trivial_again"))
    trivial["drift"] = ratio(trivial["runs_per_s"][1], trivial["runs_per_s"][0])
    for run in runs.values():
        run.pop("_latencies", None)
    runs["trivial"] = trivial
    result: dict[str, object] = {"scenarios": runs}
    result["ratios"] = {
        name: {
            "throughput": ratio(runs[name]["per_s"], trivial["per_s"]),
            "p50": ratio(runs[name]["p50_ms"], trivial["p50_ms"]),
            "p99": ratio(runs[name]["p99_ms"], trivial["p99_ms"]),
        }
        for name in ("balance", "payment")
    }
    booked = runs["payment"]["statuses"].get("201", 0) + warm_payments
    result["books"] = check_books(url, ring.ring_id, booked, entries_before)
    return result


# ---------------------------------------------------------------------------------------------


def load_average() -> list[float] | None:
    try:
        return [round(value, 2) for value in os.getloadavg()]
    except OSError:
        return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="about 2 s per scenario: a smoke test")
    parser.add_argument("--seconds", type=float, help="seconds per scenario (default 10, quick 2)")
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients (default 16)")
    parser.add_argument("--threads", type=int, default=8, help="waitress worker threads (default 8)")
    parser.add_argument("--no-postgres", action="store_true", help="skip PostgreSQL")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL, help="an admin URL of the server")
    parser.add_argument("--serve", help=argparse.SUPPRESS)  # internal: run the server child on this URL
    parser.add_argument("--instance", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        serve(args.serve, args.instance, args.threads)
        return 0

    sizes = QUICK if args.quick else FULL
    if args.seconds:
        sizes = Sizes(seconds=min(args.seconds, 120.0), warmup=sizes.warmup, members=sizes.members)
    clients = max(1, min(args.clients, 64))
    output: dict[str, object] = {
        "benchmark": "api",
        "quick": args.quick,
        "clients": clients,
        "waitress_threads": args.threads,
        "seconds_per_scenario": sizes.seconds,
        "members": sizes.members,
        "trivial_endpoint": "GET /api/v1/me without a token (401 problem answer, no database)",
        "python": platform.python_version(),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
        "load_average": {"before": load_average()},
        "results": {},
        "notes": [],
        "errors": [],
    }

    def section(name: str, run) -> None:
        try:
            result = run()
        except Exception as exc:  # the benchmark broke: report it, go on with the next part
            traceback.print_exc(file=sys.stderr)
            output["errors"].append(f"{name}: {type(exc).__name__}: {exc}")
            return
        output["results"][name] = result
        for scenario, run_result in result["scenarios"].items():
            if run_result["unexpected"] or run_result["transport_errors"]:
                output["errors"].append(
                    f"{name}.{scenario}: {run_result['unexpected']} unexpected answers "
                    f"{run_result['statuses']}, {run_result['transport_errors']} transport errors"
                )
        books = result["books"]
        if not (books["verify_clean"] and books["entries_match_201"]):
            output["errors"].append(f"{name}: the books do not match the answers: {books}")

    with tempfile.TemporaryDirectory(prefix="tauschring-bench-api-") as folder:
        log("SQLite")
        section(
            "sqlite",
            lambda: bench_backend(
                f"sqlite:///{Path(folder) / 'api.sqlite'}", Path(folder), sizes, clients, args.threads
            ),
        )
        if args.no_postgres:
            output["notes"].append("PostgreSQL skipped (--no-postgres)")
        else:
            why = postgres_unreachable(args.postgres_url)
            if why:
                output["notes"].append(f"PostgreSQL skipped: {why}")
            else:
                log("PostgreSQL")

                def postgres() -> dict[str, object]:
                    with postgres_database(args.postgres_url, DB_NAME) as url:
                        return bench_backend(url, Path(folder), sizes, clients, args.threads)

                section("postgresql", postgres)

    output["load_average"]["after"] = load_average()
    print(json.dumps(output, sort_keys=False), flush=True)
    return 1 if output["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
