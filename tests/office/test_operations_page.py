"""The office page "Betrieb": jobs, backups and what the operator must know; the office home
warns when a backup or a job failed or the backup is too old."""

from __future__ import annotations

import datetime as dt
import json

from tauschring import jobs
from tauschring.db import db


def _run_jobs(app):
    with app.app_context():
        outcomes = jobs.run_due(db.session, jobs.Settings.of(app.config))
        db.session.close()
    return outcomes


def test_the_page_shows_each_jobs_last_run_and_the_backups(app, browser, ring, tmp_path):
    from alembic import command

    from tauschring.migrate import alembic_config

    # The web tests' database is built by create_all; a backup states its revision.
    command.stamp(alembic_config(jobs.Settings.of(app.config).database_url), "head")
    app.config["BACKUP_DIR"] = str(tmp_path / "sicherungen")
    assert {o.status for o in _run_jobs(app)} == {"ok"}
    browser.login("buero")

    page = browser.get("/buero/betrieb").get_data(as_text=True)

    assert "Buchhaltung prüfen" in page and "Tägliche Sicherung" in page
    assert "Alle geplanten Aufgaben und Sicherungen sind in Ordnung." in page
    assert "tauschring-" in page and "in Ordnung" in page
    home = browser.get("/buero/").get_data(as_text=True)
    assert "bitte dem Betreiber Bescheid geben" not in home


def test_the_office_home_warns_of_an_old_or_failed_backup(app, browser, ring, tmp_path):
    folder = tmp_path / "sicherungen"
    folder.mkdir()
    old = (dt.datetime.now(dt.UTC) - dt.timedelta(days=3)).strftime("%Y-%m-%dT%H%M%SZ")
    (folder / f"tauschring-{old}.bak").write_bytes(b"x")
    (folder / f"tauschring-{old}.bak.pruefung.json").write_text(
        json.dumps({"ok": True, "at": "x", "detail": "1 Tauschringe, 0 Buchungen geprüft"})
    )
    app.config["BACKUP_DIR"] = str(folder)
    browser.login("buero")

    home = browser.get("/buero/").get_data(as_text=True)
    assert "Betrieb: bitte dem Betreiber Bescheid geben." in home
    assert "Die neueste Sicherung ist älter als ein Tag." in home

    (folder / f"tauschring-{old}.bak.pruefung.json").write_text(
        json.dumps({"ok": False, "at": "x", "detail": "Prüfsumme falsch"})
    )
    page = browser.english().get("/buero/betrieb").get_data(as_text=True)
    assert "The check of the newest backup failed" in page


def test_without_a_backup_folder_the_office_is_told(app, browser, ring):
    app.config["BACKUP_DIR"] = ""
    browser.login("buero")
    home = browser.get("/buero/").get_data(as_text=True)
    assert "Es ist kein Sicherungsordner eingestellt" in home
