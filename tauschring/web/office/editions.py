"""Editions of the Marktzeitung at the office: create, fill (Termine, news), generate, download;
and the register of voucher numbers handed out."""

from __future__ import annotations

import datetime as dt

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import select
from wtforms import BooleanField, DateField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from ... import context, vouchers
from ... import editions as edition_cases
from ...db import db
from ...editions import month_label
from ...members import member_by_number
from ...models import EDITION_FILES, Edition, EditionFile, Member, VoucherRange
from ..common import REFUSALS, actor, commit, refused
from . import bp
from .forms import EmptyForm, Form


class EditionForm(Form):
    month = StringField(
        _l("Monat (JJJJ-MM)"), validators=[DataRequired(), Regexp(r"^\d{4}-(0[1-9]|1[0-2])$")]
    )
    cutoff = DateField(
        _l("Redaktionsschluss"), validators=[DataRequired(_l("Bitte geben Sie ein Datum an."))]
    )
    next_cutoff = DateField(
        _l("Nächster Redaktionsschluss"), validators=[DataRequired(_l("Bitte geben Sie ein Datum an."))]
    )
    show_contact_list = BooleanField(_l("Kontaktliste abdrucken"), default=True)


class EventForm(Form):
    date = DateField(_l("Datum"), validators=[DataRequired(_l("Bitte geben Sie ein Datum an."))])
    time = StringField(
        _l("Uhrzeit (HH:MM, freiwillig)"), validators=[Optional(), Regexp(r"^([01]\d|2[0-3]):[0-5]\d$")]
    )
    title = StringField(_l("Was"), validators=[DataRequired(), Length(max=200)])
    place = StringField(_l("Wo (freiwillig)"), validators=[Optional(), Length(max=200)])
    text = TextAreaField(_l("Text (freiwillig)"), validators=[Optional(), Length(max=2000)])


class NewsForm(Form):
    title = StringField(_l("Überschrift"), validators=[DataRequired(), Length(max=200)])
    text = TextAreaField(_l("Text"), validators=[DataRequired(), Length(max=8000)])


class RangeForm(Form):
    count = IntegerField(_l("Anzahl Belegnummern"), validators=[DataRequired(), NumberRange(1, 1000)])
    number = StringField(
        _l("an Mitglied Nr. (leer = Büro, blanko)"), validators=[Optional(), Regexp(r"^\d{1,9}$")]
    )
    note = StringField(_l("Vermerk"), validators=[Optional(), Length(max=200)])


def _edition(edition_id: int) -> Edition:
    try:
        return edition_cases.edition_for(db.session, actor(), edition_id)
    except REFUSALS:
        abort(404)


def _to(edition_id: int):
    return redirect(url_for("office.edition", edition_id=edition_id))


@bp.get("/ausgaben")
def editions():
    ring_id = actor().ring_id
    rows = db.session.scalars(
        select(Edition).where(Edition.ring_id == ring_id).order_by(Edition.number.desc())
    ).all()
    form = EditionForm()
    today = context.today()
    next_month = (today.replace(day=28) + dt.timedelta(days=5)).replace(day=1)
    form.month.data = f"{next_month.year:04d}-{next_month.month:02d}"
    form.cutoff.data = today
    form.next_cutoff.data = today + dt.timedelta(days=28)
    paper = edition_cases.paper_readers(db.session, ring_id)
    return render_template(
        "office/editions.html",
        editions=rows,
        form=form,
        paper=len(paper),
        large=sum(1 for m in paper if m.large_print),
    )


@bp.post("/ausgaben")
def new_edition():
    form = EditionForm()
    if not form.validate_on_submit():
        flash(_("Bitte Monat (JJJJ-MM) und beide Redaktionsschluss-Daten angeben."), "error")
        return redirect(url_for("office.editions"))
    year, month = (int(part) for part in form.month.data.split("-"))
    try:
        edition_id = commit(
            lambda s: (
                edition_cases.create_edition(
                    s,
                    actor(),
                    year=year,
                    month=month,
                    cutoff=form.cutoff.data,
                    next_cutoff=form.next_cutoff.data,
                    now=context.now(),
                    show_contact_list=form.show_contact_list.data,
                ).id
            )
        )
    except REFUSALS as refusal:
        refused(refusal)
        return redirect(url_for("office.editions"))
    return _to(edition_id)


@bp.get("/ausgaben/<int:edition_id>")
def edition(edition_id: int):
    found = _edition(edition_id)
    files = db.session.execute(
        select(
            EditionFile.name,
            EditionFile.pages,
            EditionFile.sha256,
            EditionFile.created_at,
            EditionFile.removed_at,
        ).where(EditionFile.edition_id == found.id)
    ).all()
    order = {name: i for i, name in enumerate(EDITION_FILES)}
    return render_template(
        "office/edition.html",
        edition=found,
        files=sorted(files, key=lambda f: order[f.name]),
        event_form=EventForm(prefix="termin"),
        news_form=NewsForm(prefix="artikel"),
        action_form=EmptyForm(),
        label=month_label(found),
        closing_proposal=edition_cases.closing_proposal(db.session, found, context.today()),
    )


