"""Permissions are rules like any other: who may act for whom, who may set which login, who may
give which role, and that helper links end. Each test fails if its rule breaks."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tauschring import errors, listings, logins, members, payments, privacy, rings
from tauschring.models import AuditEvent, MemberHelper
from tauschring.permissions import Actor, may_act_for, require_may_act_for
from tests.tauschring.conftest import PASSWORD, T0, rows

# --- acting for a member ---------------------------------------------------------------------


def test_a_login_acts_for_its_own_member_and_a_helper_for_the_member_it_helps(world):
    assert may_act_for(world.session, world.actor("anna"), world.anna)
    assert may_act_for(world.session, world.actor("hilde"), world.clara)
    assert may_act_for(world.session, world.actor("ute"), world.bernd)  # the office, for any member


def test_a_member_may_not_act_for_another_member(world):
    with pytest.raises(errors.MayNotActFor):
        require_may_act_for(world.session, world.actor("anna"), world.bernd)
    with pytest.raises(errors.MayNotActFor):
        require_may_act_for(world.session, world.actor("hilde"), world.bernd)  # not helped by her


def test_nobody_acts_for_a_member_of_another_ring_and_the_refusal_names_nothing_of_it(world):
    with pytest.raises(errors.MemberUnknown) as refused:
        require_may_act_for(world.session, world.actor("ute"), world.xaver)
    assert refused.value.params == {"number": None}  # Xaver's number in his ring stays unknown


@pytest.mark.parametrize("who", ["hilde", "ute", "ada"])
def test_nobody_acts_for_a_member_who_left_whoever_asks(world, who):
    members.leave_member(world.session, world.system, world.clara, now=T0)
    with pytest.raises(errors.MemberLeft):
        require_may_act_for(world.session, world.actor(who), world.clara)


@pytest.mark.parametrize("who", ["hilde", "ute"])
def test_nobody_acts_for_a_suspended_member_whoever_asks(world, who):
    members.suspend_member(world.session, world.system, world.clara, now=T0)
    with pytest.raises(errors.MemberSuspended):
        require_may_act_for(world.session, world.actor(who), world.clara)


def test_a_helper_cannot_write_a_street_into_an_erased_record(world):
    members.leave_member(world.session, world.system, world.clara, now=T0)
    privacy.erase_member(world.session, world.system, world.clara, now=T0)
    for who in ("hilde", "ute"):
        with pytest.raises((errors.MemberErased, errors.MemberLeft)):
            members.update_contact(
                world.session, world.actor(who), world.clara, now=T0, street="Neue Straße 1"
            )
    assert world.clara.street is None


def test_a_helper_cannot_pay_for_a_member_who_left(world):
    members.leave_member(world.session, world.system, world.clara, now=T0)
    before = rows(world.session)
    with pytest.raises(errors.MemberLeft):
        payments.pay(
            world.session,
            world.actor("hilde"),
            payer=world.clara,
            payee=world.bernd,
            minutes=60,
            memo="Einkauf",
            service_date=T0.date(),
            now=T0,
        )
    assert rows(world.session) == before


def test_leaving_ends_the_helper_links_and_the_helper_no_longer_sees_the_member(world):
    assert logins.members_to_act_for(world.session, world.actor("hilde")) == [world.clara]
    members.leave_member(world.session, world.system, world.clara, now=T0)
    assert logins.members_to_act_for(world.session, world.actor("hilde")) == []
    assert world.session.scalar(select(MemberHelper)) is None


# --- helper links --------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["ute", "hilde"])
def test_a_helper_link_can_be_ended_and_the_end_is_audited_with_both_names(world, who):
    logins.end_helper(
        world.session, world.actor(who), world.clara, helper_user_id=world.users["hilde"].id, now=T0
    )
    assert not may_act_for(world.session, world.actor("hilde"), world.clara)
    event = world.session.scalar(select(AuditEvent).where(AuditEvent.action == "helper.end"))
    assert (event.user_id, event.member_id) == (world.users[who].id, world.clara.id)


def test_another_member_cannot_end_someone_elses_helper_link(world):
    with pytest.raises(errors.MayNotActFor):
        logins.end_helper(
            world.session, world.actor("anna"), world.clara, helper_user_id=world.users["hilde"].id, now=T0
        )
    assert may_act_for(world.session, world.actor("hilde"), world.clara)


def test_only_the_office_adds_helpers(world):
    with pytest.raises(errors.OfficeOnly):
        logins.add_helper(world.session, world.actor("anna"), world.bernd, helper=world.users["anna"], now=T0)


# --- logins --------------------------------------------------------------------------------------


@pytest.mark.parametrize("target", ["ada", "otto"])
def test_an_office_login_cannot_set_the_password_of_an_office_or_admin_login(world, target):
    """Else a clerk could sign in as the admin, or as a second clerk to approve their own batch."""
    user = world.users[target]
    before = user.password_hash
    with pytest.raises(errors.LoginProtected):
        logins.set_password(world.session, world.actor("ute"), user, password="uebernommen-123", now=T0)
    assert user.password_hash == before


def test_an_admin_may_set_any_password_and_the_office_a_members(world):
    logins.set_password(
        world.session, world.actor("ada"), world.users["otto"], password="neu-und-lang", now=T0
    )
    logins.set_password(
        world.session, world.actor("ute"), world.users["bernd"], password="neu-und-lang", now=T0
    )
    actions = world.session.scalars(
        select(AuditEvent.action).where(AuditEvent.action == "login.password")
    ).all()
    assert len(actions) == 2


def test_a_member_cannot_set_another_members_password(world):
    with pytest.raises(errors.OfficeOnly):
        logins.set_password(
            world.session, world.actor("anna"), world.users["bernd"], password="x" * 12, now=T0
        )


def test_a_member_changes_their_own_password_only_with_the_old_one(world):
    from tauschring import sessions

    user = world.users["anna"]
    here = logins.sign_in(world.session, username="anna", password=PASSWORD, client="c", now=T0).session_key
    elsewhere = logins.sign_in(
        world.session, username="anna", password=PASSWORD, client="c", now=T0
    ).session_key
    hashed = user.password_hash
    actor = Actor.of(sessions.user_of_session(world.session, here, T0))
    with pytest.raises(errors.WrongPassword):
        logins.change_own_password(world.session, actor, current="falsch", new="ganz-neu-123", now=T0)
    assert user.password_hash == hashed and sessions.user_of_session(world.session, elsewhere, T0)
    logins.change_own_password(world.session, actor, current=PASSWORD, new="ganz-neu-123", now=T0)
    assert sessions.user_of_session(world.session, elsewhere, T0) is None  # the other sessions end
    assert sessions.user_of_session(world.session, here, T0) is not None  # this one goes on


@pytest.mark.parametrize("role", ["office", "admin"])
def test_the_office_gives_no_office_or_admin_role(world, role):
    before = rows(world.session)
    with pytest.raises(errors.RoleNotAllowed):
        logins.create_login(
            world.session, world.actor("ute"), username="neu", password=PASSWORD, now=T0, role=role
        )
    assert rows(world.session) == before


def test_an_admin_gives_the_office_role(world):
    user = logins.create_login(
        world.session, world.actor("ada"), username="neu", password=PASSWORD, now=T0, role="office"
    )
    assert user.role == "office"


def test_a_member_creates_no_logins(world):
    with pytest.raises(errors.OfficeOnly):
        logins.create_login(world.session, world.actor("anna"), username="neu", password=PASSWORD, now=T0)


def test_a_left_members_login_cannot_be_revived_by_a_new_password(world):
    members.leave_member(world.session, world.system, world.bernd, now=T0)
    with pytest.raises(errors.MemberLeft):
        logins.set_password(
            world.session, world.actor("ada"), world.users["bernd"], password="wieder-da-1", now=T0
        )
    assert world.users["bernd"].active is False


# --- everything done for a member is audited with both names -------------------------------------


def test_a_listing_by_a_helper_is_audited_with_helper_and_member(world):
    category = rings.categories_of(world.session, world.ring_id)[0]
    listing = listings.create_listing(
        world.session,
        world.actor("hilde"),
        member=world.clara,
        kind="offer",
        category_id=category.id,
        title="Socken stricken",
        text="Warm.",
        now=T0,
    )
    event = world.session.scalar(select(AuditEvent).where(AuditEvent.action == "listing.create"))
    assert (event.user_id, event.member_id, event.object_id) == (
        world.users["hilde"].id,
        world.clara.id,
        listing.public_number,
    )


def test_what_a_member_does_for_themself_needs_no_audit(world):
    category = rings.categories_of(world.session, world.ring_id)[0]
    listings.create_listing(
        world.session, world.actor("anna"), member=world.anna, kind="offer", category_id=category.id,
        title="Rasen", text="Gern.", now=T0,
    )  # fmt: skip
    assert world.session.scalar(select(AuditEvent).where(AuditEvent.action == "listing.create")) is None


def test_consents_given_by_a_helper_are_recorded_as_from_the_helper_and_audited(world):
    members.set_consents(world.session, world.actor("hilde"), world.clara, {("phone", "print"): True}, now=T0)
    change = world.clara.consents[0]
    assert (change.field, change.channel, change.granted, change.source) == ("phone", "print", True, "helper")
    event = world.session.scalar(select(AuditEvent).where(AuditEvent.action == "member.consent"))
    assert (event.user_id, event.member_id) == (world.users["hilde"].id, world.clara.id)


def test_a_member_gives_consents_online_and_the_office_from_a_paper_form(world):
    members.set_consents(world.session, world.actor("anna"), world.anna, {("email", "online"): True}, now=T0)
    members.set_consents(
        world.session,
        world.actor("ute"),
        world.bernd,
        {("phone", "print"): True},
        now=T0,
        source="paper_form",
    )
    assert [c.source for c in world.anna.consents] == ["online"]
    assert [c.source for c in world.bernd.consents] == ["paper_form"]


def test_the_system_actor_is_trusted_like_an_admin(world):
    assert Actor.system(world.ring_id).is_admin and Actor.system(world.ring_id).user_id is None
