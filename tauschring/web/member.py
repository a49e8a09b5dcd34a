"""The member's own pages: overview, paying, payment requests, statement, one entry."""

from __future__ import annotations

import datetime as dt
import uuid

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select
from wtforms import SelectChoice

import ledger

from ..db import db
from ..members import display_name, find_members, member_by_number
from ..models import Member, PaymentRequest
from ..payments import (
    PaymentError,
    accept_request,
    cancel_request,
    decline_request,
    pay,
    process_due_requests,
    request_payment,
)
from ..reports import write_csv
from ..texts import SYSTEM_ACCOUNT_NAMES, explain
from ..units import AmountError, format_amount, hm, parse_amount, whole_number
from .common import (
    balance_of_member,
    commit,
    current_member,
    member_required,
    names_of_accounts,
    now,
    ring_unit,
    to_utc_range,
    today,
)
from .forms import AnswerForm, PayForm, RequestForm

bp = Blueprint("member", __name__)


def _unit_choices(form) -> None:
    unit = ring_unit()
    if not unit.is_hours:
        form.amount_unit.choices = [*form.amount_unit.choices, SelectChoice("units", unit.plural)]


def _refresh_requests(ring_id: int) -> None:
    """Accept requests whose answer time ran out (the ring's rule), before showing anything."""
    db.session.rollback()
    commit(lambda session: process_due_requests(session, ring_id, now()))


@bp.get("/")
@member_required
def home():
    member = current_member()
    _refresh_requests(member.ring_id)
    balance = balance_of_member(member)
    lines = ledger.recent_lines(db.session, ring_id=member.ring_id, account_id=member.account_id, count=8)
    to_answer = db.session.scalars(
        select(PaymentRequest)
        .where(PaymentRequest.payer_id == member.id, PaymentRequest.status == "open")
        .order_by(PaymentRequest.created_at)
    ).all()
    return render_template(
        "member/home.html",
        member=member,
        balance=balance,
        lines=lines,
        partners=_partners(member, lines),
        to_answer=to_answer,
        answer_form=AnswerForm(),
    )


def _partners(member: Member, lines) -> dict[int, Member]:
    ids = {p.account_id for line in lines for p in line.partners}
    return names_of_accounts(member.ring_id, ids)


def _resolve_member(text: str, chosen_id: str | None) -> tuple[Member | None, list[Member]]:
    """The member meant by a number or a name; with several matches, the candidates."""
    member = current_member()
    if whole_number(chosen_id) is not None:
        chosen = db.session.get(Member, whole_number(chosen_id))
        if chosen is not None and chosen.ring_id == member.ring_id:
            return chosen, []
    text = (text or "").strip()
    if whole_number(text) is not None:
        found = member_by_number(db.session, member.ring_id, whole_number(text))
        return (found, []) if found is not None else (None, [])
    candidates = [m for m in find_members(db.session, member.ring_id, text) if m.id != member.id]
    if len(candidates) == 1:
        return candidates[0], []
    return None, candidates


