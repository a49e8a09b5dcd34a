"""Voucher batches at the office desk: keyboard-first entry, control totals, approval, posting.
The rules are use cases in ``vouchers``; these views parse the forms and show the outcome."""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

import ledger

from ... import context, vouchers
from ...db import db
from ...members import member_by_number
from ...models import User, VoucherBatch, VoucherLine
from ...names import display_name
from ...rings import settings_of
from ...units import AmountError, format_amount, parse_amount
from ..common import REFUSALS, actor, commit, refused
from . import bp
from .forms import BatchForm, EmptyForm, ImportForm, LineForm, PostForm, TotalsForm


def _batch(batch_id: int) -> VoucherBatch:
    try:
        return vouchers.batch_for(db.session, actor(), batch_id)
    except REFUSALS:
        abort(404)


def _line(batch: VoucherBatch, line_id: int) -> VoucherLine:
    try:
        return vouchers.line_for(db.session, actor(), batch, line_id)
    except REFUSALS:
        abort(404)


def _users(ring_id: int) -> dict[int, str]:
    return {u.id: u.display_name for u in db.session.scalars(select(User).where(User.ring_id == ring_id))}


def _to(batch_id: int, *, line=None):
    """Back to the batch: after a saved line, with that line's result beside the entry form (and
    no fragment in the address, which would keep the browser from focusing "Beleg-Nr.")."""
    if line is None:
        return redirect(url_for("office.batch", batch_id=batch_id))
    return redirect(url_for("office.batch", batch_id=batch_id, zeile=line.position))


@bp.get("/stapel")
def batches():
    rows = db.session.scalars(
        select(VoucherBatch).where(VoucherBatch.ring_id == actor().ring_id).order_by(VoucherBatch.id.desc())
    ).all()
    return render_template(
        "office/batches.html",
        batches=rows,
        form=BatchForm(),
        import_form=ImportForm(),
        users=_users(actor().ring_id),
    )


@bp.post("/stapel/neu")
def new_batch():
    form = BatchForm()
    if not form.validate_on_submit():
        abort(400)
    batch_id = commit(
        lambda s: vouchers.open_batch(s, actor(), now=context.now(), title=form.title.data or "").id
    )
    return _to(batch_id)


@bp.post("/stapel/import")
def import_file():
    form = ImportForm()
    if not form.validate_on_submit():
        for error in form.file.errors:
            flash(str(error), "error")
        return redirect(url_for("office.batches"))
    raw = form.file.data.read(vouchers.MAX_IMPORT_BYTES + 1)
    filename = form.file.data.filename or "import.csv"
    try:
        text = vouchers.decode_upload(raw)
        batch_id = commit(
            lambda s: vouchers.import_batch(s, actor(), now=context.now(), filename=filename, text=text).id
        )
    except REFUSALS as refusal:
        refused(refusal)
        return redirect(url_for("office.batches"))
    flash(_("Die Datei ist eingelesen. Noch ist nichts gebucht: bitte prüfen und dann buchen."), "success")
    return _to(batch_id)


def _render(
    batch: VoucherBatch, form: LineForm | None = None, status: int = 200, editing: VoucherLine | None = None
):
    checked = vouchers.check_batch(db.session, batch, today=context.today())
    form = form or LineForm()
    if form.service_date.data is None and not editing:
        form.service_date.data = (
            batch.lines[-1].service_date if batch.lines else context.today().strftime("%d.%m.%Y")
        )
    shown = request.args.get("zeile", type=int)
    last = next((c for c in checked.lines if c.line.position == shown), None) if not editing else None
    totals = TotalsForm()
    if request.method == "GET":
        totals.expected_count.data = batch.expected_count
        totals.expected_amount.data = (
            format_amount(batch.expected_minutes, checked.unit).split(" ")[0]
            if batch.expected_minutes
            else ""
        )
    return render_template(
        "office/batch.html",
        batch=batch,
        checked=checked,
        form=form,
        totals=totals,
        post_form=PostForm(),
        action_form=EmptyForm(),
        editing=editing,
        last=last,
        settings=settings_of(db.session, batch.ring_id),
        users=_users(batch.ring_id),
    ), status


@bp.get("/stapel/<int:batch_id>")
def batch(batch_id: int):
    return _render(_batch(batch_id))


def _fields(form: LineForm) -> dict[str, object]:
    """The line as typed, with the two special cases."""
    return {
        **{name: getattr(form, name).data or "" for name in vouchers.LINE_FIELDS},
        "old_confirmed": form.old_confirmed.data,
        "override_reason": form.override_reason.data or None,
    }


@bp.post("/stapel/<int:batch_id>/zeile")
def add(batch_id: int):
    found = _batch(batch_id)
    form = LineForm()
    if not form.validate_on_submit():
        return _render(found, form, 400)
    try:
        line = commit(lambda s: vouchers.add_line(s, actor(), found, now=context.now(), **_fields(form)))
    except REFUSALS as refusal:
        return _render(found, form, refused(refusal))
    return _to(found.id, line=line)


