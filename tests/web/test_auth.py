"""Signing in and out, passwords, server-side sessions and cookies, CSRF, counting failed sign-ins."""

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


def _try(client, username="anna", password="x" * 10, address="10.0.0.1", headers=None):
    token = token_in(client.get("/anmelden", environ_base={"REMOTE_ADDR": address}, headers=headers))
    return client.post(
        "/anmelden",
        data={"username": username, "password": password, "csrf_token": token},
        environ_base={"REMOTE_ADDR": address},
        headers=headers,
    )


def _sign_out(client, address="10.0.0.1"):
    here = {"REMOTE_ADDR": address}
    client.post(
        "/abmelden",
        data={"csrf_token": token_in(client.get("/passwort", environ_base=here))},
        environ_base=here,
    )


def test_five_failures_for_one_name_from_one_client_make_it_wait(app, ring):
    client = app.test_client()
    assert [_try(client).status_code for _ in range(5)] == [401] * 5
    refused = _try(client, password=PASSWORD)  # even the right password waits now
    assert refused.status_code == 429
    assert "Zu viele fehlgeschlagene Anmeldungen. Bitte versuchen Sie es in 15 Minuten" in text_of(refused)
    # Another name from the same client, and the same name from another client, still get in.
    assert _try(client, username="bernd", password=PASSWORD).status_code == 302
    assert _try(app.test_client(), password=PASSWORD, address="10.0.0.2").status_code == 302


def test_only_failures_count_and_a_success_forgives_the_ones_before(app, ring):
    client = app.test_client()
    for _ in range(12):  # successful sign-ins never count
        assert _try(client, password=PASSWORD).status_code == 302
        _sign_out(client)
    for _ in range(4):
        _try(client)
    assert _try(client, password=PASSWORD).status_code == 302
    _sign_out(client)
    assert [_try(client).status_code for _ in range(4)] == [401] * 4


def test_guessing_one_name_from_many_clients_is_slowed_too(app, ring):
    statuses = [_try(app.test_client(), address=f"10.1.0.{n}").status_code for n in range(21)]
    assert statuses[:20] == [401] * 20 and statuses[20] == 429


def test_the_count_is_shared_by_every_server_process(app, ring):
    """A second app on the same database (another process) sees the same count."""
    from tauschring import create_app

    other = create_app(
        {"TESTING": True, "SECRET_KEY": "test", "SQLALCHEMY_ENGINES": dict(app.config["SQLALCHEMY_ENGINES"])}
    )
    for n in range(5):
        _try((app if n % 2 else other).test_client())
    assert _try(other.test_client(), password=PASSWORD).status_code == 429
    assert _try(app.test_client(), password=PASSWORD).status_code == 429


def test_every_failure_checks_one_password_hash_so_none_answers_faster(app, ring, monkeypatch):
    """Unknown name, wrong password, deactivated login, throttled: one hash check each."""
    import tauschring.logins as logins_module
    from tauschring.db import db
    from tauschring.models import User

    calls = []
    real = logins_module.check_password_hash
    monkeypatch.setattr(logins_module, "check_password_hash", lambda *a: calls.append(1) or real(*a))
    with app.app_context():
        db.session.get(User, ring.users["dora"]).active = False
        db.session.commit()
    client = app.test_client()
    for username, password in (("niemand", PASSWORD), ("anna", "falsch-falsch"), ("dora", PASSWORD)):
        calls.clear()
        assert _try(client, username, password).status_code == 401
        assert len(calls) == 1, username
    for _ in range(5):
        _try(client, "bernd")
    calls.clear()
    assert _try(client, "bernd").status_code == 429 and len(calls) == 1


def test_the_wait_names_the_office_phone_of_a_one_ring_instance(tmp_path):
    import datetime as dt

    from tauschring import create_app
    from tauschring.db import db, make_engine
    from tauschring.logins import create_login
    from tauschring.models import metadata
    from tauschring.permissions import Actor
    from tauschring.rings import found_ring

    url = f"sqlite:///{tmp_path / 'one.sqlite'}"
    engine = make_engine(url)
    metadata.create_all(engine)
    engine.dispose()
    single = create_app({"TESTING": True, "SECRET_KEY": "test", "SQLALCHEMY_ENGINES": {"default": url}})
    with single.app_context():
        now = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
        ring_id = found_ring(db.session, name="Einzelring", now=now, office_phone="0341 555 0000")
        create_login(db.session, Actor.system(ring_id), username="ida", password=PASSWORD, now=now)
        db.session.commit()
    client = single.test_client()
    assert "Telefon: 0341 555 0000" in text_of(client.get("/anmelden"))
    for _ in range(5):
        _try(client, "ida")
    assert "oder rufen Sie das Büro an: 0341 555 0000." in text_of(_try(client, "ida"))
    with single.app_context():
        for engine in db.engines.values():
            engine.dispose()


