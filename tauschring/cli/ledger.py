"""`tauschring ledger`: verify the books and show the balances."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

import ledger

from .. import verification
from ..clock import local_now
from ..db import db, run_in_transaction
from ..reports import render_balances, render_verify_report
from .common import RING_HELP, rings_or_all

ledger_group = AppGroup("ledger", help="Die Buchhaltung prüfen und auswerten.")


@ledger_group.command("verify", help="Alle Regeln der Buchhaltung prüfen; Exit-Code 1 bei jedem Verstoß.")
@click.option("--ring", help=f"Nur diesen prüfen: {RING_HELP}.")
def ledger_verify(ring: str | None) -> None:
    ring_ids = rings_or_all(ring)
    if not ring_ids:
        click.echo("Keine Tauschringe in der Datenbank.")
        return
    failed = False
    for ring_id in ring_ids:
        try:
            report = ledger.verify(db.session, ring_id)
        except ledger.UnknownRing:
            click.echo(f"Tauschring {ring_id} gibt es nicht.", err=True)
            sys.exit(2)
        db.session.rollback()
        _keep(report)
        click.echo(render_verify_report(report))
        failed = failed or not report.ok
    sys.exit(1 if failed else 0)


def _keep(report: ledger.VerifyReport) -> None:
    """The result stays as the ring's last verify (the office home shows it)."""
    now = local_now()
    run_in_transaction(
        db.session, lambda session: verification.record(session, report, now=now, source="cli")
    )


@ledger_group.command("balances", help="Die Salden aller Konten eines Tauschrings zeigen.")
@click.option("--ring", help=f"Nur diesen: {RING_HELP}.")
def ledger_balances(ring: str | None) -> None:
    for ring_id in rings_or_all(ring):
        click.echo(render_balances(db.session, ring_id))


COMMANDS = [ledger_group]
