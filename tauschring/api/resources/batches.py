"""/api/v1/voucher-batches: the office's voucher batches."""

from __future__ import annotations

from sqlalchemy import select

from ... import context, vouchers
from ...db import db
from ...models import VoucherBatch
from .. import schemas as s
from ..common import Resource, blueprint, office_actor, problems, transaction

bp = blueprint("voucher_batches", "/api/v1/voucher-batches", "Belegstapel (Büro)")
LIMIT = 500


def _checked(batch: VoucherBatch) -> vouchers.BatchCheck:
    db.session.expire_all()  # read the batch as committed, lines and all
    return vouchers.check_batch(db.session, db.session.get(VoucherBatch, batch.id), today=context.today())


def _batch(batch_id: int) -> VoucherBatch:
    return vouchers.batch_for(db.session, office_actor(), batch_id)


@bp.route("")
class Batches(Resource):
    @bp.response(200, s.BatchSummarySchema(many=True))
    @problems(bp, 403)
    def get(self):
        """Alle Belegstapel, neueste zuerst."""
        ring_id = office_actor().ring_id
        query = select(VoucherBatch).where(VoucherBatch.ring_id == ring_id).order_by(VoucherBatch.id.desc())
        return db.session.scalars(query.limit(LIMIT)).all()

    @bp.arguments(s.BatchLoadSchema, required=False)
    @bp.response(201, s.BatchSchema)
    @problems(bp, 400, 403, 422)
    def post(self, args):
        """Einen neuen, offenen Belegstapel anlegen."""
        who = office_actor()
        batch = transaction(
            lambda session: vouchers.open_batch(
                session, who, now=context.now(), title=args.get("title") or ""
            )
        )
        return _checked(batch), 201


@bp.route("/<int:batch_id>")
class OneBatch(Resource):
    @bp.response(200, s.BatchSchema)
    @problems(bp, 403, 404)
    def get(self, batch_id: int):
        """Ein Belegstapel mit allen Zeilen, ihrer Prüfung und den Kontrollsummen."""
        return vouchers.check_batch(db.session, _batch(batch_id), today=context.today())


@bp.route("/<int:batch_id>/lines")
class Lines(Resource):
    @bp.arguments(s.BatchLineLoadSchema)
    @bp.response(201, s.BatchSchema)
    @problems(bp, 400, 403, 404, 409, 422)
    def post(self, args, batch_id: int):
        """Eine Zeile anfügen, wie getippt; geprüft wird sie mit dem ganzen Stapel."""
        found = _batch(batch_id)
        fields = {name: args[name] for name in vouchers.LINE_FIELDS}
        transaction(
            lambda session: vouchers.add_line(
                session,
                office_actor(),
                found,
                now=context.now(),
                old_confirmed=args["old_confirmed"],
                **fields,
            )
        )
        return _checked(found), 201


@bp.route("/<int:batch_id>/post")
class Post(Resource):
    @bp.arguments(s.BatchPostSchema, required=False)
    @bp.response(200, s.BatchPostedSchema)
    @problems(bp, 400, 403, 404, 409, 422, 503)
    def post(self, args, batch_id: int):
        """Den Stapel buchen: alle Zeilen in einer Transaktion oder keine.

        Mit clean_only nur die fehlerfreien Zeilen; die anderen bleiben ungebucht im Stapel.
        """
        found = _batch(batch_id)
        entries = transaction(
            lambda session: vouchers.post_batch(
                session, office_actor(), found, now=context.now(), clean_only=args["clean_only"]
            )
        )
        return {"batch": _checked(found), "entries": [entry.id for entry in entries]}
