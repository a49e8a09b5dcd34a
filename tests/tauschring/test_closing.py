"""Closing periods as the office does it: a month after it ended, a year after its months; an
admin reopens with a reason; all audited; late vouchers and requests land in the open period."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

import ledger
from tauschring import closing, corrections, errors, payments
from tauschring.models import AuditEvent
from tests.tauschring.conftest import rows

NOV_10 = dt.datetime(2026, 11, 10, 10, 0, tzinfo=dt.UTC)
DEC_3 = dt.datetime(2026, 12, 3, 10, 0, tzinfo=dt.UTC)
JAN_4 = dt.datetime(2027, 1, 4, 10, 0, tzinfo=dt.UTC)


def _pay(world, payer, payee, minutes, day, now):
    return payments.pay(
        world.session,
        world.system,
        payer=payer,
        payee=payee,
        minutes=minutes,
        memo="Hilfe",
        service_date=day,
        now=now,
    )


@pytest.fixture
def november(world):
    _pay(world, world.anna, world.bernd, 120, dt.date(2026, 11, 9), NOV_10)
    _pay(world, world.bernd, world.clara, 45, dt.date(2026, 11, 9), NOV_10)
    return world


def test_the_office_closes_a_month_after_it_ended_and_it_is_audited(november):
    w = november
    view = closing.close_month(w.session, w.actor("ute"), period="2026-11", now=DEC_3)
    assert view.balances[w.anna.account_id] == -120 and view.entry_count == 2
    assert view.closed_by_id == w.users["ute"].id
    event = w.session.scalars(select(AuditEvent).where(AuditEvent.action == "closing.close")).one()
    assert "2026-11" in event.summary and view.fingerprint[:16] in event.summary


def test_a_month_that_has_not_ended_cannot_be_closed(november):
    w = november
    with pytest.raises(errors.PeriodNotOver):
        closing.close_month(w.session, w.actor("ute"), period="2026-11", now=NOV_10)


def test_members_cannot_close_and_the_office_cannot_reopen(november):
    w = november
    with pytest.raises(errors.OfficeOnly):
        closing.close_month(w.session, w.actor("anna"), period="2026-11", now=DEC_3)
    view = closing.close_month(w.session, w.actor("ute"), period="2026-11", now=DEC_3)
    before = rows(w.session)
    with pytest.raises(errors.AdminOnly):
        closing.reopen(w.session, w.actor("ute"), closing_id=view.id, reason="Fehler", now=DEC_3)
    with pytest.raises(errors.ReasonMissing):
        closing.reopen(w.session, w.actor("ada"), closing_id=view.id, reason="  ", now=DEC_3)
    assert rows(w.session) == before


def test_an_admin_reopens_with_a_reason_and_the_log_says_why(november):
    w = november
    view = closing.close_month(w.session, w.actor("ute"), period="2026-11", now=DEC_3)
    closing.reopen(w.session, w.actor("ada"), closing_id=view.id, reason="Beleg 17 fehlte", now=DEC_3)
    event = w.session.scalars(select(AuditEvent).where(AuditEvent.action == "closing.reopen")).one()
    assert "Beleg 17 fehlte" in event.summary and event.user_id == w.users["ada"].id
    _pay(w, w.anna, w.bernd, 15, dt.date(2026, 11, 30), DEC_3)
    assert ledger.verify(w.session, w.ring_id).ok


def test_a_member_paying_into_a_closed_month_is_refused(november):
    w = november
    closing.close_month(w.session, w.actor("ute"), period="2026-11", now=DEC_3)
    with pytest.raises(ledger.PeriodClosed):
        payments.pay(
            w.session,
            w.actor("anna"),
            payer=w.anna,
            payee=w.bernd,
            minutes=30,
            memo="x",
            service_date=dt.date(2026, 11, 30),
            now=DEC_3,
        )


def test_a_request_accepted_after_the_closing_is_booked_today_with_its_date_in_the_text(november):
    w = november
    request = payments.request_payment(
        w.session,
        w.actor("bernd"),
        payee=w.bernd,
        payer=w.anna,
        minutes=30,
        memo="Rasen",
        service_date=dt.date(2026, 11, 28),
        now=NOV_10 + dt.timedelta(days=20),
    )
    closing.close_month(w.session, w.actor("ute"), period="2026-11", now=DEC_3)
    entry = payments.accept_request(w.session, w.actor("anna"), w.anna, request.id, now=DEC_3)
    assert entry.service_date == DEC_3.date()
    assert entry.memo == "[Leistungsdatum 28.11.2026] Rasen"


def test_a_storno_of_a_closed_entry_lands_in_the_open_period_and_the_closing_still_holds(november):
    w = november
    closing.close_month(w.session, w.actor("ute"), period="2026-11", now=DEC_3)
    first = w.session.scalar(
        select(ledger.JournalEntry.id)
        .where(ledger.JournalEntry.ring_id == w.ring_id)
        .order_by(ledger.JournalEntry.id)
    )
    reversal = corrections.reverse(w.session, w.actor("ute"), entry_id=first, reason="doppelt", now=DEC_3)
    assert reversal.service_date == DEC_3.date()
    assert ledger.verify(w.session, w.ring_id).ok


def test_closing_a_year_closes_its_open_months_then_the_year(november):
    w = november
    written = closing.close_year(w.session, w.actor("ute"), year=2026, now=JAN_4)
    assert [c.kind for c in written] == ["month"] * 12 + ["year"]
    assert [c.period_start.month for c in written[:12]] == list(range(1, 13))
    assert written[-1].entry_count == 2 and written[-1].balances == written[-2].balances
    assert closing.latest_year_closing(w.session, w.ring_id, 2026).id == written[-1].id
    with pytest.raises(errors.YearInvalid):
        closing.close_year(w.session, w.actor("ute"), year=99999, now=JAN_4)


def test_the_proposal_is_the_month_after_the_last_closed_one_once_it_ended(november):
    w = november
    assert closing.proposal(w.session, w.ring_id, DEC_3.date()).period == "2026-11"
    closing.close_month(w.session, w.actor("ute"), period="2026-11", now=DEC_3)
    assert closing.proposal(w.session, w.ring_id, DEC_3.date()) is None
    assert closing.proposal(w.session, w.ring_id, JAN_4.date()).period == "2026-12"


def test_an_editions_cut_off_proposes_closing_the_month_before_it(november):
    from tauschring import editions

    w = november
    edition = editions.create_edition(
        w.session,
        w.actor("ute"),
        year=2026,
        month=12,
        cutoff=dt.date(2026, 12, 5),
        next_cutoff=dt.date(2027, 1, 5),
        now=NOV_10,
    )
    assert editions.closing_proposal(w.session, edition, dt.date(2026, 12, 4)) is None
    assert editions.closing_proposal(w.session, edition, dt.date(2026, 12, 5)).period == "2026-11"
    closing.close_month(w.session, w.actor("ute"), period="2026-11", now=DEC_3)
    assert editions.closing_proposal(w.session, edition, dt.date(2026, 12, 6)) is None


def test_a_late_voucher_for_a_closed_month_is_flagged_and_booked_today_with_its_date_in_the_text(november):
    from tauschring import vouchers

    w = november
    closing.close_month(w.session, w.actor("ute"), period="2026-11", now=DEC_3)
    batch = vouchers.open_batch(w.session, w.actor("ute"), now=DEC_3, title="Nachzügler")
    vouchers.add_line(
        w.session,
        w.actor("ute"),
        batch,
        now=DEC_3,
        voucher_number="4711",
        service_date="28.11.2026",
        payer_number=str(w.anna.number),
        payee_number=str(w.dora.number),
        amount="1:00",
        memo="Hecke",
    )
    check = vouchers.check_batch(w.session, batch, today=DEC_3.date())
    assert any("abgeschlossen" in warning for warning in check.lines[0].warnings)
    [entry] = vouchers.post_batch(w.session, w.actor("ute"), batch, now=DEC_3)
    assert entry.service_date == DEC_3.date() and entry.memo == "[Leistungsdatum 28.11.2026] Hecke"
    assert entry.voucher_number == "4711" and ledger.verify(w.session, w.ring_id).ok
