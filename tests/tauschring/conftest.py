"""A ring for the use-case tests, built through the use cases themselves (as the system), in the
session of ``tests/conftest.py`` (each test on SQLite and PostgreSQL, rolled back afterwards).

People: Anna and Bernd (members with logins), Clara (paper member without a login, helped by
Hilde, a helper login of her own), Dora (member with a login), Ute and Otto (office logins, no
members), Ada (admin, no member); in a second ring, Xaver with a login.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tauschring import logins
from tauschring.members import admit_member
from tauschring.models import Member, User, metadata
from tauschring.permissions import Actor
from tauschring.rings import found_ring

T0 = dt.datetime(2026, 11, 2, 10, 0, tzinfo=dt.UTC)
PASSWORD = "geheim-und-lang"
_HASHES: dict[str, str] = {}


def _cached_hash(password: str, *args, **kwargs) -> str:
    """scrypt is slow on purpose; the test logins share one real hash per password."""
    from werkzeug.security import generate_password_hash

    if password not in _HASHES:
        _HASHES[password] = generate_password_hash(password)
    return _HASHES[password]


@dataclass
class World:
    session: Session
    ring_id: int
    other_ring_id: int
    members: dict[str, Member]
    users: dict[str, User]

    @property
    def system(self) -> Actor:
        return Actor.system(self.ring_id)

    def actor(self, name: str, channel: str = "web") -> Actor:
        return Actor.of(self.users[name], channel=channel)

    def __getattr__(self, name: str) -> Member:
        members = self.__dict__.get("members", {})
        if name in members:
            return members[name]
        raise AttributeError(name)


@pytest.fixture
def world(session: Session, monkeypatch) -> World:
    monkeypatch.setattr(logins, "generate_password_hash", _cached_hash)
    ring_id = found_ring(session, name="Testring", now=T0, auto_accept_days=14, office_phone="0341 111")
    system = Actor.system(ring_id)

    def member(first: str, last: str, **details) -> Member:
        return admit_member(session, system, first_name=first, last_name=last, now=T0, **details)

    def login(username: str, **kw) -> User:
        return logins.create_login(session, system, username=username, password=PASSWORD, now=T0, **kw)

    members = {
        "anna": member("Anna", "Becker", name_display="full", street="Karl-Heine-Straße 1"),
        "bernd": member("Bernd", "Schulz"),
        "clara": member("Clara", "Wagner", paper_member=True, street="Lützner Straße 5"),
        "dora": member("Dora", "Neumann"),
    }
    users = {
        "anna": login("anna", member=members["anna"]),
        "bernd": login("bernd", member=members["bernd"]),
        "dora": login("dora", member=members["dora"]),
        "hilde": login("hilde", display="Hilde Hilfreich"),
        "ute": login("ute", role="office", display="Ute im Büro"),
        "otto": login("otto", role="office", display="Otto im Büro"),
        "ada": login("ada", role="admin", display="Ada vom Vorstand"),
    }
    logins.add_helper(session, system, members["clara"], helper=users["hilde"], now=T0)
    other = found_ring(session, name="Nachbarring", now=T0)
    members["xaver"] = admit_member(
        session, Actor.system(other), first_name="Xaver", last_name="Fremd", now=T0
    )
    users["xaver"] = logins.create_login(
        session, Actor.system(other), username="xaver", password=PASSWORD, now=T0, member=members["xaver"]
    )
    session.flush()
    return World(session, ring_id, other, members, users)


def rows(session: Session) -> dict[str, int]:
    """Rows per table: to prove that a refusal wrote nothing."""
    return {
        table.name: session.scalar(select(func.count()).select_from(table))
        for table in metadata.sorted_tables
    }
