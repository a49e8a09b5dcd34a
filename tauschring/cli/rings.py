"""`tauschring rings`: bring a ring online (its first login, an admin)."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from .. import errors, logins
from ..clock import local_now
from ..db import db, run_in_transaction
from ..texts import explain

rings_group = AppGroup("rings", help="Tauschringe dieser Installation.")


@rings_group.command(
    "create",
    help="Einen Tauschring NAME gründen, mit seiner ersten Anmeldung (Rolle admin); diese nimmt "
    "dann im Browser das Büro und die Mitglieder auf.",
)
@click.argument("name")
@click.option("--admin", "username", required=True, help="Anmeldename der ersten Anmeldung (admin).")
@click.option(
    "--password",
    prompt="Passwort",
    hide_input=True,
    confirmation_prompt="Passwort wiederholen",
    envvar="TAUSCHRING_ADMIN_PASSWORD",
    help="Ohne Angabe wird gefragt (oder aus TAUSCHRING_ADMIN_PASSWORD).",
)
def rings_create(name: str, username: str, password: str) -> None:
    now = local_now()
    try:
        ring_id, _user = run_in_transaction(
            db.session,
            lambda session: logins.found_ring_with_admin(
                session, name=name, username=username, password=password, now=now
            ),
        )
    except errors.Refusal as refusal:
        click.echo(f"Fehler: {explain(refusal)}", err=True)
        sys.exit(2)
    click.echo(f"Tauschring {ring_id} „{name}“ gegründet; Anmeldung {username} (admin).")


COMMANDS = [rings_group]
