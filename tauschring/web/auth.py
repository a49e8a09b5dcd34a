"""Signing in and out, the password, the language, choosing whom to act for, and API tokens."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required, login_user, logout_user

from .. import context, logins, rings, sessions, tokens
from ..db import db
from ..extensions import LANGUAGES, login_manager
from ..models import Member, User
from .common import ACTING_KEY, REFUSALS, actor, commit, refused, refused_page
from .forms import ActForForm, EmptyForm, LoginForm, PasswordForm, TokenForm

bp = Blueprint("auth", __name__)


@login_manager.user_loader
def load_user(session_key: str) -> User | None:
    """The login of the cookie's session, if that session is still open on the server."""
    return sessions.user_of_session(db.session, session_key, context.now())


def _safe_next(target: str | None) -> str:
    """Only same-site paths; anything else goes home."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
            return target
    return url_for("member.home")


@bp.route("/anmelden", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("member.home"))
    form = LoginForm()
    page = {"form": form, "office": rings.sole_office(db.session)}
    if not form.validate_on_submit():
        return render_template("auth/login.html", **page), 400 if request.method == "POST" else 200
    try:
        user = commit(
            lambda s: logins.sign_in(
                s,
                username=form.username.data,
                password=form.password.data,
                client=context.client_key(),
                device=context.client_device(),
                now=context.now(),
            )
        )
    except REFUSALS as refusal:
        return refused_page(refusal, "auth/login.html", **page)
    session.clear()
    login_user(user)
    return redirect(_safe_next(request.args.get("next")))


@bp.post("/abmelden")
@login_required
def logout():
    commit(lambda s: sessions.sign_out(s, actor(), now=context.now()))
    logout_user()
    session.clear()
    flash(_("Sie sind abgemeldet."))
    return redirect(url_for("auth.login"))


@bp.get("/sitzungen")
@login_required
def sessions_page():
    """Where this login is signed in; each session can be ended (a forgotten library computer)."""
    return render_template(
        "auth/sessions.html",
        open_sessions=sessions.sessions_of(db.session, actor(), context.now()),
        current=current_user.session_id,
        lifetime_hours=int(sessions.SESSION_LIFETIME.total_seconds() // 3600),
        form=EmptyForm(),
    )


@bp.post("/sitzungen/<int:session_id>/beenden")
@login_required
def end_session(session_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        commit(lambda s: sessions.end_session(s, actor(), session_id=session_id, now=context.now()))
    except REFUSALS:
        abort(404)
    if session_id == current_user.session_id:
        logout_user()
        session.clear()
        flash(_("Sie sind abgemeldet."))
        return redirect(url_for("auth.login"))
    flash(_("Die Anmeldung ist beendet."), "success")
    return redirect(url_for("auth.sessions_page"))


@bp.post("/sitzungen/andere-beenden")
@login_required
def end_other_sessions():
    if not EmptyForm().validate_on_submit():
        abort(400)
    ended = commit(lambda s: sessions.end_other_sessions(s, actor(), now=context.now()))
    flash(
        ngettext("%(num)d andere Anmeldung ist beendet.", "%(num)d andere Anmeldungen sind beendet.", ended),
        "success",
    )
    return redirect(url_for("auth.sessions_page"))


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
        commit(
            lambda s: logins.change_own_password(
                s, actor(), current=form.current.data, new=form.new.data, now=context.now()
            )
        )
    except REFUSALS as refusal:
        field = form.current if getattr(refusal, "code", "") == "wrong_password" else form.new
        field.errors.append(context.explain_refusal(refusal))
        return page(400)
    flash(_("Ihr Passwort ist geändert. Ihre anderen Anmeldungen sind beendet."))
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
