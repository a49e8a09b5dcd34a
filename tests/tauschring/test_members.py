"""Members at the service level: admitting, contact data, leaving and erasing, finding them."""

from __future__ import annotations

import pytest
from sqlalchemy import select

import ledger
from tauschring import errors, logins, members, privacy, sessions
from tauschring.models import AuditEvent, Listing, Member, User
from tauschring.permissions import Actor
from tests.tauschring.conftest import PASSWORD, T0, rows


def test_the_office_admits_and_the_audit_names_the_member(world):
    helga = members.admit_member(
        world.session, world.actor("ute"), first_name="Helga", last_name="Sommer", now=T0
    )
    event = world.session.scalar(
        select(AuditEvent).where(
            AuditEvent.object_type == "member", AuditEvent.object_id == str(helga.number)
        )
    )
    assert (event.action, event.user_id, event.member_id) == ("member.admit", world.users["ute"].id, helga.id)
    assert not any(members.consents(helga).values())  # nothing published by default


@pytest.mark.parametrize("who", ["anna", "hilde"])
def test_members_and_helpers_admit_nobody(world, who):
    before = rows(world.session)
    with pytest.raises(errors.OfficeOnly):
        members.admit_member(world.session, world.actor(who), first_name="X", last_name="Y", now=T0)
    assert rows(world.session) == before


def test_a_member_without_a_name_is_not_admitted(world):
    before = rows(world.session)
    with pytest.raises(errors.NameMissing):
        members.admit_member(world.session, world.actor("ute"), first_name=" ", last_name="Y", now=T0)
    assert rows(world.session) == before


def test_a_member_changes_their_own_contact_data_and_nobody_elses(world):
    assert members.update_contact(world.session, world.actor("anna"), world.anna, now=T0, phone="0341 1")
    assert world.anna.phone == "0341 1"
    with pytest.raises(errors.MayNotActFor):
        members.update_contact(world.session, world.actor("anna"), world.bernd, now=T0, phone="0341 2")
    assert world.bernd.phone is None


def test_the_office_cannot_edit_an_erased_member(world):
    members.leave_member(world.session, world.system, world.dora, now=T0)
    privacy.erase_member(world.session, world.system, world.dora, now=T0)
    with pytest.raises(errors.MemberErased):
        members.edit_member(world.session, world.actor("ute"), world.dora, now=T0, first_name="Dora")
    assert world.dora.first_name == ""


def test_only_a_member_who_left_is_erased_and_only_once(world):
    with pytest.raises(errors.MemberNotLeft):
        privacy.erase_member(world.session, world.actor("ute"), world.dora, now=T0)
    members.leave_member(world.session, world.actor("ute"), world.dora, now=T0)
    privacy.erase_member(world.session, world.actor("ute"), world.dora, now=T0)
    with pytest.raises(errors.MemberErased):
        privacy.erase_member(world.session, world.actor("ute"), world.dora, now=T0)


def test_leaving_ends_logins_and_withdraws_listings(world):
    from tauschring import listings, rings

    category = rings.categories_of(world.session, world.ring_id)[0]
    listing = listings.create_listing(
        world.session, world.actor("dora"), member=world.dora, kind="offer", category_id=category.id,
        title="Kuchen", text="Lecker", now=T0,
    )  # fmt: skip
    key = logins.sign_in(world.session, username="dora", password=PASSWORD, client="c", now=T0).session_key
    members.leave_member(world.session, world.actor("ute"), world.dora, now=T0)
    assert listing.withdrawn_at is not None
    assert world.users["dora"].active is False and sessions.user_of_session(world.session, key, T0) is None
    with pytest.raises(errors.MemberLeft):
        members.leave_member(world.session, world.actor("ute"), world.dora, now=T0)


def test_the_office_suspends_and_reactivates(world):
    members.suspend_member(world.session, world.actor("ute"), world.bernd, now=T0)
    with pytest.raises(errors.MemberNotActive):
        members.suspend_member(world.session, world.actor("ute"), world.bernd, now=T0)
    members.reactivate_member(world.session, world.actor("ute"), world.bernd, now=T0)
    with pytest.raises(errors.MemberNotSuspended):
        members.reactivate_member(world.session, world.actor("ute"), world.bernd, now=T0)
    actions = world.session.scalars(
        select(AuditEvent.action).where(AuditEvent.member_id == world.bernd.id)
    ).all()
    assert actions[-2:] == ["member.suspend", "member.reactivate"]


