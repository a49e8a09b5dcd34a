"""The Marktzeitung at the office desk: create an edition, add dates and news, generate, download."""

from __future__ import annotations

import io

from freezegun import freeze_time
from pypdf import PdfReader
from sqlalchemy import select

from tauschring.db import db
from tauschring.models import AuditEvent, Edition, VoucherRange
from tests.web.conftest import counts, text_of

NOW = "2026-11-20 15:00:00"


@freeze_time(NOW)
def test_an_editor_creates_fills_generates_and_downloads_an_edition(app, browser, ring):
    browser.login("buero")
    created = browser.post(
        "/buero/ausgaben",
        {"month": "2026-12", "cutoff": "2026-11-20", "next_cutoff": "2026-12-18", "show_contact_list": "y"},
    )
    edition_id = int(created.headers["Location"].rsplit("/", 1)[1])
    browser.post(
        f"/buero/ausgaben/{edition_id}/termine",
        {
            "termin-date": "2026-12-05",
            "termin-time": "15:00",
            "termin-title": "Tauschtreffen",
            "termin-place": "Stadtteilladen",
        },
    )
    news = {"artikel-title": "Danke!", "artikel-text": "An alle Helfer."}
    browser.post(f"/buero/ausgaben/{edition_id}/artikel", news)
    generated = browser.post(f"/buero/ausgaben/{edition_id}/erzeugen", {})
    page = text_of(browser.get(generated.headers["Location"]))
    assert "Druckauflage 1 (davon 0 in Großdruck)" in page  # Clara is the one paper member
    for name in ("marktzeitung.pdf", "grossdruck.pdf", "kontaktliste.pdf", "beilagen.pdf", "belege.pdf"):
        response = browser.get(f"/buero/ausgaben/{edition_id}/{name}")
        assert (
            response.mimetype == "application/pdf"
            and f"2026-12-{name}" in response.headers["Content-Disposition"]
        )
        reader = PdfReader(io.BytesIO(response.data))
        assert len(reader.pages) >= 1
    paper = "".join(
        p.extract_text()
        for p in PdfReader(
            io.BytesIO(browser.get(f"/buero/ausgaben/{edition_id}/marktzeitung.pdf").data)
        ).pages
    )
    assert "Tauschtreffen" in paper and "Danke!" in paper
    with app.app_context():
        actions = list(db.session.scalars(select(AuditEvent.action)))
        assert {"edition.create", "edition.event", "edition.news", "edition.generate"} <= set(actions)
        assert db.session.get(Edition, edition_id).status == "generated"
    assert browser.get(f"/buero/ausgaben/{edition_id}/geheim.pdf").status_code == 404


@freeze_time(NOW)
def test_a_second_edition_for_the_same_month_is_refused(app, browser, ring):
    browser.login("buero")
    form = {"month": "2026-12", "cutoff": "2026-11-20", "next_cutoff": "2026-12-18"}
    browser.post("/buero/ausgaben", form)
    before = counts(app)
    again = browser.post("/buero/ausgaben", form)
    assert "Für diesen Monat gibt es schon eine Ausgabe." in text_of(browser.get(again.headers["Location"]))
    bad = browser.post("/buero/ausgaben", {**form, "next_cutoff": "2026-11-01", "month": "2027-01"})
    assert "muss nach diesem liegen" in text_of(browser.get(bad.headers["Location"]))
    assert counts(app) == before


@freeze_time(NOW)
def test_voucher_numbers_are_issued_and_listed_with_whom_they_went_to(app, browser, ring):
    browser.login("buero")
    browser.post("/buero/belegnummern", {"count": "20", "note": "Vorrat"})
    browser.post("/buero/belegnummern", {"count": "3", "number": "3"})
    page = text_of(browser.get("/buero/belegnummern"))
    assert "21–23 3 Clara Wagner" in page and "1–20 Büro (blanko) Vorrat" in page
    with app.app_context():
        blank = db.session.scalar(select(VoucherRange).where(VoucherRange.member_id.is_(None)))
    pdf = browser.get(f"/buero/belegnummern/blanko.pdf?bereich={blank.id}")
    assert pdf.mimetype == "application/pdf" and len(PdfReader(io.BytesIO(pdf.data)).pages) == 7
    assert "Mitglied 99 gibt es nicht" in text_of(
        browser.get(browser.post("/buero/belegnummern", {"count": "3", "number": "99"}).headers["Location"])
    )
