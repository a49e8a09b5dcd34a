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


def test_an_operator_founds_a_ring_with_its_first_admin(session):
    import datetime as dt

    from tauschring import errors as refusals
    from tauschring.logins import found_ring_with_admin

    now = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)
    ring_id, admin = found_ring_with_admin(
        session, name="Tauschring Lindenau", username="vorstand", password="lang-und-geheim-1", now=now
    )
    assert admin.role == "admin" and admin.ring_id == ring_id and admin.member_id is None
    with pytest.raises(refusals.Refusal):
        found_ring_with_admin(
            session, name="Noch einer", username="vorstand", password="lang-und-geheim-1", now=now
        )
    with pytest.raises(refusals.Invalid):
        found_ring_with_admin(session, name="  ", username="x2", password="lang-und-geheim-1", now=now)
