"""`tauschring demo`: a living demo ring."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

import ledger

from ..db import db
from ..demo import create_demo, demo_banner
from ..reports import render_verify_report


@click.command("demo", help="Einen Demo-Tauschring anlegen (nur in einer leeren Datenbank).")
@with_appcontext
def demo_command() -> None:
    info = create_demo(db.session)
    if info is None:
        click.echo("Die Datenbank enthält schon einen Tauschring; keine Demo angelegt.")
        return
    click.echo(demo_banner(info))
    click.echo("")
    click.echo(render_verify_report(ledger.verify(db.session, info.ring_id)))


COMMANDS = [demo_command]
