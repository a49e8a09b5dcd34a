"""The treasurer's pages: closings (Abschlüsse), statistics with charts, the annual report,
journals for hledger, ledger-cli and beancount, and activity care (Mitgliederpflege)."""

from __future__ import annotations

import datetime as dt

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import select

import ledger
from print.annual_report import render_annual_report
from print.charts import chart_svg
from print.letters import render_letters

from ... import care, closing, context, editions, reports, statistics
from ...db import db
from ...fees import period_bounds
from ...members import member_by_number
from ...models import User
from ...rings import settings_of
from ...units import format_amount
from ..common import REFUSALS, actor, commit, refused
from . import bp
from .forms import CloseMonthForm, CloseYearForm, OutreachForm, ReopenForm


def _ring_id() -> int:
    return actor().ring_id


def _download(content: str | bytes, filename: str, mimetype: str) -> Response:
    return Response(
        content,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _amount():
    unit = context.ring_unit()
    return lambda minutes: format_amount(minutes, unit)


# ---------------------------------------------------------------------------------------------
# Abschlüsse


@bp.get("/abschluesse")
def closings():
    ring_id = _ring_id()
    found = ledger.closings(db.session, ring_id)
    active = [c for c in found if c.active]
    latest = active[0] if active else None
    users = {u.id: u.display_name for u in db.session.scalars(select(User).where(User.ring_id == ring_id))}
    today = context.today()
    return render_template(
        "office/closings.html",
        closings=found,
        latest=latest,
        proposal=closing.proposal(db.session, ring_id, today),
        closed_through=ledger.closed_through(db.session, ring_id),
        users=users,
        month_form=CloseMonthForm(),
        year_form=CloseYearForm(year=today.year - 1),
        reopen_form=ReopenForm(),
        verify=ledger.verify(db.session, ring_id),
    )


@bp.post("/abschluesse/monat")
def close_month():
    form = CloseMonthForm()
    if not form.validate_on_submit():
        abort(400)
    period = form.period.data
    try:
        commit(lambda s: closing.close_month(s, actor(), period=period, now=context.now()))
    except REFUSALS as refusal:
        refused(refusal)
        return redirect(url_for("office.closings"))
    flash(_("Der Monat %(p)s ist abgeschlossen.", p=period), "success")
    return redirect(url_for("office.closings"))


@bp.post("/abschluesse/jahr")
def close_year():
    form = CloseYearForm()
    if not form.validate_on_submit():
        flash(_("Bitte ein Jahr zwischen 2000 und 2100 angeben."), "error")
        return redirect(url_for("office.closings"))
    year = form.year.data
    try:
        commit(lambda s: closing.close_year(s, actor(), year=year, now=context.now()))
    except REFUSALS as refusal:
        refused(refusal)
        return redirect(url_for("office.closings"))
    flash(_("Das Jahr %(y)s ist abgeschlossen.", y=year), "success")
    return redirect(url_for("office.closings"))


@bp.post("/abschluesse/<int:closing_id>/oeffnen")
def reopen_closing(closing_id: int):
    form = ReopenForm()
    if not form.validate_on_submit():
        flash(_("Bitte geben Sie einen Grund an."), "error")
        return redirect(url_for("office.closings"))
    try:
        commit(
            lambda s: closing.reopen(
                s, actor(), closing_id=closing_id, reason=form.reason.data, now=context.now()
            )
        )
    except REFUSALS as refusal:
        status = refused(refusal)
        if status == 403:
            abort(403)
        return redirect(url_for("office.closings"))
    flash(_("Der Abschluss ist wieder geöffnet."), "success")
    return redirect(url_for("office.closings"))


# ---------------------------------------------------------------------------------------------
# Statistik


def _statistics_period() -> tuple[dt.date, dt.date]:
    today = context.today()
    try:
        start = context.read_day(request.args.get("von")) or dt.date(today.year, 1, 1)
        end = context.read_day(request.args.get("bis")) or today
        statistics.check_period(start, end)
    except REFUSALS:
        abort(400)
    return start, end


@bp.get("/statistik")
def statistics_page():
    start, end = _statistics_period()
    amount = _amount()
    found = statistics.figures(db.session, _ring_id(), start, end)
    tables = statistics.chart_tables(found, amount)
    charts = [(table, Markup(chart_svg(table.chart))) for table in tables]  # noqa: S704 (SVG drawn by us, text escaped)
    today = context.today()
    return render_template(
        "office/statistics.html",
        found=found,
        charts=charts,
        start=start,
        end=end,
        years=list(range(today.year, today.year - 6, -1)),
        settings=settings_of(db.session, _ring_id()),
    )


@bp.get("/statistik/monate.csv")
def statistics_months_csv():
    start, end = _statistics_period()
    found = statistics.figures(db.session, _ring_id(), start, end)
    return _download(statistics.figures_csv(found), f"statistik-{start}-{end}.csv", "text/csv")


@bp.get("/statistik/<key>.csv")
def statistics_csv(key: str):
    start, end = _statistics_period()
    found = statistics.figures(db.session, _ring_id(), start, end)
    table = next((t for t in statistics.chart_tables(found, _amount()) if t.chart.key == key), None)
    if table is None:
        abort(404)
    return _download(statistics.chart_csv(table), f"{key}-{start}-{end}.csv", "text/csv")


@bp.get("/statistik/jahresbericht-<int:year>.pdf")
def annual_report(year: int):
    try:
        data, _found = statistics.annual_report(
            db.session, _ring_id(), year, today=context.today(), format_minutes=_amount()
        )
    except REFUSALS:
        abort(404)
    return _download(render_annual_report(data), f"jahresbericht-{year}.pdf", "application/pdf")


# ---------------------------------------------------------------------------------------------
# Journale


@bp.get("/berichte/journal")
def journal_download():
    args = request.args
    fmt = args.get("format", "ledger")
    unit = {"minuten": "minutes", "stunden": "hours"}.get(args.get("einheit", "minuten"))
    if fmt not in reports.JOURNAL_FORMATS or unit is None:
        abort(400)
    period = (args.get("zeitraum") or "").strip()
    start = end = None
    try:
        if len(period) == 4 and period.isascii() and period.isdigit():
            start, end = closing.year_bounds(int(period))
        elif period:
            start, end = period_bounds(period)
    except REFUSALS:
        abort(400)
    try:
        text = reports.journal(
            db.session, _ring_id(), fmt=fmt, unit=unit, start=start, end=end, now=context.now()
        )
    except REFUSALS as refusal:
        refused(refusal)
        return redirect(url_for("office.reports_page"))
    suffix = "beancount" if fmt == "beancount" else "journal"
    name = f"tauschring-{period or context.today().isoformat()}-{args.get('einheit', 'minuten')}.{suffix}"
    return _download(text, name, "text/plain")


# ---------------------------------------------------------------------------------------------
# Mitgliederpflege


def _months() -> int:
    value = request.args.get("monate", "6")
    if not (value.isascii() and value.isdigit() and 1 <= int(value) <= care.MAX_MONTHS):
        abort(400)
    return int(value)


@bp.get("/pflege")
def care_page():
    months = _months()
    lines = care.care_list(db.session, actor(), months=months, today=context.today())
    users = {u.id: u.display_name for u in db.session.scalars(select(User).where(User.ring_id == _ring_id()))}
    return render_template(
        "office/care.html",
        lines=lines,
        months=months,
        users=users,
        form=OutreachForm(),
        paper=sum(1 for line in lines if line.member.paper_member),
    )


@bp.get("/pflege/briefe.pdf")
def care_letters():
    months = _months()
    only = request.args.get("anlass")
    lines = care.care_list(db.session, actor(), months=months, today=context.today())
    settings = settings_of(db.session, _ring_id())
    letters = [
        care.letter_for(
            line, today=context.today(), office_phone=settings.office_phone, format_minutes=_amount()
        )
        for line in lines
        if line.member.paper_member and (only is None or line.reason == only)
    ]
    info = editions.ring_info(db.session, _ring_id())
    pdf = render_letters(letters, info, title="Briefe der Mitgliederpflege")
    return _download(pdf, f"pflege-briefe-{context.today().isoformat()}.pdf", "application/pdf")


@bp.post("/pflege/<int:number>/kontakt")
def record_outreach(number: int):
    form = OutreachForm()
    if not form.validate_on_submit():
        flash(_("Bitte Anlass und Art des Kontakts wählen."), "error")
        return redirect(url_for("office.care_page"))
    member = member_by_number(db.session, _ring_id(), number)
    if member is None:
        abort(404)
    try:
        commit(
            lambda s: care.record_outreach(
                s,
                actor(),
                member,
                reason=form.reason.data,
                channel=form.channel.data,
                note=form.note.data or "",
                now=context.now(),
            )
        )
    except REFUSALS as refusal:
        refused(refusal)
        return redirect(url_for("office.care_page"))
    flash(_("Kontakt zu Mitglied %(n)s festgehalten.", n=number), "success")
    return redirect(url_for("office.care_page", monate=request.args.get("monate", "6")))
