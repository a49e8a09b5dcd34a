"""The office desk (Büro): voucher batches, members, corrections, fees, reports, the audit log.

Every route needs the office role (admins have it too); settings need the admin role. Every
action that changes something writes an audit event in the same transaction.
"""

from __future__ import annotations

from flask import Blueprint, abort
from flask_login import current_user, login_required

bp = Blueprint("office", __name__, url_prefix="/buero")


@bp.before_request
@login_required
def _office_only():
    if not current_user.is_office:
        abort(403)


from . import batches, editions, home, members, money  # noqa: E402,F401  (routes register on import)
