"""The office desk (Büro): voucher batches, members, corrections, fees, reports, the audit log.

Every route needs the office role (admins have it too); settings need the admin role. Every
action that changes something writes an audit event in the same transaction.
"""

from __future__ import annotations

from flask import Blueprint, abort
from flask_login import current_user, login_required

bp = Blueprint("office", __name__, url_prefix="/buero")


def office_event(
    session, action: str, object_type: str, object_id, summary: str, *, before=None, after=None
) -> None:
    """Record what the signed-in office user does, in the transaction of the action itself."""
    from ... import audit
    from ..common import now

    audit.record(
        session,
        ring_id=current_user.ring_id,
        user_id=current_user.id,
        now=now(),
        action=action,
        object_type=object_type,
        object_id=object_id,
        summary=summary,
        before=before,
        after=after,
    )


@bp.before_request
@login_required
def _office_only():
    if not current_user.is_office:
        abort(403)


from . import batches, editions, home, members, money  # noqa: E402,F401  (routes register on import)
