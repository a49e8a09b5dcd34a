"""`tauschring jobs`: the scheduled jobs, their last runs, and running them (for cron or a
systemd timer; safe beside running servers, each job runs once per slot)."""

from __future__ import annotations

import sys
import threading

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from .. import jobruns, jobs
from ..db import db


@click.group(
    "jobs",
    cls=AppGroup,
    help="Die geplanten Aufgaben: ohne Unterbefehl ihr letzter Lauf und sein Ergebnis "
    "(Exit-Code 1, wenn der letzte Lauf einer Aufgabe fehlschlug).",
    invoke_without_command=True,
)
@click.pass_context
@with_appcontext
def jobs_group(ctx: click.Context) -> None:
    if ctx.invoked_subcommand is None:
        _show()


STATUS = {"running": "läuft", "ok": "in Ordnung", "failed": "FEHLER", "skipped": "übersprungen"}


def _when(value) -> str:
    return value.astimezone().strftime("%d.%m.%Y %H:%M") if value else "-"


@jobs_group.command(
    "list", help="Jede Aufgabe mit Zeitplan, letztem Lauf und Ergebnis (wie `tauschring jobs`)."
)
def jobs_list() -> None:
    _show()


@jobs_group.command(
    "run",
    help="Die fälligen Aufgaben jetzt ausführen (jede höchstens einmal je Zeitfenster, auch wenn "
    "Server-Prozesse sie gleichzeitig versuchen); Exit-Code 1, wenn eine fehlschlug.",
)
@click.argument("names", nargs=-1, type=click.Choice(sorted(jobs.JOBS)))
@click.option("--every", type=int, default=0, help="Immer wieder, alle N Sekunden (für einen Container).")
def jobs_run(names: tuple[str, ...], every: int) -> None:
    settings = jobs.Settings.of(current_app.config)
    stop = threading.Event()
    while True:
        outcomes = jobs.run_due(db.session, settings, list(names) or None)
        failed = False
        for outcome in outcomes:
            if not outcome.ran:
                click.echo(f"{outcome.job} {outcome.slot}: läuft schon oder lief in einem anderen Prozess")
                continue
            click.echo(f"{outcome.job} {outcome.slot}: {STATUS[outcome.status or 'ok']} – {outcome.detail}")
            failed = failed or outcome.status == "failed"
        if not every:
            sys.exit(1 if failed else 0)
        stop.wait(every)


def _show() -> None:
    db.session.connection(execution_options={"read_only": True})  # SQLite: no write lock to read
    last = jobruns.last_runs(db.session, list(jobs.JOBS))
    failed = False
    for name, job in jobs.JOBS.items():
        run = last[name]
        every = _every(job)
        if run is None:
            click.echo(f"{name} ({every}): noch nie gelaufen")
            continue
        failed = failed or run.status == "failed"
        click.echo(
            f"{name} ({every}): {STATUS[run.status]}, {_when(run.started_at)} bis {_when(run.finished_at)}"
            f" auf {run.runner}; zuletzt erfolgreich {_when(run.last_ok_at)}"
        )
        if run.detail:
            click.echo(f"    {run.detail}")
    db.session.close()
    sys.exit(1 if failed else 0)


def _every(job: jobs.Job) -> str:
    seconds = int(job.every.total_seconds())
    if seconds % 86400 == 0:
        return "täglich" if seconds == 86400 else f"alle {seconds // 86400} Tage"
    if seconds % 3600 == 0:
        return "stündlich" if seconds == 3600 else f"alle {seconds // 3600} Stunden"
    return f"alle {seconds // 60} Minuten"


COMMANDS = [jobs_group]
