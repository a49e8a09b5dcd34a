"""/api/v1/entries: the statement of the acting member (or, for the office, any member), one
entry, and paying."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

import marshmallow as ma
from flask import request
from flask_babel import gettext as _

from ... import context, payments, statements
from ...db import db
from ...members import require_member
from ...models import Member
from ...permissions import require_office
from .. import schemas as s
from ..auth import ApiDenied, acting_member
from ..common import Resource, actor, blueprint, problems, transaction
from ..problems import problem

bp = blueprint("entries", "/api/v1/entries", "Buchungen")

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICROSECOND = dt.timedelta(microseconds=1)


def encode_cursor(cursor: tuple[dt.datetime, int] | None) -> str | None:
    """The position after a statement line: its booking time (microseconds since 1970) and posting."""
    if cursor is None:
        return None
    moment, posting_id = cursor
    return f"{(moment - _EPOCH) // _MICROSECOND}-{posting_id}"


def decode_cursor(text: str) -> tuple[dt.datetime, int]:
    """Every text of the documented pattern is a position (the schema has refused all others)."""
    micros, _sep, posting_id = text.partition("-")
    return _EPOCH + int(micros) * _MICROSECOND, int(posting_id)


@dataclass(frozen=True)
class Page:
    """One page of a member's named statement, and where the next page starts."""

    member: Member
    statement: statements.NamedStatement

    @property
    def next_cursor(self) -> str | None:
        return encode_cursor(self.statement.next_cursor)


def ledger_key(user_id: int, key: str) -> str:
    """The ledger's key for a client's Idempotency-Key: per login (two clients may pick the same
    key), hashed so that every key of up to 200 characters fits the ledger's column."""
    return f"api:{user_id}:{hashlib.sha256(key.encode()).hexdigest()}"


@bp.route("")
class Entries(Resource):
    @bp.arguments(s.EntryQuerySchema, location="query", unknown=ma.RAISE)
    @bp.response(200, s.EntryPageSchema)
    @problems(bp, 400, 403, 404, 422)
    def get(self, args):
        """Der Kontoauszug des handelnden Mitglieds für einen Zeitraum, seitenweise.

        Das Büro kann mit member den Kontoauszug eines beliebigen Mitglieds abrufen.
        """
        who = actor()
        if "member" in args:
            require_office(who)
            member = require_member(db.session, who, args["member"])
        else:
            member = acting_member()
        start, end = args.get("start"), args.get("end")
        context.check_period(start, end)
        begin, finish = context.to_utc_range(start, end)
        named = statements.statement_of(
            db.session,
            member,
            full_names=who.is_office and "member" in args,
            start=begin,
            end=finish,
            page_size=args["limit"],
            cursor=decode_cursor(args["cursor"]) if "cursor" in args else None,
        )
        return Page(member, named)

    @bp.arguments(s.PaymentSchema)
    @bp.response(
        201,
        s.EntrySchema,
        headers={
            "Idempotent-Replayed": {
                "description": "true, wenn die Antwort eine Wiederholung ist",
                "schema": {"type": "string"},
            }
        },
    )
    @bp.doc(
        parameters=[
            {
                "in": "header",
                "name": "Idempotency-Key",
                "required": False,
                "schema": {"type": "string", "maxLength": 200},
                "description": "Dieselbe Anfrage mit demselben Schlüssel bucht nichts ein zweites Mal und "
                "bekommt die erste Antwort, auch eine Ablehnung; anderer Inhalt unter demselben Schlüssel "
                "wird abgelehnt.",
            }
        ]
    )
    @problems(bp, 400, 403, 404, 409, 422, 503)
    def post(self, args):
        """Bezahlen: das handelnde Mitglied bezahlt den Leistungsgeber."""
        who = actor()
        payer = acting_member()
        payee = require_member(db.session, who, args["payee"])
        key = request.headers.get("Idempotency-Key")
        if key is not None and not (1 <= len(key) <= 200 and key.isprintable()):
            raise ApiDenied(problem(400, "invalid_idempotency_key", _("Der Idempotency-Key ist ungültig.")))
        booked = transaction(
            lambda session: payments.pay(
                session,
                who,
                payer=payer,
                payee=payee,
                minutes=args["minutes"],
                memo=args["memo"],
                service_date=args.get("service_date") or context.today(),
                now=context.now(),
                idempotency_key=ledger_key(who.user_id, key) if key else None,
            )
        )
        found = statements.entry_seen_by(db.session, who, booked.id, reader=payer)
        return found, 201, {"Idempotent-Replayed": "true" if booked.replayed else "false"}


@bp.route("/<int:entry_id>")
class OneEntry(Resource):
    @bp.response(200, s.EntrySchema)
    @problems(bp, 400, 403, 404)
    def get(self, entry_id: int):
        """Eine Buchung: sichtbar für die beteiligten Mitglieder und für das Büro."""
        who = actor()
        return statements.entry_seen_by(
            db.session, who, entry_id, reader=None if who.is_office else acting_member()
        )
