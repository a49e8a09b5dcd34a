"""The statement: a period filter, opening and closing balance, partners, the CSV download."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from freezegun import freeze_time

import ledger
from tauschring.clock import RING_ZONE
from tauschring.db import db
from tests.web.conftest import text_of


@pytest.fixture
def history(app, ring):
    """Anna's book: October +1:00 from Bernd, November -0:30 to Dora and +0:45 from Clara (voucher)."""

    def book(payer, payee, minutes, memo, when):
        now = dt.datetime.fromisoformat(when).replace(tzinfo=RING_ZONE)
        ledger.book_transfer(
            db.session,
            ring_id=ring.id,
            payer=payer.account,
            payee=payee.account,
            minutes=minutes,
            memo=memo,
            service_date=now.date(),
            now=now,
        )

    with app.app_context():
        book(ring.bernd, ring.anna, 60, "Oktoberhilfe", "2026-10-15 12:00")
        book(ring.anna, ring.dora, 30, '=HYPERLINK("evil")', "2026-11-03 12:00")
        book(ring.clara, ring.anna, 45, "Kuchen gebacken", "2026-11-10 12:00")
        db.session.commit()


@freeze_time("2026-11-20 10:00:00")
def test_the_statement_of_this_month_is_shown_by_default(browser, ring, history):
    browser.login("anna")
    page = text_of(browser.get("/kontoauszug"))
    assert "Zeitraum 01.11.2026 bis 20.11.2026" in page
    assert "Anfangssaldo am 01.11.2026 1:00 Std." in page and "Endsaldo am 20.11.2026 1:15 Std." in page
    assert "Kuchen gebacken Clara W. (3) +0:45 Std. 1:15 Std." in page
    assert "Oktoberhilfe" not in page
    assert "Eingänge 0:45 Std. Ausgänge 0:30 Std." in page


@freeze_time("2026-11-20 10:00:00")
def test_a_period_can_be_chosen(browser, ring, history):
    browser.login("anna")
    page = text_of(browser.get("/kontoauszug?von=2026-10-01&bis=2026-10-31"))
    assert "Anfangssaldo am 01.10.2026 0:00 Std." in page and "Oktoberhilfe Bernd S. (2) +1:00 Std." in page
    assert "Endsaldo am 31.10.2026 1:00 Std." in page


@freeze_time("2026-11-20 10:00:00")
@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("von=2026-13-01", "ist kein gültiges Datum"),
        ("von=2026-11-10&bis=2026-11-01", "Das Ende des Zeitraums liegt vor dem Anfang."),
    ],
)
def test_a_bad_period_is_explained_and_the_default_shown(browser, ring, history, query, message):
    browser.login("anna")
    response = browser.get(f"/kontoauszug?{query}")
    assert response.status_code == 400
    assert message in text_of(response)
    assert browser.get(f"/kontoauszug.csv?{query}").status_code == 400


@freeze_time("2026-11-20 10:00:00")
def test_the_csv_download_has_every_line_and_cannot_smuggle_formulas(browser, ring, history):
    browser.login("anna")
    response = browser.get("/kontoauszug.csv?von=2026-10-01&bis=2026-11-20")
    assert response.mimetype == "text/csv"
    assert 'filename="kontoauszug-1-2026-10-01-2026-11-20.csv"' in response.headers["Content-Disposition"]
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:4] == ["Buchung", "Buchungsdatum", "Leistungsdatum", "Text"]
    assert rows[1][3:] == ["Anfangssaldo", "", "0", "0:00", "0:00"]
    assert [r[3] for r in rows[2:5]] == ["Oktoberhilfe", '\'=HYPERLINK("evil")', "Kuchen gebacken"]
    assert [r[5] for r in rows[2:5]] == ["60", "-30", "45"]
    assert rows[5][3:] == ["Endsaldo", "", "75", "1:15", "1:15"]
    assert [r[6] for r in rows[2:5]] == ["1:00", "-0:30", "0:45"]


@freeze_time("2026-11-20 10:00:00")
def test_the_statement_is_in_english_when_chosen(browser, ring, history):
    browser.login("anna").english()
    page = text_of(browser.get("/kontoauszug"))
    assert "Opening balance" in page and "Closing balance" in page
    assert "1:15 h" in page and "Nov 1, 2026" in page


@freeze_time("2026-11-20 10:00:00")
def test_a_period_from_before_the_books_began_shows_everything(browser, ring, history):
    browser.login("anna")
    whole = text_of(browser.get("/kontoauszug?von=1900-01-01"))
    assert (
        "Anfangssaldo am 01.01.1900 0:00 Std." in whole
        and "Oktoberhilfe" in whole
        and "Kuchen gebacken" in whole
    )


@freeze_time("2026-12-01 10:00:00")
def test_on_the_first_of_a_month_the_statement_still_shows_a_month(browser, ring, history):
    browser.login("anna")
    page = text_of(browser.get("/kontoauszug"))
    assert "Zeitraum 01.11.2026 bis 01.12.2026" in page and "Kuchen gebacken" in page
