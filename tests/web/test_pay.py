"""Paying through the web: preview, confirm, limits in plain German, bad input, helpers."""

from __future__ import annotations

import datetime as dt

import pytest
from freezegun import freeze_time
from sqlalchemy import select

import ledger
from tauschring.db import db
from tests.web.conftest import balance, counts, text_of

TODAY = "2026-11-20"


def pay_form(browser, payee, amount="1:30", memo="Rasen gemäht", service_date=TODAY, **extra):
    data = {
        "payee": payee,
        "amount": amount,
        "amount_unit": "hours",
        "service_date": service_date,
        "memo": memo,
    }
    data.update(extra)
    return browser.post("/bezahlen", data)


@freeze_time("2026-11-20 10:00:00")
def test_paying_shows_a_preview_then_books_on_confirmation(app, browser, ring):
    browser.login("anna")

    preview = pay_form(browser, str(ring.bernd.number))
    assert preview.status_code == 200
    shown = text_of(preview)
    assert "Bitte prüfen und bestätigen" in shown
    # Bernd chose to be shown to other members with his first name and initial.
    assert "Bernd S. (2)" in shown and "1:30 Std." in shown and "-1:30 Std." in shown
    assert balance(app, ring.anna.account) == 0  # nothing booked yet

    key = preview.get_data(as_text=True).split('name="idempotency_key" value="')[1].split('"')[0]
    confirm = pay_form(
        browser, str(ring.bernd.number), payee_id=str(ring.bernd.id), idempotency_key=key, action="confirm"
    )
    assert confirm.status_code == 302 and "/buchungen/" in confirm.headers["Location"]
    assert balance(app, ring.anna.account) == -90 and balance(app, ring.bernd.account) == 90
    page = text_of(browser.get(confirm.headers["Location"]))
    assert "Gebucht: 1:30 Std. an Bernd S.." in page or "Gebucht: 1:30 Std. an Bernd" in page


@freeze_time("2026-11-20 10:00:00")
def test_a_confirmation_sent_twice_books_once(app, browser, ring):
    browser.login("anna")
    preview = pay_form(browser, "2")
    key = preview.get_data(as_text=True).split('name="idempotency_key" value="')[1].split('"')[0]
    for _ in range(2):
        pay_form(browser, "2", payee_id=str(ring.bernd.id), idempotency_key=key, action="confirm")
    assert balance(app, ring.anna.account) == -90


@freeze_time("2026-11-20 10:00:00")
def test_the_entry_records_the_service_date_text_and_channel(app, browser, ring):
    browser.login("anna")
    pay_form(
        browser,
        "2",
        amount="2,5",
        memo="Fenster geputzt",
        service_date="2026-11-18",
        payee_id=str(ring.bernd.id),
        action="confirm",
    )
    with app.app_context():
        entry_id = db.session.scalar(select(ledger.JournalEntry.id))
        entry = ledger.entry(db.session, ring_id=ring.id, entry_id=entry_id)
    assert (entry.memo, entry.service_date, entry.channel) == (
        "Fenster geputzt",
        dt.date(2026, 11, 18),
        "web",
    )
    assert entry.operator_id == ring.users["anna"] and entry.on_behalf_of_id is None
    assert [p.amount for p in entry.postings] == [-150, 150]


@freeze_time("2026-11-20 10:00:00")
def test_a_payment_past_the_lower_limit_is_refused_in_plain_german_with_the_numbers(app, browser, ring):
    browser.login("anna")
    pay_form(browser, "2", amount="29:00", payee_id=str(ring.bernd.id), action="confirm")
    before = counts(app)

    refused = pay_form(browser, "2", amount="2:00", payee_id=str(ring.bernd.id), action="confirm")

    assert refused.status_code == 409
    message = text_of(refused)
    assert "Das würde Ihre Untergrenze unterschreiten" in message
    assert "-29:00 Std., die Untergrenze -30:00 Std.;" in message  # no "Std.." where a sentence ended
    assert "noch höchstens 1:00 Std. bezahlen, 2:00 Std. sind zu viel." in message
    assert counts(app) == before


@freeze_time("2026-11-20 10:00:00")
@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"amount": ""}, "Bitte geben Sie einen Betrag ein."),
        ({"amount": "0"}, "größer als null"),
        ({"amount": "-1"}, "größer als null"),
        ({"amount": "eins"}, "ist kein Betrag"),
        ({"amount": "0:20"}, "in Schritten von 0:15 Std."),
        ({"amount": "1,33"}, "ganze Minuten"),
        ({"amount": "99999999"}, "ist kein Betrag"),
        ({"amount": "99999:00"}, "unrealistisch groß"),
        ({"payee": "999"}, "Kein Mitglied mit dieser Nummer"),
        ({"payee": "1"}, "nicht selbst bezahlen"),
        ({"payee": ""}, "Bitte geben Sie an, wen Sie bezahlen."),
        ({"memo": ""}, "Bitte beschreiben Sie die Leistung."),
        ({"memo": "x" * 201}, "Feld kann nicht länger als 200 Zeichen sein."),
        ({"service_date": "2026-11-21"}, "nicht in der Zukunft"),
        ({"service_date": "gestern"}, "Bitte geben Sie ein Datum an."),
    ],
)
def test_bad_payment_input_is_refused_with_a_message_and_books_nothing(app, browser, ring, changes, message):
    browser.login("anna")
    before = counts(app)
    data = {"payee": "2", "amount": "1:00", "memo": "Hilfe", "service_date": TODAY, "action": "confirm"}
    data.update(changes)

    response = pay_form(browser, **{k: v for k, v in data.items() if k != "payee"}, payee=data["payee"])

    assert response.status_code == 400
    assert message in text_of(response)
    assert counts(app) == before