def _parse_form_amount(form) -> int | None:
    try:
        return parse_amount(form.amount.data, ring_unit(), in_units=form.amount_unit.data == "units")
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
        form.service_date.data = today()
        if whole_number(request.args.get("an")) is not None:
            form.payee.data = request.args["an"]
        return render_template("member/pay.html", form=form, step="form")
    if request.form.get("action") == "edit" and form.validate_on_submit():
        return render_template("member/pay.html", form=form, step="form")
    if not form.validate_on_submit():
        return render_template("member/pay.html", form=form, step="form"), 400
    payee, candidates = _resolve_member(form.payee.data, form.payee_id.data)
    minutes = _parse_form_amount(form)
    if payee is None:
        if candidates:
            form.payee.errors.append(_("Mehrere Mitglieder passen. Bitte wählen Sie eines aus der Liste."))
        else:
            form.payee.errors.append(_("Kein Mitglied mit dieser Nummer oder diesem Namen gefunden."))
    elif payee.id == member.id:
        form.payee.errors.append(_("Sie können sich nicht selbst bezahlen."))
    if form.service_date.data and form.service_date.data > today():
        form.service_date.errors.append(_("Das Leistungsdatum darf nicht in der Zukunft liegen."))
    if form.errors or minutes is None or payee is None:
        return render_template("member/pay.html", form=form, step="form", candidates=candidates), 400

    if request.form.get("action") != "confirm":
        form.payee_id.data = str(payee.id)
        form.idempotency_key.data = uuid.uuid4().hex
        balance = balance_of_member(member)
        return render_template(
            "member/pay.html",
            form=form,
            step="preview",
            payee=payee,
            minutes=minutes,
            balance_after=balance.balance - minutes,
        )

    key = form.idempotency_key.data or None
    try:
        entry = commit(
            lambda session: pay(
                session,
                payer=member,
                payee=payee,
                minutes=minutes,
                memo=form.memo.data.strip(),
                service_date=form.service_date.data,
                now=now(),
                operator=current_user,
                channel="web",
                idempotency_key=f"web-{key}" if key else None,
            )
        )
    except ledger.LedgerError as refusal:
        flash(
            explain(
                refusal,
                ring_unit(),
                own_account_id=member.account_id,
                names={payee.account_id: display_name(payee)},
            ),
            "error",
        )
        return render_template("member/pay.html", form=form, step="form"), 409
    except PaymentError as refusal:
        flash(str(refusal), "error")
        return render_template("member/pay.html", form=form, step="form"), 409
    flash(
        _(
            "Gebucht: %(amount)s an %(name)s.",
            amount=format_amount(minutes, ring_unit()),
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
            payer, candidates = _resolve_member(form.payer.data, form.payer_id.data)
            minutes = _parse_form_amount(form)
            if payer is None:
                form.payer.errors.append(
                    _("Mehrere Mitglieder passen. Bitte wählen Sie eines aus der Liste.")
                    if candidates
                    else _("Kein Mitglied mit dieser Nummer oder diesem Namen gefunden.")
                )
            if not form.errors and minutes is not None and payer is not None:
                try:
                    commit(
                        lambda session: request_payment(
                            session,
                            payee=member,
                            payer=payer,
                            minutes=minutes,
                            memo=form.memo.data,
                            service_date=form.service_date.data,
                            now=now(),
                            operator=current_user,
                        )
                    )
                except PaymentError as refusal:
                    flash(str(refusal), "error")
                    status = 409
                else:
                    flash(
                        _("Die Zahlungsanforderung an %(name)s ist gestellt.", name=display_name(payer)),
                        "success",
                    )
                    return redirect(url_for("member.requests"))
    else:
        form.service_date.data = today()
        _refresh_requests(member.ring_id)
    open_in = db.session.scalars(
        select(PaymentRequest)
        .where(PaymentRequest.payer_id == member.id, PaymentRequest.status == "open")
        .order_by(PaymentRequest.created_at)
    ).all()
    history = db.session.scalars(
        select(PaymentRequest)
        .where(or_(PaymentRequest.payer_id == member.id, PaymentRequest.payee_id == member.id))
        .where(~((PaymentRequest.payer_id == member.id) & (PaymentRequest.status == "open")))
        .order_by(PaymentRequest.created_at.desc())
        .limit(30)
    ).all()
    return render_template(
        "member/requests.html",
        form=form,
        open_in=open_in,
        history=history,
        answer_form=AnswerForm(),
        member=member,
    ), status


def _own_request(request_id: int, *, as_payer: bool) -> PaymentRequest:
    member = current_member()
    found = db.session.get(PaymentRequest, request_id)
    owner_id = (found.payer_id if as_payer else found.payee_id) if found else None
    if found is None or owner_id != member.id:
        abort(404)
    return found


@bp.post("/anforderungen/<int:request_id>/annehmen")
@member_required
def accept(request_id: int):
    member = current_member()
    payment_request = _own_request(request_id, as_payer=True)
    form = AnswerForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        entry = commit(
            lambda session: accept_request(
                session, session.get(PaymentRequest, payment_request.id), now=now(), operator=current_user
            )
        )
    except ledger.LedgerError as refusal:
        flash(
            explain(
                refusal,
                ring_unit(),
                own_account_id=member.account_id,
                names={payment_request.payee.account_id: display_name(payment_request.payee)},
            ),
            "error",
        )
        return redirect(url_for("member.requests"))
    except PaymentError as refusal:
        flash(str(refusal), "error")
        return redirect(url_for("member.requests"))
    flash(_("Angenommen und gebucht."), "success")
    return redirect(url_for("member.entry", entry_id=entry.id))


@bp.post("/anforderungen/<int:request_id>/ablehnen")
@member_required
def decline(request_id: int):
    payment_request = _own_request(request_id, as_payer=True)
    form = AnswerForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        commit(
            lambda session: decline_request(
                session,
                session.get(PaymentRequest, payment_request.id),
                now=now(),
                operator=current_user,
                note=form.note.data or "",
            )
        )
    except PaymentError as refusal:
        flash(str(refusal), "error")
    else:
        flash(_("Die Zahlungsanforderung ist abgelehnt."), "success")
    return redirect(url_for("member.requests"))


@bp.post("/anforderungen/<int:request_id>/zurueckziehen")
@member_required
def cancel(request_id: int):
    payment_request = _own_request(request_id, as_payer=False)
    if not AnswerForm().validate_on_submit():
        abort(400)
    try:
        commit(
            lambda session: cancel_request(
                session, session.get(PaymentRequest, payment_request.id), now=now(), operator=current_user
            )
        )
    except PaymentError as refusal:
        flash(str(refusal), "error")
    else:
        flash(_("Die Zahlungsanforderung ist zurückgezogen."), "success")
    return redirect(url_for("member.requests"))


def _period() -> tuple[dt.date, dt.date, list[str]]:
    """The statement period from the query string; by default the current month."""
    errors = []
    first_of_month = today().replace(day=1)

    def read(name: str, default: dt.date) -> dt.date:
        raw = request.args.get(name, "").strip()
        if not raw:
            return default
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            errors.append(_("„%(value)s“ ist kein gültiges Datum (JJJJ-MM-TT).", value=raw))
            return default

    start, end = read("von", first_of_month), read("bis", today())
    if end < start:
        errors.append(_("Das Ende des Zeitraums liegt vor dem Anfang."))
        start, end = first_of_month, today()
    if start < dt.date(2000, 1, 1) or end > dt.date(2100, 1, 1):
        errors.append(_("Dieser Zeitraum ist nicht möglich."))
        start, end = first_of_month, today()
    return start, end, errors


@bp.get("/kontoauszug")
@member_required
def statement():
    member = current_member()
    start, end, errors = _period()
    begin, finish = to_utc_range(start, end)
    result = ledger.statement(
        db.session, ring_id=member.ring_id, account_id=member.account_id, start=begin, end=finish
    )
    for error in errors:
        flash(error, "error")
    return render_template(
        "member/statement.html",
        member=member,
        statement=result,
        start=start,
        end=end,
        partners=_partners(member, result.lines),
    ), 400 if errors else 200


@bp.get("/kontoauszug.csv")
@member_required
def statement_csv():
    member = current_member()
    start, end, errors = _period()
    if errors:
        abort(400)
    begin, finish = to_utc_range(start, end)
    result = ledger.statement(
        db.session, ring_id=member.ring_id, account_id=member.account_id, start=begin, end=finish
    )
    partners = _partners(member, result.lines)
    rows = [
        [
            "",
            start,
            "",
            _("Anfangssaldo"),
            "",
            result.opening_balance,
            hm(result.opening_balance),
            hm(result.opening_balance),
        ],
        *(
            [
                line.entry_id,
                line.booked_at.astimezone(now().tzinfo).date(),
                line.service_date,
                line.memo,
                ", ".join(_partner_label(p, partners) for p in line.partners),
                line.amount,
                hm(line.amount),
                hm(line.balance_after),
            ]
            for line in result.lines
        ),
        [
            "",
            end,
            "",
            _("Endsaldo"),
            "",
            result.closing_balance,
            hm(result.closing_balance),
            hm(result.closing_balance),
        ],
    ]
    header = [
        _("Buchung"),
        _("Buchungsdatum"),
        _("Leistungsdatum"),
        _("Text"),
        _("Partner"),
        _("Minuten"),
        _("Betrag (h:mm)"),
        _("Saldo (h:mm)"),
    ]
    filename = f"kontoauszug-{member.number}-{start.isoformat()}-{end.isoformat()}.csv"
    return Response(
        write_csv(header, rows),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _partner_label(partner: ledger.Partner, partners: dict[int, Member]) -> str:
    member = partners.get(partner.account_id)
    if member is None:
        return partner.label
    return f"{display_name(member)} ({member.number})"


@bp.get("/buchungen/<int:entry_id>")
@member_required
def entry(entry_id: int):
    member = current_member()
    try:
        found = ledger.entry(db.session, ring_id=member.ring_id, entry_id=entry_id)
    except ledger.UnknownEntry:
        abort(404)
    if member.account_id not in {p.account_id for p in found.postings}:
        abort(404)
    accounts = names_of_accounts(member.ring_id, {p.account_id for p in found.postings})
    system = {
        p.account_id: SYSTEM_ACCOUNT_NAMES.get(
            ledger.balance_of(db.session, ring_id=member.ring_id, account_id=p.account_id).kind, ""
        )
        for p in found.postings
        if p.account_id not in accounts
    }
    return render_template("member/entry.html", entry=found, accounts=accounts, system=system, member=member)
