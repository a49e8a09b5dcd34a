"""The documented production command, for real: gunicorn with two worker processes on PostgreSQL
(the command of README "Production" and of the systemd unit), payments through both processes,
their metrics added up, and the example Caddy configuration in front of it with the trusted-proxy
setting."""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

import ledger
from tauschring import founding, logins
from tauschring.db import make_engine, run_in_transaction
from tauschring.members import admit_member
from tauschring.migrate import upgrade
from tauschring.permissions import Actor
from tauschring.tokens import create_token
from tests.conftest import (
    IN_CI,
    create_postgres_database,
    drop_postgres_database,
    require_postgres,
    worker_suffix,
)

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
UNIT = ROOT / "deploy" / "systemd" / "tauschring.service"
PAYMENTS = 30  # of 15 minutes; three rounds stay within the lower limit of -30 hours

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


def documented_command() -> list[str]:
    """The ExecStart of the systemd unit, which README shows word for word, run from this venv."""
    line = next(line for line in UNIT.read_text().splitlines() if line.startswith("ExecStart="))
    command = line.removeprefix("ExecStart=")
    assert command in (ROOT / "README.md").read_text(), "README and the systemd unit must agree"
    return [arg.replace("/opt/tauschring/venv/bin/", f"{BIN}/") for arg in shlex.split(command)]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def http(url: str, *, method: str = "GET", body: dict | None = None, headers: dict | None = None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers=dict(headers or {}))
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


@dataclass
class Server:
    url: str
    port: int
    database: str
    log: Path
    ring_id: int
    payee_number: int
    tokens: dict[str, str]

    def log_lines(self) -> list[dict]:
        lines = []
        for line in self.log.read_text().splitlines():
            if line.startswith("{"):
                lines.append(json.loads(line))
        return lines


def _build_ring(url: str) -> tuple[int, int, dict[str, str]]:
    now = dt.datetime.now(dt.UTC)
    engine = make_engine(url)

    def work(session: Session):
        ring_id = founding.found(
            session,
            name="Tauschring Produktion",
            slug="produktion",
            admin_username="vorstand",
            admin_password="lang-und-geheim-1",
            now=now,
        ).ring_id
        system = Actor.system(ring_id)
        anna = admit_member(session, system, first_name="Anna", last_name="Becker", now=now)
        bernd = admit_member(session, system, first_name="Bernd", last_name="Schulz", now=now)
        user = logins.create_login(
            session, system, username="anna", password="lang-und-geheim-2", now=now, member=anna
        )
        token = create_token(session, Actor.of(user, channel="api"), name="Test", now=now)[1]
        return ring_id, bernd.number, {"anna": token}

    try:
        with Session(engine) as session:
            return run_in_transaction(session, work)
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    require_postgres()
    folder = tmp_path_factory.mktemp("production")
    name = f"tauschring_prod_{worker_suffix(request)}"
    url = create_postgres_database(name)
    upgrade(url)  # what ExecStartPre runs: `tauschring db upgrade`
    ring_id, payee, tokens = _build_ring(url)
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": "x" * 64,
        "TAUSCHRING_INSTANCE_PATH": str(folder / "instance"),
        "TAUSCHRING_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
        "TAUSCHRING_TRUSTED_PROXIES": "1",
        "PROMETHEUS_MULTIPROC_DIR": str(folder / "metrics"),
        "BACKUP_DIR": str(folder / "sicherungen"),
        "LOG_FORMAT": "json",
        "LOG_REQUESTS": "1",
    }
    env.pop("METRICS_TOKEN", None)
    log = folder / "gunicorn.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            documented_command(), env=env, stdout=out, stderr=subprocess.STDOUT, cwd=folder
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if http(f"{base}/readyz")[0] == 200:
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"gunicorn did not become ready:\n{log.read_text()[-3000:]}")
            time.sleep(0.3)
        yield Server(base, port, url, log, ring_id, payee, tokens)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(40)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
        drop_postgres_database(name)


def _pay(server: Server, n: int) -> int:
    status, _headers, body = http(
        f"{server.url}/api/v1/entries",
        method="POST",
        body={"payee": server.payee_number, "minutes": 15, "memo": f"Zahlung {n}"},
        headers={"Authorization": f"Bearer {server.tokens['anna']}", "Idempotency-Key": f"prod-{n}"},
    )
    assert status == 201, body
    return status


