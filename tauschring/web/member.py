"""The member's own pages: overview, paying, payment requests, statement, one entry."""

from __future__ import annotations

import uuid

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from wtforms import SelectChoice

import ledger

from .. import context, payments, reports, statements, statistics
from ..db import db
from ..members import find_payees, member_by_number
from ..models import Member
from ..names import display_name
from ..units import AmountError, format_amount, parse_amount, whole_number
from .common import (
    REFUSALS,
    actor,
    commit,
    current_member,
    member_required,
    refusal_or_404,
    refused,
    refused_page,
)
from .forms import AnswerForm, PayForm, RequestForm

bp = Blueprint("member", __name__)


def _unit_choices(form) -> None:
    unit = context.ring_unit()
    if not unit.is_hours:
        form.amount_unit.choices = [*form.amount_unit.choices, SelectChoice("units", unit.plural)]


def _balance(member: Member) -> ledger.AccountBalance:
    return ledger.balance_of(db.session, ring_id=member.ring_id, account_id=member.account_id)


def _waiting(member: Member) -> list:
    """Requests waiting for the member's answer, each with the day it is accepted by time."""
    waiting = db.session.scalars(payments.waiting_for_answer(member)).all()
    return [(r, payments.accepted_by_time_on(db.session, r)) for r in waiting]


@bp.get("/")
@member_required
def home():
    member = current_member()
    return render_template(
        "member/home.html",
        member=member,
        balance=_balance(member),
        lines=statements.recent_of(db.session, member, count=8, full_names=False),
        to_answer=_waiting(member),
        answer_form=AnswerForm(),
        public=statistics.public_figures(db.session, member.ring_id, context.today()),
    )


def _resolve_member(text: str, chosen_id: str | None) -> tuple[Member | None, list[Member]]:
    """The member meant by a number or a name; with several matches, the candidates."""
    member = current_member()
    if whole_number(chosen_id) is not None:
        chosen = db.session.get(Member, whole_number(chosen_id))
        if chosen is not None and chosen.ring_id == member.ring_id:
            return chosen, []
    text = (text or "").strip()
    if whole_number(text) is not None:
        return member_by_number(db.session, member.ring_id, whole_number(text)), []
    candidates = [m for m in find_payees(db.session, actor(), text) if m.id != member.id]
    if len(candidates) == 1:
        return candidates[0], []
    return None, candidates


def _counterpart(form, field, chosen_id):
    """The member typed into a form's payee or payer field, or an error on that field."""
    other, candidates = _resolve_member(field.data, chosen_id)
    if other is None:
        field.errors.append(
            _("Mehrere Mitglieder passen. Bitte wählen Sie eines aus der Liste.")
            if candidates
            else _("Kein Mitglied mit dieser Nummer oder diesem Namen gefunden.")
        )
    return other, candidates


def _parse_form_amount(form) -> int | None:
    try:
        return parse_amount(form.amount.data, context.ring_unit(), in_units=form.amount_unit.data == "units")
    except AmountError as error:
        form.amount.errors.append(str(error))
        return None


@bp.route("/bezahlen", methods=["GET", "POST"])
@member_required
def pay_view():
    member = current_member()
    form = PayForm()
    _unit_choices(form)
    if request.method == "GET":
        form.service_date.data = context.today()
        if whole_number(request.args.get("an")) is not None:
            form.payee.data = request.args["an"]
        return render_template("member/pay.html", form=form, step="form")
    if request.form.get("action") == "edit" and form.validate_on_submit():
        return render_template("member/pay.html", form=form, step="form")
    if not form.validate_on_submit():
        return render_template("member/pay.html", form=form, step="form"), 400
    payee, candidates = _counterpart(form, form.payee, form.payee_id.data)
    minutes = _parse_form_amount(form)
    if form.errors or minutes is None or payee is None:
        return render_template("member/pay.html", form=form, step="form", candidates=candidates), 400

    terms = {
        "payer": member,
        "payee": payee,
        "minutes": minutes,
        "memo": form.memo.data,
        "service_date": form.service_date.data,
        "now": context.now(),
    }
    if request.form.get("action") != "confirm":
        try:  # every rule, the limits as the books stand now included: nothing surprises at "pay now"
            before = payments.preview_payment(db.session, actor(), **terms)
        except REFUSALS as refusal:
            return refused_page(refusal, "member/pay.html", reader=member, form=form, step="form")
        form.payee_id.data = str(payee.id)
        form.idempotency_key.data = uuid.uuid4().hex
        return render_template(
            "member/pay.html",
            form=form,
            step="preview",
            payee=payee,
            minutes=minutes,
            balance_after=before.balance - minutes,
            payer=member,
        )

    key = form.idempotency_key.data or None
    try:
        entry = commit(
            lambda session: payments.pay(
                session, actor(), **terms, idempotency_key=f"web-{key}" if key else None
            )
        )
    except REFUSALS as refusal:
        return refused_page(refusal, "member/pay.html", reader=member, form=form, step="form")
    flash(
        _(
            "Gebucht: %(amount)s an %(name)s.",
            amount=format_amount(minutes, context.ring_unit()),
            name=display_name(payee),
        ),
        "success",
    )
    return redirect(url_for("member.entry", entry_id=entry.id))