@freeze_time("2026-11-20 10:00:00")
def test_a_payment_to_a_member_of_another_ring_is_impossible(app, browser, ring):
    browser.login("anna")
    before = counts(app)
    response = pay_form(browser, "1", payee_id=str(ring.xaver.id), action="confirm")
    # Xaver's id is ignored (other ring); "1" is Anna herself in her ring.
    assert response.status_code == 400
    assert counts(app) == before


@freeze_time("2026-11-20 10:00:00")
def test_a_name_that_matches_several_members_asks_which_one(app, browser, ring):
    browser.login("bernd")
    response = pay_form(browser, "a")  # Anna Becker, Clara Wagner, Dora Neumann
    assert response.status_code == 400
    page = text_of(response)
    assert "Mehrere Mitglieder passen" in page and "Welches Mitglied meinen Sie?" in page
    assert "Clara W. (3)" in page  # as Clara chose to be shown


@freeze_time("2026-11-20 10:00:00")
def test_a_unique_name_finds_the_payee(app, browser, ring):
    browser.login("anna")
    assert "Bernd S. (2)" in text_of(pay_form(browser, "bernd"))  # by the first name he shows


@freeze_time("2026-11-20 10:00:00")
def test_a_helper_pays_for_a_paper_member_and_the_entry_records_both(app, browser, ring):
    browser.login("hilde")
    browser.post("/handeln-fuer", {"member_id": str(ring.clara.id)})
    assert "Sie handeln für Clara Wagner (Nr. 3)." in text_of(browser.get("/"))

    pay_form(browser, "2", amount="1", payee_id=str(ring.bernd.id), action="confirm")

    assert balance(app, ring.clara.account) == -60
    with app.app_context():
        entry = ledger.entry(
            db.session, ring_id=ring.id, entry_id=db.session.scalar(select(ledger.JournalEntry.id))
        )
    assert entry.operator_id == ring.users["hilde"]
    assert entry.on_behalf_of_id == ring.clara.account


def test_a_helper_cannot_act_for_a_member_they_do_not_help(app, browser, ring):
    browser.login("hilde")
    assert browser.post("/handeln-fuer", {"member_id": str(ring.anna.id)}).status_code == 403
    assert browser.get("/").status_code == 302  # still nobody chosen: back to the chooser


def test_the_amount_is_understood_in_every_usual_spelling():
    from tauschring.units import Unit, parse_amount

    hours = Unit()
    assert [parse_amount(t, hours) for t in ("1:30", "1,5", "1.5", "90 min", "1,5 Std.", "2 h", "0:45")] == [
        90,
        90,
        90,
        90,
        90,
        120,
        45,
    ]
    talente = Unit(singular="Talent", plural="Talente", symbol="T", units_per_hour=20, step_minutes=3)
    assert parse_amount("30", talente, in_units=True) == 90
    assert parse_amount("1:30", talente, in_units=True) == 90


@freeze_time("2026-11-20 10:00:00")
@pytest.mark.parametrize("payee", ["²", "٣", "1" * 40])
def test_digits_that_are_not_plain_numbers_are_refused_not_a_crash(app, browser, ring, payee):
    browser.login("anna")
    before = counts(app)
    response = pay_form(browser, payee, payee_id="²", action="confirm")
    assert response.status_code == 400
    assert counts(app) == before


@freeze_time("2026-11-20 10:00:00")
def test_pages_answer_while_a_booking_holds_the_write_lock(app, browser, ring):
    """Reading pages take a shared SQLite transaction: they do not wait for writers."""
    import sqlite3
    import time

    browser.login("anna")
    path = app.config["SQLALCHEMY_ENGINES"]["default"]["url"].removeprefix("sqlite:///")
    writer = sqlite3.connect(path, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        started = time.monotonic()
        for page in ("/kontoauszug", "/markt", "/profil"):
            assert browser.get(page).status_code == 200, page
        assert time.monotonic() - started < 5
    finally:
        writer.execute("ROLLBACK")
        writer.close()


@freeze_time("2026-11-20 10:00:00")
def test_the_preview_already_refuses_a_payment_beyond_the_limit(app, browser, ring):
    """Not only after "Jetzt bezahlen": the preview says it and offers no confirmation."""
    browser.login("anna")
    before = counts(app)
    refused = pay_form(browser, "2", amount="31:00")
    assert refused.status_code == 409
    page = text_of(refused)
    assert "Das würde Ihre Untergrenze unterschreiten" in page and "Jetzt bezahlen" not in page
    assert counts(app) == before


@freeze_time("2026-11-20 10:00:00")
def test_a_helper_sees_whose_balance_the_preview_shows_and_a_negative_one_marked(app, browser, ring):
    browser.login("hilde")
    browser.post("/handeln-fuer", {"member_id": str(ring.clara.id)})
    preview = pay_form(browser, "2", amount="2:00")
    page = text_of(preview)
    assert "Kontostand von Clara Wagner danach -2:00 Std." in page and "Ihr Kontostand" not in page
    assert '<dd class="minus"><strong>-2:00 Std.</strong></dd>' in preview.get_data(as_text=True)
    refused = text_of(pay_form(browser, "2", amount="31:00"))
    assert "Das würde die Untergrenze von Clara Wagner (3) unterschreiten" in refused
