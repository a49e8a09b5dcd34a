"""Flask extensions, bound to the app in create_app()."""

from __future__ import annotations

from flask import has_request_context, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_babel import Babel
from flask_login import LoginManager, current_user
from flask_wtf.csrf import CSRFProtect

LANGUAGES = ("de", "en")

babel = Babel()
csrf = CSRFProtect()
login_manager = LoginManager()


class SchemeSessionInterface(SecureCookieSessionInterface):
    """The session cookie is Secure exactly when the request came over HTTPS (as the client sent
    it: behind a reverse proxy, TRUSTED_PROXIES lets the proxy say so), unless
    SESSION_COOKIE_SECURE is set to true or false explicitly."""

    def get_cookie_secure(self, app) -> bool:
        configured = app.config.get("SESSION_COOKIE_SECURE", "auto")
        if configured == "auto":
            return has_request_context() and request.is_secure
        return bool(configured)


def select_locale() -> str:
    """The API speaks the caller's Accept-Language (German by default); the pages the member's
    chosen language, else the one picked on this browser, else German.

    The pages do not consult the browser's Accept-Language: the ring's language is German, and
    English is there for whoever picks it.
    """
    if not has_request_context():
        return "de"  # the command line speaks the ring's language
    if request.path.startswith("/api/"):
        return request.accept_languages.best_match(LANGUAGES, default="de")
    if current_user and getattr(current_user, "is_authenticated", False) and current_user.locale in LANGUAGES:
        return current_user.locale
    if session.get("lang") in LANGUAGES:
        return session["lang"]
    return "de"