def test_the_session_cookie_is_secure_exactly_over_https(app, ring):
    client = app.test_client()
    token = token_in(client.get("/anmelden", base_url="https://localhost"))
    client.post(
        "/anmelden",
        base_url="https://localhost",
        data={"username": "anna", "password": PASSWORD, "csrf_token": token},
    )
    cookie = client.get_cookie("session")
    assert cookie.http_only and cookie.same_site == "Lax" and cookie.secure
    plain = Browser(app.test_client()).login("anna")
    assert not plain.client.get_cookie("session").secure  # plain HTTP on this machine must come back


def test_behind_a_trusted_proxy_the_forwarded_scheme_and_address_count(app, ring):
    from tauschring import create_app

    proxied = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "TRUSTED_PROXIES": 1,
            "SQLALCHEMY_ENGINES": dict(app.config["SQLALCHEMY_ENGINES"]),
        }
    )
    client = proxied.test_client()
    # A browser sends its page as Referer over HTTPS (the CSRF check wants it there).
    one = {
        "X-Forwarded-Proto": "https",
        "X-Forwarded-For": "203.0.113.7",
        "Referer": "https://localhost/anmelden",
    }
    assert client.get("/anmelden", headers=one).headers["Strict-Transport-Security"] == "max-age=31536000"
    assert "Strict-Transport-Security" not in app.test_client().get("/anmelden").headers  # not over HTTP
    assert _try(client, password=PASSWORD, headers=one).status_code == 302
    assert client.get_cookie("session").secure
    # The client is the forwarded address: failures of one do not make the proxy's others wait.
    for _ in range(5):
        _try(proxied.test_client(), "bernd", headers=one)
    other = {**one, "X-Forwarded-For": "203.0.113.8"}
    assert _try(proxied.test_client(), "bernd", PASSWORD, headers=other).status_code == 302


def test_pages_forbid_base_tags_framing_and_foreign_forms(browser, ring):
    policy = browser.get("/anmelden").headers["Content-Security-Policy"]
    for rule in ("base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'", "default-src 'self'"):
        assert rule in policy


def test_signing_out_ends_the_session_on_the_server_so_a_copied_cookie_is_worthless(app, browser, ring):
    browser.login("anna")
    copied = browser.client.get_cookie("session").value
    assert browser.post("/abmelden").status_code == 302
    assert browser.get("/").status_code == 302
    thief = app.test_client()
    thief.set_cookie("session", copied)
    assert thief.get("/").status_code == 302


def test_a_password_set_by_the_office_ends_every_session_and_api_token(app, browser, other_browser, ring):
    from sqlalchemy import select

    from tauschring.db import db
    from tauschring.models import ApiToken

    browser.login("anna")
    browser.post("/api-tokens", {"name": "Handy"})
    other_browser.login("buero")
    response = other_browser.post(
        f"/buero/mitglieder/{ring.anna.number}/zugang", {"password": "ganz-neu-gesetzt"}
    )
    assert response.status_code == 302
    assert browser.get("/").status_code == 302
    with app.app_context():
        tokens = db.session.scalars(select(ApiToken)).all()
        assert tokens and all(token.revoked_at is not None for token in tokens)


def test_a_login_whose_member_leaves_keeps_no_session(app, browser, other_browser, ring):
    browser.login("bernd")
    other_browser.login("buero")
    other_browser.post(f"/buero/mitglieder/{ring.bernd.number}/austritt", {"confirm": str(ring.bernd.number)})
    assert browser.get("/").status_code == 302


FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"


def test_people_see_their_sessions_and_end_one_they_left_open(app, browser, other_browser, ring):
    from sqlalchemy import select

    from tauschring.db import db
    from tauschring.models import LoginSession

    browser.login("anna")
    library = app.test_client()
    assert _try(library, password=PASSWORD, headers={"User-Agent": FIREFOX}).status_code == 302
    shown = text_of(browser.get("/sitzungen"))
    assert "Firefox · Windows" in shown and "(dieses Gerät)" in shown
    with app.app_context():
        left_open = db.session.scalar(
            select(LoginSession.id).where(LoginSession.client == "Firefox · Windows")
        )
    assert browser.post(f"/sitzungen/{left_open}/beenden").status_code == 302
    assert library.get("/").status_code == 302  # the library computer is signed out
    assert browser.get("/").status_code == 200
    other_browser.login("bernd")  # nobody ends another's session: it does not exist for them
    assert other_browser.post(f"/sitzungen/{left_open}/beenden").status_code == 404


def test_ending_all_other_sessions_keeps_this_one(browser, other_browser, ring):
    browser.login("anna")
    other_browser.login("anna")
    response = browser.post("/sitzungen/andere-beenden")
    assert "1 andere Anmeldung ist beendet." in text_of(browser.get(response.headers["Location"]))
    assert browser.get("/").status_code == 200 and other_browser.get("/").status_code == 302


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
