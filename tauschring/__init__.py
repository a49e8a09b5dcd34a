"""Tauschring: hour accounts and offer listings for local exchange rings."""

from __future__ import annotations

import datetime as dt
import os
import traceback
from typing import Any

from flask import Flask, render_template, request
from flask.cli import FlaskGroup
from flask.json.provider import DefaultJSONProvider
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.routing import IntegerConverter

from . import inputs  # the rule for text, which also guards every flush
from .config import defaults
from .db import configure_engine, db, engine_options, is_unavailable
from .files import private_folder


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the application. ``test_config`` overrides the defaults and the environment."""
    instance_path = os.environ.get("TAUSCHRING_INSTANCE_PATH")
    app = Flask(__name__, instance_relative_config=True, instance_path=instance_path)
    private_folder(app.instance_path)
    app.config.from_mapping(defaults(app.instance_path))
    app.config.from_prefixed_env("TAUSCHRING")
    if test_config:
        app.config.from_mapping(test_config)

    _init_database(app)
    _init_extensions(app)
    _init_web(app)

    from .api import init_api

    init_api(app)

    from .cli import register_commands

    register_commands(app)
    return app


def _init_database(app: Flask) -> None:
    engines = dict(app.config["SQLALCHEMY_ENGINES"])
    for name, engine_config in engines.items():
        if isinstance(engine_config, str):
            engine_config = {"url": engine_config}
        timeout = app.config.get("STATEMENT_TIMEOUT_MS")
        engine_config = {**engine_options(str(engine_config["url"]), timeout), **engine_config}
        engines[name] = engine_config
    app.config["SQLALCHEMY_ENGINES"] = engines
    db.init_app(app)
    from .monitoring import watch_pool

    with app.app_context():
        for engine in db.engines.values():
            configure_engine(engine)
            watch_pool(engine)


def _init_extensions(app: Flask) -> None:
    from werkzeug.middleware.proxy_fix import ProxyFix

    from .extensions import SchemeSessionInterface, babel, csrf, login_manager, select_locale

    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies:
        app.wsgi_app = ProxyFix(
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies, x_prefix=proxies
        )
    if isinstance(app.config.get("SESSION_COOKIE_SECURE"), str):
        value = app.config["SESSION_COOKIE_SECURE"].strip().lower()
        app.config["SESSION_COOKIE_SECURE"] = "auto" if value == "auto" else value in ("1", "true", "yes")
    app.session_interface = SchemeSessionInterface()

    babel.init_app(app, locale_selector=select_locale, default_translation_directories="translations")
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.session_protection = "strong"


# How long a person or program is asked to wait when the database is busy or reconnecting.
RETRY_AFTER_S = 5


class DatabaseInt(IntegerConverter):
    """An id or number in a path, within the database's integers: a larger one is simply not
    found (404), never an overflow in the database driver."""

    def __init__(
        self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = 2**31 - 1, signed=False
    ):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


class BoundedJSON(DefaultJSONProvider):
    """JSON in requests, refused as bad input (400) when nested too deep for Python to read."""

    def loads(self, s, **kwargs):
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("JSON nested too deeply") from None


def _init_web(app: Flask) -> None:
    app.url_map.converters["int"] = DatabaseInt
    app.json = BoundedJSON(app)
    from . import context, errors
    from .names import display_name
    from .units import format_amount, format_day, hm
    from .web import auth, market, member, office, ops, profile, setup
    from .web.common import current_member

    # ops first: its request id and timing wrap every other hook of a request.
    for blueprint in (ops.bp, auth.bp, member.bp, market.bp, profile.bp, office.bp, setup.bp):
        app.register_blueprint(blueprint)

    @app.before_request
    def query_follows_the_text_rule() -> None:
        """A search or filter in the address holds text like any form: the same rule, refused
        before any page reads it (PostgreSQL cannot even compare a text with NUL in it)."""
        for name, values in request.args.lists():
            if any(inputs.problem(value) for value in values):
                raise errors.TextInvalid(field=name)

    @app.template_filter("amount")
    def amount_filter(minutes: int, signed: bool = False) -> str:
        return format_amount(minutes, context.ring_unit(), signed=signed)

    @app.template_filter("shown_name")
    def shown_name_filter(member) -> str:
        """A member's name as this reader may see it: in full for the office and for the member
        themself (or whoever acts for them), else as the member chose to be shown."""
        who = context.user()
        acting = current_member() if who is not None else None
        full = who is not None and (
            who.is_office or member.id in (who.member_id, acting.id if acting else None)
        )
        return display_name(member, full=full)

    @app.template_filter("named")
    def named_filter(code: str | None, names: str) -> str:
        """A stored code in the reader's words: ``{{ entry.kind | named("ENTRY_KINDS") }}``."""
        from . import texts

        return str(texts.name_of(getattr(texts, names), code))

    @app.template_filter("changes")
    def changes_filter(kept: str | None) -> list[tuple[str, str]]:
        """An audit record's values before or after, named for the reader."""
        from . import audit, texts

        return texts.describe_change(audit.values_of(kept))

    @app.template_filter("hm")
    def hm_filter(minutes: int) -> str:
        return hm(minutes)

    @app.template_filter("date")
    def date_filter(value: dt.date | dt.datetime | None) -> str:
        return format_day(value)

    @app.template_filter("when")
    def when_filter(value: dt.datetime | None) -> str:
        """A moment with the year in full: 20.11.2026, 10:05 (Nov 20, 2026, 10:05 AM)."""
        from flask_babel import format_date, format_time

        return f"{format_date(value, 'medium')}, {format_time(value, 'short')}" if value else ""

    @app.context_processor
    def page_context() -> dict[str, Any]:
        from flask_login import current_user

        from .extensions import select_locale

        values: dict[str, Any] = {"lang": select_locale(), "ring_name": "Tauschring"}
        if current_user.is_authenticated:
            import ledger

            values["acting"] = current_member()
            ring = db.session.get(ledger.Ring, current_user.ring_id)
            values["ring_name"] = ring.name if ring else "Tauschring"
        return values

    @app.before_request
    def read_only_for_reading():
        """Pages that only read start a deferred (shared) SQLite transaction, so they never queue
        behind a booking; a page that does write (an answer time ran out) commits separately."""
        if (
            request.method in ("GET", "HEAD")
            and request.endpoint
            and request.endpoint != "static"
            and not request.endpoint.startswith("ops.")  # health and metrics open their own
            and not (request.path.startswith("/api/"))
        ):
            db.session.connection(execution_options={"read_only": True})

    app.before_request(setup.waiting_for_a_ring)  # after the transaction's kind is chosen

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        styles = " 'unsafe-inline'" if request.endpoint == "api_docs.documentation" else ""  # Swagger UI
        response.headers.setdefault(
            "Content-Security-Policy",
            f"default-src 'self'; img-src 'self' data:; style-src 'self'{styles}; form-action 'self'; "
            "base-uri 'none'; frame-ancestors 'none'; object-src 'none'",
        )
        if request.is_secure:  # only over HTTPS: a browser then keeps to HTTPS for a year
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if request.endpoint and not request.endpoint.startswith("static"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    from sqlalchemy.exc import DBAPIError
    from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

    import ledger

    from .api.problems import http_problem, is_api_request, refusal_problem
    from .db import TransactionFailed

    pages = {
        400: (_l("Ungültige Anfrage"), _l("Die Anfrage konnte nicht verarbeitet werden.")),
        403: (_l("Kein Zugriff"), _l("Diese Seite ist für Sie nicht freigegeben.")),
        404: (_l("Nicht gefunden"), _l("Diese Seite gibt es nicht.")),
        405: (_l("Nicht erlaubt"), _l("Diese Aktion ist hier nicht möglich.")),
        410: (
            _l("Entfernt"),
            _l("Diese Datei ist aus dem Archiv entfernt: sie enthielt Daten eines gelöschten Mitglieds."),
        ),
        429: (_l("Zu viele Versuche"), _l("Zu viele Anmeldeversuche. Bitte warten Sie eine Minute.")),
        500: (
            _l("Fehler"),
            _l("Etwas ist schiefgegangen. Bitte versuchen Sie es später noch einmal."),
        ),
        503: (
            _l("Gerade nicht erreichbar"),
            _l("Der Tauschring ist gerade sehr beschäftigt. Bitte versuchen Sie es gleich noch einmal."),
        ),
    }

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        """Problem details (JSON) under /api/, a page in the reader's language elsewhere."""
        if is_api_request():
            return http_problem(error)
        if isinstance(error, CSRFError):
            title = _("Formular abgelaufen")
            text = _(
                "Das Formular war zu alt oder unvollständig. "
                "Bitte laden Sie die Seite neu und versuchen Sie es noch einmal."
            )
        else:
            title, text = pages.get(error.code, (error.name, error.description or ""))
        response = error.get_response()
        response.data = render_template("error.html", status=error.code, title=title, text=text)
        response.mimetype = "text/html"
        return response

    @app.errorhandler(DBAPIError)
    @app.errorhandler(TransactionFailed)
    def database_error(error):
        """A database that is busy, slow or reconnecting: 503 with Retry-After, so that people
        and programs try again in a moment. Any other database error is a fault (500); its log
        shows the statement and where it came from, never values: the parameters are hidden
        (``hide_parameters``) and the database's message is left out (PostgreSQL's DETAIL of a
        constraint names the key's value, e.g. a name)."""
        if not is_unavailable(error):
            orig = getattr(error, "orig", None)
            app.logger.error(
                "database error on %s: %s (SQLSTATE %s) in %s\n%s",
                request.endpoint,
                type(orig or error).__name__,
                getattr(orig, "sqlstate", None) or "-",
                " ".join(str(getattr(error, "statement", "") or "").split())[:300],
                "".join(traceback.format_tb(error.__traceback__)),
            )
            return http_error(InternalServerError())
        app.logger.warning("database unavailable on %s: %s", request.endpoint, type(error).__name__)
        return http_error(ServiceUnavailable(retry_after=RETRY_AFTER_S))

    @app.errorhandler(errors.Refusal)
    @app.errorhandler(ledger.LedgerError)
    def refusal_error(refusal):
        """A refusal no page caught: its own status, worded for the reader."""
        if is_api_request():
            return refusal_problem(refusal)
        status = errors.status_of(refusal)
        title = pages.get(status, (_("Nicht möglich"),))[0]
        return render_template(
            "error.html", status=status, title=title, text=context.explain_refusal(refusal)
        ), status


def create_configured_app() -> Flask:
    """The application with its logging set up as configured (``LOG_FORMAT``, ``LOG_LEVEL``):
    for the ``tauschring`` command and ``tauschring.wsgi``; tests build theirs with ``create_app``."""
    from . import logs

    app = create_app()
    logs.configure(app.config)
    return app


# The `tauschring` command: Flask's commands plus the ring's own (``tauschring/cli/``).
cli_group = FlaskGroup(
    create_app=create_configured_app, help="Tauschring: Zeitkonten und Marktzeitung eines Tauschrings."
)
