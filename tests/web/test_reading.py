"""Reading never writes: every page and API call that only reads (GET) answers at once while
another connection holds SQLite's write lock, and runs no write statement at all. What is due
(payment requests past the ring's answer time) waits for the scheduled job, not for a reader."""

from __future__ import annotations

import datetime as dt
import sqlite3
import time
from contextlib import contextmanager

import pytest
from freezegun import freeze_time
from sqlalchemy import event, select

from tauschring.db import db
from tauschring.models import PaymentRequest
from tauschring.permissions import Actor
from tauschring.tokens import create_token
from tests.web.conftest import PASSWORD, Browser

WRITES = ("INSERT", "UPDATE", "DELETE", "BEGIN IMMEDIATE", "BEGIN EXCLUSIVE")
MEMBER_PAGES = (
    "/",
    "/anforderungen",
    "/bezahlen",
    "/kontoauszug",
    "/kontoauszug.csv",
    "/markt",
    "/markt?q=rasen",
    "/meine-inserate",
    "/profil",
    "/profil/meine-daten.json",
    "/passwort",
    "/handeln-fuer",
    "/api-tokens",
)
API_CALLS = (
    "/api/v1/me",
    "/api/v1/accounts/me",
    "/api/v1/entries",
    "/api/v1/payment-requests",
    "/api/v1/listings",
    "/api/v1/listings/categories",
)
OFFICE_API_CALLS = ("/api/v1/members", "/api/v1/accounts", "/api/v1/voucher-batches", "/api/v1/editions")


def office_pages(app) -> list[str]:
    """Every office page that answers GET, with ids that exist or do not (a 404 reads too)."""
    values = {"number": 1, "batch_id": 1, "line_id": 1, "entry_id": 1, "edition_id": 1, "name": "belege.pdf"}
    values |= {"import_id": 1, "kind": "mitglieder", "ext": "xlsx"}
    pages = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("office.") and "GET" in rule.methods:
            if set(rule.arguments) <= set(values):
                pages.append(rule.build({name: values[name] for name in rule.arguments})[1])
    return pages


@pytest.fixture
def due_request(app, ring, browser):
    """A request to Anna past the ring's answer time: the old pages accepted it, writing, on view."""
    with freeze_time("2026-11-01 10:00:00"):
        browser.login("bernd")
        browser.post(
            "/anforderungen",
            {
                "payer": "1",
                "amount": "1",
                "amount_unit": "hours",
                "service_date": "2026-10-31",
                "memo": "Hilfe",
            },
        )
    with app.app_context():
        return db.session.scalar(select(PaymentRequest.id))


@pytest.fixture
def tokens(app, ring):
    with app.app_context():
        from tauschring.models import User

        made = {
            name: create_token(
                db.session,
                Actor.of(db.session.get(User, ring.users[name])),
                name="t",
                now=dt.datetime.now(dt.UTC),
            )[1]
            for name in ("anna", "buero")
        }
        db.session.commit()
    return made


@contextmanager
def write_lock(app):
    """Another connection holding SQLite's write lock; yields the write statements the app runs."""
    writes: list[str] = []
    with app.app_context():
        engine = db.engines["default"]

    def note(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith(WRITES):
            writes.append(statement.split("\n")[0][:80])

    holder = sqlite3.connect(str(engine.url.database), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    event.listen(engine, "before_cursor_execute", note)
    try:
        yield writes
    finally:
        event.remove(engine, "before_cursor_execute", note)
        holder.execute("ROLLBACK")
        holder.close()


@freeze_time("2026-11-20 10:00:00")
def test_every_reading_page_answers_while_a_writer_holds_the_lock_and_writes_nothing(
    app, ring, due_request, tokens
):
    member, helper, office = (Browser(app.test_client()) for _ in range(3))
    member.login("anna")
    helper.login("hilde")
    helper.post("/handeln-fuer", {"member_id": str(ring.clara.id)})
    office.login("buero", PASSWORD)
    calls = [(member, page, {}) for page in MEMBER_PAGES]
    calls += [(helper, page, {}) for page in ("/", "/anforderungen", "/kontoauszug", "/profil")]
    calls += [(office, page, {}) for page in office_pages(app)]
    calls += [(member, url, {"Authorization": f"Bearer {tokens['anna']}"}) for url in API_CALLS]
    calls += [(office, url, {"Authorization": f"Bearer {tokens['buero']}"}) for url in OFFICE_API_CALLS]
    assert len(calls) > 40

    slow = []
    with write_lock(app) as writes:
        for client, url, headers in calls:
            started = time.monotonic()
            response = client.get(url, headers=headers)
            took = time.monotonic() - started
            assert response.status_code < 500, (url, response.status_code)
            if took > 3:
                slow.append((url, round(took, 1)))
        assert slow == []
        assert writes == []
    with app.app_context():  # the due request waits for the job, whoever looked at it
        assert db.session.get(PaymentRequest, due_request).status == "open"
