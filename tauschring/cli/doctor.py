"""`tauschring doctor`: what to fix before this installation keeps a ring's books."""

from __future__ import annotations

import datetime as dt
import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from .. import doctor
from ..db import db

MARKS = {"ok": "ok     ", "warning": "WARNUNG", "error": "FEHLER "}


@click.command(
    "doctor",
    help="Die Einrichtung prüfen (Schlüssel, Datenbank, Dateirechte, Zeitzone, Proxy, Metriken, "
    "Sicherungen, geplante Aufgaben) und sagen, was zu tun ist. Exit-Code 1 bei allem, was Daten "
    "verlieren oder preisgeben würde.",
)
@with_appcontext
def doctor_command() -> None:
    findings = doctor.examine(
        current_app.config,
        instance_path=current_app.instance_path,
        engine=db.engine,
        now=dt.datetime.now(dt.UTC),
    )
    for finding in findings:
        click.echo(f"{MARKS[finding.level]} {finding.topic}: {finding.text}")
    if doctor.failed(findings):
        click.echo("\nBitte zuerst die FEHLER beheben.")
        sys.exit(1)


COMMANDS = [doctor_command]
