"""Only office staff reach the office desk; settings only for admins."""

from __future__ import annotations

import pytest

from tests.web.conftest import counts


def office_urls(app):
    params = {
        "batch_id": 1,
        "line_id": 1,
        "number": 1,
        "entry_id": 1,
        "edition_id": 1,
        "item_id": 1,
        "user_id": 1,
        "name": "marktzeitung.pdf",
        "import_id": 1,
        "kind": "mitglieder",
        "ext": "csv",
        "closing_id": 1,
        "key": "stunden",
        "year": 2026,
    }
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("office."):
            url = rule.build({name: params[name] for name in rule.arguments})[1]
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield method, url


def test_there_are_office_routes_to_guard(app):
    assert len(list(office_urls(app))) >= 30


@pytest.mark.parametrize("username", ["anna", "hilde"])
def test_a_login_without_the_office_role_gets_403_on_every_office_route(app, browser, ring, username):
    browser.login(username)
    before = counts(app)
    for method, url in office_urls(app):
        response = browser.get(url) if method == "GET" else browser.post(url, {"number": "1", "reason": "x"})
        assert response.status_code == 403, (method, url, response.status_code)
    assert counts(app) == before


def test_anonymous_visitors_are_sent_to_sign_in_from_every_office_route(app, browser, ring):
    for method, url in office_urls(app):
        response = browser.get(url) if method == "GET" else browser.post(url)
        assert response.status_code == 302 and "/anmelden" in response.headers["Location"], (method, url)


def test_office_staff_reach_every_office_page(app, browser, ring):
    browser.login("buero")
    for path in (
        "/buero/",
        "/buero/stapel",
        "/buero/mitglieder",
        "/buero/mitglieder/1",
        "/buero/mitglieder/neu",
        "/buero/gebuehren",
        "/buero/grenzen",
        "/buero/berichte",
        "/buero/protokoll",
        "/buero/mitglieder/1/kontoauszug",
    ):
        assert browser.get(path).status_code == 200, path


def test_settings_are_for_admins_only(app, browser, other_browser, ring):
    browser.login("buero")
    assert browser.get("/buero/einstellungen").status_code == 403
    other_browser.login("admin")
    assert other_browser.get("/buero/einstellungen").status_code == 200


def test_office_staff_see_only_their_own_ring(app, browser, ring):
    browser.login("buero")
    assert browser.get(f"/buero/mitglieder/{ring.xaver.number}").status_code == 200  # number 1 is Anna here
    assert "Xaver" not in browser.get(f"/buero/mitglieder/{ring.xaver.number}").get_data(as_text=True)
    assert browser.get("/buero/mitglieder/999").status_code == 404