@bp.post("/ausgaben/<int:edition_id>/termine")
def add_event(edition_id: int):
    found = _edition(edition_id)
    form = EventForm(prefix="termin")
    if not form.validate_on_submit():
        flash(_("Bitte Datum und „Was“ angeben (Uhrzeit als HH:MM)."), "error")
        return _to(found.id)
    commit(
        lambda s: edition_cases.add_event(
            s,
            actor(),
            found,
            now=context.now(),
            date=form.date.data,
            title=form.title.data,
            time=form.time.data,
            place=form.place.data,
            text=form.text.data,
        )
    )
    return _to(found.id)


@bp.post("/ausgaben/<int:edition_id>/artikel")
def add_news(edition_id: int):
    found = _edition(edition_id)
    form = NewsForm(prefix="artikel")
    if not form.validate_on_submit():
        flash(_("Bitte Überschrift und Text angeben."), "error")
        return _to(found.id)
    commit(
        lambda s: edition_cases.add_news(
            s, actor(), found, now=context.now(), title=form.title.data, text=form.text.data
        )
    )
    return _to(found.id)


@bp.post("/ausgaben/<int:edition_id>/termine/<int:item_id>/loeschen")
def remove_event(edition_id: int, item_id: int):
    return _remove(edition_id, "event", item_id)


@bp.post("/ausgaben/<int:edition_id>/artikel/<int:item_id>/loeschen")
def remove_news(edition_id: int, item_id: int):
    return _remove(edition_id, "news", item_id)


def _remove(edition_id: int, kind: str, item_id: int):
    found = _edition(edition_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        commit(lambda s: edition_cases.remove_item(s, actor(), found, kind, item_id, now=context.now()))
    except REFUSALS:
        abort(404)
    return _to(found.id)


@bp.post("/ausgaben/<int:edition_id>/erzeugen")
def generate(edition_id: int):
    found = _edition(edition_id)
    if not EmptyForm().validate_on_submit():
        abort(400)

    done = commit(lambda s: edition_cases.generate_edition(s, actor(), found, now=context.now()))
    flash(
        ngettext(
            "Erzeugt: %(num)d Inserat, Druckauflage %(p)s (davon %(l)s in Großdruck).",
            "Erzeugt: %(num)d Inserate, Druckauflage %(p)s (davon %(l)s in Großdruck).",
            done.listings,
            p=done.print_run,
            l=done.large_print_run,
        ),
        "success",
    )
    return _to(found.id)


@bp.get("/ausgaben/<int:edition_id>/<name>")
def download(edition_id: int, name: str):
    found = _edition(edition_id)
    if name not in EDITION_FILES:
        abort(404)
    file = db.session.scalar(
        select(EditionFile).where(EditionFile.edition_id == found.id, EditionFile.name == name)
    )
    if file is None:
        abort(404)
    if file.content is None:  # removed from the archive when a member's data was erased
        abort(410)
    filename = f"{found.year:04d}-{found.month:02d}-{name}"
    return Response(
        file.content,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.route("/belegnummern", methods=["GET", "POST"])
def voucher_ranges():
    """Which voucher numbers went to whom; blank ranges for the office."""
    form = RangeForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            flash(_("Bitte eine Anzahl zwischen 1 und 1000 angeben."), "error")
            return redirect(url_for("office.voucher_ranges"))
        member = None
        if form.number.data:
            member = member_by_number(db.session, actor().ring_id, int(form.number.data))
            if member is None:
                flash(_("Mitglied %(n)s gibt es nicht.", n=form.number.data), "error")
                return redirect(url_for("office.voucher_ranges"))
        try:
            issued = commit(
                lambda s: vouchers.hand_out_vouchers(
                    s,
                    actor(),
                    count=form.count.data,
                    now=context.now(),
                    member=member,
                    note=form.note.data or "",
                )
            )
        except REFUSALS as refusal:
            refused(refusal)
            return redirect(url_for("office.voucher_ranges"))
        first, last = issued.first, issued.last
        flash(_("Belegnummern %(a)s bis %(b)s sind ausgegeben.", a=first, b=last), "success")
        return redirect(url_for("office.voucher_ranges"))
    rows = db.session.execute(
        select(VoucherRange, Member)
        .outerjoin(Member, Member.id == VoucherRange.member_id)
        .where(VoucherRange.ring_id == actor().ring_id)
        .order_by(VoucherRange.first.desc())
        .limit(300)
    ).all()
    return render_template("office/voucher_ranges.html", rows=rows, form=form)


@bp.get("/belegnummern/blanko.pdf")
def blank_vouchers():
    """Print a registered blank range again (for the office's paper stock)."""
    from print.vouchers import render_blank_vouchers

    range_id = request.args.get("bereich", type=int)
    voucher_range = db.session.get(VoucherRange, range_id) if range_id and 0 < range_id < 2**31 else None
    if (
        voucher_range is None
        or voucher_range.ring_id != actor().ring_id
        or voucher_range.member_id is not None
    ):
        abort(404)
    content = render_blank_vouchers(
        vouchers.range_numbers(voucher_range), edition_cases.ring_info(db.session, actor().ring_id)
    )
    return Response(
        content,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="belege-{voucher_range.first}.pdf"'},
    )
