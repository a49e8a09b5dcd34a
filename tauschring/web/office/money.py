"""Money at the office: any entry with its reversal (Storno), a member's statement, the monthly fee."""

from __future__ import annotations

import datetime as dt

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from ... import context, corrections, fees, statements
from ...db import db
from ...models import FeeRun, User, VoucherBatch
from ...rings import settings_of
from ..common import REFUSALS, actor, commit, refused
from . import bp
from .forms import EmptyForm, ExemptionForm, FeeForm, ReasonForm
from .members import _member


@bp.get("/buchungen")
def find_entry():
    """Find an entry by its number or its voucher number, to see it or reverse it."""
    text = request.args.get("nr", "").strip()[:40]
    found = statements.find_entries(db.session, actor(), text)
    if len(found) == 1 and request.args.get("nr"):
        return redirect(url_for("office.entry", entry_id=found[0].id))
    return render_template("office/find_entry.html", text=text, found=found), (
        404 if text and not found else 200
    )


@bp.get("/buchungen/<int:entry_id>")
def entry(entry_id: int):
    try:
        found = statements.entry_seen_by(db.session, actor(), entry_id, reader=None)
    except REFUSALS:
        abort(404)
    return render_template(
        "office/entry.html",
        entry=found,
        operator=db.session.get(User, found.operator_id) if found.operator_id else None,
        batch=db.session.get(VoucherBatch, found.batch_id) if found.batch_id else None,
        form=ReasonForm(),
    )


@bp.post("/buchungen/<int:entry_id>/storno")
def reverse(entry_id: int):
    form = ReasonForm()
    if not form.validate_on_submit():
        flash(_("Bitte geben Sie einen Grund für den Storno an."), "error")
        return redirect(url_for("office.entry", entry_id=entry_id))
    try:
        reversal = commit(
            lambda s: corrections.reverse(
                s,
                actor(),
                entry_id=entry_id,
                reason=form.reason.data,
                now=context.now(),
                override_limits=form.override.data,
            )
        )
    except REFUSALS as refusal:
        if getattr(refusal, "code", "") == "entry_unknown":
            abort(404)
        refused(refusal)
        return redirect(url_for("office.entry", entry_id=entry_id))
    flash(_("Storniert durch Buchung %(n)s.", n=reversal.id), "success")
    return redirect(url_for("office.entry", entry_id=reversal.id))


@bp.get("/mitglieder/<int:number>/kontoauszug")
def statement(number: int):
    member = _member(number)
    try:
        start, end = context.query_period(request.args)
    except REFUSALS:
        abort(400)
    begin, finish = context.to_utc_range(start, end)
    return render_template(
        "office/statement.html",
        member=member,
        statement=statements.statement_of(db.session, member, full_names=True, start=begin, end=finish),
        start=start,
        end=end,
    )


# ---------------------------------------------------------------------------------------------
# The monthly account fee


def _default_period() -> str:
    """The month just ended (in the first week of a month), else the current one."""
    day = context.today()
    if day.day <= 7:
        day = day.replace(day=1) - dt.timedelta(days=1)
    return f"{day.year:04d}-{day.month:02d}"


@bp.get("/gebuehren", endpoint="fees")
def fees_page():
    period = request.args.get("monat") or _default_period()
    plan = error = None
    try:
        plan = fees.plan_fees(db.session, ring_id=actor().ring_id, period=period, today=context.today())
    except REFUSALS as refusal:
        error = context.explain_refusal(refusal)
    runs = db.session.scalars(
        select(FeeRun).where(FeeRun.ring_id == actor().ring_id).order_by(FeeRun.run_at.desc()).limit(12)
    ).all()
    return render_template(
        "office/fees.html",
        period=period,
        plan=plan,
        error=error,
        form=FeeForm(period=period),
        exemption_form=ExemptionForm(),
        exemptions=fees.exemptions(db.session, actor().ring_id),
        runs=runs,
        settings=settings_of(db.session, actor().ring_id),
        action_form=EmptyForm(),
    ), (400 if error and request.args.get("monat") else 200)


@bp.post("/gebuehren")
def run_fee():
    form = FeeForm()
    if not form.validate_on_submit():
        abort(400)
    period = form.period.data
    try:
        commit(lambda s: fees.run_fees(s, actor(), period=period, now=context.now()))
    except REFUSALS as refusal:
        refused(refusal)
        return redirect(url_for("office.fees", monat=period))
    flash(_("Gebühren für %(p)s gebucht.", p=period), "success")
    return redirect(url_for("office.fees", monat=period))


@bp.post("/gebuehren/befreiung")
def add_exemption():
    form = ExemptionForm()
    if not form.validate_on_submit():
        flash(_("Bitte Mitgliedsnummer und Grund angeben."), "error")
        return redirect(url_for("office.fees"))
    member = _member(int(form.number.data))
    try:
        commit(lambda s: fees.exempt(s, actor(), member, reason=form.reason.data, now=context.now()))
    except REFUSALS as refusal:
        refused(refusal)
    return redirect(url_for("office.fees"))


@bp.post("/gebuehren/befreiung/<int:number>/aufheben")
def remove_exemption(number: int):
    member = _member(number)
    if not EmptyForm().validate_on_submit():
        abort(400)
    commit(lambda s: fees.end_exemption(s, actor(), member, now=context.now()))
    return redirect(url_for("office.fees"))
