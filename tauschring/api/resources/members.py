"""/api/v1/members: the ring's members (office)."""

from __future__ import annotations

import marshmallow as ma

from ...db import db
from ...members import require_member, search_members
from ...models import Member
from .. import schemas as s
from ..common import Resource, blueprint, office_actor, problems

bp = blueprint("members", "/api/v1/members", "Mitglieder (Büro)")
LIMIT = 1000


@bp.route("")
class Members(Resource):
    @bp.arguments(s.MemberQuerySchema, location="query", unknown=ma.RAISE)
    @bp.response(200, s.MemberSchema(many=True))
    @problems(bp, 403, 422)
    def get(self, args):
        """Alle Mitglieder des Tauschrings (Büro), gefiltert."""
        who = office_actor()
        query = search_members(db.session, who.ring_id, args["q"], status=args.get("status"))
        return db.session.scalars(query.order_by(Member.number).limit(LIMIT)).all()


@bp.route("/<int:number>")
class OneMember(Resource):
    @bp.response(200, s.MemberSchema)
    @problems(bp, 403, 404)
    def get(self, number: int):
        """Ein Mitglied (Büro)."""
        return require_member(db.session, office_actor(), number)
