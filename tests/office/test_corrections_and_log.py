"""Storno at the office, the audit log, the verify status, soft limits, reports and settings."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from freezegun import freeze_time
from sqlalchemy import select, text

import ledger
from tauschring.db import db
from tauschring.models import AuditEvent, RingSettings
from tests.web.conftest import balance, counts, form_as_shown, text_of

NOW = "2026-11-20 15:00:00"


@pytest.fixture
def paid(app, ring):
    """Anna paid Bernd 2:00 for a move."""
    with app.app_context():
        entry = ledger.book_transfer(
            db.session,
            ring_id=ring.id,
            payer=ring.anna.account,
            payee=ring.bernd.account,
            minutes=120,
            memo="Umzugshilfe",
            service_date=dt.date(2026, 11, 10),
            now=dt.datetime(2026, 11, 10, 12, tzinfo=dt.UTC),
        )
        db.session.commit()
        return entry.id


@freeze_time(NOW)
def test_a_storno_books_the_mirror_with_a_reason_shown_on_both_statements(
    app, browser, other_browser, ring, paid
):
    browser.login("buero")
    response = browser.post(f"/buero/buchungen/{paid}/storno", {"reason": "Doppelt erfasst"})
    reversal_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert (balance(app, ring.anna.account), balance(app, ring.bernd.account)) == (0, 0)
    page = text_of(browser.get(f"/buero/buchungen/{paid}"))
    assert f"Storniert durch Buchung {reversal_id}" in page
    for who in ("anna", "bernd"):
        other_browser.login(who)
        statement = text_of(other_browser.get("/kontoauszug"))
        assert f"storniert durch Buchung {reversal_id}" in statement
        assert f"Storno von Buchung {paid}: Doppelt erfasst" in statement
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "entry.reverse"))
        assert event.object_id == str(paid) and json.loads(event.after)["reversal"] == reversal_id


@freeze_time(NOW)
def test_an_entry_is_reversed_once_and_a_reversal_never(app, browser, ring, paid):
    browser.login("buero")
    first = browser.post(f"/buero/buchungen/{paid}/storno", {"reason": "Irrtum"})
    reversal_id = int(first.headers["Location"].rsplit("/", 1)[1])
    before = counts(app)
    again = browser.post(f"/buero/buchungen/{paid}/storno", {"reason": "nochmal"})
    assert f"wurde schon storniert (Storno Nr. {reversal_id})" in text_of(
        browser.get(again.headers["Location"])
    )
    back = browser.post(f"/buero/buchungen/{reversal_id}/storno", {"reason": "zurück"})
    assert "Ein Storno kann nicht storniert werden." in text_of(browser.get(back.headers["Location"]))
    missing = browser.post(f"/buero/buchungen/{paid}/storno", {"reason": ""})
    assert "Bitte geben Sie einen Grund" in text_of(browser.get(missing.headers["Location"]))
    assert counts(app) == before
    assert browser.post("/buero/buchungen/9999/storno", {"reason": "x"}).status_code == 404


@freeze_time(NOW)
def test_a_storno_past_a_limit_needs_the_override_box(app, browser, ring, paid):
    with app.app_context():  # Bernd spends what he got, down to his floor
        ledger.book_transfer(
            db.session,
            ring_id=ring.id,
            payer=ring.bernd.account,
            payee=ring.clara.account,
            minutes=30 * 60 + 120,
            memo="viel",
            service_date=dt.date(2026, 11, 11),
            now=dt.datetime(2026, 11, 11, 12, tzinfo=dt.UTC),
        )
        db.session.commit()
    browser.login("buero")
    refused = browser.post(f"/buero/buchungen/{paid}/storno", {"reason": "Irrtum"})
    assert "Untergrenze von" in text_of(browser.get(refused.headers["Location"]))
    browser.post(f"/buero/buchungen/{paid}/storno", {"reason": "Irrtum", "override": "y"})
    assert balance(app, ring.bernd.account) == -32 * 60
    with app.app_context():
        assert ledger.verify(db.session, ring.id).ok


@freeze_time(NOW)
def test_the_audit_log_lists_and_filters_what_the_office_did(app, browser, ring, paid):
    browser.login("buero")
    browser.post("/buero/mitglieder/2/sperren", {})
    browser.post(f"/buero/buchungen/{paid}/storno", {"reason": "Irrtum"})
    page = text_of(browser.get("/buero/protokoll"))
    assert "Mitglied 2 gesperrt" in page and f"Buchung {paid} storniert: Irrtum" in page
    assert "Status: aktiv" in page and "Status: gesperrt" in page
    only = text_of(browser.get("/buero/protokoll?aktion=member.suspend"))
    assert "Mitglied 2 gesperrt" in only and "storniert" not in only
    assert "Mitglied 2 gesperrt" not in text_of(browser.get("/buero/protokoll?von=2026-11-21"))
    assert browser.get("/buero/protokoll?von=gestern").status_code == 400


@freeze_time(NOW)
def test_the_office_home_shows_the_last_verify_and_checks_now_on_request(
    app, browser, ring, paid, monkeypatch
):
    browser.login("buero")
    assert "noch nicht geprüft" in text_of(browser.get("/buero/"))
    assert browser.post("/buero/pruefen", {}).status_code == 302
    page = text_of(browser.get("/buero/"))
    assert "Die Bücher stimmen." in page and "Geprüft am" in page
    with app.app_context():
        db.session.execute(
            text("UPDATE account SET balance = balance + 1 WHERE id = :a"), {"a": ring.anna.account}
        )
        db.session.commit()

    def no_scan(*args, **kwargs):
        raise AssertionError("a page view must not scan the book")

    monkeypatch.setattr(ledger, "verify", no_scan)
    assert "Die Bücher stimmen." in text_of(browser.get("/buero/"))  # the last result, no scan
    monkeypatch.undo()
    assert browser.post("/buero/pruefen", {}).status_code == 302
    page = text_of(browser.get("/buero/"))
    assert "1 Verstoß gefunden!" in page or "Verstöße gefunden!" in page
    assert "Jeder Kontostand ist gleich der Summe seiner Buchungszeilen" in page


@freeze_time(NOW)
def test_members_near_a_soft_limit_are_listed(app, browser, ring, paid):
    with app.app_context():
        settings = db.session.get(RingSettings, ring.id)
        settings.warn_min_balance, settings.warn_max_balance = -60, 90
        db.session.commit()
    browser.login("buero")
    page = text_of(browser.get("/buero/grenzen"))
    assert "Anna Becker -2:00 Std." in page and "Bernd Schulz 2:00 Std." in page
    assert "Clara" not in page.split("Nahe an der Grenze", 2)[2]


@freeze_time(NOW)
def test_reports_download_as_files(app, browser, ring, paid):
    browser.login("buero")
    for path, name in (
        ("/buero/berichte/salden.csv", "salden-2026-11-20.csv"),
        ("/buero/berichte/mitglieder.csv", "mitglieder-2026-11-20.csv"),
        (
            "/buero/berichte/buchungen.csv?von=2026-11-01&bis=2026-11-20",
            "buchungen-2026-11-01-2026-11-20.csv",
        ),
        ("/buero/berichte/journal.hledger", "tauschring-2026-11-20.journal"),
    ):
        response = browser.get(path)
        assert response.status_code == 200 and name in response.headers["Content-Disposition"], path
    assert "Umzugshilfe" in browser.get(
        "/buero/berichte/buchungen.csv?von=2026-11-01&bis=2026-11-20"
    ).get_data(as_text=True)
    assert browser.get("/buero/berichte/buchungen.csv?von=2026-11-20&bis=2026-11-01").status_code == 400
    # The calendar's edges: the whole book, no overflow.
    whole = browser.get("/buero/berichte/buchungen.csv?von=0001-01-01&bis=9999-12-31")
    assert whole.status_code == 200 and "Umzugshilfe" in whole.get_data(as_text=True)


@freeze_time(NOW)
def test_an_admin_changes_the_rings_settings_and_it_is_audited(app, browser, ring):
    browser.login("admin")
    form = {
        "name": "Tauschring Plagwitz",
        "unit_singular": "Talent",
        "unit_plural": "Talente",
        "unit_symbol": "T",
        "units_per_hour": "20",
        "step_minutes": "3",
        "min_balance": "-20:00",
        "max_balance": "40:00",
        "warn_min_balance": "-15:00",
        "warn_max_balance": "",
        "office_phone": "0341 1",
        "listing_months": "6",
        "submission_days": "30",
        "fee_minutes": "15",
        "fee_policy": "override",
        "auto_accept_days": "",
    }
    assert browser.post("/buero/einstellungen", form).status_code == 302
    with app.app_context():
        ring_row = db.session.get(ledger.Ring, ring.id)
        settings = db.session.get(RingSettings, ring.id)
        assert (ring_row.name, ring_row.default_min_balance, ring_row.default_max_balance) == (
            "Tauschring Plagwitz",
            -1200,
            2400,
        )
        assert (
            settings.units_per_hour,
            settings.auto_accept_days,
            settings.warn_min_balance,
            settings.warn_max_balance,
            settings.fee_policy,
        ) == (20, None, -900, None, "override")
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "settings.change"))
        assert json.loads(event.before)["name"] == "Testring Lindenau"
    assert "Kontostand 0 Talente" in text_of(browser.get("/buero/mitglieder/1"))  # shown in the new unit
    bad = browser.post("/buero/einstellungen", {**form, "min_balance": "20:00"})
    assert bad.status_code == 400 and "Untergrenze muss null oder negativ" in text_of(bad)


def test_requests_to_paper_members_are_accepted_in_time_without_anyone_signing_in_as_them(app, browser, ring):
    from tauschring.models import PaymentRequest

    with freeze_time("2026-11-01 10:00:00"):
        browser.login("anna")
        browser.post(
            "/anforderungen",
            {
                "payer": "3",
                "amount": "1:00",
                "amount_unit": "hours",
                "service_date": "2026-10-31",
                "memo": "Einkauf",
            },
        )
    with freeze_time("2026-11-16 10:00:00"):
        result = app.test_cli_runner().invoke(args=["requests", "accept-due"])
        assert result.exit_code == 0 and "Tauschring 1: 1 angenommen, 0 nicht buchbar." in result.output
    with app.app_context():
        assert db.session.scalar(select(PaymentRequest.status)) == "auto_accepted"
    assert balance(app, ring.clara.account) == -60


@freeze_time(NOW)
def test_saving_the_settings_unchanged_keeps_the_office_address_on_its_lines(app, browser, ring):
    """The address goes into the envelope window of every edition: three lines stay three lines."""
    with app.app_context():
        db.session.get(
            RingSettings, ring.id
        ).office_address = "Tauschring Lindenau e. V.\nMusterstraße 1\n04177 Leipzig"
        db.session.commit()
    browser.login("admin")
    form = form_as_shown(browser.get("/buero/einstellungen"))
    assert form["office_address"] == "Tauschring Lindenau e. V.\nMusterstraße 1\n04177 Leipzig"
    assert browser.post("/buero/einstellungen", form).status_code == 302
    with app.app_context():
        address = db.session.get(RingSettings, ring.id).office_address
        assert address == "Tauschring Lindenau e. V.\nMusterstraße 1\n04177 Leipzig"
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "settings.change")) is None


@freeze_time(NOW)
def test_the_office_finds_an_entry_by_its_voucher_number_or_its_number(app, browser, ring):
    with app.app_context():
        paid = ledger.book_transfer(
            db.session, ring_id=ring.id, payer=ring.anna.account, payee=ring.bernd.account, minutes=60,
            memo="Hecke", service_date=dt.date(2026, 11, 10), voucher_number="4711",
            now=dt.datetime(2026, 11, 10, 12, tzinfo=dt.UTC),
        ).id  # fmt: skip
        db.session.commit()
    browser.login("buero")
    assert "Buchung suchen" in text_of(browser.get("/buero/buchungen"))
    for typed in ("4711", str(paid)):
        found = browser.get(f"/buero/buchungen?nr={typed}")
        assert found.status_code == 302 and found.headers["Location"].endswith(f"/buero/buchungen/{paid}")
    missing = browser.get("/buero/buchungen?nr=9999")
    assert missing.status_code == 404 and "Keine Buchung mit der Nummer oder Beleg-Nr. „9999“." in text_of(
        missing
    )
    browser.login("anna")
    assert browser.get("/buero/buchungen?nr=4711").status_code == 403


def test_an_admin_keeps_the_rubriken_on_their_page_and_the_market_follows(app, browser, ring):
    from tauschring.models import Category

    def rubriken():
        with app.app_context():
            return [
                (c.id, c.name)
                for c in db.session.scalars(
                    select(Category).where(Category.ring_id == ring.id).order_by(Category.position)
                )
            ]

    browser.login("admin")
    page = browser.get("/buero/rubriken")
    assert page.status_code == 200 and "Garten" in text_of(page)

    assert browser.post("/buero/rubriken", {"action": "add", "name": "Fahrräder"}).status_code == 302
    added = rubriken()[-1][0]
    assert browser.post("/buero/rubriken", {"action": "up", "category_id": added}).status_code == 302
    renamed = browser.post("/buero/rubriken", {"action": "rename", "category_id": added, "name": "Räder"})
    assert renamed.status_code == 302
    garden, household = rubriken()[1][0], rubriken()[0][0]
    retire = {"action": "retire", "category_id": garden, "into_id": household}
    retired = browser.post("/buero/rubriken", retire)
    assert retired.status_code == 302 and "aufgelöst" in text_of(browser.get("/buero/rubriken"))

    shown = [name for _, name in rubriken()]
    assert shown[-2:] == ["Räder", "Sonstiges"] and "Garten" not in shown
    before = counts(app)
    taken = browser.post("/buero/rubriken", {"action": "add", "name": "räder"})
    assert taken.status_code == 400 and "gibt es schon" in text_of(taken)
    assert browser.post("/buero/rubriken", {"action": "up", "category_id": "x"}).status_code == 400
    assert counts(app) == before


def test_the_office_without_admin_rights_does_not_keep_the_rubriken(browser, ring):
    browser.login("buero")
    assert browser.get("/buero/rubriken").status_code == 403
    assert browser.post("/buero/rubriken", {"action": "add", "name": "Neu"}).status_code == 403
