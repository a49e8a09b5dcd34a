"""Every door with bad input: every route of the pages and of the API, every form field, every
query parameter and upload, as every role, on SQLite and PostgreSQL. Nothing answers 5xx, and
what the text rule refuses writes nothing.

The values are what people and programs really send by mistake or on purpose: NUL and other
control characters, direction overrides, ids and numbers far beyond the database's integers,
negative numbers, dates at the edges of the calendar, texts longer than any field, and files
that are not what they claim (a cell over 131,072 characters, bare CR line ends, invalid UTF-8,
a "spreadsheet" that is no zip).
"""

from __future__ import annotations

import io
import json
import re

import pytest
import sqlalchemy as sa
from werkzeug.routing import IntegerConverter

from tauschring.db import db
from tauschring.models import metadata
from tests.api.conftest import BACKENDS
from tests.web.conftest import PASSWORD, token_in

# Refused by the rule for text: nothing may be written with them.
REFUSED_TEXT = ["\x00", "a\x01b\x7f\x9b", "Miete \u202e001", "zeile\u2028zwei"]
# Bad in other ways: may be refused, or may be read as something (a date at the calendar's edge).
OTHER = [
    "9" * 40,  # (2**31 exactly is tried in every path, HUGE_IDS)
    "-1",
    "0001-01-01",
    "9999-12-31",
    "31.02.2026",
    "1e309",
    "x" * 3_000,  # longer than any column or field of the pages
    "",
]
HUGE_IDS = [2**31, 2**63, 10**30]
QUERY_KEYS = [
    "an", "art", "bereich", "monat", "neu", "next", "nr", "papier", "q", "rubrik", "status", "zeile",
    "von", "bis", "aktion", "objekt", "benutzer", "seite", "cursor", "limit", "member", "period",
]  # fmt: skip
ROLES = {"anonymous": None, "member": "anna", "helper": "hilde", "office": "buero", "admin": "admin"}


def form_field_names() -> set[str]:
    """Every field name of every form of the pages (and the fields views read themselves)."""
    from wtforms.fields.core import UnboundField

    from tauschring.web import forms as member_forms
    from tauschring.web.office import editions as office_editions
    from tauschring.web.office import forms as office_forms

    names = {"action", "next", "payee_id", "idempotency_key", "member_id", "confirm", "clean_only"}
    for module in (member_forms, office_forms, office_editions):
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, member_forms.Form):
                for klass in value.__mro__:
                    names.update(k for k, v in vars(klass).items() if isinstance(v, UnboundField))
    names.update(f"{prefix}-{name}" for prefix in ("termin", "artikel") for name in list(names))
    return names


def bad_files() -> dict[str, bytes]:
    return {
        "nul.csv": b"Belegnummer;Leistungsdatum\n1\x00;2\n",
        "big-cell.csv": b"Belegnummer;Leistungsdatum;Leistungsnehmer;Leistungsgeber;Betrag;Text\n1;2;3;4;5;"
        + b"x" * 140_000
        + b"\n",
        "bare-cr.csv": b'Belegnummer;Leistungsdatum\r1;2\r3;"4\r5"\r',
        "latin.csv": "Belegnummer;Text\n1;Gr\xfc\xdfe\n".encode("latin-1") + b"\xff\xfe\x00",
        "fake.xlsx": b"PK\x03\x04 this is no zip",
        "empty.csv": b"",
    }


IGNORED = {"sign_in_failure", "login_session"}  # signing in (again) is part of the walk


def rows(app) -> int:
    """All rows but those of signing in, in one query (taken around every refused request)."""
    tables = [t for t in metadata.sorted_tables if t.name not in IGNORED]
    query = " + ".join(f"(SELECT count(*) FROM {t.name})" for t in tables)
    with app.app_context():
        return db.session.scalar(sa.text(f"SELECT {query}"))


def forbidden_texts(app) -> list[str]:
    """Every text column of every table searched for the characters the rule refuses."""
    found = []
    with app.app_context():
        for table in metadata.sorted_tables:
            for column in table.columns:
                if isinstance(column.type, sa.String):
                    for bad in ("\x01", "\u202e", "\u2028", "\x7f"):
                        if db.session.scalar(
                            sa.select(sa.func.count()).select_from(table).where(column.contains(bad))
                        ):
                            found.append(f"{table.name}.{column.name} holds {bad!r}")
    return found


