"""`tauschring requests`: payment requests."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from .. import jobs
from ..db import db
from .common import RING_HELP, rings_or_all

requests_group = AppGroup("requests", help="Zahlungsanforderungen.")


@requests_group.command(
    "accept-due",
    help="Unbeantwortete Anforderungen nach der Frist des Tauschrings annehmen (für einen täglichen "
    "Cron-Job; `tauschring serve` tut es sonst selbst alle paar Minuten).",
)
@click.option("--ring", help=f"{RING_HELP}; ohne Angabe alle.")
def requests_accept_due(ring: str | None) -> None:
    for done in jobs.accept_due(db.session, rings_or_all(ring)):
        click.echo(f"Tauschring {done.ring_id}: {done.accepted} angenommen, {done.failed} nicht buchbar.")


COMMANDS = [requests_group]
