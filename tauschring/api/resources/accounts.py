"""/api/v1/accounts: balances, with limits and room."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

import ledger

from ...db import db
from ...models import Member
from .. import schemas as s
from ..auth import acting_member
from ..common import Resource, blueprint, office_actor, problems

bp = blueprint("accounts", "/api/v1/accounts", "Konten und Salden")


@dataclass(frozen=True)
class NumberedBalance:
    """An account's balance, and the number of its member (None: one of the ring's own accounts)."""

    account: ledger.AccountBalance
    member_number: int | None


@bp.route("/me")
class MyBalance(Resource):
    @bp.response(200, s.BalanceSchema)
    @problems(bp, 400, 403)
    def get(self):
        """Der Kontostand des handelnden Mitglieds, mit Grenzen und Spielraum."""
        member = acting_member()
        balance = ledger.balance_of(db.session, ring_id=member.ring_id, account_id=member.account_id)
        return NumberedBalance(balance, member.number)


@bp.route("")
class Balances(Resource):
    @bp.response(200, s.BalanceSchema(many=True))
    @problems(bp, 403)
    def get(self):
        """Die Salden aller Konten des Tauschrings (Büro); sie summieren sich zu null."""
        ring_id = office_actor().ring_id
        numbers = dict(
            db.session.execute(
                select(Member.account_id, Member.number).where(Member.ring_id == ring_id)
            ).all()
        )
        return [
            NumberedBalance(b, numbers.get(b.account_id))
            for b in ledger.ring_balances(db.session, ring_id=ring_id)
        ]
