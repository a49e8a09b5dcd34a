"""The Rubriken, as the admin keeps them: add, rename, reorder, retire (their listings moved)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from ... import context, rings
from ...db import db
from ...units import whole_number
from ..common import REFUSALS, actor, commit, refused
from . import bp


def _page(status: int = 200):
    categories = rings.categories_of(db.session, actor().ring_id)
    return render_template("office/categories.html", categories=categories), status


def _number(name: str) -> int:
    value = whole_number(request.form.get(name))
    if value is None or value >= 2**31:
        abort(400)
    return value


@bp.route("/rubriken", methods=["GET", "POST"])
def categories():
    if not actor().is_admin:
        abort(403)
    if request.method == "GET":
        return _page()
    action = request.form.get("action")
    now = context.now()
    try:
        if action == "add":
            name = request.form.get("name", "")
            commit(lambda s: rings.add_category(s, actor(), name=name, now=now))
            flash(_("Die Rubrik „%(name)s“ ist angelegt.", name=" ".join(name.split())), "success")
        elif action == "rename":
            category_id, name = _number("category_id"), request.form.get("name", "")
            commit(lambda s: rings.rename_category(s, actor(), category_id, name=name, now=now))
            flash(_("Die Rubrik heißt jetzt „%(name)s“.", name=" ".join(name.split())), "success")
        elif action in ("up", "down"):
            category_id = _number("category_id")
            by = -1 if action == "up" else 1
            commit(lambda s: rings.move_category(s, actor(), category_id, by=by, now=now))
        elif action == "retire":
            category_id, into_id = _number("category_id"), _number("into_id")
            moved = commit(lambda s: rings.retire_category(s, actor(), category_id, into_id=into_id, now=now))
            flash(
                ngettext(
                    "Die Rubrik ist aufgelöst; %(num)d Inserat wurde verschoben.",
                    "Die Rubrik ist aufgelöst; %(num)d Inserate wurden verschoben.",
                    moved,
                ),
                "success",
            )
        else:
            abort(400)
    except REFUSALS as refusal:
        return _page(refused(refusal))
    return redirect(url_for("office.categories"))