def test_payments_through_two_gunicorn_processes_all_book_and_the_books_verify(server):
    paid: list[dict] = []
    rounds = 0
    # Which worker accepts a connection is the kernel's choice: pay in rounds until both have.
    while rounds < 3 and len({line["pid"] for line in paid}) < 2:
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda n: _pay(server, n), range(rounds * PAYMENTS, (rounds + 1) * PAYMENTS)))
        rounds += 1
        time.sleep(0.5)  # the last log lines
        paid = [
            line
            for line in server.log_lines()
            if line.get("route") == "/api/v1/entries"
            and line.get("method") == "POST"
            and line.get("status") == 201
        ]
    total = rounds * PAYMENTS
    assert len(paid) == total
    assert len({line["pid"] for line in paid}) == 2, "both worker processes booked"
    assert all(re.fullmatch(r"[0-9a-f]{32}", line["request_id"]) for line in paid)

    engine = make_engine(server.database)
    try:
        with Session(engine) as session:
            report = ledger.verify(session, server.ring_id)
            balances = sorted(
                session.execute(
                    sa.select(ledger.Account.balance).where(
                        ledger.Account.ring_id == server.ring_id, ledger.Account.balance != 0
                    )
                ).scalars()
            )
    finally:
        engine.dispose()
    assert report.ok, report.violations
    assert balances == [-15 * total, 15 * total]

    # Any process answers the scrape with the counts of both.
    status, _headers, text = http(f"{server.url}/metrics")
    assert status == 200
    booked = re.search(r'^tauschring_bookings_total\{kind="payment"\} (\S+)$', text, re.M)
    assert booked and float(booked.group(1)) == total
    requests = re.search(
        r'^tauschring_http_requests_total\{method="POST",route="/api/v1/entries",status="201"\} (\S+)$',
        text,
        re.M,
    )
    assert requests and float(requests.group(1)) == total


def test_the_trusted_proxy_setting_believes_one_proxy(server):
    status, headers, _ = http(f"{server.url}/healthz", headers={"X-Forwarded-Proto": "https"})
    assert status == 200 and "Strict-Transport-Security" in headers
    outside = http(f"{server.url}/metrics", headers={"X-Forwarded-For": "203.0.113.5"})
    assert outside[0] == 403


def _require_caddy() -> str:
    caddy = shutil.which("caddy")
    if caddy is None:
        message = "caddy not installed (Debian package caddy)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return caddy


def test_the_example_caddy_configuration_in_front_of_it(server, tmp_path):
    caddy = _require_caddy()
    port = free_port()
    config = (ROOT / "deploy" / "Caddyfile").read_text()
    config = config.replace("tauschring.example.org {", f"http://127.0.0.1:{port} {{", 1)
    config = config.replace("127.0.0.1:8000", f"127.0.0.1:{server.port}")
    config = config.replace("output file /var/log/caddy/tauschring.log", "output discard")
    (tmp_path / "Caddyfile").write_text("{\n\tadmin off\n}\n\n" + config)
    env = {
        **os.environ,
        "HOME": str(tmp_path),
        "XDG_DATA_HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path),
    }
    checked = subprocess.run(
        [caddy, "validate", "--config", str(tmp_path / "Caddyfile"), "--adapter", "caddyfile"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert checked.returncode == 0, checked.stderr
    proxy = subprocess.Popen(
        [caddy, "run", "--config", str(tmp_path / "Caddyfile"), "--adapter", "caddyfile"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                status, headers, _ = http(f"{base}/healthz")
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("caddy did not start")
                time.sleep(0.2)
        assert status == 200
        assert re.fullmatch(r"[0-9a-f-]{36}", headers["X-Request-ID"]), "Caddy's request id reaches the app"
        assert http(f"{base}/metrics")[0] == 404
        # A client cannot claim HTTPS through the proxy: Caddy replaces the header it sent.
        status, headers, _ = http(f"{base}/healthz", headers={"X-Forwarded-Proto": "https"})
        assert status == 200 and "Strict-Transport-Security" not in headers
        assert http(f"{base}/readyz")[0] == 200
    finally:
        proxy.send_signal(signal.SIGTERM)
        try:
            proxy.wait(20)
        except subprocess.TimeoutExpired:
            proxy.kill()
            proxy.wait(10)


def test_the_container_and_the_timer_run_the_same_commands():
    """The image is not built here (no container engine in CI); its command must be the one tested."""
    command = " ".join(
        shlex.split(next(line for line in UNIT.read_text().splitlines() if line.startswith("ExecStart=")))[1:]
    )
    containerfile = (ROOT / "Containerfile").read_text()
    assert f"exec gunicorn {command}" in containerfile
    assert "tauschring db upgrade" in containerfile
    jobs_unit = (ROOT / "deploy" / "systemd" / "tauschring-jobs.service").read_text()
    assert "ExecStart=/opt/tauschring/venv/bin/tauschring jobs run" in jobs_unit
