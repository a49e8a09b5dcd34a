"""The office desk (Büro): voucher batches, members, corrections, fees, reports, the audit log.

Every page needs the office role (admins have it too; the rule is ``permissions``); the
settings need an admin. What the office changes, the use cases audit.
"""

from __future__ import annotations

from flask import Blueprint, abort
from flask_login import login_required

from ... import errors, permissions
from ..common import actor

bp = Blueprint("office", __name__, url_prefix="/buero")


@bp.before_request
@login_required
def _office_only():
    try:
        permissions.require_office(actor())
    except errors.Forbidden:
        abort(403)


from . import (  # noqa: E402,F401  (routes register on import)
    batches,
    categories,
    editions,
    home,
    imports,
    members,
    money,
    operations,
    treasurer,
)
