"""Moving in at the office desk: read a file of the ring's old system, see every line checked, map
unknown Rubriken, take it over. The rules are use cases in ``imports``; these views parse the
forms and show the outcome."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

import ledger

from ... import context, imports
from ...db import db
from ...imports import formats, template
from ...models import ImportBatch, User
from ...rings import categories_of
from ..common import REFUSALS, actor, commit, refused
from . import bp
from .forms import EmptyForm, ImportPostForm, MovingInForm

KIND_SLUGS = {"mitglieder": "members", "inserate": "listings", "kontostaende": "balances"}


def _users(ring_id: int) -> dict[int, str]:
    return {u.id: u.display_name for u in db.session.scalars(select(User).where(User.ring_id == ring_id))}


def _import(import_id: int) -> ImportBatch:
    try:
        return imports.import_for(db.session, actor(), import_id)
    except REFUSALS:
        abort(404)


def _list_page(form: MovingInForm | None = None, status: int = 200):
    ring_id = actor().ring_id
    rows = db.session.scalars(
        select(ImportBatch).where(ImportBatch.ring_id == ring_id).order_by(ImportBatch.id.desc())
    ).all()
    columns = {
        kind: [(c, template.hint(c.field)) for c in formats.template_columns(kind)] for kind in formats.KINDS
    }
    return render_template(
        "office/imports.html",
        batches=rows,
        form=form or MovingInForm(),
        columns=columns,
        slugs={kind: slug for slug, kind in KIND_SLUGS.items()},
        users=_users(ring_id),
    ), status


@bp.get("/umzug")
def moving_in():
    return _list_page()


@bp.post("/umzug")
def read_file():
    form = MovingInForm()
    if not form.validate_on_submit():
        return _list_page(form, 400)
    raw = form.file.data.read(imports.reading.MAX_BYTES + 1)
    filename = form.file.data.filename or "import.csv"
    try:
        batch_id = commit(
            lambda s: (
                imports.stage_import(
                    s,
                    actor(),
                    kind=form.kind.data,
                    source=form.source.data,
                    filename=filename,
                    raw=raw,
                    now=context.now(),
                ).id
            )
        )
    except REFUSALS as refusal:
        return _list_page(form, refused(refusal))
    flash(_("Die Datei ist eingelesen und geprüft. Noch ist nichts übernommen."), "success")
    return redirect(url_for("office.moving_in_file", import_id=batch_id))


@bp.get("/umzug/<int:import_id>")
def moving_in_file(import_id: int):
    batch = _import(import_id)
    checked = imports.check_import(db.session, batch, today=context.today())
    return render_template(
        "office/import.html",
        batch=batch,
        checked=checked,
        categories=categories_of(db.session, batch.ring_id),
        post_form=ImportPostForm(),
        action_form=EmptyForm(),
        users=_users(batch.ring_id),
    )


@bp.post("/umzug/<int:import_id>/rubriken")
def map_file_categories(import_id: int):
    batch = _import(import_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    mapping = {}
    for index in range(500):
        name = request.form.get(f"name-{index}")
        if name is None:
            break
        chosen = request.form.get(f"rubrik-{index}", "")
        mapping[name] = int(chosen) if chosen.isascii() and chosen.isdigit() and len(chosen) < 10 else None
    try:
        changed = commit(lambda s: imports.map_categories(s, actor(), batch, mapping, now=context.now()))
    except REFUSALS as refusal:
        refused(refusal)
    else:
        if changed:
            flash(_("Zuordnung gespeichert."), "success")
    return redirect(url_for("office.moving_in_file", import_id=batch.id))


@bp.post("/umzug/<int:import_id>/uebernehmen")
def take_over(import_id: int):
    batch = _import(import_id)
    form = ImportPostForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        outcome = commit(
            lambda s: imports.post_import(
                s, actor(), batch, now=context.now(), clean_only=form.clean_only.data
            )
        )
    except ledger.LedgerError as refusal:
        flash(_("Nichts übernommen: %(reason)s", reason=context.explain_refusal(refusal)), "error")
    except REFUSALS as refusal:
        refused(refusal)
    else:
        flash(
            ngettext(
                "Übernommen: %(num)d Zeile.",
                "Übernommen: %(num)d Zeilen.",
                outcome.created,
            )
            + (" " + _("Die Buchhaltung ist geprüft und in Ordnung.") if outcome.verify is not None else ""),
            "success",
        )
    return redirect(url_for("office.moving_in_file", import_id=batch.id))


@bp.post("/umzug/<int:import_id>/verwerfen")
def discard_file(import_id: int):
    batch = _import(import_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        commit(lambda s: imports.discard_import(s, actor(), batch, now=context.now()))
    except REFUSALS as refusal:
        refused(refusal)
        return redirect(url_for("office.moving_in_file", import_id=batch.id))
    return redirect(url_for("office.moving_in"))


@bp.get("/umzug/vorlage-<kind>.<ext>")
def template_file(kind: str, ext: str):
    """The template to fill in, as CSV or XLSX, with German column names."""
    if kind not in KIND_SLUGS or ext not in ("csv", "xlsx"):
        abort(404)
    if ext == "csv":
        content, mimetype = template.template_csv(KIND_SLUGS[kind]), "text/csv; charset=utf-8"
    else:
        content = template.template_xlsx(KIND_SLUGS[kind])
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(
        content,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="vorlage-{kind}.{ext}"'},
    )
