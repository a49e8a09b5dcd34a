"""/api/v1/listings: the market's offers and requests, and one's own listings."""

from __future__ import annotations

import marshmallow as ma

from ... import context, listings
from ...db import db
from ...listings import EDITABLE
from ...rings import categories_of
from .. import schemas as s
from ..auth import acting_member
from ..common import Resource, actor, blueprint, problems, transaction

bp = blueprint("listings", "/api/v1/listings", "Inserate: Angebote und Gesuche")


def _cards(found) -> list[listings.ListingCard]:
    member = acting_member()
    return [listings.card(db.session, listing, member) for listing in found]


def _own(number: str):
    return listings.own_listing_by_number(db.session, actor(), acting_member(), number)


@bp.route("/categories")
class Categories(Resource):
    @bp.response(200, s.CategorySchema(many=True))
    @problems(bp, 400, 403)
    def get(self):
        """Die Rubriken des Tauschrings in ihrer Reihenfolge."""
        return categories_of(db.session, acting_member().ring_id)


@bp.route("")
class Listings(Resource):
    @bp.arguments(s.ListingQuerySchema, location="query", unknown=ma.RAISE)
    @bp.response(200, s.ListingSchema(many=True))
    @problems(bp, 400, 403, 422)
    def get(self, args):
        """Laufende Inserate suchen: alle Wörter müssen vorkommen.

        Mit mine=true die eigenen Inserate, auch abgelaufene und zurückgezogene.
        """
        member = acting_member()
        if args["mine"]:
            return _cards(db.session.scalars(listings.own_listings(member)).all())
        return _cards(
            listings.search(
                db.session,
                ring_id=member.ring_id,
                today=context.today(),
                text=args["q"],
                kind=args.get("kind"),
                category_id=args.get("category"),
                new_only=args["new"],
            )
        )

    @bp.arguments(s.ListingLoadSchema)
    @bp.response(201, s.ListingSchema)
    @problems(bp, 400, 403, 409, 422)
    def post(self, args):
        """Ein eigenes Inserat aufgeben."""
        member = acting_member()
        listing = transaction(
            lambda session: listings.create_listing(
                session, actor(), member=member, now=context.now(), **args
            )
        )
        return listings.card(db.session, listing, member), 201


@bp.route("/<listing_number:number>")
class OneListing(Resource):
    @bp.response(200, s.ListingSchema)
    @problems(bp, 400, 403, 404)
    def get(self, number: str):
        """Ein Inserat, mit den Kontaktdaten, die sein Mitglied online zeigen möchte."""
        member = acting_member()
        return listings.card(
            db.session, listings.visible_listing(db.session, member, number, context.today()), member
        )

    @bp.arguments(s.ListingPatchSchema)
    @bp.response(200, s.ListingSchema)
    @problems(bp, 400, 403, 404, 409, 422)
    def patch(self, args, number: str):
        """Ein eigenes Inserat ändern."""
        found = _own(number)
        changes = {name: args[name] for name in EDITABLE if name in args}
        transaction(
            lambda session: listings.edit_listing(session, actor(), found, now=context.now(), **changes)
        )
        return listings.card(db.session, found, acting_member())


@bp.route("/<listing_number:number>/renew")
class Renew(Resource):
    @bp.response(200, s.ListingSchema)
    @problems(bp, 400, 403, 404, 409, 422)
    def post(self, number: str):
        """Ein eigenes Inserat verlängern."""
        found = _own(number)
        transaction(lambda session: listings.renew_listing(session, actor(), found, now=context.now()))
        return listings.card(db.session, found, acting_member())


@bp.route("/<listing_number:number>/withdraw")
class Withdraw(Resource):
    @bp.response(200, s.ListingSchema)
    @problems(bp, 400, 403, 404)
    def post(self, number: str):
        """Ein eigenes Inserat zurückziehen."""
        found = _own(number)
        transaction(lambda session: listings.withdraw_listing(session, actor(), found, now=context.now()))
        return listings.card(db.session, found, acting_member())
