"""Health, readiness, metrics and the request id: what the operator's machines ask."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys

import pytest

from tauschring import create_app, events, logs, metrics
from tauschring.db import db, run_in_transaction
from tauschring.errors import Forbidden
from tauschring.health import head_revision
from tauschring.migrate import upgrade


@pytest.fixture
def migrated(tmp_path, monkeypatch):
    """An app on a migrated SQLite database; further settings through ``migrated(...)``."""
    monkeypatch.setenv("TAUSCHRING_INSTANCE_PATH", str(tmp_path))
    url = f"sqlite:///{tmp_path / 'ops.sqlite'}"
    upgrade(url)
    apps = []

    def build(**config):
        app = create_app(
            {"TESTING": True, "SECRET_KEY": "test", "SQLALCHEMY_ENGINES": {"default": url}, **config}
        )
        apps.append(app)
        return app

    yield build
    for app in apps:
        with app.app_context():
            for engine in db.engines.values():
                engine.dispose()


def test_healthz_answers_without_the_database(tmp_path, monkeypatch):
    monkeypatch.setenv("TAUSCHRING_INSTANCE_PATH", str(tmp_path))
    away = "postgresql+psycopg://nobody@127.0.0.1:9/nichts?connect_timeout=1"
    app = create_app({"TESTING": True, "SQLALCHEMY_ENGINES": {"default": away}})
    client = app.test_client()

    assert client.get("/healthz").status_code == 200
    ready = client.get("/readyz")
    assert ready.status_code == 503 and ready.get_json()["database"] is False
    with app.app_context():
        db.engine.dispose()


def test_readyz_is_ready_only_at_the_newest_migration(migrated, app):
    ready = migrated().test_client().get("/readyz")
    assert ready.status_code == 200
    head = head_revision()
    assert len(head) == 4  # one head: the migrations form one line
    assert ready.get_json() == {"status": "ok", "database": True, "revision": head, "head": head}

    # The web tests' app: tables made by create_all, never migrated.
    unmigrated = app.test_client().get("/readyz")
    assert unmigrated.status_code == 503 and unmigrated.get_json()["revision"] is None


def test_a_sane_request_id_is_kept_and_any_other_replaced(migrated):
    client = migrated().test_client()
    assert client.get("/healthz", headers={"X-Request-ID": "proxy-1234abcd"}).headers["X-Request-ID"] == (
        "proxy-1234abcd"
    )
    for bad in ("x", "a" * 65, "zwei woerter", "<script>alert(1)</script>"):
        got = client.get("/healthz", headers={"X-Request-ID": bad}).headers["X-Request-ID"]
        assert got != bad and len(got) == 32


def test_every_log_line_of_a_request_carries_its_id_and_names_the_route_not_the_path(migrated):
    app = migrated(LOG_REQUESTS=True)
    stream = io.StringIO()
    handler = logs.configure({"LOG_FORMAT": "json", "LOG_LEVEL": "INFO"}, stream=stream)
    try:
        client = app.test_client()
        response = client.get("/markt/A-4711?q=Anna+Becker", headers={"X-Request-ID": "req-00000001"})
    finally:
        logging.getLogger().removeHandler(handler)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    request_lines = [line for line in lines if line["logger"] == "tauschring.requests"]
    assert request_lines, lines
    assert all(line["request_id"] == "req-00000001" for line in request_lines)
    assert response.headers["X-Request-ID"] == "req-00000001"
    assert "4711" not in stream.getvalue() and "Anna" not in stream.getvalue()
    assert request_lines[-1]["status"] == response.status_code
    assert request_lines[-1]["route"] == "/markt/<public_number>"


def test_text_logs_are_the_default_and_readable():
    stream = io.StringIO()
    handler = logs.configure({}, stream=stream)
    try:
        logging.getLogger("tauschring.test").info("job verify slot x ok")
        logging.getLogger("sqlalchemy.engine").info("SELECT geheim")
    finally:
        logging.getLogger().removeHandler(handler)
    text = stream.getvalue()
    assert "INFO tauschring.test [-] job verify slot x ok" in text
    assert "geheim" not in text


def test_metrics_answer_loopback_without_a_token_and_nobody_else(migrated):
    client = migrated().test_client()
    assert client.get("/metrics").status_code == 200
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.5"}).status_code == 403


def test_behind_a_trusted_proxy_the_client_address_counts_not_the_proxys(migrated):
    client = migrated(TRUSTED_PROXIES=1).test_client()
    outside = client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.5"})
    assert outside.status_code == 403


def test_metrics_with_a_token_need_it_from_everywhere(migrated):
    client = migrated(METRICS_TOKEN="s3cret-token").test_client()
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer falsch"}).status_code == 401
    scraped = client.get(
        "/metrics",
        headers={"Authorization": "Bearer s3cret-token"},
        environ_base={"REMOTE_ADDR": "203.0.113.5"},
    )
    assert scraped.status_code == 200
    assert scraped.content_type.startswith("text/plain; version=")


def _value(text: str, name: str, **labels: str) -> float | None:
    from prometheus_client.parser import text_string_to_metric_families

    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return sample.value
    return None


def test_metrics_tell_requests_refusals_bookings_jobs_verify_backups_and_the_pool(migrated, tmp_path):
    app = migrated(BACKUP_DIR=str(tmp_path / "sicherungen"))
    client = app.test_client()
    client.get("/healthz")
    before = (
        _value(client.get("/metrics").get_data(as_text=True), "tauschring_refusals_total", code="forbidden")
        or 0
    )
    with app.app_context():

        def refuse(session):
            raise Forbidden()

        with pytest.raises(Forbidden):
            run_in_transaction(db.session, refuse)
        db.session.close()
    bookings_before = metrics.BOOKINGS.labels(kind="payment")._value.get()
    events._subscribers[events.PaymentBooked][-1](
        events.PaymentBooked(ring_id=1, entry_id=1, payer_id=1, payee_id=2, minutes=30, channel="web")
    )
    assert app.test_cli_runner().invoke(args=["jobs", "run"]).exit_code == 0

    text = client.get("/metrics").get_data(as_text=True)

    assert _value(text, "tauschring_http_requests_total", route="/healthz", method="GET", status="200") >= 1
    assert _value(text, "tauschring_http_request_duration_seconds_count", route="/healthz", method="GET") >= 1
    assert _value(text, "tauschring_refusals_total", code="forbidden") == before + 1
    assert _value(text, "tauschring_bookings_total", kind="payment") == bookings_before + 1
    assert _value(text, "tauschring_job_last_run_ok", job="verify") == 1
    assert _value(text, "tauschring_job_last_run_ok", job="backup") == 1
    assert _value(text, "tauschring_verify_ok") == 1
    assert 0 <= _value(text, "tauschring_backup_age_seconds") < 600
    assert _value(text, "tauschring_backup_check_ok") == 1
    assert _value(text, "tauschring_operator_problems") == 0
    assert _value(text, "tauschring_db_pool_connections_in_use") is not None
    assert "/metrics?" not in text and "Anna" not in text


def test_a_failed_backup_check_shows_in_the_metrics(migrated, tmp_path):
    folder = tmp_path / "sicherungen"
    folder.mkdir()
    (folder / "tauschring-2026-11-01T030000Z.bak").write_bytes(b"alt")
    (folder / "tauschring-2026-11-01T030000Z.bak.pruefung.json").write_text(
        json.dumps({"ok": False, "at": "2026-11-01T03:00:00+00:00", "detail": "Prüfsumme falsch"})
    )
    text = migrated(BACKUP_DIR=str(folder)).test_client().get("/metrics").get_data(as_text=True)
    assert _value(text, "tauschring_backup_check_ok") == 0
    assert _value(text, "tauschring_backup_age_seconds") > 86400
    assert _value(text, "tauschring_operator_problems") == 1


def test_several_processes_add_up_in_multiprocess_mode(tmp_path):
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    count = "from tauschring import metrics; metrics.REFUSALS.labels(code='limit_exceeded').inc()"
    for _ in range(2):
        subprocess.run([sys.executable, "-c", count], env=env, check=True, timeout=60)
    show = "from tauschring import metrics; print(metrics.exposition().decode())"
    text = subprocess.run(
        [sys.executable, "-c", show], env=env, check=True, timeout=60, capture_output=True, text=True
    ).stdout
    assert _value(text, "tauschring_refusals_total", code="limit_exceeded") == 2
