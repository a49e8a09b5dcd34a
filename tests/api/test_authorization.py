"""The authorisation matrix: every operation of the OpenAPI document, called by every role, on
SQLite and on PostgreSQL.

Roles: anonymous (no token), member (Anna), other member (Dora, who must not see or touch Anna's
things), helper (Hilde, acting for Clara with X-Tauschring-Member), office (a clerk without a
member), admin. Every call works on a real object of Anna's (her listing, her entry with Bernd,
the payment requests between her and Bernd) or of the office (a voucher batch, an edition).

The list of operations comes from the document itself: an operation added to the API without a
row here fails. A refused call must leave the database exactly as it was (rows of every table,
their content, and the balances); after an allowed one the ring is restored from its template.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from sqlalchemy import select

from tauschring.db import db
from tauschring.models import metadata
from tests.api.conftest import ROLES, spec_operations
from tests.web.conftest import counts

ROLE_NAMES = list(ROLES)

# Status per role, in the order of ROLE_NAMES.
MEMBER_OWN = dict(zip(ROLE_NAMES, (401, 200, 404, 404, 403, 403), strict=True))  # Anna's own things
MEMBER_ANY = dict(zip(ROLE_NAMES, (401, 200, 200, 200, 403, 403), strict=True))  # any member, for themselves
MEMBER_NEW = dict(zip(ROLE_NAMES, (401, 201, 201, 201, 403, 403), strict=True))
OFFICE = dict(zip(ROLE_NAMES, (401, 403, 403, 403, 200, 200), strict=True))
OFFICE_NEW = dict(zip(ROLE_NAMES, (401, 403, 403, 403, 201, 201), strict=True))
EVERYONE = dict(zip(ROLE_NAMES, (401, 200, 200, 200, 200, 200), strict=True))
# An entry: its members and the office (the helper's Clara is no party to it).
ENTRY = dict(zip(ROLE_NAMES, (401, 200, 404, 404, 200, 200), strict=True))


@dataclass(frozen=True)
class Call:
    expected: dict[str, int]
    path: Callable = field(default=lambda ring, data, role: {})
    body: Callable | None = None
    query: str = ""


def _line(ring, data, role):
    return {
        "voucher_number": f"8{ROLE_NAMES.index(role)}",
        "service_date": data.today.strftime("%d.%m.%Y"),
        "payer_number": str(ring.dora.number),
        "payee_number": str(ring.bernd.number),
        "amount": "0:30",
        "memo": "Beleg",
    }


MATRIX: dict[str, Call] = {
    "GET /api/v1/me": Call(EVERYONE),
    "GET /api/v1/members": Call(OFFICE),
    "GET /api/v1/members/{number}": Call(OFFICE, path=lambda ring, data, role: {"number": ring.anna.number}),
    "GET /api/v1/accounts/me": Call(MEMBER_ANY),
    "GET /api/v1/accounts": Call(OFFICE),
    "GET /api/v1/entries": Call(MEMBER_ANY),
    "POST /api/v1/entries": Call(
        MEMBER_NEW, body=lambda ring, data, role: {"payee": ring.bernd.number, "minutes": 15, "memo": "Hilfe"}
    ),
    "GET /api/v1/entries/{entry_id}": Call(ENTRY, path=lambda ring, data, role: {"entry_id": data.entry_id}),
    "GET /api/v1/payment-requests": Call(MEMBER_ANY),
    "POST /api/v1/payment-requests": Call(
        MEMBER_NEW, body=lambda ring, data, role: {"payer": ring.bernd.number, "minutes": 15, "memo": "Hilfe"}
    ),
    "POST /api/v1/payment-requests/{request_id}/accept": Call(
        MEMBER_OWN, path=lambda ring, data, role: {"request_id": data.request_to_anna}
    ),
    "POST /api/v1/payment-requests/{request_id}/decline": Call(
        MEMBER_OWN, path=lambda ring, data, role: {"request_id": data.request_to_anna}, body=lambda *a: {}
    ),
    "POST /api/v1/payment-requests/{request_id}/cancel": Call(
        MEMBER_OWN, path=lambda ring, data, role: {"request_id": data.request_from_anna}
    ),
    "GET /api/v1/listings/categories": Call(MEMBER_ANY),
    "GET /api/v1/listings": Call(MEMBER_ANY, query="?q=fahrrad"),
    "POST /api/v1/listings": Call(
        MEMBER_NEW,
        body=lambda ring, data, role: {
            "kind": "offer",
            "category_id": data.category_id,
            "title": "Vorlesen",
            "text": "Am Nachmittag.",
        },
    ),
    "GET /api/v1/listings/{number}": Call(MEMBER_ANY, path=lambda ring, data, role: {"number": data.listing}),
    "PATCH /api/v1/listings/{number}": Call(
        MEMBER_OWN,
        path=lambda ring, data, role: {"number": data.listing},
        body=lambda *a: {"title": "Geändert"},
    ),
    "POST /api/v1/listings/{number}/renew": Call(
        MEMBER_OWN, path=lambda ring, data, role: {"number": data.listing}
    ),
    "POST /api/v1/listings/{number}/withdraw": Call(
        MEMBER_OWN, path=lambda ring, data, role: {"number": data.listing}
    ),
    "GET /api/v1/voucher-batches": Call(OFFICE),
    "POST /api/v1/voucher-batches": Call(OFFICE_NEW, body=lambda *a: {"title": "Neu"}),
    "GET /api/v1/voucher-batches/{batch_id}": Call(
        OFFICE, path=lambda ring, data, role: {"batch_id": data.batch_id}
    ),
    "POST /api/v1/voucher-batches/{batch_id}/lines": Call(
        OFFICE_NEW, path=lambda ring, data, role: {"batch_id": data.batch_id}, body=_line
    ),
    "POST /api/v1/voucher-batches/{batch_id}/post": Call(
        OFFICE, path=lambda ring, data, role: {"batch_id": data.batch_id}, body=lambda *a: {}
    ),
    "GET /api/v1/editions": Call(OFFICE),
    "GET /api/v1/editions/{edition_id}/files/{name}": Call(
        OFFICE, path=lambda ring, data, role: {"edition_id": data.edition_id, "name": "marktzeitung.pdf"}
    ),
}


def test_the_matrix_has_a_row_for_every_operation_and_no_other():
    assert set(spec_operations()) == set(MATRIX)


def database_state(app) -> dict[str, object]:
    """Row counts and balances (as the web tests compare them) and a digest of every row.

    The token's last_used_at is left out: using a token, even in vain, may note the time."""
    state: dict[str, object] = dict(counts(app))
    with app.app_context():
        for table in metadata.sorted_tables:
            columns = [c for c in table.columns if (table.name, c.name) != ("api_token", "last_used_at")]
            rows = db.session.execute(select(*columns).order_by(*table.primary_key.columns)).all()
            state[f"{table.name}#"] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return state


@pytest.mark.parametrize("role", ROLE_NAMES)
@pytest.mark.parametrize("operation", spec_operations())
def test_every_operation_for_every_role(world, operation, role):
    call = MATRIX.get(operation)
    assert call is not None, f"{operation} has no row in the authorisation matrix"
    if world.dirty:
        world.reset()
    method, template = operation.split(" ", 1)
    url = template.format(**call.path(world.ring, world.data, role)) + call.query
    kwargs = {"headers": world.headers(role)}
    if call.body is not None:
        kwargs["json"] = call.body(world.ring, world.data, role)
    before = database_state(world.app)
    response = world.app.test_client().open(url, method=method, **kwargs)
    expected = call.expected[role]
    allowed = response.status_code < 400
    world.dirty = allowed
    assert response.status_code == expected, f"{operation} as {role}: {response.get_data(as_text=True)[:300]}"
    if not allowed:
        assert response.mimetype == "application/problem+json"
        after = database_state(world.app)
        world.dirty = after != before
        assert after == before, f"{operation} as {role} was refused but changed the database"
