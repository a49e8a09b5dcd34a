"""Voucher batches at the office desk: keyboard-first entry, control totals, approval, posting."""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select

import ledger

from ... import audit
from ...db import db
from ...members import display_name, member_by_number
from ...models import User, VoucherBatch, VoucherLine
from ...rings import settings_of, unit_of
from ...texts import explain
from ...units import AmountError, format_amount, parse_amount
from ...vouchers import (
    LINE_FIELDS,
    BatchError,
    add_line,
    approve_batch,
    carry_over,
    check_batch,
    delete_line,
    discard_batch,
    import_batch,
    open_batch,
    post_batch,
    set_expected_totals,
    update_line,
)
from ..common import commit, now, today
from . import bp, office_event
from .forms import BatchForm, EmptyForm, ImportForm, LineForm, PostForm, TotalsForm


def _batch(batch_id: int) -> VoucherBatch:
    batch = db.session.get(VoucherBatch, batch_id)
    if batch is None or batch.ring_id != current_user.ring_id:
        abort(404)
    return batch


def _line(batch: VoucherBatch, line_id: int) -> VoucherLine:
    line = db.session.get(VoucherLine, line_id)
    if line is None or line.batch_id != batch.id:
        abort(404)
    return line


def _event(session, action: str, batch_id, summary: str, before=None, after=None) -> None:
    office_event(session, action, "voucher_batch", batch_id, summary, before=before, after=after)


@bp.get("/stapel")
def batches():
    rows = db.session.scalars(
        select(VoucherBatch)
        .where(VoucherBatch.ring_id == current_user.ring_id)
        .order_by(VoucherBatch.id.desc())
    ).all()
    users = {
        u.id: u.display_name
        for u in db.session.scalars(select(User).where(User.ring_id == current_user.ring_id))
    }
    return render_template(
        "office/batches.html", batches=rows, form=BatchForm(), import_form=ImportForm(), users=users
    )


@bp.post("/stapel/neu")
def new_batch():
    form = BatchForm()
    if not form.validate_on_submit():
        abort(400)

    def work(session):
        batch = open_batch(
            session, ring_id=current_user.ring_id, user=current_user, now=now(), title=form.title.data or ""
        )
        _event(session, "batch.open", batch.id, _("Belegstapel %(n)s angelegt", n=batch.id))
        return batch.id

    return redirect(url_for("office.batch", batch_id=commit(work)) + "#eingabe")


@bp.post("/stapel/import")
def import_file():
    form = ImportForm()
    if not form.validate_on_submit():
        for error in form.file.errors:
            flash(str(error), "error")
        return redirect(url_for("office.batches"))
    raw = form.file.data.read(2_000_001)
    if len(raw) > 2_000_000:
        flash(_("Die Datei ist zu groß (höchstens 2 MB)."), "error")
        return redirect(url_for("office.batches"))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    filename = (form.file.data.filename or "import.csv")[:200]

    def work(session):
        batch = import_batch(
            session, ring_id=current_user.ring_id, user=current_user, now=now(), filename=filename, text=text
        )
        _event(
            session,
            "batch.import",
            batch.id,
            ngettext(
                "Datei %(name)s mit %(num)d Zeile eingelesen",
                "Datei %(name)s mit %(num)d Zeilen eingelesen",
                len(batch.lines),
                name=filename,
            ),
        )
        return batch.id

    try:
        batch_id = commit(work)
    except BatchError as error:
        flash(str(error), "error")
        return redirect(url_for("office.batches"))
    flash(_("Die Datei ist eingelesen. Noch ist nichts gebucht: bitte prüfen und dann buchen."), "success")
    return redirect(url_for("office.batch", batch_id=batch_id))


def _render(
    batch: VoucherBatch, form: LineForm | None = None, status: int = 200, editing: VoucherLine | None = None
):
    checked = check_batch(db.session, batch, today=today())
    form = form or LineForm()
    if form.service_date.data is None and not editing:
        form.service_date.data = batch.lines[-1].service_date if batch.lines else today().strftime("%d.%m.%Y")
    totals = TotalsForm()
    if request.method == "GET":
        totals.expected_count.data = batch.expected_count
        totals.expected_amount.data = (
            format_amount(batch.expected_minutes, checked.unit).split(" ")[0]
            if batch.expected_minutes
            else ""
        )
    users = {
        u.id: u.display_name for u in db.session.scalars(select(User).where(User.ring_id == batch.ring_id))
    }
    return render_template(
        "office/batch.html",
        batch=batch,
        checked=checked,
        form=form,
        totals=totals,
        post_form=PostForm(),
        action_form=EmptyForm(),
        editing=editing,
        settings=settings_of(db.session, batch.ring_id),
        users=users,
    ), status


