"""Founding a ring: from the console (`tauschring ring create`) or, on an instance with no ring,
on the web through a one-time link that only the console shows (nobody else can claim the
instance); listing the instance's rings; the one-time links themselves.

A ring gets its name, a short name (slug: ``lindenau``, for addresses and ``--ring``), its
settings (unit, step, limits, office data) and its first admin. The admin's password is given
(asked for on the console, or typed on the setup page) or set later through a one-time link,
valid for a day; only the link's hash is kept.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

import ledger

from . import audit, errors, inputs, logins
from .models import Member, RingSettings, SetupLink, User
from .permissions import Actor
from .rings import found_ring

SLUG = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])")
# The first segments of the service's own addresses (checked against the app's routes by a test):
# a ring cannot be called like one of them.
RESERVED_SLUGS = frozenset(
    {
        "abmelden", "anforderungen", "anmelden", "api", "api-tokens", "beitreten", "bezahlen", "buchungen",
        "buero", "demo-reset", "einrichten", "handeln-fuer", "healthz", "inserate", "konto", "kontoauszug",
        "markt", "meine-inserate", "metrics", "passwort", "passwort-vergessen", "profil", "readyz",
        "sitzungen", "sprache", "static", "zahlen", "zugang",
    }
)  # fmt: skip
LINK_VALID = dt.timedelta(days=1)


@dataclass(frozen=True)
class Founded:
    ring_id: int
    slug: str
    admin_id: int
    # The secret of the admin's one-time link when no password was given (shown once).
    setup_token: str | None = None


@dataclass(frozen=True)
class RingSummary:
    """What the operator sees of a ring: its size, never its members' data."""

    ring_id: int
    slug: str | None
    name: str
    founded: dt.datetime
    members: int
    entries: int


def check_slug(session: Session, slug: str) -> str:
    slug = (slug or "").strip().lower()
    if not SLUG.fullmatch(slug) or slug in RESERVED_SLUGS or "--" in slug:
        raise errors.SlugInvalid(slug=slug[:40])
    if session.scalar(select(RingSettings.ring_id).where(RingSettings.slug == slug)) is not None:
        raise errors.SlugTaken(slug=slug)
    return slug


def found(
    session: Session,
    *,
    name: str,
    slug: str,
    admin_username: str,
    admin_password: str | None,
    now: dt.datetime,
    min_balance: int | None = -30 * 60,
    max_balance: int | None = 60 * 60,
    **settings: object,
) -> Founded:
    """Found a ring with its first admin (the operator's act: the console, or the instance's
    setup link). Without a password the admin gets a one-time link to set it."""
    name = (name or "").strip()
    if not name or len(name) > 200 or inputs.problem(name):
        raise errors.RingNameInvalid()
    slug = check_slug(session, slug)
    ring_id = found_ring(
        session, name=name, now=now, min_balance=min_balance, max_balance=max_balance, slug=slug, **settings
    )
    system = Actor.system(ring_id)
    password = admin_password if admin_password is not None else secrets.token_urlsafe(32)
    admin = logins.create_login(
        session,
        system,
        username=admin_username,
        password=password,
        now=now,
        role="admin",
        display=admin_username.strip(),
    )
    token = None
    if admin_password is None:
        token = issue_link(session, "password", now, user=admin)
    audit.record(
        session,
        system,
        now=now,
        action="ring.found",
        object_type="ring",
        object_id=ring_id,
        summary=f"Tauschring {name} ({slug}) gegründet, Administrator {admin.username}",
        after={"name": name, "slug": slug, "admin": admin.username},
    )
    return Founded(ring_id=ring_id, slug=slug, admin_id=admin.id, setup_token=token)


def rings(session: Session) -> list[RingSummary]:
    """Every ring of the instance with its size (for the operator: no member data)."""
    members = (
        select(Member.ring_id, func.count().label("n")).group_by(Member.ring_id).subquery()
    )  # fmt: skip
    entries = (
        select(ledger.JournalEntry.ring_id, func.count().label("n"))
        .group_by(ledger.JournalEntry.ring_id)
        .subquery()
    )
    found = session.execute(
        select(
            ledger.Ring.id,
            RingSettings.slug,
            ledger.Ring.name,
            ledger.Ring.created_at,
            func.coalesce(members.c.n, 0),
            func.coalesce(entries.c.n, 0),
        )
        .outerjoin(RingSettings, RingSettings.ring_id == ledger.Ring.id)
        .outerjoin(members, members.c.ring_id == ledger.Ring.id)
        .outerjoin(entries, entries.c.ring_id == ledger.Ring.id)
        .order_by(ledger.Ring.id)
    ).all()
    return [RingSummary(*row) for row in found]


def has_rings(session: Session) -> bool:
    return session.scalar(select(ledger.Ring.id).limit(1)) is not None


# --- one-time links -------------------------------------------------------------------------------


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_link(session: Session, purpose: str, now: dt.datetime, *, user: User | None = None) -> str:
    """A new one-time link's secret (to print; only its hash is kept)."""
    token = secrets.token_urlsafe(32)
    session.add(
        SetupLink(
            purpose=purpose,
            secret_hash=_hash(token),
            user_id=user.id if user is not None else None,
            created_at=now,
            expires_at=now + LINK_VALID,
        )
    )
    session.flush()
    return token


def instance_link(session: Session, now: dt.datetime) -> str:
    """The link that founds the first ring, for an instance without any (``serve`` prints it)."""
    if has_rings(session):
        raise errors.InstanceFounded()
    return issue_link(session, "instance", now)


def link_for(session: Session, token: str, now: dt.datetime) -> SetupLink:
    """The valid, unused link of this secret; anything else looks the same (SetupLinkInvalid)."""
    found = session.scalar(select(SetupLink).where(SetupLink.secret_hash == _hash(token or "")))
    if found is None or found.used_at is not None or found.expires_at <= now:
        raise errors.SetupLinkInvalid()
    return found


def found_by_link(
    session: Session,
    token: str,
    *,
    name: str,
    slug: str,
    admin_username: str,
    admin_password: str,
    now: dt.datetime,
) -> Founded:
    """The first ring of an empty instance, founded on the web by whoever holds the console's
    link; the link is then used up."""
    link = link_for(session, token, now)
    if link.purpose != "instance":
        raise errors.SetupLinkInvalid()
    if has_rings(session):
        raise errors.InstanceFounded()
    logins.check_password_strength(admin_password)
    founded = found(
        session,
        name=name,
        slug=slug,
        admin_username=admin_username,
        admin_password=admin_password,
        now=now,
    )
    link.used_at = now
    session.flush()
    return founded


def set_password_by_link(session: Session, token: str, *, password: str, now: dt.datetime) -> User:
    """An admin (or any login given such a link) sets the first password; the link is used up."""
    link = link_for(session, token, now)
    if link.purpose != "password" or link.user_id is None:
        raise errors.SetupLinkInvalid()
    user = session.get(User, link.user_id)
    if user is None or not user.active:
        raise errors.SetupLinkInvalid()
    logins.set_password(session, Actor.system(user.ring_id), user, password=password, now=now)
    link.used_at = now
    session.flush()
    return user
