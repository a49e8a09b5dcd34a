"""Names as each member chose to show them, everywhere another member or a paper reader meets
them: Bernd shows only his number, Dora "Vorname N."; Anna, Clara (on paper) and their helper
deal with both, on every page, in every API answer and refusal, and in the printed insert."""

from __future__ import annotations

import datetime as dt
import io
import json

from pypdf import PdfReader

from tauschring import editions, listings, payments, rings, tokens
from tauschring.db import db
from tauschring.models import Member, User
from tauschring.permissions import Actor
from tests.web.conftest import text_of
from tests.web.content import pages_of

# Midday (UTC): the same calendar day in the ring's zone, whenever the test runs.
NOW = dt.datetime.now(dt.UTC).replace(hour=11, minute=0)
HIDDEN = ("Bernd", "Schulz", "Neumann")  # Bernd: number only; Dora: first name and initial


def bernd_and_dora_in_annas_life(app, ring) -> dict:
    with app.app_context():
        s = db.session
        user = lambda name: Actor.of(s.get(User, ring.users[name]))  # noqa: E731
        anna, bernd, clara, dora = (
            s.get(Member, m.id) for m in (ring.anna, ring.bernd, ring.clara, ring.dora)
        )
        bernd.name_display, dora.name_display = "number", "first_initial"
        category = rings.categories_of(s, ring.id)[0]
        listing = listings.create_listing(
            s,
            user("bernd"),
            member=bernd,
            kind="offer",
            category_id=category.id,
            title="Fahrrad flicken",
            text="Werkzeug habe ich.",
            now=NOW,
        )
        entry = payments.pay(
            s, user("anna"), payer=anna, payee=bernd, minutes=60, memo="Rad", service_date=NOW.date(), now=NOW
        )
        payments.pay(
            s,
            user("dora"),
            payer=dora,
            payee=anna,
            minutes=30,
            memo="Kuchen",
            service_date=NOW.date(),
            now=NOW,
        )
        payments.request_payment(
            s,
            user("bernd"),
            payee=bernd,
            payer=anna,
            minutes=45,
            memo="Schlauch",
            service_date=NOW.date(),
            now=NOW,
        )
        payments.pay(
            s,
            user("hilde"),
            payer=clara,
            payee=bernd,
            minutes=30,
            memo="Brief",
            service_date=NOW.date(),
            now=NOW,
        )
        payments.pay(
            s, user("dora"), payer=dora, payee=clara, minutes=15, memo="Tee", service_date=NOW.date(), now=NOW
        )
        _token, secret = tokens.create_token(s, user("anna"), name="Annas Skript", now=NOW)
        s.commit()
        return {
            "listing": listing.public_number,
            "listing_id": listing.id,
            "entry": entry.id,
            "token": secret,
        }


def test_no_page_of_anna_or_of_claras_helper_names_what_bernd_and_dora_hide(app, browser, ring):
    made = bernd_and_dora_in_annas_life(app, ring)
    made.update(reversed=made["entry"], batch=0, edition=0, imports={})
    for role in ("anna", "hilde"):
        browser.login(role)
        if role == "hilde":
            browser.post("/handeln-fuer", {"member_id": str(ring.clara.id)})
        paths = pages_of(role, ring, made) + ["/kontoauszug.csv", "/markt?q=fahrrad", "/bezahlen?payee=Ber"]
        shown = {path: [h for h in HIDDEN if h in text_of(browser.get(path))] for path in paths}
        assert {path: found for path, found in shown.items() if found} == {}, role
    # Searching by a hidden name finds nobody; by what is shown it does.
    browser.login("anna")
    for typed in ("Schulz", "Neumann", "Bernd"):
        page = text_of(
            browser.post(
                "/bezahlen",
                {
                    "payee": typed,
                    "amount": "1",
                    "amount_unit": "hours",
                    "service_date": NOW.date().isoformat(),
                    "memo": "x",
                },
            )
        )
        assert "Kein Mitglied mit dieser Nummer oder diesem Namen gefunden." in page, typed


def test_no_api_answer_or_refusal_to_anna_names_what_they_hide(app, ring):
    made = bernd_and_dora_in_annas_life(app, ring)
    client = app.test_client()
    auth = {"Authorization": f"Bearer {made['token']}"}
    answers = [
        client.get(path, headers=auth).get_data(as_text=True)
        for path in (
            "/api/v1/me",
            "/api/v1/accounts/me",
            "/api/v1/entries",
            f"/api/v1/entries/{made['entry']}",
            "/api/v1/payment-requests",
            "/api/v1/listings",
            f"/api/v1/listings/{made['listing']}",
        )
    ]
    # A payment Bernd could not receive (his upper limit) is refused naming him as he chose.
    with app.app_context():
        db.session.get(Member, ring.bernd.id).account.max_balance = 120
        db.session.commit()
    refused = client.post(
        "/api/v1/entries",
        headers=auth,
        json={
            "payee": ring.bernd.number,
            "minutes": 600,
            "memo": "zu viel",
            "service_date": NOW.date().isoformat(),
        },
    )
    assert refused.status_code == 409, refused.get_data(as_text=True)
    answers.append(refused.get_data(as_text=True))
    assert f"Mitglied {ring.bernd.number}" in json.loads(answers[-1])["detail"]
    assert [h for h in HIDDEN if any(h in answer for answer in answers)] == []


def test_claras_printed_insert_names_her_partners_as_they_chose(app, ring):
    bernd_and_dora_in_annas_life(app, ring)
    with app.app_context():
        s = db.session
        office = Actor.of(s.get(User, ring.users["buero"]))
        edition = editions.create_edition(
            s,
            office,
            year=2027,
            month=1,
            cutoff=NOW.date(),
            next_cutoff=NOW.date() + dt.timedelta(days=30),
            now=NOW,
        )
        files = editions.generate_edition(s, office, edition, now=NOW).files
        s.commit()
    inserts = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(files["beilagen.pdf"])).pages)
    assert "Clara Wagner" in inserts  # her own name on her own insert
    assert f"Mitglied {ring.bernd.number}" in inserts and "Dora N." in inserts
    assert [h for h in HIDDEN if h in inserts] == []
