"""/api/v1/me: who am I."""

from __future__ import annotations

from dataclasses import dataclass

from flask import request

import ledger

from ...context import user
from ...db import db
from ...models import Member, User
from .. import schemas as s
from ..auth import MEMBER_HEADER, acting_member
from ..common import Resource, blueprint, problems

bp = blueprint("me", "/api/v1/me", "Wer bin ich")


@dataclass(frozen=True)
class Me:
    user: User
    ring: ledger.Ring
    acting: Member | None


@bp.route("")
class MeResource(Resource):
    @bp.response(200, s.MeSchema)
    @problems(bp, 400, 403)
    def get(self):
        """Der angemeldete Zugang und das Mitglied, für das er handelt."""
        who = user()
        acting = acting_member() if who.member_id is not None or request.headers.get(MEMBER_HEADER) else None
        return Me(user=who, ring=db.session.get(ledger.Ring, who.ring_id), acting=acting)
