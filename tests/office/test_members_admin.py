"""Member administration: admit, edit, consents from paper forms, suspend, leave, erase; acting for."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from freezegun import freeze_time
from sqlalchemy import select

import ledger
from tauschring.db import db
from tauschring.listings import create_listing
from tauschring.members import consents
from tauschring.models import AuditEvent, Category, ConsentChange, Listing, Member, User
from tauschring.permissions import Actor
from tests.web.conftest import PASSWORD, Browser, balance, counts, text_of

NOW = "2026-11-20 15:00:00"
NEW_MEMBER = {
    "first_name": "Helga",
    "last_name": "Sommer",
    "joined_on": "2026-11-20",
    "name_display": "full",
    "phone": "0341 777 888",
    "street": "Gießerstraße 9",
    "postal_code": "04229",
    "city": "Leipzig",
    "district": "Plagwitz",
    "paper_member": "y",
}


def member(app, number) -> Member:
    with app.app_context():
        found = db.session.scalar(select(Member).where(Member.number == number))
        db.session.expunge(found)
        return found


def audit_actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


@freeze_time(NOW)
def test_admitting_a_paper_member_without_login_gives_the_next_number_and_an_account(app, browser, ring):
    browser.login("buero")
    response = browser.post("/buero/mitglieder/neu", NEW_MEMBER)
    assert response.status_code == 302 and response.headers["Location"].endswith("/buero/mitglieder/5")
    helga = member(app, 5)
    assert (helga.first_name, helga.paper_member, helga.email, helga.joined_on) == (
        "Helga",
        True,
        None,
        dt.date(2026, 11, 20),
    )
    assert balance(app, helga.account_id) == 0
    with app.app_context():
        assert db.session.scalar(select(User).where(User.member_id == helga.id)) is None
        assert not any(consents(db.session.get(Member, helga.id)).values())  # nothing published by default
        event = db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "member.admit", AuditEvent.object_id == "5")
        )
        assert event.user_id == ring.users["buero"] and json.loads(event.after)["last_name"] == "Sommer"
        assert event.member_id == helga.id


@freeze_time(NOW)
def test_admitting_with_a_login_lets_the_member_sign_in(app, browser, ring):
    browser.login("buero")
    browser.post(
        "/buero/mitglieder/neu",
        {
            **NEW_MEMBER,
            "paper_member": "",
            "email": "helga@example.org",
            "username": "helga",
            "password": "helgas-passwort",
        },
    )
    Browser(app.test_client()).login("helga", "helgas-passwort")


@freeze_time(NOW)
@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"first_name": ""}, "Bitte geben Sie den Vornamen an."),
        ({"postal_code": "ABC"}, "Fehler:"),
        ({"email": "kaputt"}, "Fehler:"),
        ({"username": "helga"}, "braucht es Benutzername und Anfangspasswort"),
        ({"username": "anna", "password": "langes-passwort"}, "schon vergeben"),
        ({"username": "Große Buchstaben", "password": "langes-passwort"}, "Nur a–z"),
        ({"joined_on": "kein datum"}, "Bitte geben Sie ein Datum an."),
    ],
)
def test_admitting_with_bad_input_is_refused_and_changes_nothing(app, browser, ring, changes, message):
    browser.login("buero")
    before = counts(app)
    response = browser.post("/buero/mitglieder/neu", {**NEW_MEMBER, **changes})
    assert response.status_code == 400 and message in text_of(response)
    assert counts(app) == before


@freeze_time(NOW)
def test_editing_a_member_is_audited_with_before_and_after(app, browser, ring):
    browser.login("buero")
    browser.post(
        "/buero/mitglieder/2/bearbeiten",
        {"first_name": "Bernd", "last_name": "Schulze", "name_display": "full", "phone": "0341 100 002"},
    )
    assert member(app, 2).last_name == "Schulze"
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "member.edit"))
        assert json.loads(event.before) == {"last_name": "Schulz", "name_display": "first_initial"}
        assert json.loads(event.after) == {"last_name": "Schulze", "name_display": "full"}
        assert db.session.get(ledger.Account, ring.bernd.account).label == "2 Bernd Schulze"


@freeze_time(NOW)
def test_consents_from_a_paper_form_are_recorded_with_their_date_and_source(app, browser, ring):
    browser.login("buero")
    browser.post(
        "/buero/mitglieder/3/einwilligungen",
        {"source": "paper_form", "changed_on": "2026-11-14", "phone_print": "y"},
    )
    with app.app_context():
        change = db.session.scalar(select(ConsentChange).where(ConsentChange.member_id == ring.clara.id))
        assert (
            change.field,
            change.channel,
            change.granted,
            change.source,
            change.changed_on,
            change.recorded_by_id,
        ) == ("phone", "print", True, "paper_form", dt.date(2026, 11, 14), ring.users["buero"])
    assert "member.consent" in audit_actions(app)


@freeze_time(NOW)
def test_a_suspended_member_cannot_exchange_until_reactivated(app, browser, other_browser, ring):
    browser.login("buero")
    browser.post("/buero/mitglieder/2/sperren", {})
    assert member(app, 2).status == "suspended"
    other_browser.login("anna")
    refused = other_browser.post(
        "/bezahlen",
        {
            "payee": "2",
            "amount": "1",
            "amount_unit": "hours",
            "service_date": "2026-11-20",
            "memo": "x",
            "payee_id": str(ring.bernd.id),
            "action": "confirm",
        },
    )
    assert refused.status_code == 409 and "ist gesperrt" in text_of(refused)
    browser.post("/buero/mitglieder/2/entsperren", {})
    assert member(app, 2).status == "active"


@freeze_time(NOW)
def test_leaving_settles_the_balance_against_the_community_account_and_closes_the_account(app, browser, ring):
    with app.app_context():
        ledger.book_transfer(
            db.session,
            ring_id=ring.id,
            payer=ring.anna.account,
            payee=ring.bernd.account,
            minutes=150,
            memo="Umzug",
            service_date=dt.date(2026, 11, 1),
            now=dt.datetime(2026, 11, 1, 12, tzinfo=dt.UTC),
        )
        create_listing(
            db.session,
            Actor.system(ring.id),
            member=db.session.get(Member, ring.bernd.id),
            kind="offer",
            category_id=db.session.scalar(select(Category.id).limit(1)),
            title="Hilfe",
            text="x",
            now=dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
        )
        db.session.commit()
    browser.login("buero")
    wrong = browser.post("/buero/mitglieder/2/austritt", {"confirm": "3"})
    assert "Zur Bestätigung" in text_of(browser.get(wrong.headers["Location"]))
    assert member(app, 2).status == "active"

    browser.post("/buero/mitglieder/2/austritt", {"confirm": "2"})

    bernd = member(app, 2)
    assert (bernd.status, bernd.left_on) == ("left", dt.date(2026, 11, 20))
    with app.app_context():
        community = ledger.system_account(db.session, ring.id, "community")
        shown = ledger.balance_of(db.session, ring_id=ring.id, account_id=ring.bernd.account)
        assert shown.closed and shown.balance == 0
        assert db.session.get(ledger.Account, community).balance == 150
        settlement = ledger.recent_lines(db.session, ring_id=ring.id, account_id=ring.bernd.account, count=1)[
            0
        ]
        assert settlement.kind == "settlement" and settlement.operator_id == ring.users["buero"]
        assert db.session.scalar(select(Listing.withdrawn_at)) is not None
        assert not db.session.scalar(select(User).where(User.username == "bernd")).active
        assert ledger.verify(db.session, ring.id).ok
    browser2 = Browser(app.test_client())
    page = browser2.client.get("/anmelden")
    from tests.web.conftest import token_in

    assert (
        browser2.client.post(
            "/anmelden", data={"username": "bernd", "password": PASSWORD, "csrf_token": token_in(page)}
        ).status_code
        == 401
    )


@freeze_time(NOW)
def test_erasing_a_departed_member_keeps_the_books_under_the_number(app, browser, ring):
    with app.app_context():
        entry = ledger.book_transfer(
            db.session,
            ring_id=ring.id,
            payer=ring.dora.account,
            payee=ring.anna.account,
            minutes=60,
            memo="Kuchen",
            service_date=dt.date(2026, 11, 1),
            now=dt.datetime(2026, 11, 1, 12, tzinfo=dt.UTC),
        )
        db.session.commit()
    browser.login("buero")
    refused = browser.post("/buero/mitglieder/4/loeschen", {"confirm": "4"})
    assert "Nur die Daten ausgetretener Mitglieder" in text_of(browser.get(refused.headers["Location"]))
    browser.post("/buero/mitglieder/4/austritt", {"confirm": "4"})
    browser.post("/buero/mitglieder/4/loeschen", {"confirm": "4"})

    dora = member(app, 4)
    assert dora.erased and (dora.first_name, dora.last_name, dora.phone, dora.email) == ("", "", None, None)
    with app.app_context():
        assert db.session.get(ledger.Account, ring.dora.account).label == "Mitglied 4"
        assert ledger.entry(db.session, ring_id=ring.id, entry_id=entry.id).memo == "Kuchen"
        assert ledger.verify(db.session, ring.id).ok
        summaries = " ".join(db.session.scalars(select(AuditEvent.summary)))
        assert "Neumann" not in summaries
    page = text_of(browser.get("/buero/mitglieder/4"))
    assert "Neumann" not in page and "0341 999 999" not in page and "Mitglied 4" in page


@freeze_time(NOW)
def test_erasing_a_member_whose_listing_was_printed_works_and_says_what_it_removed(app, browser, ring):
    """Once a 500: the printed edition still referenced her listing."""
    browser.login("anna")
    category = (
        browser.get("/meine-inserate/neu").get_data(as_text=True).split('<option value="')[2].split('"')[0]
    )
    browser.post(
        "/meine-inserate/neu",
        {"kind": "offer", "category": category, "title": "Rasen mähen", "text": "Gern."},
    )
    browser.login("buero")
    created = browser.post(
        "/buero/ausgaben", {"month": "2026-12", "cutoff": "2026-11-20", "next_cutoff": "2026-12-18"}
    )
    edition_id = int(created.headers["Location"].rsplit("/", 1)[1])
    browser.post(f"/buero/ausgaben/{edition_id}/erzeugen", {})
    browser.post("/buero/mitglieder/1/austritt", {"confirm": "1"})
    before = counts(app)

    erased = browser.post("/buero/mitglieder/1/loeschen", {"confirm": "1"})

    assert erased.status_code == 302
    page = text_of(browser.get(erased.headers["Location"]))
    assert "Entfernt: 1 Inserat" in page
    assert (
        "Aus dem Archiv der Marktzeitung entfernt: Ausgabe 12/2026: beilagen.pdf" not in page
    )  # not a paper member
    assert (
        "Ausgabe 12/2026: marktzeitung.pdf" in page
        and "Gedruckte Exemplare lassen sich nicht zurückholen." in page
    )
    assert counts(app)["listing"] == before["listing"] - 1
    edition_page = text_of(browser.get(f"/buero/ausgaben/{edition_id}"))
    assert "weil es Daten eines gelöschten Mitglieds enthielt" in edition_page
    assert browser.get(f"/buero/ausgaben/{edition_id}/marktzeitung.pdf").status_code == 410
    assert browser.get(f"/buero/ausgaben/{edition_id}/belege.pdf").status_code == 200


@freeze_time(NOW)
def test_the_office_hands_a_paper_member_all_her_data(app, browser, ring):
    browser.login("buero")
    response = browser.get("/buero/mitglieder/3/daten.json")
    assert response.status_code == 200
    assert 'filename="daten-mitglied-3.json"' in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    assert data["member"]["last_name"] == "Wagner" and data["helpers"] == [{"name": "Hilde Hilfreich"}]
    browser.login("anna")
    assert browser.get("/buero/mitglieder/3/daten.json").status_code == 403


@freeze_time(NOW)
def test_the_office_acts_for_a_paper_member_and_the_entry_records_both(app, browser, ring):
    browser.login("buero")
    browser.post("/buero/mitglieder/3/handeln", {})
    assert "Sie handeln für Clara Wagner (Nr. 3)." in text_of(browser.get("/"))
    browser.post(
        "/bezahlen",
        {
            "payee": "1",
            "amount": "0:45",
            "amount_unit": "hours",
            "service_date": "2026-11-20",
            "memo": "Einkauf",
            "payee_id": str(ring.anna.id),
            "action": "confirm",
        },
    )
    with app.app_context():
        entry_id = db.session.scalar(select(ledger.JournalEntry.id))
        entry = ledger.entry(db.session, ring_id=ring.id, entry_id=entry_id)
    assert (entry.operator_id, entry.on_behalf_of_id) == (ring.users["buero"], ring.clara.account)
    assert balance(app, ring.clara.account) == -45


@freeze_time(NOW)
def test_the_office_answers_a_payment_request_for_a_paper_member(app, browser, other_browser, ring):
    other_browser.login("anna")
    other_browser.post(
        "/anforderungen",
        {
            "payer": "3",
            "amount": "1:00",
            "amount_unit": "hours",
            "service_date": "2026-11-19",
            "memo": "Fenster",
        },
    )
    browser.login("buero")
    browser.post("/buero/mitglieder/3/handeln", {})
    from tauschring.models import PaymentRequest

    with app.app_context():
        request_id = db.session.scalar(select(PaymentRequest.id))
    browser.post(f"/anforderungen/{request_id}/annehmen", {})
    with app.app_context():
        answered = db.session.get(PaymentRequest, request_id)
        entry = ledger.entry(db.session, ring_id=ring.id, entry_id=answered.entry_id)
    assert answered.answered_by_id == ring.users["buero"]
    assert (entry.operator_id, entry.on_behalf_of_id) == (ring.users["buero"], ring.clara.account)


@freeze_time(NOW)
def test_a_login_is_created_for_a_member_and_a_password_reset(app, browser, ring):
    browser.login("buero")
    before = counts(app)
    refused = browser.post(
        "/buero/mitglieder/3/zugang", {"username": "clara", "password": "claras-passwort", "role": "admin"}
    )
    # Only an admin hands out the office and admin roles: the clerk is told, and nothing is created.
    assert "Diese Rolle vergibt nur ein Administrator" in text_of(browser.get(refused.headers["Location"]))
    assert counts(app) == before
    browser.post("/buero/mitglieder/3/zugang", {"username": "clara", "password": "claras-passwort"})
    with app.app_context():
        clara = db.session.scalar(select(User).where(User.username == "clara"))
        assert clara.role == "member"
    Browser(app.test_client()).login("clara", "claras-passwort")
    browser.post("/buero/mitglieder/3/zugang", {"username": "clara", "password": "ein-neues-passwort"})
    Browser(app.test_client()).login("clara", "ein-neues-passwort")
    assert audit_actions(app)[-2:] == ["login.create", "login.password"]


@freeze_time(NOW)
def test_the_office_gives_one_member_limits_of_their_own_on_the_member_page(app, browser, ring):
    browser.login("buero")
    page = text_of(browser.get(f"/buero/mitglieder/{ring.clara.number}"))
    assert "Grenzen im Tauschring: -30:00 Std. bis 60:00 Std." in page
    saved = browser.post(
        f"/buero/mitglieder/{ring.clara.number}/grenzen", {"min_balance": "-40:00", "max_balance": ""}
    )
    assert saved.status_code == 302
    page = text_of(browser.get(saved.headers["Location"]))
    assert (
        "Die Grenzen sind gespeichert." in page
        and "für dieses Mitglied zurzeit: -40:00 Std. bis 60:00 Std." in page
    )
    with app.app_context():
        shown = ledger.balance_of(db.session, ring_id=ring.id, account_id=ring.clara.account)
        assert shown.min_balance == -40 * 60


@freeze_time(NOW)
@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"min_balance": "vierzig", "max_balance": ""}, "ist kein Betrag"),
        ({"min_balance": "10:00", "max_balance": ""}, "Untergrenze muss null oder negativ"),
    ],
)
def test_limits_that_cannot_be_are_refused_with_a_message_and_change_nothing(
    app, browser, ring, values, message
):
    browser.login("buero")
    before = counts(app)
    refused = browser.post(f"/buero/mitglieder/{ring.clara.number}/grenzen", values)
    page = (
        text_of(browser.get(refused.headers["Location"])) if refused.status_code == 302 else text_of(refused)
    )
    assert message in page
    assert counts(app) == before
