"""Logs: readable text by default, JSON lines with ``LOG_FORMAT=json``; every line of a request
carries its request id; no personal data (the code logs ids only, the engines hide bound
parameters, and the request line names the route, never the path or the query).

Levels for a quiet production log: Tauschring's own loggers at ``LOG_LEVEL`` (INFO: a line per
job run and per event, with ids), everything else (waitress, gunicorn, SQLAlchemy, Alembic) at
WARNING; a line per request only with ``LOG_REQUESTS`` (the reverse proxy keeps an access log
anyway), but always for a slow request or a server error.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import sys
import uuid
from typing import IO

from flask import g, has_request_context

_HANDLER_MARK = "_tauschring_handler"
# What an incoming X-Request-ID may be to be taken over (from the proxy): a sane token, no text.
_SANE_ID = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


def request_id_from(incoming: str | None) -> str:
    """The caller's (proxy's) request id when it is sane, else a new one."""
    if incoming and _SANE_ID.match(incoming):
        return incoming
    return uuid.uuid4().hex


def current_request_id() -> str:
    if has_request_context():
        return getattr(g, "request_id", "-")
    return "-"


class RequestIdFilter(logging.Filter):
    """Puts the request id (``-`` outside a request) on every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC), level, logger, message, request id, process, and the
    traceback of an exception."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
            "pid": record.process,
        }
        for key in ("route", "method", "status", "duration_ms"):
            if hasattr(record, key):
                line[key] = getattr(record, key)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def configure(config: dict, stream: IO[str] | None = None) -> logging.Handler:
    """Install one handler on the root logger (replacing the one installed before)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, _HANDLER_MARK, False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(stream or sys.stderr)
    setattr(handler, _HANDLER_MARK, True)
    handler.addFilter(RequestIdFilter())
    if str(config.get("LOG_FORMAT", "text")).lower() == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    root.addHandler(handler)
    root.setLevel(logging.WARNING)
    # Flask's own handler on the app's logger ("tauschring") would write every error twice.
    from flask.logging import default_handler

    logging.getLogger("tauschring").removeHandler(default_handler)
    level = str(config.get("LOG_LEVEL") or "INFO").upper()
    logging.getLogger("tauschring").setLevel(level if level in logging.getLevelNamesMapping() else "INFO")
    for noisy in ("sqlalchemy", "alembic", "waitress", "werkzeug", "gunicorn.access"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return handler
