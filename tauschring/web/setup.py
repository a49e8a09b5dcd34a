"""Setting up: an instance without a ring shows how to found one, and the one-time links that the
console prints found the first ring or set an admin's first password. Nobody without the link
can claim the instance."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from .. import context, errors, founding, logins
from ..db import db
from .common import REFUSALS, commit, refused_page
from .forms import FoundRingForm, NewPasswordForm

bp = Blueprint("setup", __name__)
MIN = logins.MIN_PASSWORD_LENGTH

# Once a ring exists, an instance never asks again (a flag per process; founding sets it).
FOUNDED = "tauschring.founded"


def waiting_for_a_ring():
    """Before any other page: an instance without a ring shows how to found one."""
    if current_app.extensions.get(FOUNDED):
        return None
    if request.endpoint in (None, "static") or (request.blueprint or "") in (
        "setup",
        "ops",
        "api",
        "api_docs",
    ):
        return None
    if request.path.startswith("/api/"):
        return None
    if founding.has_rings(db.session):
        current_app.extensions[FOUNDED] = True
        return None
    return render_template("setup/waiting.html"), 503, {"Retry-After": "60"}


@bp.route("/einrichten/<token>", methods=["GET", "POST"])
def setup(token: str):
    try:
        link = founding.link_for(db.session, token, context.now())
    except errors.SetupLinkInvalid as refusal:
        return refused_page(refusal, "setup/invalid.html")
    if link.purpose == "password":
        return _first_password(token)
    form = FoundRingForm()
    if not form.validate_on_submit():
        return render_template(
            "setup/found.html", form=form, min_length=MIN
        ), 400 if request.method == "POST" else 200
    try:
        commit(
            lambda s: founding.found_by_link(
                s,
                token,
                name=form.name.data,
                slug=form.slug.data,
                admin_username=form.username.data,
                admin_password=form.new.data,
                now=context.now(),
            )
        )
    except REFUSALS as refusal:
        return refused_page(refusal, "setup/found.html", form=form, min_length=MIN)
    current_app.extensions[FOUNDED] = True
    flash(
        _(
            "Der Tauschring %(name)s ist gegründet. Melden Sie sich als %(user)s an.",
            name=form.name.data.strip(),
            user=form.username.data.strip().lower(),
        )
    )
    return redirect(url_for("auth.login"))


def _first_password(token: str):
    form = NewPasswordForm()
    if not form.validate_on_submit():
        return render_template(
            "setup/password.html", form=form, min_length=MIN
        ), 400 if request.method == "POST" else 200
    try:
        user = commit(
            lambda s: founding.set_password_by_link(s, token, password=form.new.data, now=context.now())
        )
    except REFUSALS as refusal:
        return refused_page(refusal, "setup/password.html", form=form, min_length=MIN)
    flash(_("Das Passwort ist gesetzt. Melden Sie sich als %(user)s an.", user=user.username))
    return redirect(url_for("auth.login"))
