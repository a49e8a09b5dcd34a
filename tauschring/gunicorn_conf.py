"""gunicorn settings for production: ``gunicorn --config python:tauschring.gunicorn_conf
tauschring.wsgi:app`` (README, "Production"; the systemd unit and the container run exactly that).

Several worker processes (``WEB_CONCURRENCY``, default 2) of a few threads each; every worker
opens its own database connections after the fork (no preloading). The workers share one folder
for their Prometheus metrics (``PROMETHEUS_MULTIPROC_DIR``; systemd's RuntimeDirectory, else a
fresh private folder), emptied when the server starts; a worker that ends is marked dead so its
gauges stop counting. Scheduled jobs run from the systemd timer (``tauschring jobs run``); with
``TAUSCHRING_JOBS_IN_WORKERS=1`` (a container without a timer) every worker tries them too, and
the claim in the database lets one of them run each slot.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

bind = os.environ.get("TAUSCHRING_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("TAUSCHRING_THREADS", "4"))
worker_class = "gthread"
timeout = 60
graceful_timeout = 30
keepalive = 5
# A worker is replaced now and then, so a slow leak can never grow for months.
max_requests = 2000
max_requests_jitter = 200
# The reverse proxy keeps the access log; gunicorn tells only what goes wrong.
accesslog = None
errorlog = "-"
loglevel = "warning"

if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="tauschring-metrics-")
_METRICS = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])


def on_starting(server) -> None:
    """Counts of an earlier run of the server are not this run's."""
    _METRICS.mkdir(mode=0o700, parents=True, exist_ok=True)
    for entry in _METRICS.iterdir():
        if entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)


def post_worker_init(worker) -> None:
    if os.environ.get("TAUSCHRING_JOBS_IN_WORKERS", "").lower() in ("1", "true", "yes"):
        from tauschring import jobs

        jobs.start(worker.wsgi)


def child_exit(server, worker) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