@bp.get("/stapel/<int:batch_id>")
def batch(batch_id: int):
    return _render(_batch(batch_id))


@bp.post("/stapel/<int:batch_id>/zeile")
def add(batch_id: int):
    batch = _batch(batch_id)
    form = LineForm()
    if not form.validate_on_submit():
        return _render(batch, form, 400)
    fields = {name: getattr(form, name).data or "" for name in LINE_FIELDS}

    def work(session):
        target = session.get(VoucherBatch, batch.id)
        line = add_line(
            session, target, user=current_user, now=now(), old_confirmed=form.old_confirmed.data, **fields
        )
        if target.status == "approved":
            target.status = "open"
        _event(
            session,
            "batch.line.add",
            target.id,
            _("Zeile %(n)s: Beleg %(v)s", n=line.position, v=line.voucher_number),
            after=fields,
        )

    try:
        commit(work)
    except BatchError as error:
        flash(str(error), "error")
        return _render(batch, form, 409)
    return redirect(url_for("office.batch", batch_id=batch.id) + "#eingabe")


@bp.route("/stapel/<int:batch_id>/zeile/<int:line_id>", methods=["GET", "POST"])
def edit_line(batch_id: int, line_id: int):
    batch = _batch(batch_id)
    line = _line(batch, line_id)
    if request.method == "GET":
        form = LineForm(obj=line)
        return _render(batch, form, editing=line)
    form = LineForm()
    if not form.validate_on_submit():
        return _render(batch, form, 400, editing=line)
    fields = {name: getattr(form, name).data or "" for name in LINE_FIELDS}

    def work(session):
        target = session.get(VoucherLine, line.id)
        before = audit.snapshot(target, LINE_FIELDS)
        update_line(session, target, old_confirmed=form.old_confirmed.data, **fields)
        if target.batch.status == "approved":
            target.batch.status = "open"
        _event(
            session,
            "batch.line.change",
            batch.id,
            _("Zeile %(n)s geändert", n=target.position),
            before=before,
            after=audit.snapshot(target, LINE_FIELDS),
        )

    try:
        commit(work)
    except BatchError as error:
        flash(str(error), "error")
    return redirect(url_for("office.batch", batch_id=batch.id) + "#eingabe")


@bp.post("/stapel/<int:batch_id>/zeile/<int:line_id>/loeschen")
def remove_line(batch_id: int, line_id: int):
    batch = _batch(batch_id)
    line = _line(batch, line_id)
    if not EmptyForm().validate_on_submit():
        abort(400)

    def work(session):
        target = session.get(VoucherLine, line.id)
        before = audit.snapshot(target, LINE_FIELDS)
        position = target.position
        delete_line(session, target)
        _event(session, "batch.line.delete", batch.id, _("Zeile %(n)s gelöscht", n=position), before=before)

    try:
        commit(work)
    except BatchError as error:
        flash(str(error), "error")
    return redirect(url_for("office.batch", batch_id=batch.id))


@bp.post("/stapel/<int:batch_id>/zeile/<int:line_id>/bestaetigen")
def confirm_old(batch_id: int, line_id: int):
    batch = _batch(batch_id)
    line = _line(batch, line_id)
    if not EmptyForm().validate_on_submit():
        abort(400)

    def work(session):
        target = session.get(VoucherLine, line.id)
        update_line(session, target, old_confirmed=True)
        _event(
            session,
            "batch.line.confirm_old",
            batch.id,
            _("Alten Beleg %(v)s bestätigt", v=target.voucher_number),
        )

    try:
        commit(work)
    except BatchError as error:
        flash(str(error), "error")
    return redirect(url_for("office.batch", batch_id=batch.id))


@bp.post("/stapel/<int:batch_id>/summen")
def totals(batch_id: int):
    batch = _batch(batch_id)
    form = TotalsForm()
    if not form.validate_on_submit():
        return _render(batch, status=400)
    minutes = None
    if (form.expected_amount.data or "").strip():
        unit = unit_of(db.session, batch.ring_id)
        try:
            minutes = parse_amount(form.expected_amount.data, unit, in_units=not unit.is_hours)
        except AmountError as error:
            flash(_("Summe laut Stapel: %(error)s", error=str(error)), "error")
            return _render(batch, status=400)

    def work(session):
        target = session.get(VoucherBatch, batch.id)
        before = {"expected_count": target.expected_count, "expected_minutes": target.expected_minutes}
        set_expected_totals(session, target, count=form.expected_count.data, minutes=minutes)
        _event(
            session,
            "batch.totals",
            batch.id,
            _("Summen laut Stapel eingetragen"),
            before=before,
            after={"expected_count": form.expected_count.data, "expected_minutes": minutes},
        )

    commit(work)
    return redirect(url_for("office.batch", batch_id=batch.id))


