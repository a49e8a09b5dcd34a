"""`tauschring demo`: a living demo ring."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

import ledger

from .. import errors, founding
from ..db import db
from ..demo import create_demo, demo_banner
from ..reports import render_verify_report
from ..texts import explain


@click.command("demo", help="Einen Demo-Tauschring anlegen (nur in einer leeren Datenbank).")
@click.option("--slug", default="demo", show_default=True, help="Kurzname des Demo-Rings.")
@with_appcontext
def demo_command(slug: str) -> None:
    if not founding.has_rings(db.session):
        try:
            slug = founding.check_slug(db.session, slug)
        except errors.Refusal as refusal:
            raise click.UsageError(explain(refusal)) from None
    info = create_demo(db.session, slug=slug)
    if info is None:
        click.echo("Die Datenbank enthält schon einen Tauschring; keine Demo angelegt.")
        return
    click.echo(demo_banner(info))
    click.echo("")
    click.echo(render_verify_report(ledger.verify(db.session, info.ring_id)))


COMMANDS = [demo_command]
