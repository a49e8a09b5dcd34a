"""Moving in at the office desk: read a file, see every line checked, map Rubriken, take it over;
the template to download; bad files refused with nothing written."""

from __future__ import annotations

import io

import pytest
from freezegun import freeze_time
from sqlalchemy import select

import ledger
from tauschring.db import db
from tauschring.imports import reading
from tauschring.models import ImportBatch, Listing, Member
from tests import import_samples as samples
from tests.web.conftest import counts, text_of

NOW = "2026-11-20 15:00:00"


def upload(browser, raw: bytes, *, source="template", kind="members", name="mitglieder.csv"):
    return browser.post(
        "/buero/umzug",
        {"source": source, "kind": kind, "file": (io.BytesIO(raw), name)},
        content_type="multipart/form-data",
    )


def import_id(response) -> int:
    assert response.status_code == 302, text_of(response)
    return int(response.headers["Location"].rsplit("/", 1)[1])


@freeze_time(NOW)
def test_the_office_reads_a_members_file_sees_each_line_and_takes_the_ready_ones_over(app, browser, ring):
    browser.login("buero")
    batch = import_id(upload(browser, samples.csv_bytes(samples.TEMPLATE_MEMBERS, encoding="cp1252")))
    page = text_of(browser.get(f"/buero/umzug/{batch}"))
    assert "Noch ist nichts übernommen" in page
    assert "Zeilen: 7 bereit: 3 mit Fehlern: 3 schon da: 1" in page
    assert "Jürgen Müller" in page and "Gießerstraße 7, 04229, Leipzig" in page
    assert "Telefon online, Telefon im Druck (01.02.2025)" in page
    assert "Nr. 1 ist schon vergeben (Anna Becker)" in page
    assert "Vor- und Nachname werden gebraucht" in page
    before = counts(app)

    refused = browser.post(f"/buero/umzug/{batch}/uebernehmen", {})
    assert "3 Zeilen haben Fehler" in text_of(browser.get(refused.headers["Location"]))
    assert counts(app) == before

    done = browser.post(f"/buero/umzug/{batch}/uebernehmen", {"clean_only": "y"})
    page = text_of(browser.get(done.headers["Location"]))
    assert "Übernommen: 3 Zeilen." in page and "übernommen: 3" in page
    with app.app_context():
        assert db.session.scalar(select(Member.number).where(Member.last_name == "Müller")) == 20

    again = import_id(upload(browser, samples.csv_bytes(samples.TEMPLATE_MEMBERS, encoding="cp1252")))
    page = text_of(browser.get(f"/buero/umzug/{again}"))
    assert f"Diese Datei wurde schon einmal übernommen (Umzug {batch})" in page
    assert "bereit: 0" in page and "schon da: 4" in page
    before = counts(app)
    browser.post(f"/buero/umzug/{again}/uebernehmen", {"clean_only": "y"})
    after = counts(app)
    assert {k: v for k, v in after.items() if k != "audit_event"} == {
        k: v for k, v in before.items() if k != "audit_event"
    }


@freeze_time(NOW)
def test_listings_wait_for_the_office_to_map_an_unknown_rubrik(app, browser, ring):
    browser.login("buero")
    members = import_id(upload(browser, samples.csv_bytes(samples.TEMPLATE_MEMBERS)))
    browser.post(f"/buero/umzug/{members}/uebernehmen", {"clean_only": "y"})
    batch = import_id(upload(browser, samples.csv_bytes(samples.TEMPLATE_LISTINGS), kind="listings"))
    page = browser.get(f"/buero/umzug/{batch}")
    assert "Rubrik „Haus &amp; Hof“ gibt es hier nicht" in page.get_data(as_text=True)
    html = page.get_data(as_text=True)
    assert 'name="name-1" value="Haus &amp; Hof"' in html
    with app.app_context():
        from tauschring.rings import categories_of

        household = next(c.id for c in categories_of(db.session, ring.id) if c.name == "Haushalt")
    browser.post(
        f"/buero/umzug/{batch}/rubriken",
        {"name-0": "Garten", "rubrik-0": "", "name-1": "Haus & Hof", "rubrik-1": str(household)},
    )
    page = text_of(browser.get(f"/buero/umzug/{batch}"))
    assert "Zuordnung gespeichert." in page and "bereit: 3" in page
    browser.post(f"/buero/umzug/{batch}/uebernehmen", {"clean_only": "y"})
    with app.app_context():
        moving = db.session.scalar(select(Listing).where(Listing.title == "Hilfe beim Umzug"))
        assert moving.category.name == "Haushalt"