@bp.post("/stapel/<int:batch_id>/freigeben")
def approve(batch_id: int):
    batch = _batch(batch_id)
    if not EmptyForm().validate_on_submit():
        abort(400)

    def work(session):
        target = session.get(VoucherBatch, batch.id)
        approve_batch(session, target, user=current_user, now=now(), today=today())
        _event(session, "batch.approve", batch.id, _("Belegstapel %(n)s freigegeben", n=batch.id))

    try:
        commit(work)
    except BatchError as error:
        flash(str(error), "error")
        return redirect(url_for("office.batch", batch_id=batch.id))
    flash(_("Freigegeben."), "success")
    return redirect(url_for("office.batch", batch_id=batch.id))


@bp.post("/stapel/<int:batch_id>/buchen")
def post(batch_id: int):
    batch = _batch(batch_id)
    form = PostForm()
    if not form.validate_on_submit():
        abort(400)
    clean_only = form.clean_only.data

    def work(session):
        target = session.get(VoucherBatch, batch.id)
        entries = post_batch(
            session, target, user=current_user, now=now(), today=today(), clean_only=clean_only
        )
        _event(
            session,
            "batch.post",
            batch.id,
            ngettext(
                "Belegstapel %(n)s gebucht: %(num)d Beleg",
                "Belegstapel %(n)s gebucht: %(num)d Belege",
                len(entries),
                n=batch.id,
            ),
            after={"entries": [e.id for e in entries], "clean_only": clean_only},
        )
        return entries

    try:
        entries = commit(work)
    except BatchError as error:
        flash(str(error), "error")
        return redirect(url_for("office.batch", batch_id=batch.id))
    except ledger.LedgerError as refusal:
        flash(
            _("Nichts gebucht: %(reason)s", reason=explain(refusal, unit_of(db.session, batch.ring_id))),
            "error",
        )
        return redirect(url_for("office.batch", batch_id=batch.id))
    unit = unit_of(db.session, batch.ring_id)
    flash(
        ngettext(
            "Gebucht: %(num)d Beleg, zusammen %(sum)s.",
            "Gebucht: %(num)d Belege, zusammen %(sum)s.",
            len(entries),
            sum=format_amount(sum(e.postings[1].amount for e in entries), unit),
        ),
        "success",
    )
    return redirect(url_for("office.batch", batch_id=batch.id))


@bp.post("/stapel/<int:batch_id>/verwerfen")
def discard(batch_id: int):
    batch = _batch(batch_id)
    if not EmptyForm().validate_on_submit():
        abort(400)

    def work(session):
        discard_batch(session, session.get(VoucherBatch, batch.id))
        _event(session, "batch.discard", batch.id, _("Belegstapel %(n)s verworfen", n=batch.id))

    try:
        commit(work)
    except BatchError as error:
        flash(str(error), "error")
    return redirect(url_for("office.batches"))


@bp.post("/stapel/<int:batch_id>/rest")
def carry(batch_id: int):
    batch = _batch(batch_id)
    if not EmptyForm().validate_on_submit():
        abort(400)

    def work(session):
        new = carry_over(session, session.get(VoucherBatch, batch.id), user=current_user, now=now())
        _event(
            session,
            "batch.carry_over",
            new.id,
            _("Ungebuchte Zeilen aus Stapel %(n)s übernommen", n=batch.id),
        )
        return new.id

    try:
        new_id = commit(work)
    except BatchError as error:
        flash(str(error), "error")
        return redirect(url_for("office.batch", batch_id=batch.id))
    return redirect(url_for("office.batch", batch_id=new_id))


@bp.get("/mitglied/<int:number>.json")
def member_lookup(number: int):
    """Name, status and balance for a member number: the batch form shows it as the clerk types."""
    member = member_by_number(db.session, current_user.ring_id, number) if number < 2**31 else None
    if member is None:
        return jsonify({"number": number, "found": False, "text": _("unbekannt")}), 404
    balance = ledger.balance_of(db.session, ring_id=member.ring_id, account_id=member.account_id)
    unit = unit_of(db.session, member.ring_id)
    status = {"active": "", "suspended": _(" (gesperrt)"), "left": _(" (ausgetreten)")}[member.status]
    return jsonify(
        {
            "number": number,
            "found": True,
            "status": member.status,
            "text": f"{display_name(member, full=True)}{status} · {format_amount(balance.balance, unit)}",
        }
    )
