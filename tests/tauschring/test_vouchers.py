"""Voucher batches at the service level: approval by a second person, and that a change to an
approved batch sends it back for approval (the rule was written three times and never ran)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

import ledger
from tauschring import errors, rings, texts, vouchers
from tauschring.models import AuditEvent
from tests.tauschring.conftest import T0, rows


def line(world, voucher="101", payer=None, payee=None, amount="1:00"):
    return {
        "voucher_number": voucher,
        "service_date": T0.date().strftime("%d.%m.%Y"),
        "payer_number": str((payer or world.anna).number),
        "payee_number": str((payee or world.bernd).number),
        "amount": amount,
        "memo": "Hecke geschnitten",
    }


@pytest.fixture
def approved(world):
    """A batch Ute typed and Otto approved, in a ring that requires approval."""
    rings.settings_of(world.session, world.ring_id).require_batch_approval = True
    batch = vouchers.open_batch(world.session, world.actor("ute"), now=T0, title="Treffen")
    vouchers.add_line(world.session, world.actor("ute"), batch, now=T0, **line(world))
    vouchers.approve_batch(world.session, world.actor("otto"), batch, now=T0)
    assert batch.status == "approved"
    return batch


def test_a_new_line_on_an_approved_batch_starts_the_approval_over(world, approved):
    vouchers.add_line(world.session, world.actor("ute"), approved, now=T0, **line(world, "102"))
    assert (approved.status, approved.approved_by_id, approved.approved_at) == ("open", None, None)
    assert (
        world.session.scalar(select(AuditEvent.id).where(AuditEvent.action == "batch.unapprove")) is not None
    )
    with pytest.raises(errors.BatchNeedsApproval):
        vouchers.post_batch(world.session, world.actor("ute"), approved, now=T0)


def test_a_changed_line_starts_the_approval_over(world, approved):
    vouchers.update_line(
        world.session,
        world.actor("ute"),
        approved.lines[0],
        now=T0,
        old_confirmed=False,
        **line(world, amount="2"),
    )
    assert approved.status == "open"


def test_a_deleted_line_starts_the_approval_over(world, approved):
    vouchers.add_line(world.session, world.actor("ute"), approved, now=T0, **line(world, "102"))
    vouchers.approve_batch(world.session, world.actor("otto"), approved, now=T0)
    vouchers.delete_line(world.session, world.actor("ute"), approved.lines[-1], now=T0)
    assert approved.status == "open"


def test_the_approved_batch_posts(world, approved):
    entries = vouchers.post_batch(world.session, world.actor("ute"), approved, now=T0)
    assert len(entries) == 1 and approved.status == "posted"


@pytest.mark.parametrize("who", ["ute", "system"])
def test_whoever_typed_the_batch_cannot_approve_it(world, who):
    batch = vouchers.open_batch(world.session, world.actor("ute"), now=T0)
    vouchers.add_line(world.session, world.actor("otto"), batch, now=T0, **line(world))
    actor = world.system if who == "system" else world.actor(who)
    with pytest.raises(errors.BatchSecondPerson):
        vouchers.approve_batch(world.session, actor, batch, now=T0)
    with pytest.raises(errors.BatchSecondPerson):  # Otto typed a line of it
        vouchers.approve_batch(world.session, world.actor("otto"), batch, now=T0)
    vouchers.approve_batch(world.session, world.actor("ada"), batch, now=T0)
    assert batch.approved_by_id == world.users["ada"].id


def test_a_batch_with_errors_is_not_approved(world):
    batch = vouchers.open_batch(world.session, world.actor("ute"), now=T0)
    vouchers.add_line(world.session, world.actor("ute"), batch, now=T0, **line(world, payee=world.anna))
    with pytest.raises(errors.BatchHasErrors):
        vouchers.approve_batch(world.session, world.actor("otto"), batch, now=T0)


@pytest.mark.parametrize("who", ["anna", "hilde"])
def test_members_and_helpers_do_no_office_work(world, who):
    before = rows(world.session)
    with pytest.raises(errors.OfficeOnly):
        vouchers.open_batch(world.session, world.actor(who), now=T0)
    assert rows(world.session) == before


def test_a_batch_of_another_ring_does_not_exist_for_the_office(world):
    batch = vouchers.open_batch(world.session, world.actor("ute"), now=T0)
    from tauschring.permissions import Actor

    stranger = Actor(ring_id=world.other_ring_id, user_id=world.users["xaver"].id, role="office")
    with pytest.raises(errors.BatchUnknown):
        vouchers.batch_for(world.session, stranger, batch.id)


def test_a_posted_batch_is_neither_changed_nor_discarded(world):
    batch = vouchers.open_batch(world.session, world.actor("ute"), now=T0)
    vouchers.add_line(world.session, world.actor("ute"), batch, now=T0, **line(world))
    vouchers.post_batch(world.session, world.actor("ute"), batch, now=T0)
    with pytest.raises(errors.BatchNotOpen):
        vouchers.add_line(world.session, world.actor("ute"), batch, now=T0, **line(world, "103"))
    with pytest.raises(errors.BatchPosted):
        vouchers.discard_batch(world.session, world.actor("ute"), batch, now=T0)


def test_whether_a_voucher_number_was_issued_is_one_rule(world):
    assert vouchers.issued_ranges(world.session, world.ring_id) is None  # the ring issues none
    issued = vouchers.hand_out_vouchers(
        world.session, world.actor("ute"), count=3, now=T0, member=world.clara
    )
    ranges = vouchers.issued_ranges(world.session, world.ring_id)
    assert vouchers.in_ranges(str(issued.first), ranges) and not vouchers.in_ranges(
        str(issued.last + 1), ranges
    )
    assert not vouchers.in_ranges("abc", ranges)
    with pytest.raises(errors.VoucherCountInvalid):
        vouchers.hand_out_vouchers(world.session, world.actor("ute"), count=0, now=T0)


def typed(world, *lines_, memo_required=False):
    """A batch Ute typed, with the ring's rule on the memo."""
    rings.settings_of(world.session, world.ring_id).voucher_memo_required = memo_required
    batch = vouchers.open_batch(world.session, world.actor("ute"), now=T0, title="Treffen")
    for fields in lines_:
        vouchers.add_line(world.session, world.actor("ute"), batch, now=T0, **fields)
    return batch