@bp.route("/stapel/<int:batch_id>/zeile/<int:line_id>", methods=["GET", "POST"])
def edit_line(batch_id: int, line_id: int):
    found = _batch(batch_id)
    line = _line(found, line_id)
    if request.method == "GET":
        return _render(found, LineForm(obj=line), editing=line)
    form = LineForm()
    if not form.validate_on_submit():
        return _render(found, form, 400, editing=line)
    try:
        commit(lambda s: vouchers.update_line(s, actor(), line, now=context.now(), **_fields(form)))
    except REFUSALS as refusal:
        refused(refusal)
    return _to(found.id, line=line)


def _line_action(batch_id: int, line_id: int, use_case):
    found = _batch(batch_id)
    line = _line(found, line_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        commit(lambda s: use_case(s, actor(), line, now=context.now()))
    except REFUSALS as refusal:
        refused(refusal)
    return _to(found.id)


@bp.post("/stapel/<int:batch_id>/zeile/<int:line_id>/loeschen")
def remove_line(batch_id: int, line_id: int):
    return _line_action(batch_id, line_id, vouchers.delete_line)


@bp.post("/stapel/<int:batch_id>/zeile/<int:line_id>/bestaetigen")
def confirm_old(batch_id: int, line_id: int):
    return _line_action(batch_id, line_id, vouchers.confirm_old)


@bp.post("/stapel/<int:batch_id>/summen")
def totals(batch_id: int):
    found = _batch(batch_id)
    form = TotalsForm()
    if not form.validate_on_submit():
        return _render(found, status=400)
    minutes = None
    if (form.expected_amount.data or "").strip():
        unit = context.ring_unit()
        try:
            minutes = parse_amount(form.expected_amount.data, unit, in_units=not unit.is_hours)
        except AmountError as error:
            flash(_("Summe laut Stapel: %(error)s", error=str(error)), "error")
            return _render(found, status=400)
    commit(
        lambda s: vouchers.set_expected_totals(
            s, actor(), found, count=form.expected_count.data, minutes=minutes, now=context.now()
        )
    )
    return _to(found.id)


def _batch_action(batch_id: int, use_case, done: str | None = None, *, then=None):
    found = _batch(batch_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        result = commit(lambda s: use_case(s, actor(), found, now=context.now()))
    except REFUSALS as refusal:
        refused(refusal)
        return _to(found.id)
    if done:
        flash(done, "success")
    return then(result) if then else _to(found.id)


@bp.post("/stapel/<int:batch_id>/freigeben")
def approve(batch_id: int):
    return _batch_action(batch_id, vouchers.approve_batch, _("Freigegeben."))


@bp.post("/stapel/<int:batch_id>/verwerfen")
def discard(batch_id: int):
    return _batch_action(
        batch_id, vouchers.discard_batch, then=lambda _r: redirect(url_for("office.batches"))
    )


@bp.post("/stapel/<int:batch_id>/rest")
def carry(batch_id: int):
    return _batch_action(batch_id, vouchers.carry_over, then=lambda new: _to(new.id))


@bp.post("/stapel/<int:batch_id>/buchen")
def post(batch_id: int):
    found = _batch(batch_id)
    form = PostForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        entries = commit(
            lambda s: vouchers.post_batch(
                s, actor(), found, now=context.now(), clean_only=form.clean_only.data
            )
        )
    except ledger.LedgerError as refusal:
        flash(_("Nichts gebucht: %(reason)s", reason=context.explain_refusal(refusal)), "error")
        return _to(found.id)
    except REFUSALS as refusal:
        refused(refusal)
        return _to(found.id)
    flash(
        ngettext(
            "Gebucht: %(sum)s in %(num)d Beleg.",
            "Gebucht: %(sum)s in %(num)d Belegen.",
            len(entries),
            sum=format_amount(sum(e.postings[1].amount for e in entries), context.ring_unit()),
        ),
        "success",
    )
    return _to(found.id)


@bp.get("/mitglied/<int:number>.json")
def member_lookup(number: int):
    """Name, status and balance for a member number: the batch form shows it as the clerk types."""
    member = member_by_number(db.session, actor().ring_id, number)
    if member is None:
        return jsonify({"number": number, "found": False, "text": _("unbekannt")}), 404
    balance = ledger.balance_of(db.session, ring_id=member.ring_id, account_id=member.account_id)
    status = {"active": "", "suspended": _(" (gesperrt)"), "left": _(" (ausgetreten)")}[member.status]
    return jsonify(
        {
            "number": number,
            "found": True,
            "status": member.status,
            "text": f"{display_name(member, full=True)}{status} · "
            f"{format_amount(balance.balance, context.ring_unit())}",
        }
    )
