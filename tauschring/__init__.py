"""Tauschring: hour accounts and offer listings for local exchange rings."""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

from flask import Flask, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError

from .config import defaults
from .db import configure_engine, db, sqlite_connect_args


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the application. ``test_config`` overrides the defaults and the environment."""
    instance_path = os.environ.get("TAUSCHRING_INSTANCE_PATH")
    app = Flask(__name__, instance_relative_config=True, instance_path=instance_path)
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_mapping(defaults(app.instance_path))
    app.config.from_prefixed_env("TAUSCHRING")
    if test_config:
        app.config.from_mapping(test_config)

    _init_database(app)
    _init_extensions(app)
    _init_web(app)

    from .commands import register_commands

    register_commands(app)
    return app


def _init_database(app: Flask) -> None:
    engines = dict(app.config["SQLALCHEMY_ENGINES"])
    for name, engine_config in engines.items():
        if isinstance(engine_config, str):
            engine_config = {"url": engine_config}
        if str(engine_config["url"]).startswith("sqlite"):
            engine_config = {"connect_args": sqlite_connect_args(), **engine_config}
        engines[name] = engine_config
    app.config["SQLALCHEMY_ENGINES"] = engines
    db.init_app(app)
    with app.app_context():
        for engine in db.engines.values():
            configure_engine(engine)


def _init_extensions(app: Flask) -> None:
    from .extensions import babel, csrf, limiter, login_manager, select_locale

    babel.init_app(app, locale_selector=select_locale, default_translation_directories="translations")
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.session_protection = "strong"


def _init_web(app: Flask) -> None:
    from .units import format_amount, format_day, hm
    from .web import auth, market, member, office, profile
    from .web.common import current_member, ring_unit

    for blueprint in (auth.bp, member.bp, market.bp, profile.bp, office.bp):
        app.register_blueprint(blueprint)

    @app.template_filter("amount")
    def amount_filter(minutes: int, signed: bool = False) -> str:
        return format_amount(minutes, ring_unit(), signed=signed)

    @app.template_filter("hm")
    def hm_filter(minutes: int) -> str:
        return hm(minutes)

    @app.template_filter("date")
    def date_filter(value: dt.date | dt.datetime | None) -> str:
        return format_day(value)

    @app.template_filter("when")
    def when_filter(value: dt.datetime | None) -> str:
        from flask_babel import format_datetime

        return format_datetime(value, "short") if value else ""

    @app.context_processor
    def page_context() -> dict[str, Any]:
        from flask_login import current_user

        from .extensions import select_locale

        context: dict[str, Any] = {"lang": select_locale(), "ring_name": "Tauschring"}
        if current_user.is_authenticated:
            import ledger

            context["acting"] = current_member()
            ring = db.session.get(ledger.Ring, current_user.ring_id)
            context["ring_name"] = ring.name if ring else "Tauschring"
        return context

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy", "default-src 'self'; img-src 'self' data:; form-action 'self'"
        )
        if request.endpoint and not request.endpoint.startswith("static"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    def error_page(status: int, title: str, text: str):
        return render_template("error.html", status=status, title=title, text=text), status

    @app.errorhandler(400)
    def bad_request(error):
        return error_page(400, _("Ungültige Anfrage"), _("Die Anfrage konnte nicht verarbeitet werden."))

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return error_page(
            400,
            _("Formular abgelaufen"),
            _(
                "Das Formular war zu alt oder unvollständig. "
                "Bitte laden Sie die Seite neu und versuchen Sie es noch einmal."
            ),
        )

    @app.errorhandler(403)
    def forbidden(error):
        return error_page(403, _("Kein Zugriff"), _("Diese Seite ist für Sie nicht freigegeben."))

    @app.errorhandler(404)
    def not_found(error):
        return error_page(404, _("Nicht gefunden"), _("Diese Seite gibt es nicht."))

    @app.errorhandler(405)
    def not_allowed(error):
        return error_page(405, _("Nicht erlaubt"), _("Diese Aktion ist hier nicht möglich."))

    @app.errorhandler(429)
    def too_many(error):
        return error_page(
            429, _("Zu viele Versuche"), _("Zu viele Anmeldeversuche. Bitte warten Sie eine Minute.")
        )
