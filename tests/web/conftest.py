"""Web fixtures: an app on its own SQLite file, a small ring, and a browser-like test client."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

import ledger
from tauschring import create_app
from tauschring.db import db, make_engine
from tauschring.logins import add_helper, create_login
from tauschring.members import admit_member, set_consents
from tauschring.models import metadata
from tauschring.permissions import Actor
from tauschring.rings import found_ring

PASSWORD = "geheim-und-lang"
RING_START = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


@pytest.fixture
def app(tmp_path, monkeypatch):
    monkeypatch.setenv("TAUSCHRING_INSTANCE_PATH", str(tmp_path))
    url = f"sqlite:///{tmp_path / 'web.sqlite'}"
    engine = make_engine(url)
    metadata.create_all(engine)
    engine.dispose()
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "SQLALCHEMY_ENGINES": {"default": url}})
    yield app
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose()


_HASHES: dict[str, str] = {}


def _cached_hash(password: str, *args, **kwargs) -> str:
    """Hashing is slow on purpose (scrypt); the test ring's logins share one real hash."""
    from werkzeug.security import generate_password_hash

    if password not in _HASHES:
        _HASHES[password] = generate_password_hash(password)
    return _HASHES[password]


@pytest.fixture
def ring(app, monkeypatch):
    """Anna and Bernd (online, with logins), Clara (paper, helped by Hilde), Dora (online, no consents),
    an office clerk and an admin; and a second ring with Xaver, to try crossing rings."""
    with monkeypatch.context() as patch, app.app_context():
        patch.setattr("tauschring.logins.generate_password_hash", _cached_hash)
        session = db.session
        ring_id = found_ring(
            session,
            name="Testring Lindenau",
            now=RING_START,
            office_phone="0341 111 222",
            auto_accept_days=14,
        )
        system = Actor.system(ring_id)
        make = lambda first, last, **kw: admit_member(  # noqa: E731
            session, system, first_name=first, last_name=last, now=RING_START, **kw
        )
        anna = make(
            "Anna",
            "Becker",
            phone="0341 100 001",
            email="anna@example.org",
            district="Plagwitz",
            street="Karl-Heine-Straße 1",
            postal_code="04229",
            city="Leipzig",
            name_display="full",
        )
        bernd = make("Bernd", "Schulz", phone="0341 100 002")
        clara = make(
            "Clara",
            "Wagner",
            paper_member=True,
            phone="0341 100 003",
            street="Lützner Straße 5",
            postal_code="04177",
            city="Leipzig",
        )
        dora = make("Dora", "Neumann", phone="0341 999 999", email="dora@example.org")
        set_consents(
            session,
            system,
            anna,
            {("phone", "online"): True, ("email", "online"): True, ("phone", "print"): True},
            now=RING_START,
            source="paper_form",
        )
        users = {
            "anna": create_login(
                session, system, username="anna", password=PASSWORD, now=RING_START, member=anna
            ),
            "bernd": create_login(
                session, system, username="bernd", password=PASSWORD, now=RING_START, member=bernd
            ),
            "dora": create_login(
                session, system, username="dora", password=PASSWORD, now=RING_START, member=dora
            ),
            "hilde": create_login(
                session,
                system,
                username="hilde",
                password=PASSWORD,
                now=RING_START,
                display="Hilde Hilfreich",
            ),
            "buero": create_login(
                session,
                system,
                username="buero",
                password=PASSWORD,
                now=RING_START,
                role="office",
                display="Büro",
            ),
            "admin": create_login(
                session,
                system,
                username="admin",
                password=PASSWORD,
                now=RING_START,
                role="admin",
                display="Vorstand",
            ),
        }
        add_helper(session, system, clara, helper=users["hilde"], now=RING_START)
        other_ring = found_ring(session, name="Nachbarring", now=RING_START)
        neighbour = Actor.system(other_ring)
        xaver = admit_member(session, neighbour, first_name="Xaver", last_name="Fremd", now=RING_START)
        users["xaver"] = create_login(
            session, neighbour, username="xaver", password=PASSWORD, now=RING_START, member=xaver
        )
        session.commit()
        return SimpleNamespace(
            id=ring_id,
            other_id=other_ring,
            anna=_ids(anna),
            bernd=_ids(bernd),
            clara=_ids(clara),
            dora=_ids(dora),
            xaver=_ids(xaver),
            users={name: user.id for name, user in users.items()},
        )


