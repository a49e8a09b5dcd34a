"""Voucher batches at the service level: approval by a second person, and that a change to an
approved batch sends it back for approval (the rule was written three times and never ran)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tauschring import errors, rings, vouchers
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
