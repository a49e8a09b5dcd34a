"""Money at the office: any entry with its reversal (Storno), a member's statement, the monthly fee."""

from __future__ import annotations

import datetime as dt

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

import ledger

from ...db import db
from ...fees import FeeError, period_bounds, plan_fees, run_fees
from ...models import FeeExemption, FeeRun, Member, User, VoucherBatch
from ...rings import settings_of, unit_of
from ...texts import SYSTEM_ACCOUNT_NAMES, explain
from ..common import commit, now, to_utc_range, today
from . import bp, office_event
from .forms import EmptyForm, ExemptionForm, FeeForm, ReasonForm
from .members import _member


def _names(account_ids) -> dict[int, Member]:
    members = db.session.scalars(
        select(Member).where(Member.ring_id == current_user.ring_id, Member.account_id.in_(set(account_ids)))
    )
    return {m.account_id: m for m in members}


@bp.get("/buchungen/<int:entry_id>")
def entry(entry_id: int):
    try:
        found = ledger.entry(db.session, ring_id=current_user.ring_id, entry_id=entry_id)
    except ledger.UnknownEntry:
        abort(404)
    members = _names(p.account_id for p in found.postings)
    system = {
        p.account_id: SYSTEM_ACCOUNT_NAMES.get(
            ledger.balance_of(db.session, ring_id=current_user.ring_id, account_id=p.account_id).kind, ""
        )
        for p in found.postings
        if p.account_id not in members
    }
    operator = db.session.get(User, found.operator_id) if found.operator_id else None
    batch = db.session.get(VoucherBatch, found.batch_id) if found.batch_id else None
    return render_template(
        "office/entry.html",
        entry=found,
        members=members,
        system=system,
        operator=operator,
        batch=batch,
        form=ReasonForm(),
    )


@bp.post("/buchungen/<int:entry_id>/storno")
def reverse(entry_id: int):
    form = ReasonForm()
    if not form.validate_on_submit():
        flash(_("Bitte geben Sie einen Grund für den Storno an."), "error")
        return redirect(url_for("office.entry", entry_id=entry_id))

    def work(session):
        reversal = ledger.reverse_entry(
            session,
            ring_id=current_user.ring_id,
            entry_id=entry_id,
            reason=form.reason.data.strip(),
            now=now(),
            operator_id=current_user.id,
            channel="office",
            override_limits=form.override.data,
        )
        office_event(
            session,
            action="entry.reverse",
            object_type="entry",
            object_id=entry_id,
            summary=_("Buchung %(n)s storniert: %(reason)s", n=entry_id, reason=form.reason.data.strip()),
            after={"reversal": reversal.id, "override": form.override.data},
        )
        return reversal

    try:
        reversal = commit(work)
    except ledger.UnknownEntry:
        abort(404)
    except ledger.LedgerError as refusal:
        flash(explain(refusal, unit_of(db.session, current_user.ring_id)), "error")
        return redirect(url_for("office.entry", entry_id=entry_id))
    flash(_("Storniert durch Buchung %(n)s.", n=reversal.id), "success")
    return redirect(url_for("office.entry", entry_id=reversal.id))


@bp.get("/mitglieder/<int:number>/kontoauszug")
def statement(number: int):
    member = _member(number)
    try:
        start = (
            dt.date.fromisoformat(request.args["von"]) if request.args.get("von") else today().replace(day=1)
        )
        end = dt.date.fromisoformat(request.args["bis"]) if request.args.get("bis") else today()
    except ValueError:
        abort(400)
    if end < start:
        abort(400)
    begin, finish = to_utc_range(start, end)
    result = ledger.statement(
        db.session, ring_id=member.ring_id, account_id=member.account_id, start=begin, end=finish
    )
    partners = _names(p.account_id for line in result.lines for p in line.partners)
    return render_template(
        "office/statement.html", member=member, statement=result, start=start, end=end, partners=partners
    )


