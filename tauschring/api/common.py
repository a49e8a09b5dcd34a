"""What every API resource shares: its blueprint with the error handlers, authentication, the
documented problem responses, and the one commit of a use case."""

from __future__ import annotations

import functools

from flask import abort, request
from flask.views import MethodView
from flask_smorest import Blueprint
from webargs.flaskparser import FlaskParser

import ledger

from .. import context, errors
from ..db import TransactionFailed, db, run_in_transaction
from ..permissions import require_office
from . import schemas as s
from .auth import ApiDenied, authenticate, note_use
from .problems import busy_problem, refusal_problem

PROBLEM = "application/problem+json"
ALL_BLUEPRINTS: list[Blueprint] = []
READ_ONLY_METHODS = ("GET", "HEAD", "OPTIONS")

PROBLEM_TEXTS = {
    400: "Ungültige Anfrage",
    401: "Nicht angemeldet (Token fehlt oder ist ungültig)",
    403: "Keine Berechtigung",
    404: "Nicht gefunden",
    409: "Widerspricht dem Stand der Bücher",
    410: "Aus dem Archiv entfernt (Daten eines gelöschten Mitglieds)",
    413: "Zu groß",
    422: "Ungültige Eingabe",
    503: "Zu viele gleichzeitige Buchungen; bitte wiederholen",
}


class BoundedParser(FlaskParser):
    """The request parser, refusing JSON nested deeper than Python reads (400, not a 500)."""

    def _raw_load_json(self, req):
        try:
            return super()._raw_load_json(req)
        except RecursionError:
            abort(400, description="JSON nested too deeply")


class ResourceBlueprint(Blueprint):
    ARGUMENTS_PARSER = BoundedParser()


def blueprint(name: str, url_prefix: str, description: str) -> Blueprint:
    """A resource's blueprint: every refusal of a use case or of the ledger becomes its problem."""
    bp = ResourceBlueprint(name, __name__, url_prefix=url_prefix, description=description)
    bp.register_error_handler(ApiDenied, lambda e: e.response)
    bp.register_error_handler(errors.Refusal, refusal_problem)
    bp.register_error_handler(ledger.LedgerError, refusal_problem)
    ALL_BLUEPRINTS.append(bp)
    return bp


def problems(bp: Blueprint, *codes: int):
    """Document the problem responses an operation can give (and 401 for every operation)."""

    def decorate(view):
        for code in sorted({401, *codes}):
            view = bp.alt_response(
                code, schema=s.ProblemSchema, description=PROBLEM_TEXTS[code], content_type=PROBLEM
            )(view)
        return view

    return decorate


def _read_only_transaction() -> None:
    """Reads only: on SQLite a deferred BEGIN, so readers never wait for the write lock."""
    if not db.session.in_transaction():
        db.session.connection(execution_options={"read_only": True})


def authenticated(view):
    """Authenticate the token before the view. A reading request runs in a read-only transaction
    and writes nothing; every other request starts as the web does (BEGIN IMMEDIATE on SQLite), so
    its reads and writes are one transaction, in which its token's use is noted."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if request.method in READ_ONLY_METHODS:
            _read_only_transaction()
        authenticate()
        if request.method not in READ_ONLY_METHODS:
            note_use()
        return view(*args, **kwargs)

    return wrapped


class Resource(MethodView):
    """A resource: every method authenticated."""

    decorators = [authenticated]


def transaction(work):
    """Run one use case in one transaction and commit (bounded retries; 503 when always busy)."""
    try:
        return run_in_transaction(db.session, work)
    except TransactionFailed as error:
        raise ApiDenied(busy_problem()) from error


def actor():
    return context.actor()


def office_actor():
    """The actor, who must be of the office (the rule: ``permissions.require_office``)."""
    who = context.actor()
    require_office(who)
    return who
