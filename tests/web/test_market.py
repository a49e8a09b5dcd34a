"""The market: browsing and searching listings, contact data by consent, one's own listings."""

from __future__ import annotations

import datetime as dt

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from tauschring.db import db
from tauschring.listings import create_listing
from tauschring.models import Category, Listing, Member, User
from tauschring.permissions import Actor
from tests.web.conftest import counts, text_of

NOW = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC)


def category_id(app, name: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Category.id).where(Category.name == name))


@pytest.fixture
def listings(app, ring):
    with app.app_context():
        s = db.session
        garden = s.scalar(select(Category.id).where(Category.name == "Garten"))
        computer = s.scalar(select(Category.id).where(Category.name == "Computer & Technik"))
        anna, dora = s.get(Member, ring.anna.id), s.get(Member, ring.dora.id)
        made = [
            create_listing(
                s,
                Actor.system(ring.id),
                member=anna,
                kind="offer",
                category_id=garden,
                title="Rasen mähen",
                text="Mit eigenem Mäher, auch Hecken.",
                now=NOW - dt.timedelta(days=40),
                district="Plagwitz",
            ),
            create_listing(
                s,
                Actor.system(ring.id),
                member=dora,
                kind="offer",
                category_id=garden,
                title="Obstbäume schneiden",
                text="Im Winter am besten.",
                now=NOW - dt.timedelta(days=3),
            ),
            create_listing(
                s,
                Actor.system(ring.id),
                member=dora,
                kind="request",
                category_id=computer,
                title="Hilfe am Computer",
                text="Mein Drucker druckt nicht.",
                now=NOW - dt.timedelta(days=5),
            ),
        ]
        s.commit()
        return {listing.title: listing.public_number for listing in made}


@freeze_time(NOW)
def test_the_market_overview_counts_listings_per_rubrik_and_shows_the_newest(browser, ring, listings):
    browser.login("bernd")
    page = text_of(browser.get("/markt"))
    assert "Garten 2 0" in page and "Computer & Technik 0 1" in page
    assert page.index("Obstbäume schneiden") < page.index("Hilfe am Computer") < page.index("Rasen mähen")


@freeze_time(NOW)
@pytest.mark.parametrize(
    ("query", "found", "not_found"),
    [
        ("q=garten", ["Rasen mähen", "Obstbäume schneiden"], ["Hilfe am Computer"]),
        ("q=MAEHER", ["Rasen mähen"], ["Obstbäume"]),
        ("q=drucker+druckt", ["Hilfe am Computer"], ["Rasen mähen"]),
        ("q=plagwitz", ["Rasen mähen"], ["Obstbäume"]),
        ("art=request", ["Hilfe am Computer"], ["Rasen mähen"]),
        ("art=offer", ["Rasen mähen", "Obstbäume schneiden"], ["Hilfe am Computer"]),
        ("neu=1", ["Obstbäume schneiden", "Hilfe am Computer"], ["Rasen mähen"]),
        ("q=100%25", [], ["Rasen mähen"]),
    ],
)
def test_search_and_filters_find_what_they_should(browser, ring, listings, query, found, not_found):
    browser.login("bernd")
    page = text_of(browser.get(f"/markt?{query}"))
    for title in found:
        assert title in page, (query, title)
    for title in not_found:
        assert title not in page, (query, title)


@freeze_time(NOW)
def test_filtering_by_rubrik(app, browser, ring, listings):
    browser.login("bernd")
    page = text_of(browser.get(f"/markt?rubrik={category_id(app, 'Computer & Technik')}"))
    assert "Hilfe am Computer" in page and "Rasen mähen" not in page


