"""The JSON API through the Flask test client: its OpenAPI document and offline docs page, problem
details for every bad input (never a 5xx), payments with idempotency keys, payment requests,
listings, statements with cursor pagination, voucher batches, editions, and the tokens (revoked,
deactivated, and the web page that makes them).

The app runs with TESTING=True, so an unhandled exception would fail the test instead of being
answered with a 500: "never a 5xx" is checked by every call.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import sqlite3
import time
from pathlib import Path

import pytest
import swagger_ui_bundle
from sqlalchemy import func, select

import ledger
from tauschring.db import db
from tauschring.models import ApiToken, Edition, EditionFile, Listing, Member, PaymentRequest, User
from tests.api.conftest import BACKENDS
from tests.web.conftest import Browser, counts, text_of, token_in

PROBLEM = "application/problem+json"
PROBLEM_FIELDS = {"type", "title", "status", "detail", "code"}
METHODS = {"get", "put", "post", "patch", "delete", "head", "options", "trace"}


def problem_of(response, status: int, code: str | None = None) -> dict:
    """Assert a problem-details answer (RFC 9457) and return its body."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM, response.mimetype
    body = json.loads(response.get_data(as_text=True))
    assert PROBLEM_FIELDS <= body.keys(), body
    assert body["status"] == status
    assert body["type"] == f"urn:tauschring:problem:{body['code']}"
    assert isinstance(body["detail"], str) and body["detail"]
    if code is not None:
        assert body["code"] == code, body
    return body


def balance(app, member_id: int) -> int:
    with app.app_context():
        member = db.session.get(Member, member_id)
        return db.session.get(ledger.Account, member.account_id).balance


def entry_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(ledger.JournalEntry))


# ---------------------------------------------------------------------------------------------
# The OpenAPI document and the docs page


def _resolve(document: dict, reference: str) -> object:
    assert reference.startswith("#/"), reference
    node: object = document
    for part in reference[2:].split("/"):
        assert isinstance(node, dict) and part in node, f"unresolved $ref {reference}"
        node = node[part]
    return node


def _references(node: object):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from _references(value)
    elif isinstance(node, list):
        for value in node:
            yield from _references(value)


