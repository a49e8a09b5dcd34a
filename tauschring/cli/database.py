"""`tauschring db`: set up and migrate the database."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from ..migrate import current_revision, upgrade

db_group = AppGroup("db", help="Datenbank einrichten und migrieren.")


def database_url() -> str:
    return str(current_app.config["SQLALCHEMY_ENGINES"]["default"]["url"])


@db_group.command("upgrade", help="Die Datenbank auf den neuesten Stand migrieren.")
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision: str) -> None:
    upgrade(database_url(), revision)
    click.echo(f"Datenbank migriert ({revision}).")


@db_group.command("current", help="Die aktuelle Migrationsversion zeigen.")
def db_current() -> None:
    click.echo(current_revision(database_url()) or "-")


COMMANDS = [db_group]
