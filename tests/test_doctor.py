"""`tauschring doctor`: what would lose data or expose it is an error (exit code 1)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from tauschring import backups, doctor, jobs
from tauschring.db import make_engine
from tauschring.migrate import upgrade

NOW = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)
STRONG = "5f0c2a9e8b7d4c3a1e6f9b8a7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d"


@pytest.fixture
def installation(tmp_path):
    instance = tmp_path / "instance"
    instance.mkdir(mode=0o700)
    (instance / "secret_key").write_text(STRONG)
    os.chmod(instance / "secret_key", 0o600)
    url = f"sqlite:///{instance / 'tauschring.sqlite'}"
    upgrade(url)
    os.chmod(instance / "tauschring.sqlite", 0o600)
    engine = make_engine(url)
    config = {
        "SECRET_KEY": STRONG,
        "BABEL_DEFAULT_TIMEZONE": "Europe/Berlin",
        "TRUSTED_PROXIES": 1,
        "METRICS_TOKEN": "a-long-metrics-token-1234",
        "BACKUP_DIR": str(tmp_path / "sicherungen"),
        "SQLALCHEMY_ENGINES": {"default": {"url": url}},
    }
    yield config, str(instance), engine
    engine.dispose()


def _examine(config, instance, engine, now=NOW):
    return doctor.examine(config, instance_path=instance, engine=engine, now=now, environ={"SECRET_KEY": "x"})


def _levels(findings, topic):
    return [f.level for f in findings if f.topic == topic]


def test_a_well_kept_installation_has_no_error(installation):
    config, instance, engine = installation
    from sqlalchemy.orm import Session

    with Session(engine) as session:
        for job in jobs.JOBS.values():
            jobs.run_job(session, job, jobs.Settings.of(config), now=NOW)
    findings = _examine(*installation, now=NOW + dt.timedelta(minutes=1))

    assert not doctor.failed(findings), [f for f in findings if f.level == "error"]
    assert _levels(findings, "Sicherungen") == ["ok"]
    assert _levels(findings, "Aufgaben") == ["ok"]


@pytest.mark.parametrize("key", ["", "change-me", "kurz", "a" * 64])
def test_a_missing_short_or_example_secret_key_is_an_error(installation, key):
    config, instance, engine = installation
    findings = _examine({**config, "SECRET_KEY": key}, instance, engine)
    assert _levels(findings, "Schlüssel") == ["error"] and doctor.failed(findings)


def test_a_database_behind_the_newest_migration_is_an_error(tmp_path, installation):
    config, instance, _engine = installation
    engine = make_engine(f"sqlite:///{tmp_path / 'leer.sqlite'}")
    try:
        findings = _examine(config, instance, engine)
    finally:
        engine.dispose()
    assert _levels(findings, "Datenbank") == ["error"]
    assert "tauschring db upgrade" in next(f.text for f in findings if f.topic == "Datenbank")


def test_files_others_can_read_are_an_error(installation):
    config, instance, engine = installation
    os.chmod(Path(instance) / "secret_key", 0o644)
    findings = _examine(*installation)
    assert _levels(findings, "Dateien") == ["error"]
    assert "secret_key" in next(f.text for f in findings if f.topic == "Dateien")


def test_an_old_or_failed_backup_and_a_bad_time_zone_are_errors(installation):
    config, instance, engine = installation
    folder = backups.backup_folder(config["BACKUP_DIR"])
    (folder / "tauschring-2026-11-20T030000Z.bak").write_bytes(b"x")
    os.chmod(folder / "tauschring-2026-11-20T030000Z.bak", 0o600)
    (folder / "tauschring-2026-11-20T030000Z.bak.pruefung.json").write_text(
        '{"ok": true, "at": "x", "detail": "d"}'
    )
    findings = _examine({**config, "BABEL_DEFAULT_TIMEZONE": "Mond/Krater"}, instance, engine)
    assert _levels(findings, "Sicherungen") == ["error"]
    assert _levels(findings, "Zeitzone") == ["error"]


def test_no_proxy_setting_and_no_metrics_token_are_warnings(installation):
    config, instance, engine = installation
    findings = _examine({**config, "TRUSTED_PROXIES": 0, "METRICS_TOKEN": ""}, instance, engine)
    assert _levels(findings, "Proxy") == ["warning"] and _levels(findings, "Metriken") == ["warning"]


def test_the_doctor_command_exits_non_zero_on_an_error(tmp_path, monkeypatch):
    from tauschring import create_app

    monkeypatch.setenv("TAUSCHRING_INSTANCE_PATH", str(tmp_path))
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    upgrade(url)
    app = create_app({"SQLALCHEMY_ENGINES": {"default": url}, "BACKUP_DIR": ""})
    result = app.test_cli_runner().invoke(args=["doctor"])
    from tauschring.db import db

    with app.app_context():
        db.engine.dispose()
    assert result.exit_code == 1
    assert "FEHLER  Sicherungen: Kein BACKUP_DIR" in result.output
    assert "ok      Datenbank: SQLite erreichbar" in result.output
