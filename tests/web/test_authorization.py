"""Authorisation: a member never sees another's statement or entries, never books from another's
account and never edits another's listing or request. Every route is tried with another member's ids.
"""

from __future__ import annotations

import datetime as dt

import pytest
from freezegun import freeze_time
from sqlalchemy import select

import ledger
from tauschring.db import db
from tauschring.listings import create_listing
from tauschring.logins import sign_in
from tauschring.models import Category, Member, PaymentRequest, User
from tauschring.payments import request_payment
from tauschring.permissions import Actor
from tauschring.tokens import create_token
from tests.web.conftest import PASSWORD, counts, text_of

NOW = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def berndss(app, ring):
    """Bernd's things: an entry with Dora, a listing, a payment request to Dora."""
    with app.app_context():
        s = db.session
        bernd, dora = s.get(Member, ring.bernd.id), s.get(Member, ring.dora.id)
        entry = ledger.book_transfer(
            s,
            ring_id=ring.id,
            payer=dora.account_id,
            payee=bernd.account_id,
            minutes=60,
            memo="Geheime Sache",
            service_date=NOW.date(),
            now=NOW,
        )
        listing = create_listing(
            s,
            Actor.system(ring.id),
            member=bernd,
            kind="offer",
            category_id=s.scalar(select(Category.id).limit(1)),
            title="Bernds Angebot",
            text="Nur Bernd darf das ändern.",
            now=NOW,
        )
        bernds_login = Actor.of(s.get(User, ring.users["bernd"]))
        request = request_payment(
            s,
            bernds_login,
            payee=bernd,
            payer=dora,
            minutes=30,
            memo="Bernd an Dora",
            service_date=NOW.date(),
            now=NOW,
        )
        token, _secret = create_token(s, bernds_login, name="Bernds Tabelle", now=NOW)
        bernds_session = sign_in(s, username="bernd", password=PASSWORD, client="bernds-pc", now=NOW)
        s.commit()
        return {
            "session_id": bernds_session.session_id,
            "token_id": token.id,
            "entry_id": entry.id,
            "listing_id": listing.id,
            "request_id": request.id,
            "public_number": listing.public_number,
            "code": "de",
            "member_id": bernd.id,
            # A one-time link is a secret, not an id: a guessed one is simply not found.
            "token": "ein-geratener-einrichtungslink",
        }


def routes(app):
    """Every route of the member area with the methods it answers."""
    for rule in app.url_map.iter_rules():
        # The office desk and the API are tried in tests/office and tests/api; health and
        # metrics (for the operator's machines, no member data) in tests/web/test_ops.py.
        if (
            rule.endpoint == "static"
            or rule.endpoint.startswith("ops.")
            or rule.rule.startswith(("/api/", "/buero/"))
        ):
            continue
        yield rule, sorted(rule.methods - {"HEAD", "OPTIONS"})


@freeze_time(NOW)
def test_every_route_with_another_members_ids_is_refused_and_changes_nothing(app, browser, ring, berndss):
    browser.login("anna")
    before = counts(app)
    tried = 0
    for rule, methods in routes(app):
        if not rule.arguments or rule.arguments <= {"code", "public_number"}:
            continue
        unknown = rule.arguments - set(berndss)
        assert not unknown, f"{rule.rule}: add ids for {unknown} to this test"
        url = rule.build({name: berndss[name] for name in rule.arguments})[1]
        for method in methods:
            response = browser.get(url) if method == "GET" else browser.post(url, {"note": "x"})
            assert response.status_code in (403, 404), (method, url, response.status_code)
            tried += 1
    assert tried >= 7
    assert counts(app) == before


@freeze_time(NOW)
def test_a_member_cannot_see_another_members_entry_or_statement(app, browser, ring, berndss):
    browser.login("anna")
    assert browser.get(f"/buchungen/{berndss['entry_id']}").status_code == 404
    for page in ("/", "/kontoauszug", "/kontoauszug.csv", "/profil/meine-daten.json"):
        assert "Geheime Sache" not in browser.get(page).get_data(as_text=True), page


@freeze_time(NOW)
def test_a_member_cannot_act_for_someone_they_do_not_help(app, browser, ring, berndss):
    browser.login("anna")
    assert browser.post("/handeln-fuer", {"member_id": str(ring.bernd.id)}).status_code == 403
    assert browser.post("/handeln-fuer", {"member_id": str(ring.xaver.id)}).status_code == 403
    assert browser.post("/handeln-fuer", {"member_id": "abc"}).status_code == 400
    assert "Guten Tag, Anna" in text_of(browser.get("/"))


@freeze_time(NOW)
def test_a_payment_always_comes_from_the_acting_members_own_account(app, browser, ring, berndss):
    browser.login("anna")
    # Whatever the form carries, the payer is the signed-in member: there is no payer field to forge.
    browser.post(
        "/bezahlen",
        {
            "payee": "4",
            "payer": "2",
            "payer_id": str(ring.bernd.id),
            "amount": "1",
            "amount_unit": "hours",
            "service_date": "2026-11-20",
            "memo": "x",
            "payee_id": str(ring.dora.id),
            "action": "confirm",
        },
    )
    with app.app_context():
        assert db.session.get(ledger.Account, ring.bernd.account).balance == 60
        assert db.session.get(ledger.Account, ring.anna.account).balance == -60


@freeze_time(NOW)
def test_a_member_of_another_ring_sees_nothing_of_this_ring(app, browser, ring, berndss):
    browser.login("xaver")
    assert browser.get(f"/markt/{berndss['public_number']}").status_code == 404
    assert "Bernds Angebot" not in browser.get("/markt?q=angebot").get_data(as_text=True)
    assert browser.get(f"/buchungen/{berndss['entry_id']}").status_code == 404
    assert browser.post(f"/anforderungen/{berndss['request_id']}/annehmen").status_code == 404
    payee = browser.post(
        "/bezahlen",
        {
            "payee": "2",
            "amount": "1",
            "amount_unit": "hours",
            "service_date": "2026-11-20",
            "memo": "x",
            "action": "preview",
        },
    )
    assert "Bernd" not in text_of(payee)


@freeze_time(NOW)
def test_the_payment_request_stays_untouched_by_strangers(app, browser, ring, berndss):
    browser.login("anna")
    for action in ("annehmen", "ablehnen", "zurueckziehen"):
        browser.post(f"/anforderungen/{berndss['request_id']}/{action}")
    with app.app_context():
        assert db.session.get(PaymentRequest, berndss["request_id"]).status == "open"


def test_anonymous_visitors_reach_only_the_sign_in_page(app, browser, ring, berndss):
    for rule, methods in routes(app):
        if rule.endpoint in ("auth.login", "auth.language"):
            continue
        url = rule.build({name: berndss[name] for name in rule.arguments})[1]
        if rule.endpoint == "setup.setup":  # open to whoever holds a link; a guessed one is not found
            assert browser.get(url).status_code == 404
            continue
        for method in methods:
            response = browser.get(url) if method == "GET" else browser.post(url, csrf=False)
            if method == "POST":
                assert response.status_code in (302, 400), (url, response.status_code)
            else:
                assert response.status_code == 302 and "/anmelden" in response.headers["Location"], url
    with app.app_context():
        assert db.session.scalar(select(Member.id).where(Member.id == ring.anna.id)) == ring.anna.id