@freeze_time(NOW)
def test_balances_show_their_total_before_booking_and_the_books_verify_after(app, browser, ring):
    browser.login("buero")
    raw = samples.csv_bytes([["Mitgliedsnummer", "Kontostand"], ["1", "40:00"], ["2", "-2:30"], ["3", "0"]])
    batch = import_id(upload(browser, raw, kind="balances", name="salden.csv"))
    page = text_of(browser.get(f"/buero/umzug/{batch}"))
    assert (
        "Summe der bereiten Kontostände: +37:30 Std. – Gegenbuchung auf das Konto Eröffnungssalden: -37:30"
        in page
    )
    assert "Zeilen: 3" in page and "nichts zu tun: 1" in page  # a zero balance stays visible
    assert "4 nichts zu tun Kontostand 0: nichts zu buchen. 3 Clara Wagner 0:00 Std." in page
    done = browser.post(f"/buero/umzug/{batch}/uebernehmen", {})
    assert "Die Buchhaltung ist geprüft und in Ordnung." in text_of(browser.get(done.headers["Location"]))
    with app.app_context():
        assert db.session.get(ledger.Account, ring.anna.account).balance == 2400
        assert ledger.verify(db.session, ring.id).ok


@pytest.mark.parametrize(
    ("raw", "name", "message"),
    [
        (b"", "leer.csv", "Die Datei ist leer."),
        (b"Vorname;Strasse\nA;B\n", "m.csv", "Spalten fehlen in der Kopfzeile: Nachname"),
        (b"PK\x03\x04kaputt", "m.xlsx", "Die Datei lässt sich nicht lesen"),
        (b"%PDF-1.4", "m.pdf", "Nur CSV- oder XLSX-Dateien."),
    ],
    ids=["empty", "columns", "broken", "pdf"],
)
def test_a_file_that_cannot_be_read_is_refused_and_nothing_is_written(app, browser, ring, raw, name, message):
    browser.login("buero")
    before = counts(app)
    response = upload(browser, raw, name=name)
    assert response.status_code == 400
    assert message in text_of(response)
    assert counts(app) == before


def test_a_history_of_transfers_is_refused_with_what_to_import_instead(app, browser, ring):
    browser.login("buero")
    raw = samples.csv_bytes(samples.TIMEOVERFLOW_TRANSFERS_EN, sep=",")
    response = upload(browser, raw, source="timeoverflow", kind="balances")
    assert response.status_code == 400
    assert "Übernommen werden nicht die alten Überweisungen, sondern die Kontostände" in text_of(response)


def test_the_template_downloads_with_german_columns_as_csv_and_xlsx(app, browser, ring):
    browser.login("buero")
    csv = browser.get("/buero/umzug/vorlage-mitglieder.csv")
    assert csv.status_code == 200 and csv.data.startswith(
        b"\xef\xbb\xbfMitgliedsnummer;Vorname;Nachname;Stra"
    )
    xlsx = browser.get("/buero/umzug/vorlage-kontostaende.xlsx")
    assert xlsx.headers["Content-Disposition"] == 'attachment; filename="vorlage-kontostaende.xlsx"'
    assert reading.read_rows(xlsx.data)[0].cells == (
        "Mitgliedsnummer",
        "Kontostand",
        "Untergrenze",
        "Obergrenze",
    )
    assert browser.get("/buero/umzug/vorlage-unbekannt.csv").status_code == 404


def test_a_discarded_file_is_kept_with_nothing_made_of_it(app, browser, ring):
    browser.login("buero")
    batch = import_id(upload(browser, samples.csv_bytes(samples.TEMPLATE_MEMBERS)))
    browser.post(f"/buero/umzug/{batch}/verwerfen", {})
    assert "verworfen" in text_of(browser.get("/buero/umzug"))
    with app.app_context():
        assert db.session.get(ImportBatch, batch).status == "discarded"
    assert browser.get("/buero/umzug/999").status_code == 404


def test_the_pages_speak_english_too(app, browser, ring):
    browser.login("buero").english()
    page = text_of(browser.get("/buero/umzug"))
    assert "Moving in" in page
    batch = import_id(upload(browser, samples.csv_bytes(samples.TEMPLATE_MEMBERS)))
    page = text_of(browser.get(f"/buero/umzug/{batch}"))
    assert "ready" in page and "First and last name are needed" in page
