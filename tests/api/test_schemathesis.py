"""schemathesis against the API in-process, over every operation of the OpenAPI document, with a
valid token: no 5xx, and every response matches the document (status code, content type, body).

The office token reaches the office operations (and gets 403 on the member ones); the member
token reaches the member operations. Generated calls create and post real things in the module's
ring; that is fine as long as nothing answers 5xx. Bounded and derandomized, so CI is stable.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.api.conftest import spec_app

# The document comes from an app of its own; every call goes to the module's ring (app=...).
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", spec_app())
# The token is sent by the test itself: a generated case without it would still carry it.
schema.config.generation.update(with_security_parameters=False)

BOUNDED = settings(
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
    print_blob=True,
)


def schema_valid_input_is_accepted(ctx, response, case) -> None:
    """Input the document calls valid must pass the API's own validation (the document and the
    marshmallow schemas agree). Unlike schemathesis' positive_data_acceptance it lets through a
    refusal by a rule the document cannot express (a service date in the future, an end before
    the start): those carry their own code, not invalid_input."""
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return
    if response.status_code in (400, 422):
        code = (response.json() or {}).get("code")
        assert code not in ("invalid_input", "bad_request"), (
            f"schema-valid input refused with {response.status_code} {code}: {response.text[:500]}"
        )


def call(case, world, role: str) -> None:
    case.call_and_validate(
        headers=world.headers(role),
        app=world.app,
        excluded_checks=[positive_data_acceptance],
        additional_checks=[schema_valid_input_is_accepted],
    )


@schema.parametrize()
@settings(BOUNDED, max_examples=15)
def test_office_token(case, sqlite_world):
    call(case, sqlite_world, "office")


@schema.parametrize()
@settings(BOUNDED, max_examples=15)
def test_member_token(case, sqlite_world):
    call(case, sqlite_world, "member")


@pytest.mark.postgres
@schema.parametrize()
@settings(BOUNDED, max_examples=5)
def test_office_token_on_postgres(case, postgres_world):
    call(case, postgres_world, "office")
