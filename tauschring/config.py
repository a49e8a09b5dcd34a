"""Configuration defaults. Everything can be overridden by environment variables or test_config."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from .files import private_folder, write_private


def database_url(instance_path: str) -> str:
    """DATABASE_URL if set (e.g. postgresql+psycopg://...), else SQLite in the instance folder."""
    url = os.environ.get("DATABASE_URL")
    if url:
        if url.startswith("postgresql://") or url.startswith("postgres://"):
            # SQLAlchemy 2.1 needs the driver spelled out.
            url = "postgresql+psycopg://" + url.split("://", 1)[1]
        return url
    return f"sqlite:///{Path(instance_path) / 'tauschring.sqlite'}"


def secret_key(instance_path: str) -> str:
    """SECRET_KEY from the environment, else one generated once and kept in the instance folder."""
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        private_folder(path.parent)
        write_private(path, secrets.token_hex(32).encode())
    return path.read_text().strip()


def defaults(instance_path: str) -> dict[str, object]:
    return {
        "SECRET_KEY": secret_key(instance_path),
        "SQLALCHEMY_ENGINES": {"default": database_url(instance_path)},
        "BABEL_DEFAULT_LOCALE": "de",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Berlin",
        # Cookies not readable by scripts, not sent by other sites' forms, and Secure whenever the
        # request came over HTTPS ("auto"; true or false forces it).
        "SESSION_COOKIE_SECURE": "auto",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "PERMANENT_SESSION_LIFETIME": 60 * 60 * 8,
        # How many reverse proxies in front of the service to believe for the client's address,
        # scheme and host (X-Forwarded-For/-Proto/-Host/-Port/-Prefix); 0: none, the default.
        "TRUSTED_PROXIES": 0,
        "WTF_CSRF_TIME_LIMIT": 60 * 60 * 8,
        # The service's public address, for links printed on the console or sent by mail.
        "BASE_URL": "http://127.0.0.1:5000",
        # PostgreSQL cancels a statement that runs longer (the page answers 503, Retry-After).
        "STATEMENT_TIMEOUT_MS": 30_000,
        # Operation (README "Production"). /metrics: a bearer token, else loopback only.
        "METRICS_TOKEN": os.environ.get("METRICS_TOKEN", ""),
        # Logs: "text" (readable, the default) or "json" (one JSON object a line); the level.
        "LOG_FORMAT": os.environ.get("LOG_FORMAT", "text"),
        "LOG_LEVEL": os.environ.get("LOG_LEVEL", "INFO"),
        # A log line for every request (route, status, time); slow ones and errors always.
        "LOG_REQUESTS": os.environ.get("LOG_REQUESTS", "").lower() in ("1", "true", "yes"),
        # The daily backups (checked, thinned out by the retention rule); empty: none.
        "BACKUP_DIR": os.environ.get("BACKUP_DIR", str(Path(instance_path) / "sicherungen")),
        "BACKUP_CHECK_DATABASE_URL": os.environ.get("BACKUP_CHECK_DATABASE_URL", ""),
        "BACKUP_KEEP_DAILY": 7,
        "BACKUP_KEEP_WEEKLY": 4,
        "BACKUP_KEEP_MONTHLY": 12,
    }
