"""The monthly account fee: a preview, one run per month, exemptions, the ring's policy at a limit."""

from __future__ import annotations

import datetime as dt

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select

import ledger
from tauschring.db import db
from tauschring.models import FeeExemption, FeeRun, Member, RingSettings
from tests.web.conftest import balance, counts, text_of


@pytest.fixture
def fee_ring(app, ring):
    with app.app_context():
        settings = db.session.get(RingSettings, ring.id)
        settings.fee_minutes, settings.fee_policy = 30, "skip"
        # Dora is 0:15 above her floor: the fee would cross it.
        ledger.set_account_limits(
            db.session, ring_id=ring.id, account_id=ring.dora.account, min_balance=-60, max_balance=None
        )
        ledger.book_transfer(
            db.session,
            ring_id=ring.id,
            payer=ring.dora.account,
            payee=ring.anna.account,
            minutes=45,
            memo="x",
            service_date=dt.date(2026, 10, 1),
            now=dt.datetime(2026, 10, 1, 12, tzinfo=dt.UTC),
        )
        db.session.add(FeeExemption(member_id=ring.clara.id, reason="Härtefall", since=dt.date(2026, 1, 1)))
        db.session.commit()
    return ring


def fee_entries(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).where(ledger.JournalEntry.kind == "fee"))


@freeze_time("2026-12-01 09:00:00")
def test_the_preview_shows_each_members_outcome_and_books_nothing(app, browser, fee_ring):
    browser.login("buero")
    before = counts(app)
    page = text_of(browser.get("/buero/gebuehren?monat=2026-11"))
    assert "Zu buchen: 1:00 Std. von 2 Mitgliedern." in page
    assert (
        "befreit: Härtefall" in page and "wird übersprungen: Untergrenze -1:00 würde unterschritten" in page
    )
    assert counts(app) == before


@freeze_time("2026-12-01 09:00:00")
def test_running_a_month_books_the_fee_to_the_fee_account_once(app, browser, fee_ring):
    browser.login("buero")
    browser.post("/buero/gebuehren", {"period": "2026-11"})
    with app.app_context():
        fees = ledger.system_account(db.session, fee_ring.id, "fees")
        entry = db.session.scalar(select(ledger.JournalEntry).where(ledger.JournalEntry.kind == "fee"))
        assert (entry.memo, entry.service_date) == ("Kontoführungsgebühr 11/2026", dt.date(2026, 11, 30))
    assert balance(app, fees) == 60
    assert (balance(app, fee_ring.anna.account), balance(app, fee_ring.bernd.account)) == (45 - 30, -30)
    assert balance(app, fee_ring.clara.account) == 0 and balance(app, fee_ring.dora.account) == -45

    browser.post("/buero/gebuehren", {"period": "2026-11"})  # a second run books nothing more
    assert fee_entries(app) == 2 and balance(app, fees) == 60
    page = text_of(browser.get("/buero/gebuehren?monat=2026-11"))
    assert "Für diesen Monat ist nichts mehr zu buchen." in page
    with app.app_context():
        runs = db.session.scalars(select(FeeRun).order_by(FeeRun.id)).all()
        assert [(r.booked, r.skipped) for r in runs] == [(2, 1), (0, 0)]
        assert ledger.verify(db.session, fee_ring.id).ok


@freeze_time("2026-12-01 09:00:00")
def test_a_member_skipped_at_a_limit_stays_skipped_for_that_month(app, browser, fee_ring):
    browser.login("buero")
    browser.post("/buero/gebuehren", {"period": "2026-11"})
    with app.app_context():  # Dora gets room below her floor afterwards
        ledger.book_transfer(
            db.session,
            ring_id=fee_ring.id,
            payer=fee_ring.anna.account,
            payee=fee_ring.dora.account,
            minutes=15,
            memo="y",
            service_date=dt.date(2026, 12, 1),
            now=dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC),
        )
        db.session.commit()
    browser.post("/buero/gebuehren", {"period": "2026-11"})
    assert balance(app, fee_ring.dora.account) == -30
    assert "beim ersten Lauf wegen der Grenze übersprungen" in text_of(
        browser.get("/buero/gebuehren?monat=2026-11")
    )


