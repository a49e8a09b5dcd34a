"""Paying and payment requests at the service level: every rule, for the web and the API alike."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

import ledger
from tauschring import errors, members, payments, rings
from tauschring.models import AuditEvent, PaymentRequest
from tests.tauschring.conftest import T0, rows

DAY = T0.date()


def pay(world, who="anna", payer=None, payee=None, **kw):
    values = {"minutes": 60, "memo": "Rasen gemäht", "service_date": DAY, "now": T0, **kw}
    return payments.pay(
        world.session,
        world.actor(who),
        payer=payer or world.anna,
        payee=payee or world.bernd,
        **values,
    )


def test_a_member_pays_another(world):
    entry = pay(world)
    assert (
        ledger.balance_of(world.session, ring_id=world.ring_id, account_id=world.bernd.account_id).balance
        == 60
    )
    assert (entry.operator_id, entry.on_behalf_of_id, entry.channel) == (world.users["anna"].id, None, "web")


@pytest.mark.parametrize(
    ("change", "refusal"),
    [
        ({"payee": "anna"}, errors.SameMember),
        ({"service_date": DAY + dt.timedelta(days=1)}, errors.FutureServiceDate),
        ({"memo": "   "}, errors.MemoMissing),
        ({"minutes": 20}, errors.AmountOffStep),  # the ring books in steps of 15 minutes
        ({"minutes": 0}, errors.AmountInvalid),
        ({"minutes": 10**12}, errors.AmountInvalid),
        ({"minutes": True}, errors.AmountInvalid),
        ({"payee": "xaver"}, errors.MemberUnknown),
    ],
)
def test_a_payment_that_breaks_a_rule_is_refused_and_writes_nothing(world, change, refusal):
    before = rows(world.session)
    if "payee" in change:
        change = {"payee": world.members[change["payee"]]}
    with pytest.raises(refusal):
        pay(world, **change)
    assert rows(world.session) == before


@pytest.mark.parametrize("status", ["suspended", "left"])
def test_nobody_pays_or_is_paid_by_a_member_who_cannot_exchange(world, status):
    change = members.suspend_member if status == "suspended" else members.leave_member
    change(world.session, world.system, world.bernd, now=T0)
    before = rows(world.session)
    with pytest.raises((errors.MemberSuspended, errors.MemberLeft)):
        pay(world)
    assert rows(world.session) == before


def test_the_step_rule_holds_for_the_api_too(world):
    """The web's amount parser knew the ring's step; the API did not, and booked 7 minutes."""
    with pytest.raises(errors.AmountOffStep):
        pay(world, minutes=7, who="anna")


def test_a_payment_by_a_helper_records_both_and_is_audited(world):
    entry = pay(world, who="hilde", payer=world.clara)
    assert (entry.operator_id, entry.on_behalf_of_id) == (world.users["hilde"].id, world.clara.account_id)
    event = world.session.scalar(select(AuditEvent).where(AuditEvent.action == "payment.book"))
    assert (event.user_id, event.member_id, event.object_id) == (
        world.users["hilde"].id,
        world.clara.id,
        str(entry.id),
    )


def test_a_member_cannot_pay_from_someone_elses_account(world):
    before = rows(world.session)
    with pytest.raises(errors.MayNotActFor):
        pay(world, who="dora", payer=world.anna)
    assert rows(world.session) == before


# --- payment requests ----------------------------------------------------------------------------


def ask(world, who="bernd", payee=None, payer=None, **kw):
    values = {"minutes": 90, "memo": "Fahrrad repariert", "service_date": DAY, "now": T0, **kw}
    return payments.request_payment(
        world.session, world.actor(who), payee=payee or world.bernd, payer=payer or world.anna, **values
    )


def test_a_request_books_nothing_until_the_payer_accepts(world):
    request = ask(world)
    assert request.status == "open" and request.entry_id is None
    entry = payments.accept_request(world.session, world.actor("anna"), world.anna, request.id, now=T0)
    assert (request.status, request.entry_id, request.answered_by_id) == (
        "accepted",
        entry.id,
        world.users["anna"].id,
    )


def test_only_the_payer_answers_and_only_the_provider_withdraws(world):
    request = ask(world)
    with pytest.raises(errors.RequestUnknown):
        payments.accept_request(world.session, world.actor("bernd"), world.bernd, request.id, now=T0)
    with pytest.raises(errors.MayNotActFor):  # Dora answering as Anna
        payments.decline_request(world.session, world.actor("dora"), world.anna, request.id, now=T0)
    with pytest.raises(errors.RequestUnknown):
        payments.cancel_request(world.session, world.actor("anna"), world.anna, request.id, now=T0)
    assert request.status == "open"


def test_an_answered_request_cannot_be_answered_again(world):
    request = ask(world)
    payments.decline_request(world.session, world.actor("anna"), world.anna, request.id, now=T0, note="Nein")
    before = rows(world.session)
    with pytest.raises(errors.RequestAnswered):
        payments.accept_request(world.session, world.actor("anna"), world.anna, request.id, now=T0)
    assert rows(world.session) == before


def test_a_refused_booking_leaves_the_request_open(world, session):
    request = ask(world, minutes=31 * 60)  # Anna's lower limit is -30 hours
    session.commit()
    with pytest.raises(ledger.LimitExceeded):
        from tauschring.db import run_in_transaction

        run_in_transaction(
            session, lambda s: payments.accept_request(s, world.actor("anna"), world.anna, request.id, now=T0)
        )
    assert session.get(PaymentRequest, request.id).status == "open"


def test_the_office_answers_for_a_paper_member_and_both_are_recorded(world):
    request = ask(world, payer=world.clara)
    entry = payments.accept_request(world.session, world.actor("ute"), world.clara, request.id, now=T0)
    assert (entry.operator_id, entry.on_behalf_of_id) == (world.users["ute"].id, world.clara.account_id)
    assert world.session.scalar(
        select(AuditEvent.member_id).where(AuditEvent.action == "request.accepted")
    ) == (world.clara.id)


# --- accepted by time ----------------------------------------------------------------------------


def test_due_requests_are_accepted_by_the_job_and_others_wait(world):
    due = ask(world, now=T0 - dt.timedelta(days=15), service_date=DAY - dt.timedelta(days=15))
    fresh = ask(world, now=T0 - dt.timedelta(days=13), service_date=DAY - dt.timedelta(days=13))
    assert payments.accepted_by_time_on(world.session, fresh) == (T0 + dt.timedelta(days=1)).date()
    payments.accept_due_requests(world.session, world.ring_id, T0)
    assert (due.status, fresh.status) == ("auto_accepted", "open")
    assert due.entry_id is not None
    assert payments.accept_due_requests(world.session, world.ring_id, T0) == []  # once only


def test_a_due_request_that_would_cross_a_limit_is_marked_failed_and_books_nothing(world):
    request = ask(
        world, minutes=31 * 60, now=T0 - dt.timedelta(days=15), service_date=DAY - dt.timedelta(days=15)
    )
    entries = world.session.scalar(
        select(ledger.JournalEntry.id).order_by(ledger.JournalEntry.id.desc()).limit(1)
    )
    payments.accept_due_requests(world.session, world.ring_id, T0)
    assert request.status == "failed" and "Untergrenze" in request.note
    latest = world.session.scalar(
        select(ledger.JournalEntry.id).order_by(ledger.JournalEntry.id.desc()).limit(1)
    )
    assert latest == entries


def test_a_ring_without_an_answer_time_accepts_nothing_by_itself(world):
    rings.settings_of(world.session, world.ring_id).auto_accept_days = None
    request = ask(world, now=T0 - dt.timedelta(days=400), service_date=DAY - dt.timedelta(days=400))
    assert payments.accept_due_requests(world.session, world.ring_id, T0) == []
    assert request.status == "open" and payments.accepted_by_time_on(world.session, request) is None


def preview(world, who="anna", payer=None, minutes=60):
    return payments.preview_payment(
        world.session,
        world.actor(who),
        payer=payer or world.anna,
        payee=world.bernd,
        minutes=minutes,
        memo="Hecke",
        service_date=DAY,
        now=T0,
    )


def test_the_preview_refuses_a_payment_beyond_the_limit_before_anything_is_confirmed(world):
    """The member sees the refusal with the numbers on the preview, not after "Jetzt bezahlen"."""
    before = rows(world.session)
    assert preview(world, minutes=30 * 60).balance == 0  # the ring's floor is -30 h: just fits
    with pytest.raises(ledger.LimitExceeded) as refused:
        preview(world, minutes=30 * 60 + 15)
    assert (refused.value.params["balance"], refused.value.params["limit"]) == (0, -30 * 60)
    assert rows(world.session) == before


def test_a_helper_previews_the_balance_of_the_member_they_act_for(world):
    shown = preview(world, who="hilde", payer=world.clara)
    assert shown.account_id == world.clara.account_id
    with pytest.raises(errors.MayNotActFor):
        preview(world, who="hilde", payer=world.anna)
