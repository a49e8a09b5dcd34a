"""Editions of the Marktzeitung at the office: create, fill (Termine, news), generate, download;
and the register of voucher numbers handed out."""

from __future__ import annotations

import datetime as dt

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, DateField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from ...db import db
from ...editions import EditionError, create_edition, generate_edition, issue_vouchers, month_label
from ...models import EDITION_FILES, Edition, EditionEvent, EditionFile, EditionNews, Member, VoucherRange
from ..common import commit, now, today
from . import bp, office_event
from .forms import EmptyForm


class EditionForm(FlaskForm):
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


class EventForm(FlaskForm):
    date = DateField(_l("Datum"), validators=[DataRequired(_l("Bitte geben Sie ein Datum an."))])
    time = StringField(
        _l("Uhrzeit (HH:MM, freiwillig)"), validators=[Optional(), Regexp(r"^([01]\d|2[0-3]):[0-5]\d$")]
    )
    title = StringField(_l("Was"), validators=[DataRequired(), Length(max=200)])
    place = StringField(_l("Wo (freiwillig)"), validators=[Optional(), Length(max=200)])
    text = TextAreaField(_l("Text (freiwillig)"), validators=[Optional(), Length(max=2000)])


class NewsForm(FlaskForm):
    title = StringField(_l("Überschrift"), validators=[DataRequired(), Length(max=200)])
    text = TextAreaField(_l("Text"), validators=[DataRequired(), Length(max=8000)])


class RangeForm(FlaskForm):
    count = IntegerField(_l("Anzahl Belegnummern"), validators=[DataRequired(), NumberRange(1, 1000)])
    number = StringField(
        _l("an Mitglied Nr. (leer = Büro, blanko)"), validators=[Optional(), Regexp(r"^\d{1,9}$")]
    )
    note = StringField(_l("Vermerk"), validators=[Optional(), Length(max=200)])


def _edition(edition_id: int) -> Edition:
    edition = db.session.get(Edition, edition_id)
    if edition is None or edition.ring_id != current_user.ring_id:
        abort(404)
    return edition


def _event(session, action: str, edition_id, summary: str, before=None, after=None) -> None:
    office_event(session, action, "edition", edition_id, summary, before=before, after=after)


@bp.get("/ausgaben")
def editions():
    rows = db.session.scalars(
        select(Edition).where(Edition.ring_id == current_user.ring_id).order_by(Edition.number.desc())
    ).all()
    form = EditionForm()
    next_month = (today().replace(day=28) + dt.timedelta(days=5)).replace(day=1)
    form.month.data = f"{next_month.year:04d}-{next_month.month:02d}"
    form.cutoff.data = today()
    form.next_cutoff.data = today() + dt.timedelta(days=28)
    paper = db.session.scalars(
        select(Member).where(
            Member.ring_id == current_user.ring_id, Member.paper_member.is_(True), Member.status == "active"
        )
    ).all()
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

    def work(session):
        edition = create_edition(
            session,
            ring_id=current_user.ring_id,
            year=year,
            month=month,
            cutoff=form.cutoff.data,
            next_cutoff=form.next_cutoff.data,
            now=now(),
            user_id=current_user.id,
            show_contact_list=form.show_contact_list.data,
        )
        _event(session, "edition.create", edition.id, _("Ausgabe %(m)s angelegt", m=month_label(edition)))
        return edition.id

    try:
        edition_id = commit(work)
    except EditionError as error:
        flash(str(error), "error")
        return redirect(url_for("office.editions"))
    return redirect(url_for("office.edition", edition_id=edition_id))


@bp.get("/ausgaben/<int:edition_id>")
def edition(edition_id: int):
    found = _edition(edition_id)
    files = db.session.execute(
        select(EditionFile.name, EditionFile.pages, EditionFile.sha256, EditionFile.created_at).where(
            EditionFile.edition_id == found.id
        )
    ).all()
    order = {name: i for i, name in enumerate(EDITION_FILES)}
    return render_template(
        "office/edition.html",
        edition=found,
        files=sorted(files, key=lambda f: order[f.name]),
        event_form=EventForm(),
        news_form=NewsForm(),
        action_form=EmptyForm(),
        label=month_label(found),
    )


@bp.post("/ausgaben/<int:edition_id>/termine")
def add_event(edition_id: int):
    found = _edition(edition_id)
    form = EventForm()
    if not form.validate_on_submit():
        flash(_("Bitte Datum und „Was“ angeben (Uhrzeit als HH:MM)."), "error")
        return redirect(url_for("office.edition", edition_id=found.id))

    def work(session):
        session.add(
            EditionEvent(
                edition_id=found.id,
                date=form.date.data,
                time=form.time.data or None,
                title=form.title.data.strip(),
                place=(form.place.data or "").strip() or None,
                text=(form.text.data or "").strip() or None,
            )
        )
        _event(session, "edition.event", found.id, _("Termin „%(t)s“ eingetragen", t=form.title.data.strip()))

    commit(work)
    return redirect(url_for("office.edition", edition_id=found.id))


