"""Errors of the API as problem details (RFC 9457): a stable machine-readable code and a message.

Every refusal the API can give has its code here, with its HTTP status. HTML pages keep their
own error pages; only paths under /api/ answer with application/problem+json.
"""

from __future__ import annotations

from flask import Response, json, request
from flask_babel import gettext as _

import ledger

from ..payments import PaymentError

PROBLEM_TYPE = "urn:tauschring:problem:"

# Ledger refusals: the code is the ledger's own; conflicts with the state of the books are 409,
# input the ledger cannot accept is 422, something unknown is 404.
LEDGER_STATUS = {
    ledger.LimitExceeded: 409,
    ledger.DuplicateVoucher: 409,
    ledger.IdempotencyConflict: 409,
    ledger.AlreadyReversed: 409,
    ledger.ReversalOfReversal: 409,
    ledger.AccountClosed: 409,
    ledger.AccountNotZero: 409,
    ledger.UnknownAccount: 404,
    ledger.UnknownEntry: 404,
    ledger.ForeignAccount: 404,
}

HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid_input",
    429: "too_many_requests",
    500: "internal_error",
}


def is_api_request() -> bool:
    return bool(request) and request.path.startswith("/api/")


def problem(
    status: int,
    code: str,
    detail: str,
    *,
    title: str | None = None,
    headers: dict | None = None,
    **extra: object,
) -> Response:
    body = {
        "type": PROBLEM_TYPE + code,
        "title": title or code.replace("_", " "),
        "status": status,
        "detail": detail,
        "code": code,
        **extra,
    }
    response = Response(json.dumps(body), status=status, mimetype="application/problem+json")
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def ledger_problem(error: ledger.LedgerError, detail: str | None = None) -> Response:
    status = next((code for cls, code in LEDGER_STATUS.items() if isinstance(error, cls)), 422)
    headers = {"Idempotent-Replayed": "true"} if error.replayed else None
    return problem(
        status, error.code, detail or error.message, params=_jsonable(error.params), headers=headers
    )


def payment_problem(error: PaymentError) -> Response:
    return problem(409, "not_possible", str(error))


def _jsonable(params: dict) -> dict:
    return {
        key: value if isinstance(value, int | str | bool | None) else str(value)
        for key, value in params.items()
    }


def http_problem(error) -> Response:
    """A werkzeug HTTPException (abort, routing, validation) as a problem response."""
    status = error.code or 500
    code = HTTP_CODES.get(status, f"http_{status}")
    data = getattr(error, "data", None) or {}
    extra = {}
    if "messages" in data:  # webargs validation errors
        extra["errors"] = data["messages"]
        detail = _("Die Eingabe ist ungültig.")
        code = "invalid_input"
    else:
        detail = data.get("message") or getattr(error, "description", None) or code
    headers = dict(data.get("headers") or {})
    if status == 405 and hasattr(error, "valid_methods") and error.valid_methods:
        headers["Allow"] = ", ".join(sorted(error.valid_methods))
    if status == 401:
        headers.setdefault("WWW-Authenticate", 'Bearer realm="tauschring"')
    return problem(status, code, str(detail), headers=headers, **extra)