@bp.route("/anforderungen", methods=["GET", "POST"])
@member_required
def requests():
    member = current_member()
    form = RequestForm()
    _unit_choices(form)
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            payer, _candidates = _counterpart(form, form.payer, form.payer_id.data)
            minutes = _parse_form_amount(form)
            if not form.errors and minutes is not None and payer is not None:
                try:
                    commit(
                        lambda session: payments.request_payment(
                            session,
                            actor(),
                            payee=member,
                            payer=payer,
                            minutes=minutes,
                            memo=form.memo.data,
                            service_date=form.service_date.data,
                            now=context.now(),
                        )
                    )
                except REFUSALS as refusal:
                    status = refused(refusal, reader=member)
                else:
                    flash(
                        _("Die Zahlungsanforderung an %(name)s ist gestellt.", name=display_name(payer)),
                        "success",
                    )
                    return redirect(url_for("member.requests"))
    else:
        form.service_date.data = context.today()
    return render_template(
        "member/requests.html",
        form=form,
        open_in=_waiting(member),
        history=db.session.scalars(payments.request_history(member).limit(30)).all(),
        answer_form=AnswerForm(),
        member=member,
    ), status


def _answer(work, done: str, *, to_entry: bool = False):
    """Accept, decline or cancel a request as the member this login acts as."""
    member = current_member()
    form = AnswerForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        result = commit(lambda session: work(session, member, form))
    except REFUSALS as refusal:
        refusal_or_404(refusal)
        refused(refusal, reader=member)
        return redirect(url_for("member.requests"))
    flash(done, "success")
    if to_entry:
        return redirect(url_for("member.entry", entry_id=result.id))
    return redirect(url_for("member.requests"))


@bp.post("/anforderungen/<int:request_id>/annehmen")
@member_required
def accept(request_id: int):
    return _answer(
        lambda session, member, form: payments.accept_request(
            session, actor(), member, request_id, now=context.now()
        ),
        _("Angenommen und gebucht."),
        to_entry=True,
    )


@bp.post("/anforderungen/<int:request_id>/ablehnen")
@member_required
def decline(request_id: int):
    return _answer(
        lambda session, member, form: payments.decline_request(
            session, actor(), member, request_id, now=context.now(), note=form.note.data or ""
        ),
        _("Die Zahlungsanforderung ist abgelehnt."),
    )


@bp.post("/anforderungen/<int:request_id>/zurueckziehen")
@member_required
def cancel(request_id: int):
    return _answer(
        lambda session, member, form: payments.cancel_request(
            session, actor(), member, request_id, now=context.now()
        ),
        _("Die Zahlungsanforderung ist zurückgezogen."),
    )


def _statement(member: Member, start, end) -> statements.NamedStatement:
    begin, finish = context.to_utc_range(start, end)
    return statements.statement_of(db.session, member, full_names=False, start=begin, end=finish)


@bp.get("/kontoauszug")
@member_required
def statement():
    member = current_member()
    status = 200
    try:
        start, end = context.query_period(request.args)
    except REFUSALS as refusal:
        status = refused(refusal)
        start, end = context.month_so_far(context.today()), context.today()
    return render_template(
        "member/statement.html", member=member, statement=_statement(member, start, end), start=start, end=end
    ), (400 if status != 200 else 200)


@bp.get("/kontoauszug.csv")
@member_required
def statement_csv():
    member = current_member()
    try:
        start, end = context.query_period(request.args)
    except REFUSALS:
        abort(400)
    filename = f"kontoauszug-{member.number}-{start.isoformat()}-{end.isoformat()}.csv"
    return Response(
        reports.statement_csv(_statement(member, start, end), start, end),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.get("/buchungen/<int:entry_id>")
@member_required
def entry(entry_id: int):
    member = current_member()
    try:
        found = statements.entry_seen_by(db.session, actor(), entry_id, reader=member)
    except REFUSALS:
        abort(404)
    return render_template("member/entry.html", entry=found, member=member)
