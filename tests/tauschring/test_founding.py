"""Founding a ring (`tauschring.founding`): name, short name and first admin, with a given
password or a one-time link; the instance's own link that founds the first ring; the ring list
the operator sees. Each on SQLite and PostgreSQL; a refusal writes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

import ledger
from tauschring import errors, founding, logins, rings
from tauschring.models import AuditEvent, Category, RingSettings, SetupLink, User
from tests.tauschring.conftest import PASSWORD, rows

NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


def found(session, **kw):
    values = {
        "name": "Tauschring Plagwitz",
        "slug": "plagwitz",
        "admin_username": "vorstand",
        "admin_password": PASSWORD,
        "now": NOW,
    }
    return founding.found(session, **{**values, **kw})


def test_a_ring_is_founded_with_its_book_settings_rubriken_and_an_admin_who_can_sign_in(world):
    founded = found(world.session, office_phone="0341 222", min_balance=-20 * 60, max_balance=None)

    ring = world.session.get(ledger.Ring, founded.ring_id)
    settings = world.session.get(RingSettings, founded.ring_id)
    admin = world.session.get(User, founded.admin_id)
    assert (ring.name, ring.default_min_balance, ring.default_max_balance) == (
        "Tauschring Plagwitz",
        -1200,
        None,
    )
    assert (settings.slug, settings.office_phone) == ("plagwitz", "0341 222")
    assert world.session.scalars(select(Category).where(Category.ring_id == founded.ring_id)).all()
    assert (admin.role, admin.ring_id, admin.username) == ("admin", founded.ring_id, "vorstand")
    assert founded.setup_token is None
    signed_in = logins.sign_in(
        world.session, username="vorstand", password=PASSWORD, client="t", device="t", now=NOW
    )
    assert signed_in.id == admin.id
    assert ledger.verify(world.session, founded.ring_id).ok
    event = world.session.scalar(select(AuditEvent).where(AuditEvent.action == "ring.found"))
    assert event.ring_id == founded.ring_id and "plagwitz" in event.summary
    assert rings.ring_by_reference(world.session, "plagwitz") == founded.ring_id


def test_without_a_password_the_admin_gets_a_one_time_link_that_sets_it(world):
    founded = found(world.session, admin_password=None)
    assert founded.setup_token
    with pytest.raises(errors.WrongCredentials):
        logins.sign_in(world.session, username="vorstand", password=PASSWORD, client="t", device="t", now=NOW)

    later = NOW + dt.timedelta(hours=3)
    user = founding.set_password_by_link(
        world.session, founded.setup_token, password="ein-neues-passwort", now=later
    )

    assert user.id == founded.admin_id
    assert logins.sign_in(
        world.session, username="vorstand", password="ein-neues-passwort", client="t", device="t", now=later
    )
    with pytest.raises(errors.SetupLinkInvalid):  # used once
        founding.set_password_by_link(
            world.session, founded.setup_token, password="noch-ein-passwort", now=later
        )


def test_a_link_expires_after_a_day_and_a_wrong_one_looks_the_same(world):
    founded = found(world.session, admin_password=None)
    with pytest.raises(errors.SetupLinkInvalid):
        founding.set_password_by_link(
            world.session, founded.setup_token, password="ein-neues-passwort", now=NOW + dt.timedelta(days=1)
        )
    with pytest.raises(errors.SetupLinkInvalid):
        founding.set_password_by_link(world.session, "abc", password="ein-neues-passwort", now=NOW)
    stored = world.session.scalars(select(SetupLink.secret_hash)).all()
    assert founded.setup_token not in stored  # only the hash is kept


@pytest.mark.parametrize(
    "change, refusal",
    [
        ({"slug": "Plagwitz!"}, errors.SlugInvalid),
        ({"slug": "a"}, errors.SlugInvalid),
        ({"slug": "buero"}, errors.SlugInvalid),
        ({"slug": "api"}, errors.SlugInvalid),
        ({"slug": "-x-"}, errors.SlugInvalid),
        ({"name": "  "}, errors.RingNameInvalid),
        ({"name": "Ring \u202e"}, errors.RingNameInvalid),
        ({"admin_username": "ada"}, errors.UsernameTaken),  # the test ring's admin
        ({"admin_password": "kurz"}, errors.PasswordTooShort),
    ],
)
def test_a_founding_that_breaks_a_rule_is_refused_and_writes_nothing(world, change, refusal):
    before = rows(world.session)
    with pytest.raises(refusal), world.session.begin_nested():
        found(world.session, **change)
    assert rows(world.session) == before


def test_a_short_name_is_unique(world):
    found(world.session)
    before = rows(world.session)
    with pytest.raises(errors.SlugTaken), world.session.begin_nested():
        found(world.session, name="Noch ein Ring", admin_username="andere")
    assert rows(world.session) == before


def test_the_instance_link_founds_the_first_ring_once_and_only_on_an_empty_instance(session):
    token = founding.instance_link(session, NOW)

    founded = founding.found_by_link(
        session,
        token,
        name="Tauschring Lindenau",
        slug="lindenau",
        admin_username="vorstand",
        admin_password=PASSWORD,
        now=NOW,
    )

    assert session.get(RingSettings, founded.ring_id).slug == "lindenau"
    with pytest.raises(errors.SetupLinkInvalid):  # the link is used up
        founding.found_by_link(
            session,
            token,
            name="Zweiter",
            slug="zweiter",
            admin_username="x2",
            admin_password=PASSWORD,
            now=NOW,
        )
    with pytest.raises(errors.InstanceFounded):  # and no new one is given out
        founding.instance_link(session, NOW)


def test_an_instance_link_cannot_found_a_ring_beside_another(session):
    token = founding.instance_link(session, NOW)
    found(session)
    with pytest.raises(errors.InstanceFounded):
        founding.found_by_link(
            session,
            token,
            name="Zweiter",
            slug="zweiter",
            admin_username="x2",
            admin_password=PASSWORD,
            now=NOW,
        )


def test_a_password_link_does_not_found_a_ring_and_an_instance_link_sets_no_password(world):
    founded = found(world.session, admin_password=None)
    with pytest.raises(errors.SetupLinkInvalid):
        founding.found_by_link(
            world.session,
            founded.setup_token,
            name="X",
            slug="xx",
            admin_username="x2",
            admin_password=PASSWORD,
            now=NOW,
        )


def test_the_operator_sees_each_rings_size_and_no_member_data(world):
    founded = found(world.session)
    listed = {ring.ring_id: ring for ring in founding.rings(world.session)}

    assert listed[world.ring_id].members == 4 and listed[world.other_ring_id].members == 1
    assert (listed[founded.ring_id].slug, listed[founded.ring_id].members) == ("plagwitz", 0)
    assert set(vars(listed[founded.ring_id])) == {"ring_id", "slug", "name", "founded", "members", "entries"}


def test_no_address_of_the_service_can_be_a_rings_short_name():
    from tauschring import create_app

    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_ENGINES": {"default": "sqlite://"}})
    first_segments = {
        rule.rule.strip("/").split("/")[0]
        for rule in app.url_map.iter_rules()
        if not rule.rule.strip("/").startswith("<")
    }
    first_segments = {segment for segment in first_segments if founding.SLUG.fullmatch(segment)}
    assert first_segments <= founding.RESERVED_SLUGS, sorted(first_segments - founding.RESERVED_SLUGS)
