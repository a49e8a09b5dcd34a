"""`tauschring import FORMAT KIND FILE --ring REF [--dry-run]`: a ring moves in from the console."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

import ledger
from tauschring import create_app
from tauschring.db import db
from tauschring.migrate import upgrade
from tauschring.models import ImportBatch, Listing, Member
from tauschring.rings import found_ring
from tests import import_samples as samples

NOW = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def app(tmp_path, monkeypatch):
    monkeypatch.setenv("TAUSCHRING_INSTANCE_PATH", str(tmp_path))
    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    upgrade(url)
    app = create_app({"TESTING": True, "SQLALCHEMY_ENGINES": {"default": url}})
    with app.app_context():
        found_ring(db.session, name="Tauschring Süd", now=NOW)
        db.session.commit()
    yield app
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose()


def run(app, *args: str):
    return app.test_cli_runner().invoke(args=["import", *args])


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def write(tmp_path, name: str, raw: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(raw)
    return str(path)


def test_a_dry_run_shows_every_line_and_writes_nothing(app, tmp_path):
    file = write(tmp_path, "mitglieder.csv", samples.csv_bytes(samples.TEMPLATE_MEMBERS, encoding="cp1252"))
    result = run(app, "vorlage", "mitglieder", file, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Vorschau (nichts geändert): Mitglieder aus Tabelle nach Vorlage" in result.output
    assert "Zeile    2  bereit        Nr. 20 Jürgen Müller" in result.output
    assert "Zeile    6  Fehler" in result.output and "Vor- und Nachname" in result.output
    assert "Zusammen: 3 bereit, 3 Fehler, 1 schon da." in result.output
    assert count(app, Member) == 0 and count(app, ImportBatch) == 0


def test_errors_stop_the_import_unless_skipped_and_a_second_run_changes_nothing(app, tmp_path):
    file = write(tmp_path, "mitglieder.csv", samples.csv_bytes(samples.TEMPLATE_MEMBERS, encoding="cp1252"))
    refused = run(app, "vorlage", "mitglieder", file)
    assert refused.exit_code == 1 and "Nichts übernommen: 3 Zeilen haben Fehler" in refused.output
    assert count(app, Member) == 0

    done = run(app, "template", "members", file, "--skip-errors", "--ring", "Tauschring Süd")
    assert done.exit_code == 0, done.output
    assert "Übernommen: 3 Zeilen als Umzug 1; nicht übernommen: 4." in done.output
    assert count(app, Member) == 3

    again = run(app, "vorlage", "mitglieder", file, "--skip-errors")
    assert again.exit_code == 0
    assert "Diese Datei wurde schon einmal übernommen (Umzug 1)" in again.output
    assert "Keine Zeile ist bereit" in again.output
    assert count(app, Member) == 3 and count(app, ImportBatch) == 1


def test_cyclos_from_members_to_listings_to_balances(app, tmp_path):
    members = write(
        tmp_path, "members.csv", samples.csv_bytes(samples.CYCLOS_MEMBERS_EN, sep=",", quote_all=True)
    )
    assert run(app, "cyclos", "members", members, "--skip-errors").exit_code == 0
    ads = write(tmp_path, "ads.csv", samples.csv_bytes(samples.CYCLOS_ADS_DE, encoding="cp1252"))
    preview = run(app, "cyclos", "inserate", ads, "--dry-run")
    assert 'Rubrik „Soziales“ ohne Zuordnung: mit --rubrik "Soziales=RUBRIK" zuordnen.' in preview.output
    done = run(app, "cyclos", "inserate", ads, "--skip-errors", "--rubrik", "Soziales=Haushalt")
    assert done.exit_code == 0, done.output
    assert count(app, Listing) == 2

    report = write(tmp_path, "report.csv", samples.csv_bytes(samples.CYCLOS_REPORT_EN, sep=","))
    preview = run(app, "cyclos", "kontostaende", report, "--dry-run")
    assert "Zu buchen: eine Buchung über 2 Konten, zusammen +1208:45 Std.; Gegenbuchung" in preview.output
    booked = run(app, "cyclos", "kontostaende", report, "--skip-errors")
    assert booked.exit_code == 0, booked.output
    assert "Ergebnis: Die Bücher stimmen." in booked.output
    with app.app_context():
        assert ledger.verify(db.session, 1).ok
        grete = db.session.scalar(select(Member).where(Member.first_name == "Margarete"))
        assert grete.account.balance == 74070


def test_the_ring_must_be_named_when_there_are_several(app, tmp_path):
    with app.app_context():
        found_ring(db.session, name="Tauschring Nord", now=NOW)
        db.session.commit()
    file = write(tmp_path, "m.csv", samples.csv_bytes(samples.TEMPLATE_MEMBERS))
    result = run(app, "vorlage", "mitglieder", file, "--dry-run")
    assert result.exit_code == 1 and "2 Tauschringe: bitte mit --ring angeben" in result.output
    assert run(app, "vorlage", "mitglieder", file, "--dry-run", "--ring", "Nord").exit_code == 1
    assert run(app, "vorlage", "mitglieder", file, "--dry-run", "--ring", "2").exit_code == 0


def test_a_transfer_history_or_a_broken_mapping_is_refused(app, tmp_path):
    transfers = write(tmp_path, "t.csv", samples.csv_bytes(samples.TIMEOVERFLOW_TRANSFERS_EN, sep=","))
    result = run(app, "timeoverflow", "balances", transfers)
    assert result.exit_code == 1 and "Übernommen werden nicht die alten Überweisungen" in result.output
    listings = write(tmp_path, "l.csv", samples.csv_bytes(samples.TEMPLATE_LISTINGS))
    assert run(app, "vorlage", "inserate", listings, "--rubrik", "ohne-gleich").exit_code == 2
    result = run(app, "vorlage", "inserate", listings, "--rubrik", "Haus & Hof=Gibt es nicht")
    assert result.exit_code == 1 and "Rubrik" in result.output
    assert count(app, ImportBatch) == 0
