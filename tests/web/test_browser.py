"""End to end in a real browser (Playwright driving Debian's Chromium): sign in, pay, answer a
payment request, create a listing. Each test saves a screenshot under tests/artifacts/ (git-ignored).
"""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.web.conftest import PASSWORD, balance

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture
def live_server(app, ring):
    app.config["SESSION_COOKIE_SECURE"] = False  # plain HTTP on the loopback address
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


def off_the_event_loop(function):
    """Playwright runs an event loop in this thread; Flask-SQLAlchemy-Lite's teardown must not see it."""
    result = []
    thread = threading.Thread(target=lambda: result.append(function()))
    thread.start()
    thread.join()
    return result[0]


def balance_of(app, account_id: int) -> int:
    return off_the_event_loop(lambda: balance(app, account_id))


@pytest.fixture
def page(live_server):
    if not shutil.which(CHROMIUM):
        message = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--lang=de-DE",
            ],
        )
        context = browser.new_context(viewport={"width": 420, "height": 900}, locale="de-DE")
        yield context.new_page()
        context.close()
        browser.close()


def screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/anmelden")
    page.get_by_label("Benutzername").fill(username)
    page.get_by_label("Passwort", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()


def test_a_member_signs_in_on_a_phone(page, live_server):
    sign_in(page, live_server, "anna")
    assert page.get_by_role("heading", name="Guten Tag, Anna").is_visible()
    assert page.get_by_text("Sie können noch 30:00 Std. bezahlen.").is_visible()
    screenshot(page, "browser-signed-in")


def test_a_member_pays_with_preview_and_confirmation(app, page, live_server, ring):
    sign_in(page, live_server, "anna")
    page.get_by_role("link", name="Bezahlen", exact=True).click()
    page.get_by_label("An wen? (Mitgliedsnummer oder Name)").fill("Bernd")
    page.get_by_label("Betrag").fill("1,5")
    page.get_by_label("Wofür? (Buchungstext)").fill("Fahrrad repariert")
    page.get_by_role("button", name="Weiter zur Prüfung").click()
    assert page.get_by_role("heading", name="Bitte prüfen und bestätigen").is_visible()
    screenshot(page, "browser-pay-preview")
    page.get_by_role("button", name="Jetzt bezahlen").click()
    assert page.get_by_text("Gebucht: 1:30 Std.").is_visible()
    screenshot(page, "browser-paid")
    assert balance_of(app, ring.anna.account) == -90 and balance_of(app, ring.bernd.account) == 90


def test_a_member_answers_a_payment_request(app, page, live_server, ring):
    sign_in(page, live_server, "bernd")
    page.get_by_role("link", name="Anforderungen").click()
    page.get_by_label("Von wem? (Mitgliedsnummer oder Name)").fill("1")
    page.get_by_label("Betrag").fill("2:00")
    page.get_by_label("Wofür? (Buchungstext)").fill("Umzugshilfe")
    page.get_by_role("button", name="Bezahlung anfordern").click()
    assert page.get_by_text("Die Zahlungsanforderung an Anna Becker ist gestellt.").is_visible()
    page.get_by_role("button", name="Abmelden").click()

    sign_in(page, live_server, "anna")
    assert page.get_by_text("bittet um 2:00 Std. für „Umzugshilfe“").is_visible()
    screenshot(page, "browser-request-to-answer")
    page.get_by_role("button", name="Annehmen und bezahlen").click()
    assert page.get_by_text("Angenommen und gebucht.").is_visible()
    screenshot(page, "browser-request-accepted")
    assert balance_of(app, ring.anna.account) == -120


def test_a_member_creates_a_listing(page, live_server, ring):
    sign_in(page, live_server, "anna")
    page.get_by_role("link", name="Meine Inserate").click()
    page.get_by_role("link", name="Neues Inserat aufgeben").click()
    page.get_by_label("Angebot – ich biete").check()
    page.get_by_label("Rubrik").select_option(label="Garten")
    page.get_by_label("Überschrift").fill("Hecke schneiden")
    page.get_by_label("Beschreibung").fill("Mit eigener Heckenschere, auch hohe Hecken.")
    page.get_by_role("button", name="Speichern").click()
    assert page.get_by_text("Ihr Inserat A-0001 ist erschienen.").is_visible()
    screenshot(page, "browser-listing-created")
    page.get_by_role("navigation").get_by_role("link", name="Marktplatz").click()
    page.get_by_label("Suchen").fill("hecke")
    page.get_by_role("button", name="Suchen").click()
    assert page.get_by_role("link", name="Hecke schneiden").is_visible()
