"""Errors of the API as problem details (RFC 9457): a stable machine-readable ``code``, the
HTTP status, and a ``detail`` in the caller's language (``Accept-Language``, German by default).

Every refusal of a use case carries its own status and code (``tauschring.errors``); the
ledger's refusals get theirs here. The detail is the same sentence the web shows
(``texts.explain``); ``params`` are only what the caller may see (``texts.public_params``).
HTML pages keep their own error pages; only paths under /api/ answer with
application/problem+json.
"""

from __future__ import annotations

from flask import Response, g, json, request
from flask_babel import gettext as _

import ledger

from .. import context, errors
from ..texts import Refusal, public_params

PROBLEM_TYPE = "urn:tauschring:problem:"

HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    410: "gone",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid_input",
    429: "too_many_requests",
    500: "internal_error",
    503: "busy",
}


def _http_detail(status: int) -> str | None:
    """The caller's-language sentence for an HTTP error that carries no message of its own
    (werkzeug's defaults are English)."""
    texts = {
        400: _("Die Anfrage ist ungültig."),
        404: _("Das gibt es nicht (oder nicht für Sie)."),
        405: _("Diese Methode ist hier nicht möglich."),
        413: _("Die Anfrage ist zu groß."),
        415: _("Dieses Format wird hier nicht angenommen."),
        503: _("Der Tauschring ist gerade sehr beschäftigt. Bitte versuchen Sie es gleich noch einmal."),
    }
    return texts.get(status)


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


def refusal_problem(refusal: Refusal) -> Response:
    """A refusal of a use case or of the ledger, worded for the caller."""
    headers = {}
    if isinstance(refusal, ledger.LedgerError) and refusal.replayed:
        headers["Idempotent-Replayed"] = "true"
    if isinstance(refusal, errors.WrongCredentials | errors.TokenUnknown):
        headers["WWW-Authenticate"] = 'Bearer realm="tauschring"'
    return problem(
        errors.status_of(refusal),
        refusal.code,
        context.explain_refusal(refusal, reader=g.get("acting_member")),
        params=public_params(refusal),
        headers=headers,
    )


def busy_problem() -> Response:
    return problem(
        503, "busy", _("Zu viele gleichzeitige Buchungen; bitte wiederholen."), headers={"Retry-After": "1"}
    )


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
        default = type(error).description if hasattr(type(error), "description") else None
        description = getattr(error, "description", None)
        if description == default:  # werkzeug's English default: say it in the caller's language
            description = _http_detail(status) or description
        detail = data.get("message") or description or code
    headers = dict(data.get("headers") or {})
    if status == 405 and hasattr(error, "valid_methods") and error.valid_methods:
        headers["Allow"] = ", ".join(sorted(error.valid_methods))
    if status == 401:
        headers.setdefault("WWW-Authenticate", 'Bearer realm="tauschring"')
    if getattr(error, "retry_after", None):
        headers["Retry-After"] = str(error.retry_after)
    return problem(status, code, str(detail), headers=headers, **extra)
