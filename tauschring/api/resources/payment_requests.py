"""/api/v1/payment-requests: asking for payment, and answering."""

from __future__ import annotations

import marshmallow as ma

from ... import context, payments
from ...db import db
from ...members import require_member
from .. import schemas as s
from ..auth import acting_member
from ..common import Resource, actor, blueprint, problems, transaction

bp = blueprint("payment_requests", "/api/v1/payment-requests", "Zahlungsanforderungen")
LIMIT = 500


@bp.route("")
class PaymentRequests(Resource):
    @bp.arguments(s.PaymentRequestQuerySchema, location="query", unknown=ma.RAISE)
    @bp.response(200, s.PaymentRequestSchema(many=True))
    @problems(bp, 400, 403, 422)
    def get(self, args):
        """Die Zahlungsanforderungen an das und von dem handelnden Mitglied."""
        query = payments.requests_of(acting_member(), status=args.get("status"))
        return db.session.scalars(query.limit(LIMIT)).all()

    @bp.arguments(s.PaymentRequestLoadSchema)
    @bp.response(201, s.PaymentRequestSchema)
    @problems(bp, 400, 403, 404, 409, 422)
    def post(self, args):
        """Bezahlung anfordern: das handelnde Mitglied (Leistungsgeber) bittet den Leistungsnehmer."""
        who = actor()
        payee = acting_member()
        payer = require_member(db.session, who, args["payer"])
        return transaction(
            lambda session: payments.request_payment(
                session,
                who,
                payee=payee,
                payer=payer,
                minutes=args["minutes"],
                memo=args["memo"],
                service_date=args.get("service_date") or context.today(),
                now=context.now(),
            )
        ), 201


@bp.route("/<int:request_id>/accept")
class Accept(Resource):
    @bp.response(200, s.PaymentRequestSchema)
    @problems(bp, 400, 403, 404, 409, 503)
    def post(self, request_id: int):
        """Annehmen: die Zahlung wird gebucht (nur der Leistungsnehmer)."""
        member = acting_member()
        transaction(
            lambda session: payments.accept_request(session, actor(), member, request_id, now=context.now())
        )
        return payments.request_for(db.session, actor(), member, request_id, as_payer=True)


@bp.route("/<int:request_id>/decline")
class Decline(Resource):
    @bp.arguments(s.DeclineSchema, required=False)
    @bp.response(200, s.PaymentRequestSchema)
    @problems(bp, 400, 403, 404, 409, 422)
    def post(self, args, request_id: int):
        """Ablehnen (nur der Leistungsnehmer); nichts wird gebucht."""
        member = acting_member()
        return transaction(
            lambda session: payments.decline_request(
                session, actor(), member, request_id, now=context.now(), note=args.get("note") or ""
            )
        )


@bp.route("/<int:request_id>/cancel")
class Cancel(Resource):
    @bp.response(200, s.PaymentRequestSchema)
    @problems(bp, 400, 403, 404, 409)
    def post(self, request_id: int):
        """Zurückziehen (nur der Leistungsgeber, solange unbeantwortet)."""
        member = acting_member()
        return transaction(
            lambda session: payments.cancel_request(session, actor(), member, request_id, now=context.now())
        )
