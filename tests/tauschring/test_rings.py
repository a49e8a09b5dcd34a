"""The ring's settings, changed by an admin only; the office address keeps its three lines."""

from __future__ import annotations

import pytest
from sqlalchemy import select

import ledger
from tauschring import errors, rings
from tauschring.models import AuditEvent, RingSettings
from tests.tauschring.conftest import T0, rows

ADDRESS = "Tauschring Lindenau e. V.\nStadtteilladen, Demmeringstraße 32\n04177 Leipzig"


def change(world, who="ada", **kw):
    current = rings.settings_of(world.session, world.ring_id)
    values = {name: getattr(current, name) for name in rings.SETTINGS_FIELDS}
    values.update(kw)
    return rings.change_settings(
        world.session,
        world.actor(who),
        now=T0,
        name="Testring",
        min_balance=-1800,
        max_balance=3600,
        **values,
    )


def test_an_admin_changes_the_settings_and_it_is_audited_with_before_and_after(world):
    assert change(world, office_phone="0341 999")
    event = world.session.scalar(select(AuditEvent).where(AuditEvent.action == "settings.change"))
    assert (event.user_id, '"office_phone": "0341 111"' in event.before) == (world.users["ada"].id, True)


def test_the_office_address_keeps_its_lines_when_saved_again(world):
    change(world, office_address=ADDRESS)
    assert not change(world)  # saved again unchanged: nothing changes, nothing is audited
    assert world.session.get(RingSettings, world.ring_id).office_address == ADDRESS
    assert (
        len(world.session.scalars(select(AuditEvent).where(AuditEvent.action == "settings.change")).all())
        == 1
    )


@pytest.mark.parametrize("who", ["ute", "anna"])
def test_only_an_admin_changes_the_settings(world, who):
    before = rows(world.session)
    with pytest.raises(errors.AdminOnly):
        change(world, who=who, office_phone="0341 999")
    assert rows(world.session) == before
    assert world.session.get(RingSettings, world.ring_id).office_phone == "0341 111"


def test_impossible_limits_are_refused_by_the_books(world):
    with pytest.raises(ledger.InvalidLimits):
        rings.change_settings(
            world.session, world.actor("ada"), now=T0, name="Testring", min_balance=600, max_balance=3600
        )


def test_reading_the_settings_of_a_ring_the_ledger_founded_writes_nothing(session):
    ring_id = ledger.create_ring(
        session, name="Nur Buch", now=T0, default_min_balance=None, default_max_balance=None
    )
    settings = rings.settings_of(session, ring_id)
    assert settings.step_minutes == 15 and settings.unit_symbol == "Std."
    assert session.get(RingSettings, ring_id) is None


# --- the Rubriken ----------------------------------------------------------------------------------


def names(world, ring_id=None):
    return [c.name for c in rings.categories_of(world.session, ring_id or world.ring_id)]


def test_an_admin_adds_renames_and_reorders_rubriken_and_each_step_is_audited(world):
    ada = world.actor("ada")
    added = rings.add_category(world.session, ada, name="  Fahrrad  Reparatur ", now=T0)
    assert names(world)[-1] == "Fahrrad Reparatur"

    assert rings.rename_category(world.session, ada, added.id, name="Fahrräder", now=T0)
    assert rings.move_category(world.session, ada, added.id, by=-1, now=T0)
    assert not rings.rename_category(world.session, ada, added.id, name="Fahrräder", now=T0)

    assert names(world)[-2:] == ["Fahrräder", "Sonstiges"]
    assert [c.position for c in rings.categories_of(world.session, world.ring_id)] == list(range(1, 14))
    actions = world.session.scalars(
        select(AuditEvent.action).where(AuditEvent.object_type == "category").order_by(AuditEvent.id)
    ).all()
    assert actions == ["category.add", "category.rename", "category.move"]
    first = rings.categories_of(world.session, world.ring_id)[0]
    assert not rings.move_category(world.session, ada, first.id, by=-1, now=T0)  # already first


def test_retiring_a_rubrik_moves_its_listings_first(world):
    from tauschring.listings import create_listing
    from tauschring.models import Listing

    ada = world.actor("ada")
    garden, household = (
        rings.categories_of(world.session, world.ring_id)[1],
        rings.categories_of(world.session, world.ring_id)[0],
    )
    listing = create_listing(
        world.session,
        world.system,
        member=world.anna,
        kind="offer",
        category_id=garden.id,
        title="Hecke schneiden",
        text="Mit eigener Schere.",
        now=T0,
    )

    moved = rings.retire_category(world.session, ada, garden.id, into_id=household.id, now=T0)

    assert moved == 1
    assert world.session.get(Listing, listing.id).category_id == household.id
    assert "Garten" not in names(world) and len(names(world)) == 11
    assert [c.position for c in rings.categories_of(world.session, world.ring_id)] == list(range(1, 12))


@pytest.mark.parametrize(
    "who, change, values, refusal",
    [
        ("ada", "add", {"name": "garten"}, errors.CategoryNameTaken),
        ("ada", "add", {"name": " "}, errors.CategoryNameInvalid),
        ("ada", "add", {"name": "x" * 61}, errors.CategoryNameInvalid),
        ("ada", "add", {"name": "a\u202eb"}, errors.CategoryNameInvalid),
        ("ada", "rename", {"name": "Tiere"}, errors.CategoryNameTaken),
        ("ada", "retire", {"into_id": 0}, errors.CategorySame),
        ("ute", "add", {"name": "Neu"}, errors.Forbidden),
        ("anna", "move", {"by": -1}, errors.Forbidden),
        ("ute", "retire", {"into_id": 1}, errors.Forbidden),
    ],
)
def test_rubriken_changes_that_break_a_rule_are_refused_and_write_nothing(
    world, who, change, values, refusal
):
    categories = rings.categories_of(world.session, world.ring_id)
    if "into_id" in values:  # an index into the ring's Rubriken
        values = {"into_id": categories[values["into_id"]].id}
    act = getattr(rings, f"{change}_category")
    args = () if change == "add" else (categories[0].id,)
    before = rows(world.session)
    with pytest.raises(refusal), world.session.begin_nested():
        act(world.session, world.actor(who), *args, now=T0, **values)
    assert rows(world.session) == before
    assert names(world) == [c.name for c in categories]


def test_another_rings_rubrik_is_unknown(world):
    theirs = rings.categories_of(world.session, world.other_ring_id)[0]
    ours = rings.categories_of(world.session, world.ring_id)[0]
    with pytest.raises(errors.CategoryUnknown):
        rings.rename_category(world.session, world.actor("ada"), theirs.id, name="Meins", now=T0)
    with pytest.raises(errors.CategoryUnknown):
        rings.retire_category(world.session, world.actor("ada"), ours.id, into_id=theirs.id, now=T0)
