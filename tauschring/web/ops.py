"""For the operator's machines: ``/healthz`` (the process answers), ``/readyz`` (the database
answers and is migrated to the newest revision; 503 otherwise) and ``/metrics`` (Prometheus,
with the bearer token ``METRICS_TOKEN``, or without one only to the loopback address). And for
every request: its request id (a sane ``X-Request-ID`` of the proxy, else a new one; returned in
the response and carried into every log line) and its count and latency by route.
"""

from __future__ import annotations

import datetime as dt
import hmac
import ipaddress
import logging
import time

from flask import Blueprint, Response, current_app, g, jsonify, request

from .. import health, logs, metrics, monitoring
from ..db import db

bp = Blueprint("ops", __name__)
log = logging.getLogger("tauschring.requests")

SLOW_S = 2.0
_UNMATCHED = "<unmatched>"


@bp.before_app_request
def _start() -> None:
    g.request_id = logs.request_id_from(request.headers.get("X-Request-ID"))
    g.request_started = time.perf_counter()


@bp.after_app_request
def _finish(response: Response) -> Response:
    started = getattr(g, "request_started", None)
    response.headers["X-Request-ID"] = getattr(g, "request_id", "")
    if started is None:
        return response
    seconds = time.perf_counter() - started
    route = request.url_rule.rule if request.url_rule is not None else _UNMATCHED
    metrics.REQUESTS.labels(route=route, method=request.method, status=str(response.status_code)).inc()
    metrics.LATENCY.labels(route=route, method=request.method).observe(seconds)
    level = logging.INFO
    if response.status_code >= 500:
        level = logging.ERROR
    elif seconds >= SLOW_S:
        level = logging.WARNING
    elif not current_app.config.get("LOG_REQUESTS"):
        return response
    log.log(
        level,
        "%s %s %s %d ms",
        request.method,
        route,
        response.status_code,
        seconds * 1000,
        extra={
            "route": route,
            "method": request.method,
            "status": response.status_code,
            "duration_ms": round(seconds * 1000, 1),
        },
    )
    return response


@bp.get("/healthz")
def healthz():
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    found = health.readiness(db.engine)
    body = {
        "status": "ok" if found.ready else "unavailable",
        "database": found.database,
        "revision": found.revision,
        "head": found.head,
    }
    return jsonify(body), 200 if found.ready else 503


@bp.get("/metrics")
def metrics_page():
    token = str(current_app.config.get("METRICS_TOKEN") or "")
    if token:
        given = request.headers.get("Authorization", "")
        if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            return Response(
                "Unauthorized\n", 401, {"WWW-Authenticate": 'Bearer realm="metrics"'}, mimetype="text/plain"
            )
    elif not _loopback(request.remote_addr):
        return Response("Forbidden: set METRICS_TOKEN to scrape from elsewhere\n", 403, mimetype="text/plain")
    session = db.session
    session.connection(execution_options={"read_only": True})
    state = monitoring.StateCollector(
        session, current_app.config.get("BACKUP_DIR") or None, dt.datetime.now(dt.UTC)
    )
    try:
        body = metrics.exposition([state])
    finally:
        session.rollback()
    return Response(body, 200, content_type=metrics.CONTENT_TYPE)


def _loopback(address: str | None) -> bool:
    try:
        return address is not None and ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False