@freeze_time("2026-12-01 09:00:00")
def test_with_the_override_policy_the_fee_is_booked_past_the_limit_with_a_recorded_reason(
    app, browser, fee_ring
):
    with app.app_context():
        db.session.get(RingSettings, fee_ring.id).fee_policy = "override"
        db.session.commit()
    browser.login("buero")
    browser.post("/buero/gebuehren", {"period": "2026-11"})
    assert balance(app, fee_ring.dora.account) == -75
    with app.app_context():
        dora_fee = ledger.recent_lines(
            db.session, ring_id=fee_ring.id, account_id=fee_ring.dora.account, count=1
        )[0]
        assert dora_fee.override_reason == "Kontoführungsgebühr trotz Grenze (Regel des Tauschrings)"
        assert ledger.verify(db.session, fee_ring.id).ok


@pytest.mark.parametrize(
    ("moment", "period", "service_date"),
    [
        ("2026-11-30 22:59:59", "2026-11", dt.date(2026, 11, 30)),  # 23:59:59 in Berlin: still November
        ("2026-11-30 23:00:00", "2026-11", dt.date(2026, 11, 30)),  # midnight in Berlin: December has begun
        ("2026-11-15 10:00:00", "2026-11", dt.date(2026, 11, 15)),  # mid-month: dated today
        ("2027-01-10 10:00:00", "2026-12", dt.date(2026, 12, 31)),  # late: dated the month's last day
    ],
)
def test_the_fee_is_dated_the_last_day_of_its_month_or_today_if_earlier(
    app, browser, fee_ring, moment, period, service_date
):
    with freeze_time(moment):
        browser.login("buero")
        browser.post("/buero/gebuehren", {"period": period})
    with app.app_context():
        entry = db.session.scalar(select(ledger.JournalEntry).where(ledger.JournalEntry.kind == "fee"))
        assert entry.service_date == service_date


@freeze_time("2026-11-30 23:00:00")  # 1 December in Berlin
def test_the_default_period_in_the_first_week_is_the_month_just_ended(app, browser, fee_ring):
    browser.login("buero")
    assert 'value="2026-11"' in browser.get("/buero/gebuehren").get_data(as_text=True)


@freeze_time("2026-11-20 10:00:00")
@pytest.mark.parametrize(
    ("period", "message"),
    [("2026-12", "hat noch nicht begonnen"), ("2026-13", "ist kein Monat"), ("November", "ist kein Monat")],
)
def test_a_bad_period_is_refused_and_books_nothing(app, browser, fee_ring, period, message):
    browser.login("buero")
    before = counts(app)
    page = browser.get(f"/buero/gebuehren?monat={period}")
    assert page.status_code == 400 and message in text_of(page)
    browser.post("/buero/gebuehren", {"period": period})
    assert counts(app) == before


@freeze_time("2026-12-01 09:00:00")
def test_members_who_joined_after_the_month_or_left_pay_nothing(app, browser, fee_ring):
    with app.app_context():
        db.session.get(Member, fee_ring.bernd.id).joined_on = dt.date(2026, 12, 1)
        db.session.commit()
    browser.login("buero")
    browser.post("/buero/gebuehren", {"period": "2026-11"})
    assert balance(app, fee_ring.bernd.account) == 0 and fee_entries(app) == 1


@freeze_time("2026-12-01 09:00:00")
def test_exemptions_are_added_and_lifted_at_the_office(app, browser, fee_ring):
    browser.login("buero")
    browser.post("/buero/gebuehren/befreiung", {"number": "2", "reason": "Ehrenamt im Büro"})
    browser.post("/buero/gebuehren/befreiung/3/aufheben", {})
    with app.app_context():
        exempt = {row.member_id: row.reason for row in db.session.scalars(select(FeeExemption))}
    assert exempt == {fee_ring.bernd.id: "Ehrenamt im Büro"}


def test_the_fee_command_previews_and_runs_a_month(app, fee_ring):
    runner = app.test_cli_runner()
    with freeze_time("2026-12-01 09:00:00"):
        preview = runner.invoke(args=["fees", "run", "--period", "2026-11", "--dry-run"])
        assert preview.exit_code == 0, preview.output
        assert "Vorschau Kontoführungsgebühr 2026-11" in preview.output and "Zu buchen: 2" in preview.output
        assert fee_entries(app) == 0
        done = runner.invoke(args=["fees", "run", "--period", "2026-11", "--ring", str(fee_ring.id)])
        assert done.exit_code == 0 and "Gebucht: 2, übersprungen: 1, befreit: 1" in done.output
        again = runner.invoke(args=["fees", "run", "--period", "2026-11", "--ring", str(fee_ring.id)])
        assert "Gebucht: 0" in again.output and fee_entries(app) == 2
        bad = runner.invoke(args=["fees", "run", "--period", "2026-13", "--ring", str(fee_ring.id)])
        assert bad.exit_code == 1 and "ist kein Monat" in bad.output
