"""The Prometheus metrics this process counts (``prometheus_client``), and their exposition.

With several processes (gunicorn), ``PROMETHEUS_MULTIPROC_DIR`` names a folder shared by them,
set before this module is first imported (``tauschring/gunicorn.conf.py`` does): every process
writes its values there and a scrape, answered by any one process, adds them up
(``MultiProcessCollector``). Without it the process's own registry is exposed.

What the database knows (the last run of each job, the last verify, the newest backup) is not
counted here but read at scrape time (``monitoring.StateCollector``), so every process tells the
same. Labels carry routes and codes, never a member or a raw path.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

CONTENT_TYPE = CONTENT_TYPE_LATEST

if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):  # the values live in files there: it must exist
    os.makedirs(os.environ["PROMETHEUS_MULTIPROC_DIR"], mode=0o700, exist_ok=True)

REQUESTS = Counter(
    "tauschring_http_requests",
    "HTTP requests answered, by route (the URL rule, not the path), method and status.",
    ["route", "method", "status"],
)
LATENCY = Histogram(
    "tauschring_http_request_duration_seconds",
    "Time to answer an HTTP request, by route and method.",
    ["route", "method"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
BOOKINGS = Counter("tauschring_bookings", "Journal entries booked, by kind.", ["kind"])
REFUSALS = Counter("tauschring_refusals", "Refused use cases (a rule said no), by refusal code.", ["code"])
POOL_IN_USE = Gauge(
    "tauschring_db_pool_connections_in_use",
    "Database connections checked out of the pool right now.",
    multiprocess_mode="livesum",
)
POOL_OPEN = Gauge(
    "tauschring_db_pool_connections_open",
    "Database connections the pool holds open (in use or idle).",
    multiprocess_mode="livesum",
)


def multiprocess() -> bool:
    return bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))


def count_refusal(code: str) -> None:
    REFUSALS.labels(code=code).inc()


def exposition(extra: Iterable[Collector] = ()) -> bytes:
    """The text format of every metric: this process's (or all processes') counters, then what
    the ``extra`` collectors read now."""
    if multiprocess():
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    output = generate_latest(registry)
    state = CollectorRegistry(auto_describe=False)
    for collector in extra:
        state.register(collector)
    return output + generate_latest(state)
