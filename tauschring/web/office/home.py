"""Office home (verify status, open batches, members near a limit), the audit log, reports,
and the ring's settings (admin)."""

from __future__ import annotations

import datetime as dt

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

import ledger

from ... import audit, reports
from ...db import db
from ...models import AuditEvent, Member, RingSettings, User, VoucherBatch
from ...payments import process_due_requests
from ...rings import settings_of
from ...texts import CHECK_TEXTS
from ...units import AmountError, Unit, hm, parse_amount
from ..common import commit, now, to_utc_range, today
from . import bp, office_event
from .forms import SettingsForm


def _ring_id() -> int:
    return current_user.ring_id


def near_limits(ring_id: int) -> list[tuple[Member, ledger.AccountBalance, str]]:
    """Members at or beyond the ring's warning thresholds (soft limits), most urgent first."""
    settings = settings_of(db.session, ring_id)
    members = {
        m.account_id: m
        for m in db.session.scalars(select(Member).where(Member.ring_id == ring_id, Member.status != "left"))
    }
    found = []
    for balance in ledger.ring_balances(db.session, ring_id=ring_id):
        member = members.get(balance.account_id)
        if member is None:
            continue
        low = settings.warn_min_balance
        high = settings.warn_max_balance
        if low is not None and balance.balance <= low:
            found.append((member, balance, "low"))
        elif high is not None and balance.balance >= high:
            found.append((member, balance, "high"))
    found.sort(key=lambda item: -abs(item[1].balance))
    return found


@bp.get("/")
def home():
    ring_id = _ring_id()
    # Requests to paper members are answered by nobody online: the ring's time limit runs here too.
    db.session.rollback()
    commit(lambda session: process_due_requests(session, ring_id, now()))
    report = ledger.verify(db.session, ring_id)
    open_batches = db.session.scalars(
        select(VoucherBatch)
        .where(VoucherBatch.ring_id == ring_id, VoucherBatch.status.in_(("open", "approved")))
        .order_by(VoucherBatch.created_at.desc())
    ).all()
    recent = db.session.scalars(audit.events(ring_id).limit(8)).all()
    return render_template(
        "office/home.html",
        report=report,
        check_texts=CHECK_TEXTS,
        open_batches=open_batches,
        near=near_limits(ring_id),
        recent=recent,
        users=_user_names(ring_id),
    )


@bp.get("/grenzen")
def limits():
    return render_template(
        "office/limits.html", near=near_limits(_ring_id()), settings=settings_of(db.session, _ring_id())
    )


def _user_names(ring_id: int) -> dict[int, str]:
    return {u.id: u.display_name for u in db.session.scalars(select(User).where(User.ring_id == ring_id))}


