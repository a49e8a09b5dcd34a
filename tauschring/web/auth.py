"""Signing in and out, the password, the language, and choosing whom a helper acts for."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from ..db import db
from ..extensions import LANGUAGES, limiter, login_manager
from ..members import (
    MIN_PASSWORD_LENGTH,
    MemberError,
    change_password,
    helped_members,
    may_act_for,
    verify_password,
)
from ..models import Member, User
from ..units import whole_number
from .common import ACTING_KEY, commit, now
from .forms import ActForForm, LoginForm, PasswordForm

bp = Blueprint("auth", __name__)

# Checked when the username is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = generate_password_hash("no such user, no such password")


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    user_id, _sep, token = session_id.partition(":")
    if whole_number(user_id, max_digits=18) is None:
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
    user = db.session.scalar(select(User).where(User.username == form.username.data.strip().lower()))
    if user is None:
        check_password_hash(_DUMMY_HASH, form.password.data)
    if user is None or not user.active or not verify_password(user, form.password.data):
        flash(_("Benutzername oder Passwort stimmt nicht."), "error")
        return render_template("auth/login.html", form=form), 401

    def sign_in(db_session):
        signed = db_session.get(User, user.id)
        signed.last_login_at = now()
        return signed

    commit(sign_in)
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
    if not form.validate_on_submit():
        return render_template("auth/password.html", form=form, min_length=MIN_PASSWORD_LENGTH), (
            400 if request.method == "POST" else 200
        )
    if not verify_password(current_user, form.current.data):
        form.current.errors.append(_("Das bisherige Passwort stimmt nicht."))
        return render_template("auth/password.html", form=form, min_length=MIN_PASSWORD_LENGTH), 400

    def update(db_session):
        user = db_session.get(User, current_user.id)
        change_password(user, form.new.data, now())
        return user

    try:
        user = commit(update)
    except MemberError:
        form.new.errors.append(_("Dieses Passwort ist nicht erlaubt."))
        return render_template("auth/password.html", form=form, min_length=MIN_PASSWORD_LENGTH), 400
    login_user(user)  # the session token changed: keep this session, end the others
    flash(_("Ihr Passwort ist geändert."))
    return redirect(url_for("profile.show"))


@bp.get("/sprache/<code>")
def language(code: str):
    if code not in LANGUAGES:
        abort(404)
    session["lang"] = code
    if current_user.is_authenticated:

        def remember(db_session):
            db_session.get(User, current_user.id).locale = code

        commit(remember)
    return redirect(_safe_next(request.args.get("next")))


@bp.route("/handeln-fuer", methods=["GET", "POST"])
@login_required
def act_for():
    """Helpers (and office staff) choose the member they act for; every booking records both."""
    form = ActForForm()
    if form.validate_on_submit():
        member = db.session.get(Member, int(form.member_id.data))
        if member is None or not may_act_for(db.session, current_user, member):
            abort(403)
        if member.id == current_user.member_id:
            session.pop(ACTING_KEY, None)
        else:
            session[ACTING_KEY] = member.id
        return redirect(url_for("member.home"))
    if request.method == "POST":
        abort(400)
    own = db.session.get(Member, current_user.member_id) if current_user.member_id else None
    return render_template(
        "auth/act_for.html", own=own, helped=helped_members(db.session, current_user), form=form
    )


@bp.route("/api-tokens", methods=["GET", "POST"])
@login_required
def api_tokens():
    """Personal API tokens: created here (shown once), listed by name, revoked."""
    from ..api.auth import create_token
    from ..models import ApiToken
    from .forms import EmptyForm, TokenForm

    form = TokenForm()
    new_token = None
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():

            def work(db_session):
                return create_token(db_session, db_session.get(User, current_user.id), form.name.data, now())[
                    1
                ]

            new_token = commit(work)
            form = TokenForm(formdata=None)
        else:
            status = 400
    tokens = db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == current_user.id).order_by(ApiToken.created_at.desc())
    ).all()
    return render_template(
        "auth/api_tokens.html", form=form, tokens=tokens, new_token=new_token, revoke_form=EmptyForm()
    ), status


@bp.post("/api-tokens/<int:token_id>/widerrufen")
@login_required
def revoke_api_token(token_id: int):
    from ..api.auth import revoke_token
    from ..models import ApiToken
    from .forms import EmptyForm

    if not EmptyForm().validate_on_submit():
        abort(400)
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != current_user.id:
        abort(404)
    commit(lambda db_session: revoke_token(db_session.get(ApiToken, token_id), now()))
    flash(_("Das Token ist widerrufen."), "success")
    return redirect(url_for("auth.api_tokens"))