def _ids(member) -> SimpleNamespace:
    return SimpleNamespace(id=member.id, number=member.number, account=member.account_id)


@dataclass
class Browser:
    """A test client that signs in, keeps its CSRF token and posts forms like a browser."""

    client: object
    token: str | None = None

    def login(self, username: str, password: str = PASSWORD):
        page = self.client.get("/anmelden")
        if page.status_code == 302:  # signed in already: sign out first, as a person would
            self.post("/abmelden")
            page = self.client.get("/anmelden")
        self.token = token_in(page)
        response = self.client.post(
            "/anmelden", data={"username": username, "password": password, "csrf_token": self.token}
        )
        assert response.status_code == 302, response.get_data(as_text=True)
        self.token = token_in(self.client.get("/passwort"))
        return self

    def get(self, url: str, **kwargs):
        return self.client.get(url, **kwargs)

    def post(self, url: str, data: dict | None = None, *, csrf: bool = True, **kwargs):
        data = dict(data or {})
        if csrf:
            if self.token is None:
                self.token = token_in(self.client.get("/anmelden"))
            data.setdefault("csrf_token", self.token)
        return self.client.post(url, data=data, **kwargs)

    def english(self):
        self.post("/sprache/en")
        return self


def token_in(response) -> str:
    match = CSRF.search(response.get_data(as_text=True))
    assert match, "no CSRF token on the page"
    return match.group(1) or match.group(2)


@pytest.fixture
def browser(app):
    return Browser(app.test_client())


@pytest.fixture
def other_browser(app):
    return Browser(app.test_client())


def text_of(response) -> str:
    """The page as text, tags dropped and whitespace folded (for asserting on what a person reads)."""
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", html)
    import html as html_module

    return re.sub(r"\s+", " ", html_module.unescape(text)).strip()


def counts(app) -> dict[str, int]:
    """Rows per table: to prove a refused form wrote nothing."""
    with app.app_context():
        result = {}
        for table in metadata.sorted_tables:
            result[table.name] = db.session.scalar(select(func.count()).select_from(table))
        result["balances"] = db.session.scalar(select(func.sum(func.abs(ledger.Account.balance)))) or 0
        return result


def balance(app, account_id: int) -> int:
    with app.app_context():
        return db.session.get(ledger.Account, account_id).balance


def form_as_shown(response, action: str | None = None) -> dict[str, str]:
    """The values a browser would send back from the form posting to ``action`` (None: to the page
    itself), unchanged: inputs
    (checked boxes only), the selected options and the textareas as the page holds them."""
    from html.parser import HTMLParser

    class Reader(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.inside, self.values, self.select, self.option, self.textarea = False, {}, None, None, None

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            if tag == "form":
                self.inside = a.get("action") == action
            if not self.inside:
                return
            if tag == "input" and a.get("name") and a.get("type") not in ("submit", "button"):
                if a.get("type") in ("checkbox", "radio"):
                    if "checked" in a:
                        self.values[a["name"]] = a.get("value") or "y"
                else:  # a one-line field drops line breaks from its value, as browsers do
                    self.values[a["name"]] = (a.get("value") or "").replace("\r", "").replace("\n", "")
            elif tag == "select":
                self.select = a.get("name")
            elif tag == "option" and self.select:
                self.option = a.get("value")
                if "selected" in a or self.select not in self.values:
                    self.values[self.select] = self.option
            elif tag == "textarea":
                self.textarea = a.get("name")
                self.values[self.textarea] = ""

        def handle_endtag(self, tag):
            if tag == "form":
                self.inside = False
            elif tag == "select":
                self.select = None
            elif tag == "textarea":
                self.textarea = None

        def handle_data(self, data):
            if self.inside and self.textarea:
                self.values[self.textarea] += data

    reader = Reader()
    reader.feed(response.get_data(as_text=True))
    values = reader.values
    for name, value in values.items():  # a browser drops the one newline right after <textarea>
        if value.startswith(("\r\n", "\n")):
            values[name] = value.split("\n", 1)[1]
    return values