# ---------------------------------------------------------------------------------------------
# The monthly account fee


def _default_period() -> str:
    """The month just ended (in the first week of a month), else the current one."""
    day = today()
    if day.day <= 7:
        day = day.replace(day=1) - dt.timedelta(days=1)
    return f"{day.year:04d}-{day.month:02d}"


@bp.get("/gebuehren")
def fees():
    period = request.args.get("monat") or _default_period()
    plan = error = None
    try:
        period_bounds(period)
        plan = plan_fees(db.session, ring_id=current_user.ring_id, period=period, today=today())
    except FeeError as problem:
        error = str(problem)
    exemptions = db.session.execute(
        select(FeeExemption, Member)
        .join(Member, Member.id == FeeExemption.member_id)
        .where(Member.ring_id == current_user.ring_id)
        .order_by(Member.number)
    ).all()
    runs = db.session.scalars(
        select(FeeRun).where(FeeRun.ring_id == current_user.ring_id).order_by(FeeRun.run_at.desc()).limit(12)
    ).all()
    return render_template(
        "office/fees.html",
        period=period,
        plan=plan,
        error=error,
        form=FeeForm(period=period),
        exemption_form=ExemptionForm(),
        exemptions=exemptions,
        runs=runs,
        settings=settings_of(db.session, current_user.ring_id),
        action_form=EmptyForm(),
    ), (400 if error and request.args.get("monat") else 200)


@bp.post("/gebuehren")
def run_fee():
    form = FeeForm()
    if not form.validate_on_submit():
        abort(400)
    period = form.period.data

    def work(session):
        plan = run_fees(
            session, ring_id=current_user.ring_id, period=period, now=now(), operator_id=current_user.id
        )
        office_event(
            session,
            action="fee.run",
            object_type="fee_run",
            object_id=period,
            summary=_(
                "Kontoführungsgebühr %(p)s: %(b)s gebucht, %(s)s übersprungen",
                p=period,
                b=plan.count("booked"),
                s=plan.count("skipped"),
            ),
            after={
                "booked": [
                    line.member.number for line in plan.lines if line.outcome == "booked" and line.entry_id
                ],
                "minutes": plan.minutes,
            },
        )
        return plan

    try:
        plan = commit(work)
    except FeeError as error:
        flash(str(error), "error")
        return redirect(url_for("office.fees", monat=period))
    flash(_("Gebühren für %(p)s gebucht.", p=period), "success")
    del plan
    return redirect(url_for("office.fees", monat=period))


@bp.post("/gebuehren/befreiung")
def add_exemption():
    form = ExemptionForm()
    if not form.validate_on_submit():
        flash(_("Bitte Mitgliedsnummer und Grund angeben."), "error")
        return redirect(url_for("office.fees"))
    member = _member(int(form.number.data))

    def work(session):
        if session.get(FeeExemption, member.id) is None:
            session.add(
                FeeExemption(
                    member_id=member.id,
                    reason=form.reason.data.strip(),
                    since=today(),
                    created_by_id=current_user.id,
                )
            )
            office_event(
                session,
                action="fee.exempt",
                object_type="member",
                object_id=member.number,
                summary=_("Von der Gebühr befreit: Mitglied %(n)s", n=member.number),
                after={"reason": form.reason.data.strip()},
            )

    commit(work)
    return redirect(url_for("office.fees"))


@bp.post("/gebuehren/befreiung/<int:number>/aufheben")
def remove_exemption(number: int):
    member = _member(number)
    if not EmptyForm().validate_on_submit():
        abort(400)

    def work(session):
        exemption = session.get(FeeExemption, member.id)
        if exemption is not None:
            office_event(
                session,
                action="fee.unexempt",
                object_type="member",
                object_id=number,
                summary=_("Gebührenbefreiung aufgehoben: Mitglied %(n)s", n=number),
                before={"reason": exemption.reason},
            )
            session.delete(exemption)

    commit(work)
    return redirect(url_for("office.fees"))