def test_unknown_consents_are_refused(world):
    with pytest.raises(errors.ConsentUnknown):
        members.set_consents(
            world.session, world.actor("anna"), world.anna, {("shoe_size", "print"): True}, now=T0
        )


# --- finding members -----------------------------------------------------------------------------


def found(world, text, **kw):
    query = members.search_members(world.session, world.ring_id, text, **kw)
    return [m.first_name for m in world.session.scalars(query.order_by(Member.number))]


def test_one_search_finds_by_number_or_by_every_word_of_the_name(world):
    assert found(world, str(world.bernd.number)) == ["Bernd"]
    assert found(world, "anna becker") == ["Anna"]
    assert found(world, "xaver") == []  # another ring's member is nobody here


def test_percent_and_underscore_are_letters_in_a_search(world):
    assert found(world, "%") == []
    assert found(world, "_") == []
    assert found(world, "a%") == []


def test_payees_are_members_who_can_exchange(world):
    members.suspend_member(world.session, world.system, world.dora, now=T0)
    found = members.find_payees(world.session, world.actor("ute"), "a")
    assert [m.first_name for m in found] == ["Anna", "Clara"]


def test_a_member_of_another_ring_is_unknown_by_number(world):
    with pytest.raises(errors.MemberUnknown) as refused:
        members.require_member(world.session, world.actor("ute"), 4711)
    assert refused.value.params == {"number": 4711}


def test_reading_members_writes_nothing(world):
    before = rows(world.session)
    members.search_members(world.session, world.ring_id, "a")
    members.beyond_soft_limits(world.session, world.ring_id)
    assert rows(world.session) == before
    assert world.session.scalar(select(User.id).where(User.username == "anna"))
    assert world.session.scalar(select(Listing.id)) is None


def test_the_office_gives_one_member_limits_of_their_own_and_takes_them_back(world):
    changed = members.set_limits(
        world.session, world.actor("ute"), world.clara, min_balance=-40 * 60, max_balance=None, now=T0
    )
    shown = ledger.balance_of(world.session, ring_id=world.ring_id, account_id=world.clara.account_id)
    assert changed and (shown.min_balance, shown.max_balance) == (-40 * 60, 60 * 60)  # upper: the ring's
    event = world.session.scalar(select(AuditEvent).where(AuditEvent.action == "member.limits"))
    assert event.member_id == world.clara.id and '"min_balance": -2400' in event.after
    assert not members.set_limits(
        world.session, world.actor("ute"), world.clara, min_balance=-40 * 60, max_balance=None, now=T0
    )
    members.set_limits(
        world.session, world.actor("ute"), world.clara, min_balance=None, max_balance=None, now=T0
    )
    back = ledger.balance_of(world.session, ring_id=world.ring_id, account_id=world.clara.account_id)
    assert back.min_balance == -30 * 60  # the ring's own again


@pytest.mark.parametrize("who", ["anna", "hilde"])
def test_members_and_helpers_change_no_limits(world, who):
    before = rows(world.session)
    with pytest.raises(errors.OfficeOnly):
        members.set_limits(
            world.session, world.actor(who), world.clara, min_balance=-99 * 60, max_balance=None, now=T0
        )
    assert rows(world.session) == before


def test_limits_the_books_cannot_hold_are_refused_and_change_nothing(world):
    before = rows(world.session)
    with pytest.raises(ledger.InvalidLimits):
        members.set_limits(
            world.session, world.actor("ute"), world.clara, min_balance=60, max_balance=None, now=T0
        )
    assert rows(world.session) == before


def test_the_office_finds_an_entry_by_its_number_or_its_voucher_number_in_its_own_ring(world):
    from tauschring import statements

    entry = ledger.book_transfer(
        world.session, ring_id=world.ring_id, payer=world.anna.account_id, payee=world.bernd.account_id,
        minutes=60, memo="Hecke", service_date=T0.date(), now=T0, voucher_number="4711",
    )  # fmt: skip
    office = world.actor("ute")
    assert [e.id for e in statements.find_entries(world.session, office, "4711")] == [entry.id]
    assert [e.id for e in statements.find_entries(world.session, office, f" {entry.id} ")] == [entry.id]
    assert statements.find_entries(world.session, office, "") == []
    neighbour = Actor.of(world.users["xaver"])
    with pytest.raises(errors.OfficeOnly):
        statements.find_entries(world.session, neighbour, "4711")