@freeze_time(NOW)
def test_a_listing_shows_only_the_contact_data_its_owner_consented_to_online(browser, ring, listings):
    browser.login("bernd")
    annas = text_of(browser.get(f"/markt/{listings['Rasen mähen']}"))
    assert "0341 100 001" in annas and "anna@example.org" in annas  # consented online
    assert "Karl-Heine-Straße" not in annas  # address: no consent
    doras = text_of(browser.get(f"/markt/{listings['Obstbäume schneiden']}"))
    assert "0341 999 999" not in doras and "dora@example.org" not in doras
    assert "Kontakt über das Büro, Tel. 0341 111 222." in doras


@freeze_time(NOW)
def test_withdrawn_and_expired_listings_are_not_shown_to_others(app, browser, ring, listings):
    with app.app_context():
        rasen = db.session.scalar(select(Listing).where(Listing.title == "Rasen mähen"))
        rasen.expires_on = dt.date(2026, 11, 19)
        db.session.commit()
    browser.login("bernd")
    assert browser.get(f"/markt/{listings['Rasen mähen']}").status_code == 404
    assert "Rasen mähen" not in text_of(browser.get("/markt?q=rasen"))
    for unknown in ("A-9999", "X-0001", "A-abc", "G-" + "9" * 20):
        assert browser.get(f"/markt/{unknown}").status_code == 404


@freeze_time(NOW)
def test_a_member_creates_edits_renews_and_withdraws_a_listing(app, browser, ring):
    browser.login("anna")
    created = browser.post(
        "/meine-inserate/neu",
        {
            "kind": "offer",
            "category": str(category_id(app, "Tiere")),
            "title": "Hund ausführen",
            "text": "Täglich eine Runde.",
            "district": "Plagwitz",
            "availability": "nachmittags",
            "price_hint": "nach Absprache",
            "print_in_paper": "y",
        },
    )
    assert created.status_code == 302
    with app.app_context():
        listing = db.session.scalar(select(Listing))
        listing_id, number = listing.id, listing.public_number
        assert (listing.kind, listing.number, listing.expires_on, listing.print_in_paper) == (
            "offer",
            1,
            dt.date(2027, 2, 20),
            True,
        )
    assert number == "A-0001"
    assert "Ihr Inserat A-0001 ist erschienen." in text_of(browser.get(created.headers["Location"]))

    browser.post(
        f"/meine-inserate/{listing_id}/bearbeiten",
        {
            "category": str(category_id(app, "Tiere")),
            "title": "Hund ausführen (auch große Hunde)",
            "text": "Täglich eine Runde.",
            "print_in_paper": "",
        },
    )
    with freeze_time(NOW + dt.timedelta(days=30)):
        browser.login("anna")
        browser.post(f"/meine-inserate/{listing_id}/verlaengern")
    with app.app_context():
        listing = db.session.get(Listing, listing_id)
        assert listing.title == "Hund ausführen (auch große Hunde)" and listing.edited_at is not None
        assert listing.print_in_paper is False and listing.district is None
        assert listing.expires_on == dt.date(2027, 3, 20) and listing.renewed_at is not None

    with freeze_time(NOW + dt.timedelta(days=30, hours=1)):
        browser.post(f"/meine-inserate/{listing_id}/zurueckziehen")
        with app.app_context():
            assert db.session.get(Listing, listing_id).withdrawn_at is not None
        assert "zurückgezogen am" in text_of(browser.get("/meine-inserate"))


@freeze_time(NOW)
def test_listing_numbers_count_up_per_kind_and_are_never_reused(app, browser, ring):
    browser.login("anna")
    base = {"category": str(category_id(app, "Sonstiges")), "text": "x"}
    for kind, title in (("offer", "A1"), ("request", "G1"), ("offer", "A2")):
        browser.post("/meine-inserate/neu", {**base, "kind": kind, "title": title})
    with app.app_context():
        numbers = {row.title: row.public_number for row in db.session.scalars(select(Listing))}
    assert numbers == {"A1": "A-0001", "G1": "G-0001", "A2": "A-0002"}