@bp.post("/ausgaben/<int:edition_id>/artikel")
def add_news(edition_id: int):
    found = _edition(edition_id)
    form = NewsForm()
    if not form.validate_on_submit():
        flash(_("Bitte Überschrift und Text angeben."), "error")
        return redirect(url_for("office.edition", edition_id=found.id))

    def work(session):
        position = len(session.get(Edition, found.id).news) + 1
        session.add(
            EditionNews(
                edition_id=found.id,
                position=position,
                title=form.title.data.strip(),
                text=form.text.data.strip(),
            )
        )
        _event(session, "edition.news", found.id, _("Artikel „%(t)s“ eingetragen", t=form.title.data.strip()))

    commit(work)
    return redirect(url_for("office.edition", edition_id=found.id))


@bp.post("/ausgaben/<int:edition_id>/termine/<int:item_id>/loeschen")
def remove_event(edition_id: int, item_id: int):
    return _remove(edition_id, EditionEvent, item_id)


@bp.post("/ausgaben/<int:edition_id>/artikel/<int:item_id>/loeschen")
def remove_news(edition_id: int, item_id: int):
    return _remove(edition_id, EditionNews, item_id)


def _remove(edition_id: int, model, item_id: int):
    found = _edition(edition_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    item = db.session.get(model, item_id)
    if item is None or item.edition_id != found.id:
        abort(404)

    def work(session):
        target = session.get(model, item_id)
        _event(session, "edition.remove", found.id, _("„%(t)s“ entfernt", t=target.title))
        session.delete(target)

    commit(work)
    return redirect(url_for("office.edition", edition_id=found.id))


@bp.post("/ausgaben/<int:edition_id>/erzeugen")
def generate(edition_id: int):
    found = _edition(edition_id)
    if not EmptyForm().validate_on_submit():
        abort(400)

    def work(session):
        done = generate_edition(session, session.get(Edition, found.id), now=now(), user_id=current_user.id)
        _event(
            session,
            "edition.generate",
            found.id,
            _("Ausgabe %(m)s erzeugt", m=month_label(found)),
            after={
                "listings": done.listings,
                "print_run": done.print_run,
                "large_print_run": done.large_print_run,
            },
        )
        return done

    done = commit(work)
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
    return redirect(url_for("office.edition", edition_id=found.id))


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
            member = db.session.scalar(
                select(Member).where(
                    Member.ring_id == current_user.ring_id, Member.number == int(form.number.data)
                )
            )
            if member is None:
                flash(_("Mitglied %(n)s gibt es nicht.", n=form.number.data), "error")
                return redirect(url_for("office.voucher_ranges"))

        def work(session):
            issued = issue_vouchers(
                session,
                ring_id=current_user.ring_id,
                count=form.count.data,
                now=now(),
                user_id=current_user.id,
                member_id=member.id if member else None,
                note=(form.note.data or "").strip(),
            )
            office_event(
                session,
                action="vouchers.issue",
                object_type="voucher_range",
                object_id=issued.id,
                summary=_("Belegnummern %(a)s–%(b)s ausgegeben", a=issued.first, b=issued.last),
                after={"member": member.number if member else None},
            )
            return issued.first, issued.last

        first, last = commit(work)
        flash(_("Belegnummern %(a)s bis %(b)s sind ausgegeben.", a=first, b=last), "success")
        return redirect(url_for("office.voucher_ranges"))
    rows = db.session.execute(
        select(VoucherRange, Member)
        .outerjoin(Member, Member.id == VoucherRange.member_id)
        .where(VoucherRange.ring_id == current_user.ring_id)
        .order_by(VoucherRange.first.desc())
        .limit(300)
    ).all()
    return render_template("office/voucher_ranges.html", rows=rows, form=form)


@bp.get("/belegnummern/blanko.pdf")
def blank_vouchers():
    """Print a registered blank range again (for the office's paper stock)."""
    from print.vouchers import render_blank_vouchers

    from ...editions import range_numbers, ring_info

    range_id = request.args.get("bereich", type=int)
    voucher_range = db.session.get(VoucherRange, range_id) if range_id else None
    if (
        voucher_range is None
        or voucher_range.ring_id != current_user.ring_id
        or voucher_range.member_id is not None
    ):
        abort(404)
    content = render_blank_vouchers(range_numbers(voucher_range), ring_info(db.session, current_user.ring_id))
    return Response(
        content,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="belege-{voucher_range.first}.pdf"'},
    )
