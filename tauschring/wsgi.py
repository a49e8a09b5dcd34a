"""The WSGI application for a production server: ``gunicorn tauschring.wsgi:app`` (see
``tauschring/gunicorn.conf.py`` and README, "Production"). Configuration comes from the
environment as for every command; the database must be migrated first (``tauschring db
upgrade``); scheduled jobs run from ``tauschring jobs run`` (systemd timer), not in the workers."""

from __future__ import annotations

from . import create_configured_app

app = create_configured_app()
