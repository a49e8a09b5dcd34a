"""Signing in and out, the password, the language, choosing whom to act for, and API tokens."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from .. import context, logins, tokens
from ..db import db
from ..extensions import LANGUAGES, limiter, login_manager
from ..models import Member, User
from ..units import whole_number
from .common import ACTING_KEY, REFUSALS, actor, commit, refused, refused_page
from .forms import ActForForm, EmptyForm, LoginForm, PasswordForm, TokenForm

bp = Blueprint("auth", __name__)


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    user_id, _sep, token = session_id.partition(":")
    if whole_number(user_id, max_digits=18) is None or int(user_id) >= 2**31:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or user.session_token != token:
        return None
    return user


def _safe_next(target: str | None) -> str:
    """Only same-site paths; anything else goes home."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
            return target
    return url_for("member.home")


@bp.route("/anmelden", methods=["GET", "POST"])
@limiter.limit("10 per minute; 50 per hour", methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("member.home"))
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form), 400 if request.method == "POST" else 200
    try:
        user = commit(
            lambda s: logins.sign_in(
                s, username=form.username.data, password=form.password.data, now=context.now()
            )
        )
    except REFUSALS as refusal:
        return refused_page(refusal, "auth/login.html", form=form)
    session.clear()
    login_user(user)
    return redirect(_safe_next(request.args.get("next")))


@bp.post("/abmelden")
@login_required
def logout():
    logout_user()
    session.clear()
    flash(_("Sie sind abgemeldet."))
    return redirect(url_for("auth.login"))


@bp.route("/passwort", methods=["GET", "POST"])
@login_required
def password():
    form = PasswordForm()
    page = lambda status: (  # noqa: E731
        render_template("auth/password.html", form=form, min_length=logins.MIN_PASSWORD_LENGTH),
        status,
    )
    if not form.validate_on_submit():
        return page(400 if request.method == "POST" else 200)
    try:
        user = commit(
            lambda s: logins.change_own_password(
                s, actor(), current=form.current.data, new=form.new.data, now=context.now()
            )
        )
    except REFUSALS as refusal:
        field = form.current if getattr(refusal, "code", "") == "wrong_password" else form.new
        field.errors.append(context.explain_refusal(refusal))
        return page(400)
    login_user(user)  # the session token changed: keep this session, end the others
    flash(_("Ihr Passwort ist geändert."))
    return redirect(url_for("profile.show"))


@bp.post("/sprache/<code>")
def language(code: str):
    """Switch the language of the pages (a form button: changing it writes, so it is a POST)."""
    if code not in LANGUAGES:
        abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    session["lang"] = code
    if current_user.is_authenticated:
        commit(lambda s: logins.set_locale(s, actor(), code))
    return redirect(_safe_next(request.form.get("next")))


@bp.route("/handeln-fuer", methods=["GET", "POST"])
@login_required
def act_for():
    """Helpers (and office staff) choose the member they act for; every booking records both."""
    form = ActForForm()
    if form.validate_on_submit():
        member = db.session.get(Member, int(form.member_id.data))
        if member is None:
            abort(404)
        try:
            logins.act_for(db.session, actor(), member)
        except REFUSALS as refusal:
            status = refused(refusal)
            return _act_for_page(form, 403 if status in (403, 404) else status)
        if member.id == current_user.member_id:
            session.pop(ACTING_KEY, None)
        else:
            session[ACTING_KEY] = member.id
        return redirect(url_for("member.home"))
    if request.method == "POST":
        abort(400)
    return _act_for_page(form)


def _act_for_page(form, status: int = 200):
    helped = logins.members_to_act_for(db.session, actor())
    return render_template("auth/act_for.html", own=context.own_member(), helped=helped, form=form), status


@bp.route("/api-tokens", methods=["GET", "POST"])
@login_required
def api_tokens():
    """Personal API tokens: created here (shown once), listed by name, revoked."""
    form = TokenForm()
    new_token = None
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            new_token = commit(
                lambda s: tokens.create_token(s, actor(), name=form.name.data, now=context.now())
            )[1]
            form = TokenForm(formdata=None)
        else:
            status = 400
    return render_template(
        "auth/api_tokens.html",
        form=form,
        tokens=db.session.scalars(tokens.tokens_of(actor())).all(),
        new_token=new_token,
        revoke_form=EmptyForm(),
    ), status


@bp.post("/api-tokens/<int:token_id>/widerrufen")
@login_required
def revoke_api_token(token_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        commit(lambda s: tokens.revoke_token(s, actor(), token_id=token_id, now=context.now()))
    except REFUSALS:
        abort(404)
    flash(_("Das Token ist widerrufen."), "success")
    return redirect(url_for("auth.api_tokens"))
