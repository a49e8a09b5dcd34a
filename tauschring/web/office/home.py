"""Office home (verify status, open batches, members near a limit), the audit log, reports,
and the ring's settings (admin)."""

from __future__ import annotations

import datetime as dt

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

import ledger

from ... import audit, context, payments, reports, rings, verification
from ...db import db
from ...members import beyond_soft_limits
from ...models import AuditEvent, User, VoucherBatch
from ...rings import SETTINGS_FIELDS, settings_of
from ...texts import CHECK_TEXTS
from ...units import AmountError, hm, parse_limit
from ..common import REFUSALS, actor, commit, refused_page
from . import bp
from .forms import SettingsForm
from .operations import operations_now


def _ring_id() -> int:
    return actor().ring_id


@bp.get("/")
def home():
    ring_id = _ring_id()
    report = verification.last(db.session, ring_id)
    open_batches = db.session.scalars(
        select(VoucherBatch)
        .where(VoucherBatch.ring_id == ring_id, VoucherBatch.status.in_(("open", "approved")))
        .order_by(VoucherBatch.created_at.desc())
    ).all()
    recent = db.session.scalars(audit.events(ring_id).limit(8)).all()
    due = db.session.scalars(payments.due_requests(db.session, ring_id, context.now())).all()
    return render_template(
        "office/home.html",
        report=report,
        check_texts=CHECK_TEXTS,
        open_batches=open_batches,
        near=beyond_soft_limits(db.session, ring_id),
        recent=recent,
        due=due,
        users=_user_names(ring_id),
        operator_problems=operations_now().problems,
    )


@bp.post("/pruefen")
def verify_now():
    """The full verify on demand (the scheduled one runs hourly); its result stays on the home."""
    report = commit(lambda s: verification.verify_now(s, actor(), now=context.now()))
    if report.ok:
        flash(_("Geprüft: Die Bücher stimmen."), "success")
    else:
        flash(
            ngettext(
                "Geprüft: %(num)d Verstoß gefunden!",
                "Geprüft: %(num)d Verstöße gefunden!",
                len(report.violations),
            ),
            "error",
        )
    return redirect(url_for("office.home"))


@bp.get("/grenzen")
def limits():
    return render_template(
        "office/limits.html",
        near=beyond_soft_limits(db.session, _ring_id()),
        settings=settings_of(db.session, _ring_id()),
    )


def _user_names(ring_id: int) -> dict[int, str]:
    return {u.id: u.display_name for u in db.session.scalars(select(User).where(User.ring_id == ring_id))}


@bp.get("/protokoll")
def audit_log():
    ring_id = _ring_id()
    args = request.args
    try:
        start, end = context.read_day(args.get("von")), context.read_day(args.get("bis"))
    except REFUSALS:
        abort(400)
    begin, finish = context.to_utc_range(start, end)
    query = audit.events(
        ring_id,
        action=args.get("aktion") or None,
        object_type=args.get("objekt") or None,
        object_id=args.get("nr") or None,
        user_id=args.get("benutzer", type=int),
        start=begin,
        end=finish,
    )
    rows = db.session.scalars(query.limit(500)).all()
    actions = sorted(
        db.session.scalars(select(AuditEvent.action).where(AuditEvent.ring_id == ring_id).distinct())
    )
    objects = sorted(
        db.session.scalars(select(AuditEvent.object_type).where(AuditEvent.ring_id == ring_id).distinct())
    )
    return render_template(
        "office/audit.html",
        rows=rows,
        actions=actions,
        objects=objects,
        args=args,
        users=_user_names(ring_id),
    )


# ---------------------------------------------------------------------------------------------
# Reports


@bp.get("/berichte")
def reports_page():
    return render_template("office/reports.html", start=context.today().replace(day=1), end=context.today())


def _download(content: str, filename: str, mimetype: str = "text/csv") -> Response:
    return Response(
        content, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )


@bp.get("/berichte/salden.csv")
def balances_csv():
    return _download(
        reports.balances_csv(db.session, _ring_id()), f"salden-{context.today().isoformat()}.csv"
    )


@bp.get("/berichte/mitglieder.csv")
def members_csv():
    return _download(
        reports.members_csv(db.session, _ring_id()), f"mitglieder-{context.today().isoformat()}.csv"
    )


@bp.get("/berichte/buchungen.csv")
def entries_csv():
    try:
        start, end = context.query_period(request.args)
    except REFUSALS:
        abort(400)
    # A day before the books or far ahead bounds nothing: the whole book on that side.
    first, last = dt.date(context.FIRST_YEAR, 1, 1), dt.date(context.LAST_YEAR, 12, 31)
    begin, finish = context.to_utc_range(min(max(start, first), last), min(max(end, first), last))
    return _download(
        reports.entries_csv(db.session, _ring_id(), begin, finish),
        f"buchungen-{start.isoformat()}-{end.isoformat()}.csv",
    )


@bp.get("/berichte/journal.hledger")
def journal():
    return _download(
        reports.hledger_journal(db.session, _ring_id(), now=context.now()),
        f"tauschring-{context.today().isoformat()}.journal",
        mimetype="text/plain",
    )


# ---------------------------------------------------------------------------------------------
# Settings (admin)

LIMIT_FIELDS = ("min_balance", "max_balance", "warn_min_balance", "warn_max_balance")


@bp.route("/einstellungen", methods=["GET", "POST"])
def settings():
    if not actor().is_admin:
        abort(403)
    ring_id = _ring_id()
    ring = db.session.get(ledger.Ring, ring_id)
    current = settings_of(db.session, ring_id)
    form = SettingsForm(obj=current) if request.method == "GET" else SettingsForm()
    if request.method == "GET":
        form.name.data = ring.name
        shown = {
            "min_balance": ring.default_min_balance,
            "max_balance": ring.default_max_balance,
            "warn_min_balance": current.warn_min_balance,
            "warn_max_balance": current.warn_max_balance,
        }
        for name, minutes in shown.items():
            getattr(form, name).data = hm(minutes) if minutes is not None else ""
        return render_template("office/settings.html", form=form)
    if not form.validate_on_submit():
        return render_template("office/settings.html", form=form), 400
    limits = {}
    for name in LIMIT_FIELDS:
        try:
            limits[name] = parse_limit(getattr(form, name).data)
        except AmountError as error:
            getattr(form, name).errors.append(str(error))
    if form.errors:
        return render_template("office/settings.html", form=form), 400
    changes = {name: getattr(form, name).data for name in SETTINGS_FIELDS if name not in LIMIT_FIELDS}
    try:
        commit(
            lambda session: rings.change_settings(
                session,
                actor(),
                now=context.now(),
                name=form.name.data,
                min_balance=limits["min_balance"],
                max_balance=limits["max_balance"],
                warn_min_balance=limits["warn_min_balance"],
                warn_max_balance=limits["warn_max_balance"],
                **changes,
            )
        )
    except REFUSALS as refusal:
        return refused_page(refusal, "office/settings.html", form=form)
    flash(_("Die Einstellungen sind gespeichert."), "success")
    return redirect(url_for("office.settings"))