@freeze_time(NOW)
@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"kind": ""}, "Bitte wählen Sie Angebot oder Gesuch."),
        ({"kind": "barter"}, "Keine gültige Auswahl."),
        ({"title": ""}, "Bitte geben Sie eine Überschrift an."),
        ({"title": "x" * 121}, "Feld kann nicht länger als 120 Zeichen sein."),
        ({"text": ""}, "Bitte beschreiben Sie Ihr Inserat."),
        ({"category": "99999"}, "Keine gültige Auswahl."),
        ({"category": "abc"}, "Bitte wählen Sie eine Rubrik."),
        ({"category": ""}, "Bitte wählen Sie eine Rubrik."),
    ],
)
def test_a_bad_listing_is_refused_with_a_message_and_stores_nothing(app, browser, ring, changes, message):
    browser.login("anna")
    before = counts(app)
    data = {"kind": "offer", "category": str(category_id(app, "Tiere")), "title": "Hund", "text": "Gassi"}
    data.update(changes)
    response = browser.post("/meine-inserate/neu", data)
    assert response.status_code == 400
    page = text_of(response)
    assert message in page, page[-400:]
    assert counts(app) == before


def test_a_new_listing_has_no_rubrik_chosen_for_the_member(browser, ring):
    """Nothing lands silently in the first Rubrik: the member picks one."""
    browser.login("anna")
    form = browser.get("/meine-inserate/neu").get_data(as_text=True)
    category = form.split('name="category"', 1)[1].split("</select>", 1)[0]
    assert '<option selected value="">– bitte wählen –</option>' in category
    assert category.count("selected") == 1


@freeze_time(NOW)
def test_a_listing_keeps_its_line_breaks_without_an_inline_style(app, browser, ring):
    """The app's CSP forbids inline styles; a class keeps the lines the member typed."""
    animals = category_id(app, "Tiere")
    with app.app_context():
        anna = db.session.get(Member, ring.anna.id)
        listing = create_listing(
            db.session, Actor.of(db.session.get(User, ring.users["anna"])), member=anna, kind="offer",
            category_id=animals, title="Hund", text="Gassi gehen.\nAuch am Wochenende.", now=NOW,
        )  # fmt: skip
        db.session.commit()
        number = listing.public_number
    browser.login("bernd")
    page = browser.get(f"/markt/{number}").get_data(as_text=True)
    assert '<p class="pre-line">Gassi gehen.\nAuch am Wochenende.</p>' in page
    assert "style=" not in page
    css = browser.get("/static/style.css")
    assert ".pre-line { white-space: pre-line; }" in css.get_data(as_text=True)
    css.close()


@freeze_time(NOW)
def test_a_search_with_more_hits_than_a_page_says_how_many_and_pages_through_all(app, browser, ring):
    from tauschring.web.market import PAGE_SIZE

    with app.app_context():
        s = db.session
        garden = s.scalar(select(Category.id).where(Category.name == "Garten"))
        anna = s.get(Member, ring.anna.id)
        for n in range(PAGE_SIZE + 5):
            create_listing(
                s,
                Actor.system(ring.id),
                member=anna,
                kind="offer",
                category_id=garden,
                title=f"Beet Nummer {n}",
                text="Umgraben und pflanzen.",
                now=NOW - dt.timedelta(days=1),
            )
        s.commit()
    browser.login("bernd")

    first = text_of(browser.get("/markt?q=beet"))
    second = browser.get("/markt?q=beet&seite=2")
    beyond = browser.get("/markt?q=beet&seite=99999999999999999999")

    assert f"{PAGE_SIZE + 5} Inserate gefunden. Seite 1 von 2." in first and "Nächste Seite" in first
    assert second.get_data(as_text=True).count('class="listing"') == 5
    assert "Seite 2 von 2." in text_of(second) and "Vorige Seite" in text_of(second)
    assert beyond.status_code == 200 and "Seite 2 von 2." in text_of(beyond)