class Writes:
    """Counts rows around refused requests with one query per request: the count after one
    request is the count before the next."""

    def __init__(self, app) -> None:
        self.app = app
        self.last = rows(app)

    def changed(self) -> bool:
        before, self.last = self.last, rows(self.app)
        return self.last != before


def call(failures: list[str], what: str, send, *args, writes: Writes | None = None, **kwargs):
    """Send one request; a 5xx, or an exception the app let through, is a failure. With
    ``writes``, a refused request (4xx) must also have written nothing."""
    try:
        response = send(*args, **kwargs)
    except Exception as exc:  # TESTING propagates what would be a 500
        failures.append(f"{what}: {type(exc).__name__}: {str(exc)[:100]}")
        return None
    if response.status_code >= 500:
        failures.append(f"{what}: {response.status_code}")
    if writes is not None and writes.changed() and 400 <= response.status_code < 500:
        failures.append(f"{what}: refused with {response.status_code} but wrote")
    response.close()
    return response


def signed_in(app, ring, role: str):
    client = app.test_client()
    username = ROLES[role]
    if username is not None:
        token = token_in(client.get("/anmelden"))
        answer = client.post(
            "/anmelden", data={"username": username, "password": PASSWORD, "csrf_token": token}
        )
        assert answer.status_code == 302, role
        if role == "helper":
            token = token_in(client.get("/passwort"))
            client.post("/handeln-fuer", data={"member_id": str(ring.clara.id), "csrf_token": token})
    return client


def urls_of(rule, data) -> list[str]:
    """The rule's URL with real ids, and with each id replaced by one far too large or a bad text."""
    real = {
        "entry_id": data.entry_id, "listing_id": data.listing_id, "number": 1, "batch_id": data.batch_id,
        "line_id": 1, "edition_id": data.edition_id, "request_id": data.request_to_anna, "token_id": 1,
        "session_id": 1, "user_id": 1, "item_id": 1, "import_id": 1, "public_number": data.listing,
        "code": "de", "name": "marktzeitung.pdf", "filename": "vorlage", "kind": "mitglieder", "ext": "csv",
    }  # fmt: skip
    values = {name: real.get(name, 1) for name in rule.arguments}
    found = []
    try:
        found.append(rule.build(values)[1])
    except Exception:
        return []
    for name in rule.arguments:
        converter = rule._converters[name]
        replacements = (
            HUGE_IDS if isinstance(converter, IntegerConverter) else ["%00", "x" * 500, "%E2%80%AE"]
        )
        for bad in replacements:
            try:
                found.append(rule.build({**values, name: bad})[1])
            except Exception:
                continue
    return found


def walk_pages(app, ring, data, values: list[str], roles, *, count_writes: bool = False) -> list[str]:
    """Every page route, as each of ``roles``: GET with bad query strings, POST with every field
    bad."""
    failures = []
    fields = form_field_names()
    writes = Writes(app) if count_writes else None
    for role in roles:
        client = signed_in(app, ring, role)
        token = None
        for rule in app.url_map.iter_rules():
            if rule.rule.startswith(("/api/", "/static")) or rule.endpoint == "static":
                continue
            if rule.endpoint == "ops.readyz":  # its 503 is right here: the test database has no
                continue  # migrations; tests/web/test_ops.py tries it
            for index, url in enumerate(urls_of(rule, data)):
                for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                    # The real address with every value; an address with a bad id or text in
                    # its path (the bad input itself) with the first value only.
                    # Refused text in a query string meets one rule before any page (the first
                    # value proves it per route); forms get every value.
                    few = index > 0 or (count_writes and method == "GET")
                    for value in values[:1] if few else values:
                        what = f"{role} {method} {url[:80]} {value[:12]!r}"
                        if method == "GET":
                            query = {key: value for key in QUERY_KEYS}
                            call(failures, what, client.get, url, query_string=query)
                        else:
                            if token is None or role == "anonymous":
                                token = token_in(
                                    client.get("/anmelden" if role == "anonymous" else "/passwort")
                                )
                            form = {name: value for name in fields}
                            form["csrf_token"] = token
                            call(failures, what, client.post, url, data=form, writes=writes)
                            if rule.rule == "/abmelden" or "/beenden" in rule.rule:
                                client = signed_in(app, ring, role)  # signed out: sign in again
                                token = None
                                if writes is not None:
                                    writes.changed()
    return failures