def test_a_batch_that_does_not_match_the_counted_stack_is_not_posted_and_says_by_how_much(world):
    batch = typed(world, line(world, "101"), line(world, "102", amount="2:30"))
    vouchers.set_expected_totals(world.session, world.actor("ute"), batch, count=3, minutes=4 * 60, now=T0)
    before = rows(world.session)
    with pytest.raises(errors.BatchTotalsMismatch) as refused:
        vouchers.post_batch(world.session, world.actor("ute"), batch, now=T0)
    assert (refused.value.params["count_off"], refused.value.params["minutes_off"]) == (-1, -30)
    assert "1 Beleg weniger" in texts.explain(refused.value) and "0:30" in texts.explain(refused.value)
    assert rows(world.session) == before and batch.status == "open"
    with pytest.raises(errors.BatchTotalsMismatch):  # nor approved by the second person
        vouchers.approve_batch(world.session, world.actor("otto"), batch, now=T0)
    vouchers.set_expected_totals(world.session, world.actor("ute"), batch, count=2, minutes=210, now=T0)
    assert len(vouchers.post_batch(world.session, world.actor("ute"), batch, now=T0)) == 2


def test_a_batch_without_counted_totals_still_posts(world):
    batch = typed(world, line(world, "101"))
    assert vouchers.check_batch(world.session, batch, today=T0.date()).totals_match is None
    assert len(vouchers.post_batch(world.session, world.actor("ute"), batch, now=T0)) == 1


def test_only_the_later_of_two_equal_voucher_numbers_is_flagged(world):
    batch = typed(world, line(world, "101"), line(world, "101", payer=world.bernd, payee=world.anna))
    first, second = vouchers.check_batch(world.session, batch, today=T0.date()).lines
    assert first.status == "ready" and second.status == "duplicate"
    entries = vouchers.post_batch(world.session, world.actor("ute"), batch, now=T0, clean_only=True)
    assert [e.id for e in entries] == [batch.lines[0].entry_id] and batch.lines[1].entry_id is None


def _deep(world, **extra):
    """Anna at her lower limit already: any further voucher she pays is beyond it."""
    ledger.set_account_limits(
        world.session,
        ring_id=world.ring_id,
        account_id=world.anna.account_id,
        min_balance=0,
        max_balance=None,
    )
    return {**line(world, "201"), **extra}


def test_a_voucher_beyond_a_limit_is_an_error_without_a_reason(world):
    batch = typed(world, _deep(world))
    (check,) = vouchers.check_batch(world.session, batch, today=T0.date()).lines
    assert check.status == "error" and "Untergrenze" in " ".join(check.errors)
    with pytest.raises(errors.BatchHasErrors):
        vouchers.post_batch(world.session, world.actor("ute"), batch, now=T0)


def test_the_office_books_a_voucher_beyond_a_limit_with_a_recorded_reason(world):
    batch = typed(world, _deep(world, override_reason="Vorstand hat am Telefon zugestimmt"))
    (check,) = vouchers.check_batch(world.session, batch, today=T0.date()).lines
    assert check.status == "ready" and "Untergrenze" in " ".join(check.warnings)
    (entry,) = vouchers.post_batch(world.session, world.actor("ute"), batch, now=T0)
    assert entry.override_reason == "Vorstand hat am Telefon zugestimmt"
    assert (
        ledger.balance_of(world.session, ring_id=world.ring_id, account_id=world.anna.account_id).balance
        == -60
    )
    assert ledger.verify(world.session, world.ring_id).ok  # "limits held, except with a reason"
    added = world.session.scalar(select(AuditEvent).where(AuditEvent.action == "batch.line.add"))
    assert "Vorstand hat am Telefon zugestimmt" in added.after


def test_the_memo_is_optional_unless_the_ring_requires_it(world):
    batch = typed(world, {**line(world, "301"), "memo": ""})
    (entry,) = vouchers.post_batch(world.session, world.actor("ute"), batch, now=T0)
    assert entry.memo == "Beleg 301"
    strict = typed(world, {**line(world, "302"), "memo": ""}, memo_required=True)
    (check,) = vouchers.check_batch(world.session, strict, today=T0.date()).lines
    assert check.status == "error"


def test_posted_lines_keep_the_names_of_payer_and_payee(world):
    batch = typed(world, line(world, "401"))
    vouchers.post_batch(world.session, world.actor("ute"), batch, now=T0)
    (check,) = vouchers.check_batch(world.session, batch, today=T0.date()).lines
    assert (check.payer, check.payee) == (world.anna, world.bernd)
