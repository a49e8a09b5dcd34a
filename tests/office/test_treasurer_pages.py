"""The treasurer's pages: closing a month and a year, reopening (admin, with reason), statistics
with server-drawn SVG charts and a table beside each, CSV and PDF downloads, journals for three
tools, activity care with letters and outreach records, and the public short statistics."""

from __future__ import annotations

import datetime as dt

from freezegun import freeze_time
from sqlalchemy import select

import ledger
from tauschring import payments
from tauschring.db import db
from tauschring.models import AuditEvent, Member, Outreach
from tauschring.permissions import Actor
from tests.web.conftest import text_of

NOV = dt.datetime(2026, 11, 12, 10, 0, tzinfo=dt.UTC)


def _book(app, ring):
    with app.app_context():
        system = Actor.system(ring.id)
        anna, bernd, clara = (db.session.get(Member, getattr(ring, n).id) for n in ("anna", "bernd", "clara"))
        with freeze_time(NOV):
            payments.pay(
                db.session,
                system,
                payer=anna,
                payee=bernd,
                minutes=90,
                memo="Garten",
                service_date=dt.date(2026, 11, 10),
                now=NOV,
            )
            payments.pay(
                db.session,
                system,
                payer=bernd,
                payee=clara,
                minutes=45,
                memo="Fahrt",
                service_date=dt.date(2026, 11, 11),
                now=NOV,
            )
        db.session.commit()


@freeze_time("2026-12-02 09:00:00")
def test_the_office_closes_the_proposed_month_and_the_admin_reopens_it(app, browser, ring):
    _book(app, ring)
    browser.login("buero")
    page = browser.get("/buero/abschluesse")
    assert page.status_code == 200 and "2026-11" in text_of(page)
    closed = browser.post("/buero/abschluesse/monat", {"period": "2026-11"}, follow_redirects=True)
    assert "ist abgeschlossen" in text_of(closed)
    again = browser.post("/buero/abschluesse/monat", {"period": "2026-11"}, follow_redirects=True)
    assert "Reihe nach" in text_of(again)
    with app.app_context():
        [closing] = ledger.closings(db.session, ring.id)
        assert closing.entry_count == 2
    assert closing.fingerprint in text_of(browser.get("/buero/abschluesse"))
    # The office may not reopen; the admin may, with a reason.
    assert (
        browser.post(f"/buero/abschluesse/{closing.id}/oeffnen", {"reason": "Beleg fehlte"}).status_code
        == 403
    )
    browser.login("admin")
    reopened = browser.post(
        f"/buero/abschluesse/{closing.id}/oeffnen", {"reason": "Beleg fehlte"}, follow_redirects=True
    )
    assert "wieder geöffnet" in text_of(reopened)
    with app.app_context():
        actions = [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
        assert actions[-2:] == ["closing.close", "closing.reopen"]


@freeze_time("2026-12-02 09:00:00")
def test_statistics_show_svg_charts_with_tables_and_csv_and_the_annual_report(app, browser, ring):
    _book(app, ring)
    browser.login("buero")
    page = browser.get("/buero/statistik?von=2026-01-01&bis=2026-12-31")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert html.count("<svg") == 4 and "<script" not in html.split("<main", 1)[-1].split("</main>")[0]
    assert "Getauschte Stunden je Monat" in html and "November 2026" in html and "2:15" in html
    csv = browser.get("/buero/statistik/stunden.csv?von=2026-01-01&bis=2026-12-31")
    assert csv.status_code == 200 and "November 2026" in csv.get_data(as_text=True)
    months = browser.get("/buero/statistik/monate.csv?von=2026-01-01&bis=2026-12-31").get_data(as_text=True)
    assert "2026-11;135;2:15;2;3" in months
    assert browser.get("/buero/statistik/unbekannt.csv").status_code == 404
    assert browser.get("/buero/statistik?von=2026-12-31&bis=2026-01-01").status_code == 400
    pdf = browser.get("/buero/statistik/jahresbericht-2026.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


@freeze_time("2026-12-02 09:00:00")
def test_journals_download_for_each_tool_unit_and_period(app, browser, ring):
    _book(app, ring)
    browser.login("buero")
    ledger_file = browser.get("/buero/berichte/journal?format=ledger&einheit=stunden&zeitraum=2026-11")
    assert ledger_file.status_code == 200 and "commodity 1000.00 Std" in ledger_file.get_data(as_text=True)
    bean = browser.get("/buero/berichte/journal?format=beancount&einheit=minuten&zeitraum=2026")
    assert bean.status_code == 200 and "open Assets:Mitglieder:M" in bean.get_data(as_text=True)
    assert browser.get("/buero/berichte/journal?format=excel").status_code == 400
    assert browser.get("/buero/berichte/journal?zeitraum=2026-13").status_code == 400


@freeze_time("2027-06-02 09:00:00")
def test_the_care_list_letters_and_outreach_record(app, browser, ring):
    _book(app, ring)
    browser.login("buero")
    page = browser.get("/buero/pflege?monate=6")
    assert page.status_code == 200 and "Clara" in text_of(page)
    letters = browser.get("/buero/pflege/briefe.pdf?monate=6")
    assert letters.status_code == 200 and letters.data.startswith(b"%PDF")
    number = ring.clara.number
    done = browser.post(
        f"/buero/pflege/{number}/kontakt",
        {"reason": "inactive", "channel": "phone", "note": "ok"},
        follow_redirects=True,
    )
    assert "festgehalten" in text_of(done)
    with app.app_context():
        assert db.session.scalar(select(Outreach.channel)) == "phone"
    assert browser.get("/buero/pflege?monate=0").status_code == 400


@freeze_time("2026-12-02 09:00:00")
def test_the_member_home_shows_the_short_statistics_only_when_switched_on(app, browser, ring):
    _book(app, ring)
    browser.login("anna")
    assert "Unser Tauschring" not in text_of(browser.get("/"))
    with app.app_context():
        from tauschring.rings import settings_of

        settings = settings_of(db.session, ring.id)
        settings.public_statistics = True
        db.session.add(settings)
        db.session.commit()
    home = text_of(browser.get("/"))
    assert "Unser Tauschring" in home and "2:15" in home


@freeze_time("2026-12-02 09:00:00")
def test_hours_that_are_not_exact_send_the_treasurer_back_with_the_reason(app, browser, ring):
    with app.app_context():
        ledger.book_transfer(
            db.session,
            ring_id=ring.id,
            payer=ring.anna.account,
            payee=ring.bernd.account,
            minutes=20,
            memo="krumm",
            service_date=dt.date(2026, 11, 11),
            now=NOV,
        )
        db.session.commit()
    browser.login("buero")
    answer = browser.get("/buero/berichte/journal?format=ledger&einheit=stunden", follow_redirects=True)
    assert "20 Minuten" in text_of(answer) and "in Minuten herunterladen" in text_of(answer)
    assert browser.get("/buero/berichte/journal?format=ledger&einheit=minuten").status_code == 200
