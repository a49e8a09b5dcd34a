"""Every page of the member area, in German and in English, and a form of each kind in both."""

from __future__ import annotations

import datetime as dt

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from tauschring.db import db
from tauschring.listings import create_listing
from tauschring.models import Category, Member
from tauschring.permissions import Actor
from tests.web.conftest import text_of

NOW = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC)

# path -> (German heading, English heading)
PAGES = {
    "/": ("Ihr Kontostand", "Your balance"),
    "/bezahlen": ("Jemanden bezahlen", "Pay someone"),
    "/anforderungen": ("Zahlungsanforderungen", "Payment requests"),
    "/kontoauszug": ("Kontoauszug", "Statement"),
    "/markt": ("Rubriken", "Categories"),
    "/markt?q=rasen": ("Inserat gefunden", "listing found"),
    "/markt/A-0001": ("Kontakt", "Contact"),
    "/meine-inserate": ("Meine Inserate", "My listings"),
    "/meine-inserate/neu": ("Neues Inserat", "New listing"),
    "/meine-inserate/1/bearbeiten": ("Inserat A-0001 bearbeiten", "Edit listing A-0001"),
    "/profil": ("Was andere sehen dürfen", "What others may see"),
    "/passwort": ("Passwort ändern", "Change password"),
}


@pytest.fixture
def annas_listing(app, ring):
    with app.app_context():
        s = db.session
        create_listing(
            s,
            Actor.system(ring.id),
            member=s.get(Member, ring.anna.id),
            kind="offer",
            category_id=s.scalar(select(Category.id).where(Category.name == "Garten")),
            title="Rasen mähen",
            text="Gern.",
            now=NOW,
        )
        s.commit()


@freeze_time(NOW)
@pytest.mark.parametrize("lang", ["de", "en"])
@pytest.mark.parametrize("path", list(PAGES))
def test_every_page_answers_in_the_chosen_language(browser, ring, annas_listing, lang, path):
    browser.login("anna")
    if lang == "en":
        browser.english()
    response = browser.get(path)
    assert response.status_code == 200
    german, english = PAGES[path]
    page = text_of(response)
    assert (english if lang == "en" else german) in page
    if lang == "en":
        assert german not in page
    assert f'<html lang="{lang}">' in response.get_data(as_text=True)


@pytest.mark.parametrize(("lang", "heading"), [("de", "Anmelden"), ("en", "Sign in")])
def test_the_sign_in_page_in_both_languages(browser, ring, lang, heading):
    if lang == "en":
        browser.english()
    assert heading in text_of(browser.get("/anmelden"))


@pytest.mark.parametrize(
    ("lang", "heading"), [("de", "Für wen handeln Sie?"), ("en", "Who are you acting for?")]
)
def test_the_helpers_chooser_in_both_languages(browser, ring, lang, heading):
    browser.login("hilde")
    if lang == "en":
        browser.english()
    page = text_of(browser.get("/handeln-fuer"))
    assert heading in page and "Clara Wagner" in page


@freeze_time(NOW)
def test_forms_answer_in_english_too(app, browser, ring):
    browser.login("anna").english()
    preview = text_of(
        browser.post(
            "/bezahlen",
            {
                "payee": "2",
                "amount": "1:30",
                "amount_unit": "hours",
                "service_date": "2026-11-20",
                "memo": "Rasen",
            },
        )
    )
    assert "Please check and confirm" in preview and "1:30 h" in preview
    refused = browser.post(
        "/bezahlen",
        {
            "payee": "2",
            "amount": "31:00",
            "amount_unit": "hours",
            "service_date": "2026-11-20",
            "memo": "Rasen",
            "action": "confirm",
            "payee_id": str(ring.bernd.id),
        },
    )
    assert refused.status_code == 409
    assert "below your lower limit" in text_of(refused) and "-30:00 h" in text_of(refused)
    bad = browser.post(
        "/bezahlen",
        {"payee": "2", "amount": "zwei", "amount_unit": "hours", "service_date": "2026-11-20", "memo": ""},
    )
    assert bad.status_code == 400
    assert "Please describe the service." in text_of(bad)
    listing = browser.post(
        "/meine-inserate/neu", {"kind": "offer", "title": "x" * 121, "text": "y", "category": "1"}
    )
    assert "Field cannot be longer than 120 characters." in text_of(listing)


def test_error_pages_are_html_in_the_chosen_language(browser, ring):
    browser.login("anna")
    assert "Nicht gefunden" in text_of(browser.get("/gibt-es-nicht"))
    browser.english()
    missing = browser.get("/gibt-es-nicht")
    assert missing.status_code == 404 and missing.mimetype == "text/html" and "Not found" in text_of(missing)
