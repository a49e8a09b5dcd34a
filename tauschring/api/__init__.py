"""The JSON API under /api/v1 (flask-smorest + marshmallow), documented as OpenAPI 3.

Tokens, not session cookies, authenticate it (so it needs no CSRF token); errors are problem
details (RFC 9457). The interactive documentation works without internet: Swagger UI is served
from the installed package.
"""

from __future__ import annotations

from flask import Blueprint, Flask, render_template, send_from_directory
from flask_smorest import Api
from werkzeug.routing import BaseConverter

from .problems import http_problem, is_api_request

API_PREFIX = "/api/v1"


class TauschringApi(Api):
    """flask-smorest's Api, without its app-wide error handler: the app routes every HTTP error
    itself (problem details under /api/, HTML pages elsewhere)."""

    # No catch-all "default" response of smorest's own error schema: every status an operation
    # can answer is documented with its problem details (resources.problems).
    DEFAULT_ERROR_RESPONSE_NAME = None

    def _register_error_handlers(self) -> None:
        pass


class ListingNumber(BaseConverter):
    """A listing's public number in a path (A-0137, G-42): other words, such as the "categories"
    beside it, are not listing numbers (and get no PATCH in their Allow header)."""

    regex = "[AaGg]-[0-9]{1,9}"


LISTING_NUMBER_PATTERN = "^[AaGg]-[0-9]{1,9}$"

api = TauschringApi()
api.register_converter(ListingNumber, lambda converter: {"type": "string", "pattern": LISTING_NUMBER_PATTERN})
docs = Blueprint("api_docs", __name__, url_prefix=API_PREFIX)


@docs.get("/docs")
def documentation():
    return render_template("api/docs.html")


@docs.get("/docs/assets/<path:filename>")
def documentation_assets(filename: str):
    import swagger_ui_bundle

    return send_from_directory(swagger_ui_bundle.swagger_ui_path, filename, max_age=86400)


def init_api(app: Flask) -> None:
    from ..extensions import csrf
    from . import resources

    app.config.setdefault("API_TITLE", "Tauschring API")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", API_PREFIX)
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault(
        "API_SPEC_OPTIONS",
        {
            "info": {
                "description": "Zeitkonten, Inserate, Zahlungsanforderungen, Belegstapel und Marktzeitung "
                "eines Tauschrings. Beträge in ganzen Minuten. Anmeldung mit einem persönlichen "
                "API-Token (im Profil): Authorization: Bearer <token>."
            },
            "components": {"securitySchemes": {"token": {"type": "http", "scheme": "bearer"}}},
            "security": [{"token": []}],
        },
    )
    app.url_map.converters["listing_number"] = ListingNumber
    api.init_app(app)
    for blueprint in resources.ALL_BLUEPRINTS:
        api.register_blueprint(blueprint)
        csrf.exempt(blueprint)
    app.register_blueprint(docs)


__all__ = ["API_PREFIX", "api", "http_problem", "init_api", "is_api_request"]
