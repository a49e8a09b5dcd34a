"""API fixtures: the web tests' ring (Anna, Bernd, Clara helped by Hilde, Dora, the office, the
admin, and Xaver in another ring) with an API token per login and one real object for every
operation of the API to work on.

Two ways to get it:

- per test (``app``, ``ring``, ``tokens``, ``data``, ``auth``): SQLite unless the test
  parametrizes ``backend`` with BACKENDS; then the app runs on a fresh PostgreSQL database named
  after the xdist worker, built with ``metadata.create_all`` and dropped afterwards;
- per module (``sqlite_world``, ``postgres_world``, ``world`` parametrized over both): the same
  ring built once, kept as a template (a copy of the SQLite file, a PostgreSQL template database)
  and restored by ``world.reset()``; for the many small calls of the authorisation matrix and of
  schemathesis.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from unittest import mock

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy import select

from tauschring import create_app
from tauschring.api.auth import MEMBER_HEADER
from tauschring.clock import local_now
from tauschring.db import db, make_engine
from tauschring.editions import create_edition, generate_edition
from tauschring.listings import create_listing
from tauschring.models import Category, Member, User, metadata
from tauschring.payments import pay, request_payment
from tauschring.permissions import Actor
from tauschring.tokens import create_token
from tauschring.vouchers import add_line, open_batch
from tests.conftest import (
    POSTGRES_ADMIN_URL,
    create_postgres_database,
    drop_postgres_database,
    require_postgres,
    worker_suffix,
)
from tests.web.conftest import ring  # the web tests' fixture, also for the module-wide worlds

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]

# The roles of the authorisation matrix: the login behind the token, and the member to act for
# (sent as X-Tauschring-Member).
ROLES = {
    "anonymous": (None, None),
    "member": ("anna", None),
    "other_member": ("dora", None),
    "helper": ("hilde", "clara"),
    "office": ("buero", None),
    "admin": ("admin", None),
}


# ---------------------------------------------------------------------------------------------
# The OpenAPI document, known at collection time (to derive tests from it)


@functools.cache
def spec_app() -> Flask:
    """An app only to serve the OpenAPI document (its database is never opened)."""
    with (
        tempfile.TemporaryDirectory() as instance,
        mock.patch.dict(os.environ, {"TAUSCHRING_INSTANCE_PATH": instance}),
    ):
        return create_app(
            {"TESTING": True, "SECRET_KEY": "spec", "SQLALCHEMY_ENGINES": {"default": "sqlite://"}}
        )


@functools.cache
def spec_document() -> dict:
    response = spec_app().test_client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def spec_operations() -> list[str]:
    """Every operation of the document as "METHOD /path"."""
    methods = ("get", "put", "post", "patch", "delete", "head", "options", "trace")
    return [
        f"{method.upper()} {path}"
        for path, item in spec_document()["paths"].items()
        for method in item
        if method in methods
    ]


# ---------------------------------------------------------------------------------------------
# Building blocks


def make_app(url: str, instance_path: Path) -> Flask:
    """The application on an empty database (the schema built with metadata.create_all)."""
    engine = make_engine(url)
    try:
        metadata.create_all(engine)
    finally:
        engine.dispose()
    with mock.patch.dict(os.environ, {"TAUSCHRING_INSTANCE_PATH": str(instance_path)}):
        return create_app({"TESTING": True, "SECRET_KEY": "test", "SQLALCHEMY_ENGINES": {"default": url}})


def dispose(app: Flask) -> None:
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose()


def make_tokens(app: Flask, ring) -> dict[str, str]:
    """A personal API token (the plain text) for every login of the ring, and for Xaver."""
    with app.app_context():
        now = local_now()
        made = {
            name: create_token(
                db.session, Actor.of(db.session.get(User, user_id)), name=f"Test {name}", now=now
            )[1]
            for name, user_id in ring.users.items()
        }
        db.session.commit()
        return made


def make_data(app: Flask, ring) -> SimpleNamespace:
    """One real object for every operation: Anna's listing, an entry Anna -> Bernd, payment requests
    (Bernd asks Anna, Anna asks Bernd, Bernd asks Clara), two open voucher batches with one clean
    line each, and a generated edition of the Marktzeitung with its PDFs."""
    with app.app_context():
        session = db.session
        now = local_now()
        today = now.date()
        anna, bernd, clara = (
            session.get(Member, getattr(ring, who).id) for who in ("anna", "bernd", "clara")
        )
        users = {name: session.get(User, user_id) for name, user_id in ring.users.items()}
        category_id = session.scalar(
            select(Category.id).where(Category.ring_id == ring.id).order_by(Category.position).limit(1)
        )
        as_ = {name: Actor.of(user) for name, user in users.items()}
        listing = create_listing(
            session,
            as_["anna"],
            member=anna,
            kind="offer",
            category_id=category_id,
            title="Fahrradreparatur",
            text="Ich flicke Schläuche und stelle Bremsen ein.",
            now=now,
        )
        entry = pay(
            session,
            as_["anna"],
            payer=anna,
            payee=bernd,
            minutes=90,
            memo="Rasen gemäht",
            service_date=today,
            now=now,
        )

        def ask(payee: Member, payer: Member, memo: str) -> int:
            made = request_payment(
                session,
                as_["bernd"] if payee is bernd else as_["anna"],
                payee=payee,
                payer=payer,
                minutes=30,
                memo=memo,
                service_date=today,
                now=now,
            )
            return made.id

        requests = {
            "to_anna": ask(bernd, anna, "Bernd bittet Anna"),
            "from_anna": ask(anna, bernd, "Anna bittet Bernd"),
            "to_clara": ask(bernd, clara, "Bernd bittet Clara"),
        }
        batches = []
        for voucher in ("9001", "9002"):
            batch = open_batch(session, as_["buero"], now=now, title=f"Belege {voucher}")
            add_line(
                session,
                as_["buero"],
                batch,
                now=now,
                voucher_number=voucher,
                service_date=today.strftime("%d.%m.%Y"),
                payer_number=str(anna.number),
                payee_number=str(bernd.number),
                amount="1:00",
                memo="Einkauf begleitet",
            )
            batches.append(batch.id)
        edition = create_edition(
            session,
            as_["buero"],
            year=today.year,
            month=today.month,
            cutoff=today,
            next_cutoff=today + dt.timedelta(days=30),
            now=now,
        )
        generate_edition(session, as_["buero"], edition, now=now)
        session.commit()
        return SimpleNamespace(
            listing=listing.public_number,
            listing_id=listing.id,
            category_id=category_id,
            entry_id=entry.id,
            request_to_anna=requests["to_anna"],
            request_from_anna=requests["from_anna"],
            request_to_clara=requests["to_clara"],
            batch_id=batches[0],
            second_batch_id=batches[1],
            edition_id=edition.id,
            today=today,
        )


def headers_for(ring, tokens: dict[str, str], role: str, **extra: str) -> dict[str, str]:
    """The headers of a role of the matrix (or of any login by its name)."""
    login, acting = ROLES.get(role, (role, None))
    result = {}
    if login is not None:
        result["Authorization"] = f"Bearer {tokens[login]}"
    if acting is not None:
        result[MEMBER_HEADER] = str(getattr(ring, acting).number)
    result.update(extra)
    return result


# ---------------------------------------------------------------------------------------------
# Per test


@pytest.fixture
def backend() -> str:
    """The database of the test: "sqlite" unless parametrized."""
    return "sqlite"


@pytest.fixture
def database_url(backend: str, request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'api.sqlite'}"
        return
    require_postgres()
    name = f"tauschring_api_{worker_suffix(request)}"
    url = create_postgres_database(name)
    try:
        yield url
    finally:
        drop_postgres_database(name)


@pytest.fixture
def app(database_url: str, tmp_path):
    """The application on an empty database of the test's backend (overrides the web tests' app)."""
    made = make_app(database_url, tmp_path)
    yield made
    dispose(made)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def tokens(app, ring) -> dict[str, str]:
    return make_tokens(app, ring)


@pytest.fixture
def data(app, ring, tokens) -> SimpleNamespace:
    return make_data(app, ring)


@pytest.fixture
def auth(ring, tokens) -> Callable[..., dict[str, str]]:
    return functools.partial(headers_for, ring, tokens)


# ---------------------------------------------------------------------------------------------
# Per module, restored from a template


@dataclass
class World:
    """An app with the ring, tokens and data; ``reset()`` puts the database back as built."""

    backend: str
    app: Flask
    ring: SimpleNamespace
    tokens: dict[str, str]
    data: SimpleNamespace
    restore: Callable[[], None]
    dirty: bool = field(default=False)

    def headers(self, role: str, **extra: str) -> dict[str, str]:
        return headers_for(self.ring, self.tokens, role, **extra)

    def reset(self) -> None:
        dispose(self.app)
        self.restore()
        self.dirty = False


def _populate(app: Flask) -> tuple[SimpleNamespace, dict[str, str], SimpleNamespace]:
    with pytest.MonkeyPatch.context() as patch:
        built = ring.__wrapped__(app, patch)  # the web tests' ring, built once for the module
    return built, make_tokens(app, built), make_data(app, built)


@contextmanager
def sqlite_world_at(directory: Path) -> Iterator[World]:
    path = directory / "world.sqlite"
    template = directory / "template.sqlite"
    app = make_app(f"sqlite:///{path}", directory)
    try:
        built, tokens, data = _populate(app)
        dispose(app)  # the last connection checkpoints the WAL into the file
        shutil.copyfile(path, template)

        def restore() -> None:
            for suffix in ("-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            shutil.copyfile(template, path)

        yield World("sqlite", app, built, tokens, data, restore)
    finally:
        dispose(app)


def _admin_execute(*statements: str) -> None:
    admin = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            for statement in statements:
                connection.execute(sa.text(statement))
    finally:
        admin.dispose()


@contextmanager
def postgres_world_at(directory: Path, name: str) -> Iterator[World]:
    require_postgres()
    template = f"{name}_tpl"
    url = create_postgres_database(name)
    app = make_app(url, directory)
    try:
        built, tokens, data = _populate(app)
        dispose(app)
        _admin_execute(
            f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)',
            f'CREATE DATABASE "{template}" TEMPLATE "{name}"',
        )

        def restore() -> None:
            _admin_execute(
                f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
                f'CREATE DATABASE "{name}" TEMPLATE "{template}"',
            )

        yield World("postgres", app, built, tokens, data, restore)
    finally:
        dispose(app)
        drop_postgres_database(name)
        drop_postgres_database(template)


@pytest.fixture(scope="module")
def sqlite_world(tmp_path_factory) -> Iterator[World]:
    with sqlite_world_at(tmp_path_factory.mktemp("world")) as world:
        yield world


@pytest.fixture(scope="module")
def postgres_world(request: pytest.FixtureRequest, tmp_path_factory) -> Iterator[World]:
    module = request.module.__name__.rsplit(".", 1)[-1].removeprefix("test_")[:20]
    name = f"tauschring_api_{module}_{worker_suffix(request)}"
    with postgres_world_at(tmp_path_factory.mktemp("world"), name) as world:
        yield world


@pytest.fixture(scope="module", params=BACKENDS)
def world(request: pytest.FixtureRequest) -> World:
    return request.getfixturevalue(f"{request.param}_world")
