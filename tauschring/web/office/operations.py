"""The office page "Betrieb": the scheduled jobs' last runs, the daily backups and their checks,
and what the operator must look at (also as a notice on the office home)."""

from __future__ import annotations

import datetime as dt

from flask import current_app, render_template

from ... import monitoring
from ...db import db
from ...jobs import JOBS
from . import bp


def operations_now() -> monitoring.Operations:
    return monitoring.operations(
        db.session, current_app.config.get("BACKUP_DIR") or None, dt.datetime.now(dt.UTC)
    )


@bp.get("/betrieb")
def operations():
    return render_template("office/operations.html", ops=operations_now(), jobs=JOBS)
