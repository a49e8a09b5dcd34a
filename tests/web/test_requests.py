"""Payment requests: the provider asks, the receiver accepts or declines; silence accepts in time."""

from __future__ import annotations

from freezegun import freeze_time
from sqlalchemy import select

from tauschring import jobs
from tauschring.db import db
from tauschring.models import PaymentRequest
from tauschring.rings import settings_of
from tests.web.conftest import balance, counts, text_of


def ask(browser, payer="1", amount="1:30", memo="Fahrrad repariert", service_date="2026-11-19"):
    return browser.post(
        "/anforderungen",
        {
            "payer": payer,
            "amount": amount,
            "amount_unit": "hours",
            "service_date": service_date,
            "memo": memo,
        },
    )


def run_jobs(app) -> None:
    """What `tauschring serve` does every few minutes (and cron with `requests accept-due`)."""
    with app.app_context():
        jobs.accept_due(db.session)


def the_request(app) -> PaymentRequest:
    with app.app_context():
        found = db.session.scalar(select(PaymentRequest).order_by(PaymentRequest.id.desc()))
        db.session.expunge(found)
        return found


@freeze_time("2026-11-20 10:00:00")
def test_a_request_books_nothing_until_the_payer_accepts(app, browser, other_browser, ring):
    browser.login("bernd")
    assert ask(browser).status_code == 302
    assert balance(app, ring.anna.account) == 0

    other_browser.login("anna")
    home = text_of(other_browser.get("/"))
    assert "Bernd S. (2) bittet um 1:30 Std. für „Fahrrad repariert“ (Leistung vom 19.11.2026)." in home
    assert "Ohne Antwort gilt sie am 04.12.2026 als angenommen." in home
    request_id = the_request(app).id
    accepted = other_browser.post(f"/anforderungen/{request_id}/annehmen")

    assert accepted.status_code == 302
    assert balance(app, ring.anna.account) == -90 and balance(app, ring.bernd.account) == 90
    done = the_request(app)
    assert (
        done.status == "accepted" and done.entry_id is not None and done.answered_by_id == ring.users["anna"]
    )


@freeze_time("2026-11-20 10:00:00")
def test_accepting_twice_books_once(app, browser, other_browser, ring):
    browser.login("bernd")
    ask(browser)
    other_browser.login("anna")
    request_id = the_request(app).id
    other_browser.post(f"/anforderungen/{request_id}/annehmen")
    second = other_browser.post(f"/anforderungen/{request_id}/annehmen")
    assert "schon beantwortet" in text_of(other_browser.get(second.headers["Location"]))
    assert balance(app, ring.anna.account) == -90


@freeze_time("2026-11-20 10:00:00")
def test_declining_books_nothing_and_keeps_the_note(app, browser, other_browser, ring):
    browser.login("bernd")
    ask(browser)
    other_browser.login("anna")
    request_id = the_request(app).id

    other_browser.post(f"/anforderungen/{request_id}/ablehnen", {"note": "War nur eine Stunde"})

    declined = the_request(app)
    assert (declined.status, declined.note, declined.entry_id) == ("declined", "War nur eine Stunde", None)
    assert balance(app, ring.anna.account) == 0
    assert "abgelehnt" in text_of(browser.get("/anforderungen"))


@freeze_time("2026-11-20 10:00:00")
def test_the_provider_may_withdraw_an_unanswered_request(app, browser, ring):
    browser.login("bernd")
    ask(browser)
    browser.post(f"/anforderungen/{the_request(app).id}/zurueckziehen")
    assert the_request(app).status == "cancelled"


@freeze_time("2026-11-20 10:00:00")
def test_only_the_payer_answers_and_only_the_provider_withdraws(app, browser, other_browser, ring):
    browser.login("bernd")
    ask(browser)
    request_id = the_request(app).id
    other_browser.login("dora")
    for action in ("annehmen", "ablehnen", "zurueckziehen"):
        assert other_browser.post(f"/anforderungen/{request_id}/{action}").status_code == 404
    assert browser.post(f"/anforderungen/{request_id}/annehmen").status_code == 404
    assert the_request(app).status == "open"


def test_an_unanswered_request_is_accepted_after_the_rings_days(app, browser, other_browser, ring):
    with freeze_time("2026-11-01 10:00:00"):
        browser.login("bernd")
        ask(browser, service_date="2026-10-31")
    with freeze_time("2026-11-14 09:59:00"):  # 13 days later: still open
        run_jobs(app)
        assert the_request(app).status == "open"
    with freeze_time("2026-11-15 10:00:01"):  # 14 days later: due, but reading a page changes nothing
        other_browser.login("anna")  # (a session ends after 8 hours)
        other_browser.get("/")
        other_browser.get("/anforderungen")
        assert the_request(app).status == "open"
        run_jobs(app)  # the scheduled job accepts it by the ring's rule
        done = the_request(app)
        assert done.status == "auto_accepted" and done.entry_id is not None
        assert balance(app, ring.anna.account) == -90
        assert "automatisch angenommen" in text_of(other_browser.get("/anforderungen"))


def test_a_ring_without_auto_accept_leaves_requests_open(app, browser, ring):
    with app.app_context():
        settings_of(db.session, ring.id).auto_accept_days = None
        db.session.commit()
    with freeze_time("2026-01-01 10:00:00"):
        browser.login("bernd")
        ask(browser, service_date="2025-12-31")
    with freeze_time("2027-01-01 10:00:00"):
        run_jobs(app)
        assert the_request(app).status == "open"


def test_an_auto_accept_that_would_cross_a_limit_is_marked_and_books_nothing(app, browser, ring):
    with freeze_time("2026-11-01 10:00:00"):
        browser.login("bernd")
        ask(browser, amount="31:00", service_date="2026-10-31")
    with freeze_time("2026-11-20 10:00:00"):
        run_jobs(app)
    failed = the_request(app)
    assert failed.status == "failed" and "Untergrenze" in failed.note
    assert balance(app, ring.anna.account) == 0


@freeze_time("2026-11-20 10:00:00")
def test_bad_request_input_is_refused_and_stores_nothing(app, browser, ring):
    browser.login("bernd")
    before = counts(app)
    for data, message in (
        ({"payer": "2"}, "Sie können sich nicht selbst bezahlen."),
        ({"payer": "77"}, "Kein Mitglied"),
        ({"amount": "abc"}, "ist kein Betrag"),
        ({"service_date": "2026-11-21"}, "in der Zukunft"),
        ({"memo": ""}, "Bitte beschreiben Sie die Leistung."),
    ):
        response = ask(browser, **data)
        assert response.status_code in (400, 409), data
        assert message in text_of(response), data
    assert counts(app) == before
