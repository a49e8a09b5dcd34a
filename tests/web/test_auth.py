"""Signing in and out, passwords, sessions and cookies, CSRF, the sign-in rate limit."""

from __future__ import annotations

from tests.web.conftest import PASSWORD, Browser, text_of, token_in


def test_a_member_signs_in_and_sees_the_overview(browser, ring):
    browser.login("anna")
    page = browser.get("/")
    assert page.status_code == 200
    assert "Guten Tag, Anna" in text_of(page)
    assert "Testring Lindenau" in text_of(page)


def test_anonymous_visitors_are_sent_to_sign_in(browser, ring):
    for path in ("/", "/bezahlen", "/kontoauszug", "/markt", "/profil", "/meine-inserate"):
        response = browser.get(path)
        assert response.status_code == 302 and "/anmelden" in response.headers["Location"], path


def test_a_wrong_password_is_refused_with_a_plain_message(browser, ring):
    page = browser.get("/anmelden")
    response = browser.client.post(
        "/anmelden", data={"username": "anna", "password": "falsch-falsch", "csrf_token": token_in(page)}
    )
    assert response.status_code == 401
    assert "Benutzername oder Passwort stimmt nicht." in text_of(response)
    assert browser.get("/").status_code == 302


def test_an_unknown_user_gets_the_same_answer_as_a_wrong_password(browser, ring):
    page = browser.get("/anmelden")
    response = browser.client.post(
        "/anmelden", data={"username": "niemand", "password": PASSWORD, "csrf_token": token_in(page)}
    )
    assert response.status_code == 401
    assert "Benutzername oder Passwort stimmt nicht." in text_of(response)


def test_sign_in_without_a_csrf_token_is_refused(browser, ring):
    response = browser.client.post("/anmelden", data={"username": "anna", "password": PASSWORD})
    assert response.status_code == 400
    assert "Formular abgelaufen" in text_of(response)


def test_sign_in_is_rate_limited(browser, ring):
    token = token_in(browser.get("/anmelden"))
    statuses = [
        browser.client.post(
            "/anmelden", data={"username": "anna", "password": "x" * 10, "csrf_token": token}
        ).status_code
        for _ in range(11)
    ]
    assert statuses[:10] == [401] * 10
    assert statuses[10] == 429
    assert "Zu viele Anmeldeversuche" in text_of(
        browser.client.post("/anmelden", data={"username": "anna", "password": PASSWORD, "csrf_token": token})
    )


def test_the_session_cookie_is_http_only_same_site_and_secure(browser, ring):
    browser.login("anna")
    cookie = browser.client.get_cookie("session")
    assert cookie.http_only and cookie.same_site == "Lax" and cookie.secure


def test_signing_out_ends_the_session(browser, ring):
    browser.login("anna")
    response = browser.post("/abmelden")
    assert response.status_code == 302
    assert browser.get("/").status_code == 302


def test_after_sign_in_only_local_next_addresses_are_followed(browser, ring):
    token = token_in(browser.get("/anmelden"))
    response = browser.client.post(
        "/anmelden?next=https://evil.example/x",
        data={"username": "anna", "password": PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"] == "/"


def test_a_password_change_needs_the_old_password_and_ends_other_sessions(app, browser, other_browser, ring):
    browser.login("anna")
    other_browser.login("anna")

    wrong = browser.post(
        "/passwort", {"current": "falsch", "new": "ein-neues-passwort", "repeat": "ein-neues-passwort"}
    )
    assert wrong.status_code == 400 and "Das bisherige Passwort stimmt nicht." in text_of(wrong)
    short = browser.post("/passwort", {"current": PASSWORD, "new": "kurz", "repeat": "kurz"})
    assert short.status_code == 400 and "mindestens 8 Zeichen" in text_of(short)
    mismatch = browser.post(
        "/passwort", {"current": PASSWORD, "new": "ein-neues-passwort", "repeat": "anders-anders"}
    )
    assert mismatch.status_code == 400 and "stimmen nicht überein" in text_of(mismatch)

    done = browser.post(
        "/passwort", {"current": PASSWORD, "new": "ein-neues-passwort", "repeat": "ein-neues-passwort"}
    )
    assert done.status_code == 302
    assert browser.get("/").status_code == 200  # this session goes on
    assert other_browser.get("/").status_code == 302  # the other one ended
    fresh = Browser(app.test_client())
    fresh.login("anna", "ein-neues-passwort")


def test_passwords_are_stored_with_a_current_hash(app, ring):
    from tauschring.db import db
    from tauschring.models import User

    with app.app_context():
        stored = db.session.get(User, ring.users["anna"]).password_hash
    assert stored.startswith("scrypt:") and PASSWORD not in stored


def test_the_language_switch_shows_english_and_remembers_it(browser, ring):
    browser.login("anna")
    browser.post("/sprache/en")
    page = text_of(browser.get("/"))
    assert "Your balance" in page and "Ihr Kontostand" not in page
    browser.post("/abmelden")
    browser.client.cookie_jar if hasattr(browser.client, "cookie_jar") else None
    again = Browser(browser.client).login("anna")
    assert "Your balance" in text_of(again.get("/"))