def test_the_openapi_document_is_valid_openapi_3(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"].startswith("3.0.")
    try:  # the reference validator, when it is installed
        from openapi_spec_validator import validate as validate_spec
    except ImportError:  # else the official JSON Schema of OpenAPI 3.0, as schemathesis ships it
        from schemathesis.specs.openapi.definitions import OPENAPI_30_VALIDATOR

        errors = [str(error) for error in OPENAPI_30_VALIDATOR.iter_errors(document)]
        assert errors == []
    else:
        validate_spec(document)
    # Structure the schema cannot express: references resolve, path parameters are declared,
    # every operation says what it answers, and errors are problem details.
    for reference in _references(document):
        _resolve(document, reference)
    assert document["components"]["securitySchemes"]["token"] == {"type": "http", "scheme": "bearer"}
    problem_schema = {"$ref": "#/components/schemas/Problem"}
    for path, item in document["paths"].items():
        shared = item.get("parameters", [])
        for method, operation in item.items():
            if method not in METHODS:
                continue
            parameters = shared + operation.get("parameters", [])
            declared = {p["name"] for p in parameters if p["in"] == "path" and p["required"]}
            assert declared == set(re.findall(r"{(\w+)}", path)), (method, path)
            responses = operation["responses"]
            assert any(code.startswith("2") for code in responses), (method, path)
            assert "401" in responses, (method, path)
            assert "default" not in responses, (method, path)
            for code, answer in responses.items():
                if code.startswith(("4", "5")):
                    assert answer["content"] == {PROBLEM: {"schema": problem_schema}}, (method, path, code)
            assert operation.get("summary"), (method, path)


def test_the_openapi_document_lists_every_route(app, client):
    document = client.get("/api/v1/openapi.json").get_json()
    documented = {
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method in item
        if method in METHODS
    }
    routes = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.endpoint.startswith(("api_docs.", "api-docs.")):
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            routes.add((method, path))
    assert routes, "no API routes found"
    assert routes == documented


def test_the_docs_page_works_without_internet(client):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    assert page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert not re.search(r"https?://", html), "the docs page refers to another host"
    # The browser may load only from this host (no CDN could sneak in by a later change).
    policy = page.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "http" not in policy
    references = re.findall(r'(?:src|href|data-spec)="([^"]+)"', html)
    assert len(references) >= 4, references
    package = Path(swagger_ui_bundle.swagger_ui_path)
    for reference in references:
        assert reference.startswith("/"), reference
        with client.get(reference) as asset:  # files are streamed: close them
            assert asset.status_code == 200, reference
            body = asset.get_data()
        if "/docs/assets/" in reference:  # from the installed package, byte for byte
            assert body == (package / reference.rsplit("/", 1)[1]).read_bytes()
        if reference.endswith(".css"):
            for url in re.findall(rb"url\(([^)]*)\)", body):
                assert url.strip(b"\"'").startswith(b"data:"), url[:80]
        if reference.endswith((".css", ".js")):
            for mapping in re.findall(rb"sourceMappingURL=([^\s*]+)", body):
                assert not mapping.startswith((b"http:", b"https:", b"//")), mapping
                with client.get(reference.rsplit("/", 1)[0] + "/" + mapping.decode()) as source_map:
                    assert source_map.status_code == 200, mapping
        if reference.endswith("api-docs.js"):  # the start script of the page
            assert not re.search(rb"https?://", body)
        if reference.endswith("openapi.json"):
            assert json.loads(body)["paths"]
    with client.get("/api/v1/docs/assets/../../../etc/passwd") as outside:
        assert outside.status_code == 404


# ---------------------------------------------------------------------------------------------
# Errors: problem details, 4xx for every bad input, HTML pages unchanged


def _payment(**changes) -> dict:
    return {"payee": 2, "minutes": 30, "memo": "Fenster geputzt", **changes}


BAD_INPUT = [
    # (name, method, url, json body or raw text, extra headers, status, code)
    ("minutes as string", "post", "/api/v1/entries", _payment(minutes="30"), {}, 422, "invalid_input"),
    ("minutes as float", "post", "/api/v1/entries", _payment(minutes=30.0), {}, 422, "invalid_input"),
    ("fractional minutes", "post", "/api/v1/entries", _payment(minutes=30.5), {}, 422, "invalid_input"),
    ("huge minutes", "post", "/api/v1/entries", _payment(minutes=10**30), {}, 422, "invalid_input"),
    ("negative minutes", "post", "/api/v1/entries", _payment(minutes=-30), {}, 422, "invalid_input"),
    ("zero minutes", "post", "/api/v1/entries", _payment(minutes=0), {}, 422, "invalid_input"),
    ("minutes true", "post", "/api/v1/entries", _payment(minutes=True), {}, 422, "invalid_input"),
    ("payee as string", "post", "/api/v1/entries", _payment(payee="2"), {}, 422, "invalid_input"),
    ("huge payee", "post", "/api/v1/entries", _payment(payee=10**30), {}, 422, "invalid_input"),
    ("unknown payee", "post", "/api/v1/entries", _payment(payee=999_999), {}, 404, "member_unknown"),
    ("unknown field", "post", "/api/v1/entries", _payment(admin=True), {}, 422, "invalid_input"),
    ("missing fields", "post", "/api/v1/entries", {}, {}, 422, "invalid_input"),
    ("blank memo", "post", "/api/v1/entries", _payment(memo="   "), {}, 422, "invalid_input"),
    ("NUL in memo", "post", "/api/v1/entries", _payment(memo="a\x00b"), {}, 422, "invalid_input"),
    (
        "lone surrogate",
        "post",
        "/api/v1/entries",
        '{"payee": 2, "minutes": 5, "memo": "\\ud800"}',
        {},
        422,
        "invalid_input",
    ),
    ("bad date", "post", "/api/v1/entries", _payment(service_date="2026-02-30"), {}, 422, "invalid_input"),
    ("date as words", "post", "/api/v1/entries", _payment(service_date="gestern"), {}, 422, "invalid_input"),
    (
        "future date",
        "post",
        "/api/v1/entries",
        _payment(service_date="9999-12-31"),
        {},
        422,
        "future_service_date",
    ),
    ("not JSON", "post", "/api/v1/entries", "{minutes: 5", {}, 400, "invalid_input"),
    ("JSON list", "post", "/api/v1/entries", "[1, 2]", {}, 422, "invalid_input"),
    (
        "long idempotency key",
        "post",
        "/api/v1/entries",
        _payment(),
        {"Idempotency-Key": "k" * 500},
        400,
        "invalid_idempotency_key",
    ),
    (
        "empty idempotency key",
        "post",
        "/api/v1/entries",
        _payment(),
        {"Idempotency-Key": ""},
        400,
        "invalid_idempotency_key",
    ),
    (
        "member header not a number",
        "get",
        "/api/v1/accounts/me",
        None,
        {"X-Tauschring-Member": "Anna"},
        400,
        "bad_member_header",
    ),
    (
        "member header superscript",
        "get",
        "/api/v1/accounts/me",
        None,
        {"X-Tauschring-Member": "²"},
        400,
        "bad_member_header",
    ),
    (
        "member header not helped",
        "get",
        "/api/v1/accounts/me",
        None,
        {"X-Tauschring-Member": "4"},
        403,
        "may_not_act_for",
    ),
    ("garbage cursor", "get", "/api/v1/entries?cursor=%%%garbage", None, {}, 422, "invalid_input"),
    ("cursor of letters", "get", "/api/v1/entries?cursor=abc-def", None, {}, 422, "invalid_input"),
    ("bad from", "get", "/api/v1/entries?from=2026-13-01", None, {}, 422, "invalid_input"),
    (
        "end before start",
        "get",
        "/api/v1/entries?from=2026-05-02&to=2026-05-01",
        None,
        {},
        422,
        "period_invalid",
    ),
    ("limit as word", "get", "/api/v1/entries?limit=viele", None, {}, 422, "invalid_input"),
    ("limit as float", "get", "/api/v1/entries?limit=1.5", None, {}, 422, "invalid_input"),
    ("huge limit", "get", f"/api/v1/entries?limit={10**30}", None, {}, 422, "invalid_input"),
    ("unknown query argument", "get", "/api/v1/entries?sort=desc", None, {}, 422, "invalid_input"),
    ("huge entry id", "get", f"/api/v1/entries/{10**30}", None, {}, 404, "not_found"),
    ("category as word", "get", "/api/v1/listings?category=Garten", None, {}, 422, "invalid_input"),
    ("listing number of words", "get", "/api/v1/listings/A-zwei", None, {}, 404, "not_found"),
    ("huge listing number", "get", "/api/v1/listings/A-99999999999999", None, {}, 404, "not_found"),
    (
        "print_in_paper as 1",
        "post",
        "/api/v1/listings",
        {"kind": "offer", "category_id": 1, "title": "T", "text": "T", "print_in_paper": 1},
        {},
        422,
        "invalid_input",
    ),
    (
        "unknown category",
        "post",
        "/api/v1/listings",
        {"kind": "offer", "category_id": 10**6, "title": "T", "text": "T"},
        {},
        422,
        "category_unknown",
    ),
    ("wrong method", "delete", "/api/v1/entries", None, {}, 405, "method_not_allowed"),
    ("unknown path", "get", "/api/v1/gibt-es-nicht", None, {}, 404, "not_found"),
    (
        "token far too long",
        "get",
        "/api/v1/me",
        None,
        {"Authorization": "Bearer " + "x" * 300},
        401,
        "invalid_token",
    ),
    (
        "token unknown",
        "get",
        "/api/v1/me",
        None,
        {"Authorization": "Bearer tsr_falsch"},
        401,
        "invalid_token",
    ),
    ("no token", "get", "/api/v1/me", None, {"Authorization": ""}, 401, "unauthorized"),
]


@pytest.mark.parametrize(
    ("method", "url", "body", "extra", "status", "code"),
    [pytest.param(*case[1:], id=case[0]) for case in BAD_INPUT],
)
def test_bad_input_gets_a_problem_never_a_5xx(
    app, client, auth, ring, method, url, body, extra, status, code
):
    before = counts(app)
    headers = {**auth("member"), **extra}
    if headers.get("Authorization") == "":
        del headers["Authorization"]
    kwargs = {"headers": headers}
    if isinstance(body, str):
        kwargs.update(data=body, content_type="application/json")
    elif body is not None:
        kwargs["json"] = body
    response = getattr(client, method)(url, **kwargs)
    problem_of(response, status, code)
    if status == 401:
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    if status == 405:
        assert set(response.headers["Allow"].split(", ")) >= {"GET", "POST"}
    assert counts(app) == before


OFFICE_BAD_INPUT = [
    (
        "line number superscript",
        "post",
        "/api/v1/voucher-batches/{batch}/lines",
        {
            "voucher_number": "²",
            "service_date": "1.1.",
            "payer_number": "²",
            "payee_number": "1",
            "amount": "1",
            "memo": "x",
        },
    ),
    ("line field missing", "post", "/api/v1/voucher-batches/{batch}/lines", {"voucher_number": "1"}),
    (
        "line amount as number",
        "post",
        "/api/v1/voucher-batches/{batch}/lines",
        {
            "voucher_number": "1",
            "service_date": "1.1.",
            "payer_number": "1",
            "payee_number": "2",
            "amount": 60,
            "memo": "x",
        },
    ),
    ("clean_only as string", "post", "/api/v1/voucher-batches/{batch}/post", {"clean_only": "true"}),
    ("batch title with NUL", "post", "/api/v1/voucher-batches", {"title": "\x00"}),
    ("member query of control characters", "get", "/api/v1/members?q=%01%02", None),
    ("member number huge", "get", f"/api/v1/members/{10**30}", None),
    ("edition id huge", "get", f"/api/v1/editions/{10**30}/files/marktzeitung.pdf", None),
    ("edition file unknown", "get", "/api/v1/editions/{edition}/files/..%2F..%2Fetc%2Fpasswd", None),
]


@pytest.mark.parametrize(("method", "url", "body"), [pytest.param(*c[1:], id=c[0]) for c in OFFICE_BAD_INPUT])
def test_bad_office_input_gets_a_problem_never_a_5xx(app, client, auth, data, method, url, body):
    before = counts(app)
    url = url.format(batch=data.batch_id, edition=data.edition_id)
    response = getattr(client, method)(url, headers=auth("office"), json=body)
    assert 400 <= response.status_code < 500
    problem_of(response, response.status_code)
    assert counts(app) == before


def test_html_pages_keep_their_html_errors(client, ring):
    missing = client.get("/gibt-es-nicht")
    assert missing.status_code == 404
    assert missing.mimetype == "text/html"
    assert "Nicht gefunden" in text_of(missing)
    no_csrf = client.post("/anmelden", data={"username": "anna", "password": "x"})
    assert no_csrf.status_code == 400
    assert no_csrf.mimetype == "text/html"
    browser = Browser(client).login("anna")
    for number in ("A-9999", "A-²"):  # a superscript two is a digit to str.isdigit, not to int()
        page = browser.get(f"/markt/{number}")
        assert (page.status_code, page.mimetype) == (404, "text/html"), number


def test_the_api_takes_no_session_cookie(client, ring):
    browser = Browser(client).login("anna")
    assert browser.get("/api-tokens").status_code == 200
    problem_of(client.get("/api/v1/me"), 401, "unauthorized")


def test_me_tells_who_acts_for_whom(client, auth, ring):
    assert client.get("/api/v1/me", headers=auth("member")).get_json() == {
        "username": "anna",
        "role": "member",
        "ring": "Testring Lindenau",
        "member_number": ring.anna.number,
        "acting_for": ring.anna.number,
    }
    helper = client.get("/api/v1/me", headers=auth("helper")).get_json()
    assert (helper["username"], helper["member_number"], helper["acting_for"]) == (
        "hilde",
        None,
        ring.clara.number,
    )
    office = client.get("/api/v1/me", headers=auth("office")).get_json()
    assert (office["role"], office["acting_for"]) == ("office", None)


# ---------------------------------------------------------------------------------------------
# Payments and idempotency


def test_a_payment_books_and_answers_the_entry(app, client, auth, ring):
    response = client.post(
        "/api/v1/entries", headers=auth("member"), json=_payment(payee=ring.bernd.number, minutes=45)
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.headers["Idempotent-Replayed"] == "false"
    entry = response.get_json()
    assert entry["kind"] == "transfer" and entry["channel"] == "api" and entry["memo"] == "Fenster geputzt"
    postings = {p["member_number"]: p["amount_minutes"] for p in entry["postings"]}
    assert postings == {ring.anna.number: -45, ring.bernd.number: 45}
    assert balance(app, ring.anna.id) == -45 and balance(app, ring.bernd.id) == 45
    again = client.get(f"/api/v1/entries/{entry['id']}", headers=auth("bernd"))
    assert again.status_code == 200 and again.get_json()["id"] == entry["id"]
    problem_of(client.get(f"/api/v1/entries/{entry['id']}", headers=auth("other_member")), 404)


def test_the_helper_pays_for_clara(app, client, auth, ring):
    response = client.post("/api/v1/entries", headers=auth("helper"), json=_payment(payee=ring.bernd.number))
    assert response.status_code == 201, response.get_data(as_text=True)
    assert balance(app, ring.clara.id) == -30
    # Without the header Hilde is nobody's member, and she may not act for Anna.
    problem_of(client.post("/api/v1/entries", headers=auth("hilde"), json=_payment()), 403, "no_member")
    denied = client.post(
        "/api/v1/entries",
        headers=auth("hilde", **{"X-Tauschring-Member": str(ring.anna.number)}),
        json=_payment(),
    )
    problem_of(denied, 403, "may_not_act_for")
    assert balance(app, ring.anna.id) == 0


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_idempotency_key_replay_books_nothing(app, client, auth, ring):
    headers = auth("member", **{"Idempotency-Key": "einkauf-2026-11-21"})
    body = _payment(payee=ring.bernd.number, minutes=60)
    first = client.post("/api/v1/entries", headers=headers, json=body)
    assert first.status_code == 201
    entries = entry_count(app)
    replay = client.post("/api/v1/entries", headers=headers, json=body)
    assert replay.status_code == 201
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert replay.get_json() == first.get_json()
    assert entry_count(app) == entries
    assert balance(app, ring.anna.id) == -60
    # The key is per login: Bernd's identical key is his own.
    bernds = client.post(
        "/api/v1/entries",
        headers=auth("bernd", **{"Idempotency-Key": "einkauf-2026-11-21"}),
        json=_payment(payee=ring.anna.number, minutes=60),
    )
    assert bernds.status_code == 201 and bernds.headers["Idempotent-Replayed"] == "false"
    # A key of the documented maximum length is taken as it is.
    longest = client.post(
        "/api/v1/entries", headers=auth("member", **{"Idempotency-Key": "x" * 200}), json=body
    )
    assert longest.status_code == 201


def test_the_same_key_with_other_content_is_a_conflict(app, client, auth, ring):
    headers = auth("member", **{"Idempotency-Key": "k-1"})
    assert client.post("/api/v1/entries", headers=headers, json=_payment(minutes=60)).status_code == 201
    before = counts(app)
    conflict = client.post("/api/v1/entries", headers=headers, json=_payment(minutes=75))
    body = problem_of(conflict, 409, "idempotency_conflict")
    assert counts(app) == before
    # The stored key (per login, hashed) is the ledger's own business: it never reaches the caller.
    assert "api:" not in conflict.get_data(as_text=True) and "k-1" not in body["detail"]
    assert body["detail"] == "Diese Anfrage wurde schon einmal mit anderem Inhalt gesendet."


def test_problems_speak_the_callers_language_german_by_default(app, client, auth, ring):
    too_much = _payment(payee=ring.bernd.number, minutes=31 * 60)
    german = problem_of(client.post("/api/v1/entries", headers=auth("member"), json=too_much), 409)
    english = problem_of(
        client.post(
            "/api/v1/entries", headers=auth("member", **{"Accept-Language": "en-GB,en;q=0.8"}), json=too_much
        ),
        409,
    )
    assert german["code"] == english["code"] == "limit_exceeded"
    assert german["detail"].startswith("Das würde Ihre Untergrenze unterschreiten")
    assert english["detail"].startswith("That would take you below your lower limit")
    # The params say what the caller may see: numbers, not another account's label.
    assert set(english["params"]) == {"side", "balance", "amount", "limit"}
    french = problem_of(
        client.get("/api/v1/members", headers=auth("member", **{"Accept-Language": "fr"})), 403
    )
    assert french["detail"] == "Das darf nur das Büro."


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_refusal_replayed_stays_refused(app, client, auth, ring):
    headers = auth("member", **{"Idempotency-Key": "zu-viel"})
    too_much = _payment(payee=ring.bernd.number, minutes=1815)  # Anna's lower limit is -30 hours
    refused = problem_of(
        client.post("/api/v1/entries", headers=headers, json=too_much), 409, "limit_exceeded"
    )
    assert refused["params"]["limit"] == -1800
    # Bernd pays Anna: now the same payment would fit under the limit ...
    assert (
        client.post(
            "/api/v1/entries", headers=auth("bernd"), json=_payment(payee=ring.anna.number, minutes=600)
        ).status_code
        == 201
    )
    before = counts(app)
    # ... but its key keeps its first answer.
    again = problem_of(client.post("/api/v1/entries", headers=headers, json=too_much), 409, "limit_exceeded")
    assert again["params"] == refused["params"]
    assert counts(app) == before
    assert balance(app, ring.anna.id) == 600
    # Without the key (or with a new one) it is booked.
    fresh = client.post(
        "/api/v1/entries", headers=auth("member", **{"Idempotency-Key": "neu"}), json=too_much
    )
    assert fresh.status_code == 201


# ---------------------------------------------------------------------------------------------
# Payment requests


def test_a_payment_request_is_created_and_accepted(app, client, auth, ring):
    created = client.post(
        "/api/v1/payment-requests",
        headers=auth("bernd"),
        json={"payer": ring.anna.number, "minutes": 90, "memo": "Regal aufgebaut"},
    )
    assert created.status_code == 201, created.get_data(as_text=True)
    request = created.get_json()
    assert (request["payer"], request["payee"], request["status"]) == (
        ring.anna.number,
        ring.bernd.number,
        "open",
    )
    listed = client.get("/api/v1/payment-requests?status=open", headers=auth("member")).get_json()
    assert [r["id"] for r in listed] == [request["id"]]
    problem_of(client.post(f"/api/v1/payment-requests/{request['id']}/accept", headers=auth("bernd")), 404)
    accepted = client.post(f"/api/v1/payment-requests/{request['id']}/accept", headers=auth("member"))
    assert accepted.status_code == 200
    assert accepted.get_json()["status"] == "accepted" and accepted.get_json()["entry_id"]
    assert balance(app, ring.anna.id) == -90 and balance(app, ring.bernd.id) == 90
    before = counts(app)
    problem_of(client.post(f"/api/v1/payment-requests/{request['id']}/accept", headers=auth("member")), 409)
    assert counts(app) == before


def test_a_payment_request_is_declined_or_cancelled(app, client, auth, ring, data):
    declined = client.post(
        f"/api/v1/payment-requests/{data.request_to_anna}/decline",
        headers=auth("member"),
        json={"note": "Das war doch geschenkt."},
    )
    assert declined.status_code == 200
    assert (declined.get_json()["status"], declined.get_json()["note"]) == (
        "declined",
        "Das war doch geschenkt.",
    )
    # Only the one who asked may take a request back.
    problem_of(
        client.post(f"/api/v1/payment-requests/{data.request_from_anna}/cancel", headers=auth("bernd")), 404
    )
    cancelled = client.post(
        f"/api/v1/payment-requests/{data.request_from_anna}/cancel", headers=auth("member")
    )
    assert cancelled.status_code == 200 and cancelled.get_json()["status"] == "cancelled"
    # The helper answers for Clara.
    accepted = client.post(f"/api/v1/payment-requests/{data.request_to_clara}/accept", headers=auth("helper"))
    assert accepted.status_code == 200 and accepted.get_json()["status"] == "accepted"
    with app.app_context():
        statuses = dict(db.session.execute(select(PaymentRequest.id, PaymentRequest.status)).all())
    assert statuses == {
        data.request_to_anna: "declined",
        data.request_from_anna: "cancelled",
        data.request_to_clara: "accepted",
    }


# ---------------------------------------------------------------------------------------------
# Listings


def test_listings_are_searched(client, auth, data):
    found = client.get("/api/v1/listings?q=fahrrad", headers=auth("other_member"))
    assert [listing["number"] for listing in found.get_json()] == [data.listing]
    assert found.get_json()[0]["own"] is False
    assert client.get("/api/v1/listings?q=fahrrad&kind=request", headers=auth("member")).get_json() == []
    assert client.get(f"/api/v1/listings?category={data.category_id}", headers=auth("member")).get_json()
    mine = client.get("/api/v1/listings?mine=true", headers=auth("member")).get_json()
    assert [(listing["number"], listing["own"]) for listing in mine] == [(data.listing, True)]
    assert client.get("/api/v1/listings?mine=true", headers=auth("other_member")).get_json() == []
    categories = client.get("/api/v1/listings/categories", headers=auth("member")).get_json()
    assert categories[0]["id"] == data.category_id


def test_a_member_creates_edits_renews_and_withdraws_own_listings_only(app, client, auth, data):
    created = client.post(
        "/api/v1/listings",
        headers=auth("other_member"),
        json={
            "kind": "request",
            "category_id": data.category_id,
            "title": "Suche Leiter",
            "text": "Für\nden Herbst.",
        },
    )
    assert created.status_code == 201, created.get_data(as_text=True)
    number = created.get_json()["number"]
    assert number.startswith("G-") and created.get_json()["text"] == "Für\nden Herbst."
    before = counts(app)
    for method, url, body in (
        ("patch", f"/api/v1/listings/{number}", {"title": "Gehört Dora"}),
        ("post", f"/api/v1/listings/{number}/renew", None),
        ("post", f"/api/v1/listings/{number}/withdraw", None),
    ):
        problem_of(getattr(client, method)(url, headers=auth("member"), json=body), 404, "listing_unknown")
    assert counts(app) == before
    with app.app_context():
        assert db.session.scalar(select(Listing.title).where(Listing.kind == "request")) == "Suche Leiter"
    edited = client.patch(f"/api/v1/listings/{data.listing}", headers=auth("member"), json={"title": "Räder"})
    assert edited.status_code == 200
    assert edited.get_json()["title"] == "Räder" and edited.get_json()["edited_at"]
    renewed = client.post(f"/api/v1/listings/{data.listing}/renew", headers=auth("member"))
    assert renewed.status_code == 200
    withdrawn = client.post(f"/api/v1/listings/{data.listing}/withdraw", headers=auth("member"))
    assert withdrawn.status_code == 200 and withdrawn.get_json()["withdrawn_at"]
    problem_of(
        client.get(f"/api/v1/listings/{data.listing}", headers=auth("other_member")), 404, "listing_unknown"
    )
    problem_of(
        client.patch(f"/api/v1/listings/{data.listing}", headers=auth("member"), json={"title": "x"}), 409
    )


# ---------------------------------------------------------------------------------------------
# Statements: period and cursor pagination


@pytest.mark.parametrize("backend", BACKENDS)
def test_entries_are_paged_by_cursor_without_gaps(app, client, auth, ring):
    for step in range(1, 12):
        payer, payee = ("member", ring.bernd.number) if step % 2 else ("bernd", ring.anna.number)
        response = client.post(
            "/api/v1/entries", headers=auth(payer), json=_payment(payee=payee, minutes=15 * step)
        )
        assert response.status_code == 201
    whole = client.get("/api/v1/entries?limit=200", headers=auth("member")).get_json()
    assert len(whole["items"]) == 11 and whole["next_cursor"] is None
    pages, url = [], "/api/v1/entries?limit=3"
    while url:
        page = client.get(url, headers=auth("member")).get_json()
        pages.append(page)
        url = f"/api/v1/entries?limit=3&cursor={page['next_cursor']}" if page["next_cursor"] else None
    assert [len(page["items"]) for page in pages] == [3, 3, 3, 2]
    assert [item for page in pages for item in page["items"]] == whole["items"]
    running = 0
    for item in whole["items"]:
        running += item["amount_minutes"]
        assert item["balance_after_minutes"] == running
    assert whole["closing_balance_minutes"] == running == balance(app, ring.anna.id)
    today = dt.datetime.fromisoformat(whole["items"][0]["booked_at"]).astimezone(dt.UTC).date()
    in_period = client.get(
        f"/api/v1/entries?from={today - dt.timedelta(days=1)}&to={today + dt.timedelta(days=1)}",
        headers=auth("member"),
    ).get_json()
    assert len(in_period["items"]) == 11
    before = client.get(
        f"/api/v1/entries?to={today - dt.timedelta(days=2)}", headers=auth("member")
    ).get_json()
    assert before["items"] == [] and before["closing_balance_minutes"] == 0
    after = client.get(
        f"/api/v1/entries?from={today + dt.timedelta(days=2)}", headers=auth("member")
    ).get_json()
    assert after["items"] == [] and after["opening_balance_minutes"] == running
    edges = client.get("/api/v1/entries?from=0001-01-01&to=9999-12-31", headers=auth("member")).get_json()
    assert edges["items"] == whole["items"]
    # The office reads any member's statement; a member may not.
    office = client.get(f"/api/v1/entries?member={ring.anna.number}&limit=200", headers=auth("office"))

    def unnamed(items):
        return [{**i, "partners": [{**p, "name": None} for p in i["partners"]]} for i in items]

    assert unnamed(office.get_json()["items"]) == unnamed(whole["items"])
    # Names as the reader may see them: the office in full, Anna as Bernd chose to be shown.
    assert office.get_json()["items"][0]["partners"][0]["name"] == "Bernd Schulz"
    assert whole["items"][0]["partners"][0]["name"] == "Bernd S."
    problem_of(client.get(f"/api/v1/entries?member={ring.bernd.number}", headers=auth("member")), 403)


# ---------------------------------------------------------------------------------------------
# Voucher batches (office)


def _line(voucher: str, payer, payee, amount: str, **changes) -> dict:
    return {
        "voucher_number": voucher,
        "service_date": dt.date.today().strftime("%d.%m.%Y"),
        "payer_number": str(payer.number),
        "payee_number": str(payee.number),
        "amount": amount,
        "memo": "Beleg aus dem Kasten",
        **changes,
    }


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_voucher_batch_is_built_checked_and_posted_all_or_nothing(app, client, auth, ring):
    created = client.post("/api/v1/voucher-batches", headers=auth("office"), json={"title": "Dezember"})
    assert created.status_code == 201
    batch = created.get_json()
    assert (batch["status"], batch["count"], batch["minutes"], batch["lines"]) == ("open", 0, 0, [])
    lines = f"/api/v1/voucher-batches/{batch['id']}/lines"
    first = client.post(lines, headers=auth("office"), json=_line("7001", ring.anna, ring.bernd, "1:30"))
    assert first.status_code == 201
    second = client.post(lines, headers=auth("office"), json=_line("7002", ring.bernd, ring.bernd, "0:45"))
    totals = second.get_json()
    assert (totals["count"], totals["minutes"], totals["ready"], totals["problems"]) == (2, 135, 1, 1)
    assert totals["lines"][1]["status"] == "error" and totals["lines"][1]["errors"]
    listed = client.get("/api/v1/voucher-batches", headers=auth("office")).get_json()
    assert {"id": batch["id"], "lines": 2}.items() <= next(
        b for b in listed if b["id"] == batch["id"]
    ).items()
    # All or nothing: with an error in it, the batch books nothing ...
    before = counts(app)
    post = f"/api/v1/voucher-batches/{batch['id']}/post"
    problem_of(client.post(post, headers=auth("office"), json={}), 409, "batch_has_errors")
    assert counts(app) == before
    # ... unless the clerk books the clean lines on purpose.
    posted = client.post(post, headers=auth("office"), json={"clean_only": True})
    assert posted.status_code == 200, posted.get_data(as_text=True)
    result = posted.get_json()
    assert len(result["entries"]) == 1 and result["batch"]["status"] == "posted"
    assert result["batch"]["lines"][0]["entry_id"] == result["entries"][0]
    assert result["batch"]["lines"][1]["entry_id"] is None
    assert balance(app, ring.anna.id) == -90 and balance(app, ring.bernd.id) == 90
    problem_of(client.post(post, headers=auth("office"), json={}), 409, "batch_not_open")
    problem_of(
        client.post(lines, headers=auth("office"), json=_line("7003", ring.anna, ring.bernd, "1")), 409
    )


def test_a_clean_batch_is_posted_whole(app, client, auth, ring, data):
    lines = f"/api/v1/voucher-batches/{data.batch_id}/lines"
    added = client.post(lines, headers=auth("admin"), json=_line("7101", ring.dora, ring.anna, "2"))
    assert added.status_code == 201
    assert (added.get_json()["count"], added.get_json()["minutes"]) == (2, 180)
    posted = client.post(f"/api/v1/voucher-batches/{data.batch_id}/post", headers=auth("office"))
    assert posted.status_code == 200, posted.get_data(as_text=True)
    assert len(posted.get_json()["entries"]) == 2
    assert balance(app, ring.dora.id) == -120 and balance(app, ring.anna.id) == -90 - 60 + 120


# ---------------------------------------------------------------------------------------------
# Editions (office)


def test_the_office_lists_editions_and_downloads_their_pdfs(app, client, auth, data):
    editions = client.get("/api/v1/editions", headers=auth("office")).get_json()
    assert [e["id"] for e in editions] == [data.edition_id]
    assert editions[0]["status"] == "generated" and "marktzeitung.pdf" in editions[0]["files"]
    for name in editions[0]["files"]:
        pdf = client.get(f"/api/v1/editions/{data.edition_id}/files/{name}", headers=auth("office"))
        assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
        assert pdf.get_data().startswith(b"%PDF-")
        assert pdf.headers["Content-Disposition"].startswith("attachment;")
        with app.app_context():
            stored = db.session.scalar(
                select(EditionFile.sha256).where(
                    EditionFile.edition_id == data.edition_id, EditionFile.name == name
                )
            )
        assert hashlib.sha256(pdf.get_data()).hexdigest() == stored
    problem_of(
        client.get(f"/api/v1/editions/{data.edition_id}/files/geheim.pdf", headers=auth("office")), 404
    )
    problem_of(
        client.get(f"/api/v1/editions/{data.edition_id}/files/marktzeitung.pdf", headers=auth("member")), 403
    )
    with app.app_context():
        assert db.session.get(Edition, data.edition_id).ring_id is not None


# ---------------------------------------------------------------------------------------------
# Tokens


def test_a_revoked_token_gets_401(app, client, auth, ring):
    assert client.get("/api/v1/me", headers=auth("member")).status_code == 200
    with app.app_context():
        token = db.session.scalar(select(ApiToken).where(ApiToken.user_id == ring.users["anna"]))
        token.revoked_at = dt.datetime.now(dt.UTC)
        db.session.commit()
    problem_of(client.get("/api/v1/me", headers=auth("member")), 401, "invalid_token")
    problem_of(client.post("/api/v1/entries", headers=auth("member"), json=_payment()), 401, "invalid_token")


def test_a_token_of_a_deactivated_login_gets_401(app, client, auth, ring):
    with app.app_context():
        db.session.get(User, ring.users["bernd"]).active = False
        db.session.commit()
    problem_of(client.get("/api/v1/accounts/me", headers=auth("bernd")), 401, "invalid_token")
    assert client.get("/api/v1/accounts/me", headers=auth("member")).status_code == 200


def test_the_token_page_creates_shows_once_lists_and_revokes(app, client, ring):
    browser = Browser(client).login("dora")
    page = browser.get("/api-tokens")
    assert page.status_code == 200 and "Noch keine Tokens." in text_of(page)
    before = counts(app)
    assert browser.post("/api-tokens", {"name": "Tabelle"}, csrf=False).status_code == 400
    assert counts(app) == before
    created = browser.post("/api-tokens", {"name": "Tabelle", "csrf_token": token_in(page)})
    assert created.status_code == 200
    token = re.search(r'<code id="new-token">(tsr_[^<]+)</code>', created.get_data(as_text=True)).group(1)
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/me", headers=bearer).get_json()["username"] == "dora"
    with app.app_context():
        record = db.session.scalar(select(ApiToken).where(ApiToken.user_id == ring.users["dora"]))
        assert record.name == "Tabelle" and token.startswith(record.prefix)
        assert record.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert token not in (record.name, record.prefix, record.token_hash)
        record_id = record.id
    listing = browser.get("/api-tokens")
    assert token not in listing.get_data(as_text=True)  # shown once only
    assert "Tabelle" in text_of(listing) and token[:10] in text_of(listing)
    # Another login cannot revoke it; without the CSRF token nobody can.
    other = Browser(app.test_client()).login("anna")
    assert other.post(f"/api-tokens/{record_id}/widerrufen").status_code == 404
    assert browser.post(f"/api-tokens/{record_id}/widerrufen", csrf=False).status_code == 400
    assert client.get("/api/v1/me", headers=bearer).status_code == 200
    revoked = browser.post(f"/api-tokens/{record_id}/widerrufen", {"csrf_token": token_in(listing)})
    assert revoked.status_code == 302
    problem_of(client.get("/api/v1/me", headers=bearer), 401, "invalid_token")
    assert "widerrufen am" in text_of(browser.get("/api-tokens"))


def test_a_token_of_another_ring_sees_nothing_of_this_one(client, auth, data, ring):
    problem_of(client.get(f"/api/v1/entries/{data.entry_id}", headers=auth("xaver")), 404)
    problem_of(client.get(f"/api/v1/listings/{data.listing}", headers=auth("xaver")), 404)
    problem_of(
        client.post("/api/v1/entries", headers=auth("xaver"), json=_payment(payee=ring.bernd.number)), 404
    )
    problem_of(client.get(f"/api/v1/voucher-batches/{data.batch_id}", headers=auth("xaver")), 403)


def test_reads_do_not_wait_for_a_writer_on_sqlite(app, client, auth, data, tmp_path):
    """A GET runs in a deferred (read-only) transaction: while another connection holds SQLite's
    write lock, balances, statements and listings still answer at once."""
    for role in ("member", "office"):  # the first use of a token notes it (a write): before the lock
        assert client.get("/api/v1/me", headers=auth(role)).status_code == 200
    writer = sqlite3.connect(tmp_path / "api.sqlite", isolation_level=None, timeout=1)
    try:
        writer.execute("BEGIN IMMEDIATE")
        began = time.perf_counter()
        for url, role in (
            ("/api/v1/accounts/me", "member"),
            ("/api/v1/entries", "member"),
            ("/api/v1/listings?q=fahrrad", "member"),
            (f"/api/v1/voucher-batches/{data.batch_id}", "office"),
        ):
            assert client.get(url, headers=auth(role)).status_code == 200, url
        assert time.perf_counter() - began < 5
    finally:
        writer.execute("ROLLBACK")
        writer.close()