def walk_uploads(app, ring, data) -> list[str]:
    failures = []
    client = signed_in(app, ring, "office")
    token = token_in(client.get("/passwort"))
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or not rule.rule.startswith("/buero/"):
            continue
        if not any(word in rule.rule for word in ("import", "datei", "umzug", "einlesen")):
            continue
        for url in urls_of(rule, data)[:1]:
            for name, content in bad_files().items():
                for source, kind in (
                    ("vorlage", "mitglieder"),
                    ("cyclos", "inserate"),
                    ("timeoverflow", "kontostaende"),
                ):
                    form = {
                        "csrf_token": token,
                        "source": source,
                        "kind": kind,
                        "file": (io.BytesIO(content), name),
                    }
                    call(
                        failures,
                        f"upload {url} {name} {source}",
                        client.post,
                        url,
                        data=form,
                        content_type="multipart/form-data",
                    )
    return failures


def api_paths(app) -> list[str]:
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    return [
        (path, method) for path, item in spec["paths"].items() for method in item if method in ("get", "post")
    ]


def walk_api(app, ring, tokens, data) -> list[str]:
    failures = []
    nested = "[" * 20_000 + "]" * 20_000
    bodies = [
        nested,
        '{"a":' * 5_000 + "1" + "}" * 5_000,
        json.dumps({"payee": 10**30, "minutes": 10**30, "memo": "x", "service_date": "9999-12-31"}),
        json.dumps({"payee": 2, "minutes": -5, "memo": "\x00", "service_date": "0001-01-01"}),
        '{"payee": 2, "minutes": 60, "memo": "\\ud800", "service_date": "2026-11-20"}',
        json.dumps({"title": "x" * 100_000, "text": "\u202e", "kind": "offer", "category": 2**63}),
        '{"minutes": 1e309}',
        "not json",
    ]
    for login in ("anna", "buero"):
        headers = {"Authorization": f"Bearer {tokens[login]}", "Content-Type": "application/json"}
        for path, method in api_paths(app):
            concrete = re.sub(r"\{[^}]+\}", "1", path)
            huge = [re.sub(r"\{[^}]+\}", str(big), path) for big in HUGE_IDS]
            for url in [concrete, *huge]:
                if method == "get":
                    for value in (*REFUSED_TEXT, *OTHER[:8]) if url == concrete else REFUSED_TEXT[:1]:
                        query = {k: value for k in QUERY_KEYS}
                        what = f"api {login} GET {url} {value[:12]!r}"
                        call(failures, what, app.test_client().get, url, headers=headers, query_string=query)
                else:
                    for body in bodies if url == concrete else bodies[2:3]:
                        what = f"api {login} POST {url} {body[:20]!r}"
                        call(failures, what, app.test_client().post, url, headers=headers, data=body)
    return failures


@pytest.mark.slow
@pytest.mark.parametrize("backend", BACKENDS)
def test_text_the_rule_refuses_is_never_stored_and_a_refusal_writes_nothing(app, ring, tokens, data):
    # The admin reaches every page the office does (and the office's own refusals are the
    # same use cases' refusals).
    roles = ("anonymous", "member", "helper", "admin")
    failures = walk_pages(app, ring, data, REFUSED_TEXT, roles, count_writes=True)
    assert not failures, "\n".join(sorted(set(failures)))
    assert forbidden_texts(app) == []


@pytest.mark.slow
@pytest.mark.parametrize("backend", BACKENDS)
def test_other_bad_input_never_gives_a_5xx(app, ring, tokens, data):
    # The admin reaches every page the office does, the member every page a helper does.
    failures = walk_pages(app, ring, data, OTHER, ("anonymous", "member", "admin"))
    failures += walk_uploads(app, ring, data)
    assert not failures, "\n".join(sorted(set(failures)))


@pytest.mark.slow
@pytest.mark.parametrize("backend", BACKENDS)
def test_the_api_answers_bad_input_with_a_problem_never_a_5xx(app, ring, tokens, data):
    failures = walk_api(app, ring, tokens, data)
    assert not failures, "\n".join(sorted(set(failures)))