@bp.get("/protokoll")
def audit_log():
    ring_id = _ring_id()
    args = request.args
    start = _day(args.get("von"))
    end = _day(args.get("bis"))
    begin, finish = to_utc_range(start, end)
    user_id = args.get("benutzer", type=int)
    query = audit.events(
        ring_id,
        action=args.get("aktion") or None,
        object_type=args.get("objekt") or None,
        object_id=args.get("nr") or None,
        user_id=user_id,
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


def _day(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        abort(400)


# ---------------------------------------------------------------------------------------------
# Reports


@bp.get("/berichte")
def reports_page():
    return render_template("office/reports.html", start=today().replace(day=1), end=today())


def _download(content: str, filename: str, mimetype: str = "text/csv") -> Response:
    return Response(
        content, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )


@bp.get("/berichte/salden.csv")
def balances_csv():
    return _download(reports.balances_csv(db.session, _ring_id()), f"salden-{today().isoformat()}.csv")


@bp.get("/berichte/mitglieder.csv")
def members_csv():
    return _download(reports.members_csv(db.session, _ring_id()), f"mitglieder-{today().isoformat()}.csv")


@bp.get("/berichte/buchungen.csv")
def entries_csv():
    start = _day(request.args.get("von")) or today().replace(day=1)
    end = _day(request.args.get("bis")) or today()
    if end < start:
        abort(400)
    begin, finish = to_utc_range(start, end)
    return _download(
        reports.entries_csv(db.session, _ring_id(), begin, finish),
        f"buchungen-{start.isoformat()}-{end.isoformat()}.csv",
    )


@bp.get("/berichte/journal.hledger")
def journal():
    return _download(
        reports.hledger_journal(db.session, _ring_id(), now=now()),
        f"tauschring-{today().isoformat()}.journal",
        mimetype="text/plain",
    )


# ---------------------------------------------------------------------------------------------
# Settings (admin)

SETTINGS_FIELDS = (
    "unit_singular",
    "unit_plural",
    "unit_symbol",
    "units_per_hour",
    "step_minutes",
    "office_address",
    "office_phone",
    "office_email",
    "office_hours",
    "auto_accept_days",
    "listing_months",
    "submission_days",
    "require_batch_approval",
    "fee_minutes",
    "fee_policy",
)
TEXT_SETTINGS = (
    "unit_singular",
    "unit_plural",
    "unit_symbol",
    "office_address",
    "office_phone",
    "office_email",
    "office_hours",
)
HOURS = Unit(step_minutes=1)


def _minutes_or_none(text: str | None, *, signed: bool) -> int | None:
    text = (text or "").strip()
    if not text:
        return None
    negative = text.startswith("-")
    minutes = parse_amount(text.lstrip("-+"), HOURS)
    return -minutes if negative and signed else minutes


@bp.route("/einstellungen", methods=["GET", "POST"])
def settings():
    if not current_user.is_admin:
        abort(403)
    ring_id = _ring_id()
    ring = db.session.get(ledger.Ring, ring_id)
    current = settings_of(db.session, ring_id)
    form = SettingsForm(obj=current) if request.method == "GET" else SettingsForm()
    if request.method == "GET":
        form.name.data = ring.name
        form.min_balance.data = hm(ring.default_min_balance) if ring.default_min_balance is not None else ""
        form.max_balance.data = hm(ring.default_max_balance) if ring.default_max_balance is not None else ""
        form.warn_min_balance.data = (
            hm(current.warn_min_balance) if current.warn_min_balance is not None else ""
        )
        form.warn_max_balance.data = (
            hm(current.warn_max_balance) if current.warn_max_balance is not None else ""
        )
        return render_template("office/settings.html", form=form)
    if not form.validate_on_submit():
        return render_template("office/settings.html", form=form), 400
    limits = {}
    for name in ("min_balance", "max_balance", "warn_min_balance", "warn_max_balance"):
        try:
            limits[name] = _minutes_or_none(getattr(form, name).data, signed=True)
        except AmountError as error:
            getattr(form, name).errors.append(str(error))
    if form.errors:
        return render_template("office/settings.html", form=form), 400

    def save(session):
        target = session.get(RingSettings, ring_id)
        the_ring = session.get(ledger.Ring, ring_id)
        before = {
            **audit.snapshot(target, SETTINGS_FIELDS),
            "name": the_ring.name,
            "min_balance": the_ring.default_min_balance,
            "max_balance": the_ring.default_max_balance,
            "warn_min_balance": target.warn_min_balance,
            "warn_max_balance": target.warn_max_balance,
        }
        ledger.set_ring_limits(
            session, ring_id=ring_id, min_balance=limits["min_balance"], max_balance=limits["max_balance"]
        )
        the_ring.name = form.name.data.strip()
        for name in SETTINGS_FIELDS:
            value = getattr(form, name).data
            if name in TEXT_SETTINGS:
                value = (value or "").strip()
            elif name == "fee_minutes":
                value = value or 0
            setattr(target, name, value)
        target.warn_min_balance, target.warn_max_balance = (
            limits["warn_min_balance"],
            limits["warn_max_balance"],
        )
        after = {
            **audit.snapshot(target, SETTINGS_FIELDS),
            "name": the_ring.name,
            "min_balance": limits["min_balance"],
            "max_balance": limits["max_balance"],
            "warn_min_balance": limits["warn_min_balance"],
            "warn_max_balance": limits["warn_max_balance"],
        }
        office_event(
            session,
            "settings.change",
            "ring",
            ring_id,
            _("Einstellungen geändert"),
            before=before,
            after=after,
        )

    try:
        commit(save)
    except ledger.InvalidLimits:
        form.min_balance.errors.append(
            _("Die Untergrenze muss null oder negativ, die Obergrenze null oder positiv sein.")
        )
        return render_template("office/settings.html", form=form), 400
    flash(_("Die Einstellungen sind gespeichert."), "success")
    return redirect(url_for("office.settings"))
