"""The profile: contact data, every consent switch with its history, all my data as JSON."""

from __future__ import annotations

import json

from freezegun import freeze_time
from sqlalchemy import select

from tauschring.db import db
from tauschring.members import consents
from tauschring.models import ConsentChange, Member
from tests.web.conftest import counts, text_of

PROFILE = {
    "phone": "0341 555 666",
    "email": "neu@example.org",
    "street": "Neue Straße 3",
    "postal_code": "04229",
    "city": "Leipzig",
    "district": "Schleußig",
    "name_display": "number",
}


@freeze_time("2026-11-20 10:00:00")
def test_contact_data_and_consents_are_saved_with_date_and_source(app, browser, ring):
    browser.login("dora")
    response = browser.post(
        "/profil", {**PROFILE, "large_print": "y", "phone_online": "y", "address_print": "y"}
    )
    assert response.status_code == 302
    assert "Ihre Angaben sind gespeichert." in text_of(browser.get("/profil"))
    with app.app_context():
        dora = db.session.get(Member, ring.dora.id)
        assert (dora.phone, dora.district, dora.name_display, dora.large_print) == (
            "0341 555 666",
            "Schleußig",
            "number",
            True,
        )
        granted = {key for key, value in consents(dora).items() if value}
        assert granted == {("phone", "online"), ("address", "print")}
        history = db.session.scalars(select(ConsentChange).where(ConsentChange.member_id == dora.id)).all()
        assert {(c.field, c.channel, c.granted, c.source, str(c.changed_on)) for c in history} == {
            ("phone", "online", True, "online", "2026-11-20"),
            ("address", "print", True, "online", "2026-11-20"),
        }
        assert all(c.recorded_by_id == ring.users["dora"] for c in history)


@freeze_time("2026-11-20 10:00:00")
def test_withdrawing_a_consent_is_recorded_and_takes_the_data_off_the_market(
    app, browser, other_browser, ring
):
    browser.login("anna")
    browser.post(
        "/profil", {**PROFILE, "name_display": "full", "email_online": "y"}
    )  # phone consent withdrawn
    with app.app_context():
        changes = db.session.scalars(
            select(ConsentChange).where(
                ConsentChange.member_id == ring.anna.id, ConsentChange.granted.is_(False)
            )
        ).all()
        assert {(c.field, c.channel) for c in changes} == {("phone", "online"), ("phone", "print")}


@freeze_time("2026-11-20 10:00:00")
def test_bad_profile_input_is_refused_and_changes_nothing(app, browser, ring):
    browser.login("dora")
    before = counts(app)
    for changes in (
        {"email": "keine-adresse"},
        {"postal_code": "4"},
        {"phone": "call me"},
        {"name_display": "secret"},
        {"street": "x" * 201},
    ):
        response = browser.post("/profil", {**PROFILE, **changes})
        assert response.status_code == 400, changes
        assert "Fehler:" in text_of(response)
    assert counts(app) == before
    with app.app_context():
        assert db.session.get(Member, ring.dora.id).phone == "0341 999 999"


@freeze_time("2026-11-20 10:00:00")
def test_all_my_data_downloads_as_json_and_holds_nobody_elses(app, browser, ring):
    browser.login("anna")
    browser.post(
        "/bezahlen",
        {
            "payee": "2",
            "amount": "1",
            "amount_unit": "hours",
            "service_date": "2026-11-20",
            "memo": "Einkauf",
            "payee_id": str(ring.bernd.id),
            "action": "confirm",
        },
    )
    response = browser.get("/profil/meine-daten.json")
    assert 'filename="meine-daten-1.json"' in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    assert data["member"]["first_name"] == "Anna" and data["member"]["email"] == "anna@example.org"
    assert {(c["field"], c["channel"]) for c in data["consents"] if c["granted"]} == {
        ("phone", "online"),
        ("email", "online"),
        ("phone", "print"),
    }
    assert data["account"]["balance_minutes"] == -60
    assert [e["memo"] for e in data["account"]["entries"]] == ["Einkauf"]
    assert data["logins"][0]["username"] == "anna" and "password_hash" not in json.dumps(data)
    assert "Schulz" not in json.dumps(data, ensure_ascii=False)  # the partner's name is not my data
