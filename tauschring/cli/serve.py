"""`tauschring serve`: migrate, create the demo on an empty database, run the scheduled jobs and
serve with waitress."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

import ledger

from .. import founding, jobs
from ..clock import local_now
from ..db import db, run_in_transaction
from ..demo import create_demo, demo_banner
from ..migrate import upgrade
from ..reports import render_verify_report
from .database import database_url
from .rings import setup_url


@click.command(
    "serve",
    help="Datenbank migrieren, bei leerer Datenbank die Demo anlegen, die geplanten Aufgaben starten "
    "(z. B. fällige Zahlungsanforderungen annehmen), dann mit waitress dienen.",
)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int)
@click.option("--no-demo", is_flag=True, help="Auch bei leerer Datenbank keine Demo anlegen.")
@click.option(
    "--no-jobs",
    is_flag=True,
    help="Keine geplanten Aufgaben in diesem Prozess (z. B. wenn Cron sie ausführt).",
)
@with_appcontext
def serve_command(host: str, port: int, threads: int, no_demo: bool, no_jobs: bool) -> None:
    import waitress

    upgrade(database_url())
    info = None if no_demo else create_demo(db.session)
    if info is not None:
        click.echo(render_verify_report(ledger.verify(db.session, info.ring_id)))
        click.echo("")
        click.echo(demo_banner(info))
    elif not founding.has_rings(db.session):
        now = local_now()
        token = run_in_transaction(db.session, lambda session: founding.instance_link(session, now))
        click.echo("Noch kein Tauschring. Gründen auf der Konsole:")
        click.echo('  tauschring ring create --name "Tauschring Lindenau" --slug lindenau --admin vorstand')
        click.echo(
            "oder im Browser mit diesem Link (einmal, einen Tag gültig; nur wer ihn hat, kann gründen):"
        )
        click.echo(f"  {setup_url(token)}")
    db.session.close()
    app = current_app._get_current_object()
    if not no_jobs:
        jobs.start(app)
    click.echo(f"Tauschring läuft auf http://{host}:{port}/ (Strg+C beendet).")
    waitress.serve(app, host=host, port=port, threads=threads)


COMMANDS = [serve_command]
