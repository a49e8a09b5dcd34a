"""Listings at the service level: a member's own, or through a helper or the office."""

from __future__ import annotations

import pytest

from tauschring import errors, listings, members, rings
from tests.tauschring.conftest import T0, rows


def make(world, who="anna", member=None, **kw):
    category = rings.categories_of(world.session, world.ring_id)[0]
    values = {
        "kind": "offer",
        "category_id": category.id,
        "title": "Rasen mähen",
        "text": "Gern.",
        "now": T0,
        **kw,
    }
    return listings.create_listing(world.session, world.actor(who), member=member or world.anna, **values)


def test_a_member_lists_edits_renews_and_withdraws_their_own(world):
    listing = make(world)
    assert listings.edit_listing(world.session, world.actor("anna"), listing, now=T0, title="Hecke")
    listings.renew_listing(world.session, world.actor("anna"), listing, now=T0)
    listings.withdraw_listing(world.session, world.actor("anna"), listing, now=T0)
    with pytest.raises(errors.ListingWithdrawn):
        listings.edit_listing(world.session, world.actor("anna"), listing, now=T0, title="Zu spät")
    with pytest.raises(errors.ListingWithdrawn):
        listings.renew_listing(world.session, world.actor("anna"), listing, now=T0)


def test_nobody_changes_another_members_listing(world):
    listing = make(world)
    for use_case, kw in (
        (listings.edit_listing, {"title": "Meins"}),
        (listings.renew_listing, {}),
        (listings.withdraw_listing, {}),
    ):
        with pytest.raises(errors.MayNotActFor):
            use_case(world.session, world.actor("dora"), listing, now=T0, **kw)
    assert listing.title == "Rasen mähen" and listing.withdrawn_at is None


@pytest.mark.parametrize(
    ("change", "refusal"),
    [
        ({"kind": "tausch"}, errors.ListingKindUnknown),
        ({"category_id": 10**6}, errors.CategoryUnknown),
        ({"category_id": "Garten"}, errors.CategoryUnknown),
        ({"title": "  "}, errors.Invalid),
    ],
)
def test_a_bad_listing_is_refused_and_writes_nothing(world, change, refusal):
    before = rows(world.session)
    with pytest.raises(refusal):
        make(world, **change)
    assert rows(world.session) == before


def test_a_rubrik_of_another_ring_is_unknown(world):
    foreign = rings.categories_of(world.session, world.other_ring_id)[0]
    with pytest.raises(errors.CategoryUnknown):
        make(world, category_id=foreign.id)


def test_a_member_who_cannot_exchange_lists_nothing(world):
    members.suspend_member(world.session, world.system, world.anna, now=T0)
    with pytest.raises(errors.MemberSuspended):
        make(world)


def test_the_market_card_shows_only_what_the_member_allows_online(world):
    listing = make(world)
    shown = listings.card(world.session, listing, world.bernd)
    assert shown.contact.empty and shown.contact.office_phone == "0341 111" and not shown.own
    assert shown.title == "Rasen mähen"  # the listing's own fields read through
    members.set_consents(
        world.session, world.actor("anna"), world.anna, {("address", "online"): True}, now=T0
    )
    assert listings.card(world.session, listing, world.anna).contact.address == "Karl-Heine-Straße 1"


def test_a_withdrawn_listing_is_visible_only_to_its_member(world):
    listing = make(world)
    listings.withdraw_listing(world.session, world.actor("anna"), listing, now=T0)
    assert listings.visible_listing(world.session, world.anna, listing.public_number, T0.date()) is listing
    with pytest.raises(errors.ListingUnknown):
        listings.visible_listing(world.session, world.bernd, listing.public_number, T0.date())
