"""`tauschring backup` and `tauschring restore`."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

import ledger

from .. import backups
from ..backup import BACKENDS, BackupError, backup, check_backup, restore
from ..db import db
from ..reports import render_verify_report


def _url() -> str:
    return str(current_app.config["SQLALCHEMY_ENGINES"]["default"]["url"])


def _shown(url: str) -> str:
    return sa.make_url(url).render_as_string(hide_password=True)


def _number(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def _size(size: int) -> str:
    if size < 10 * 1024 * 1024:
        return f"{_number(max(1, round(size / 1024)))} KB"
    return f"{size / (1024 * 1024):.1f} MB".replace(".", ",")


def _contents(members: int | None, entries: int | None) -> list[str]:
    parts = []
    if members is not None:
        parts.append(f"{_number(members)} Mitglied" if members == 1 else f"{_number(members)} Mitglieder")
    if entries is not None:
        parts.append(f"{_number(entries)} Buchung" if entries == 1 else f"{_number(entries)} Buchungen")
    return parts


def _fail(error: BackupError) -> None:
    click.echo(f"Fehler: {error}", err=True)
    sys.exit(2)


@click.command(
    "backup",
    help="Eine Sicherung der laufenden Datenbank in die Datei FILE schreiben "
    "(SQLite: Online-Sicherung; PostgreSQL: pg_dump im Custom-Format). Exit-Code 2 bei Fehlern. "
    "Mit --list: die täglichen Sicherungen im Ordner BACKUP_DIR mit ihrem Prüfergebnis "
    "(Exit-Code 1, wenn die neueste fehlt, älter als ein Tag ist oder ihre Prüfung fehlschlug).",
)
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path), required=False)
@click.option("--force", is_flag=True, help="Eine vorhandene Datei FILE überschreiben.")
@click.option("--list", "list_", is_flag=True, help="Die täglichen Sicherungen und ihre Prüfung zeigen.")
@with_appcontext
def backup_command(file: Path | None, force: bool, list_: bool) -> None:
    if list_:
        _list_backups()
        return
    if file is None:
        raise click.UsageError("Bitte eine Datei angeben (oder --list).")
    try:
        info = backup(_url(), file, force=force)
    except BackupError as error:
        _fail(error)
    details = ", ".join([_size(info.size), *_contents(info.members, info.entries)])
    click.echo(f"Sicherung geschrieben: {info.path} ({details})")


def _list_backups() -> None:
    folder = current_app.config.get("BACKUP_DIR")
    if not folder:
        click.echo("Kein Sicherungsordner eingestellt (BACKUP_DIR).")
        sys.exit(1)
    now = dt.datetime.now(dt.UTC)
    listed = backups.listing(folder)
    click.echo(f"Sicherungen in {folder}:")
    for item in listed:
        if item.check is None:
            checked = "nicht geprüft"
        else:
            checked = (
                "geprüft, in Ordnung: " if item.check.ok else "PRÜFUNG FEHLGESCHLAGEN: "
            ) + item.check.detail
        taken = item.taken_at.astimezone().strftime("%d.%m.%Y %H:%M")
        click.echo(f"{item.path.name}  {taken}  {_size(item.size)}  {checked}")
    state = backups.state(folder, now)
    if state.problem:
        click.echo(f"Achtung: {state.problem}")
        sys.exit(1)


@click.command(
    "restore",
    help="Die Datenbank durch die Sicherung FILE ersetzen, auf den neuesten Stand migrieren und "
    "jeden Tauschring prüfen. Die Sicherung wird vorher vollständig geprüft (Siegel, Prüfsumme, "
    "Schema, Schutz der Buchungen); die laufende Datenbank bleibt sonst unverändert. Exit-Code 1 "
    "bei einem Verstoß (oder Abbruch), 2 bei Fehlern.",
)
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", "-y", is_flag=True, help="Ohne Rückfrage wiederherstellen.")
@click.option(
    "--unsealed",
    is_flag=True,
    help="Auch eine Sicherung ohne Siegel (frühere Version) annehmen; ihre Vollständigkeit lässt "
    "sich nicht prüfen, ihr Schema schon.",
)
@with_appcontext
def restore_command(file: Path, yes: bool, unsealed: bool) -> None:
    url = _url()
    try:
        facts = check_backup(url, file, unsealed=unsealed)
    except BackupError as error:
        _fail(error)
    if not yes:
        held = ", ".join(facts.rings) or "keine Tauschringe"
        taken = f", geschrieben {facts.created_at}" if facts.created_at else ""
        question = (
            f"Die Datenbank {_shown(url)} wird durch die Sicherung {facts.path} "
            f"({BACKENDS[facts.backend]}, Datenbankversion {facts.revision}{taken}; {held}) ersetzt; "
            "was seitdem gebucht wurde, geht verloren. Wiederherstellen?"
        )
        try:
            confirmed = click.confirm(question, default=False)
        except click.Abort:  # end of input, Ctrl+C
            confirmed = False
        if not confirmed:
            click.echo("Abgebrochen; die Datenbank ist unverändert.")
            sys.exit(1)
    # This process's own pooled connections must not hold the old database open.
    db.session.close()
    for engine in db.engines.values():
        engine.dispose()
    try:
        restore(url, file, unsealed=unsealed)
    except BackupError as error:
        _fail(error)
    for engine in db.engines.values():
        engine.dispose()

    session = db.session
    # A deferred BEGIN on SQLite: the report only reads and must not hold the write lock.
    connection = session.connection(execution_options={"read_only": True})
    tables = set(sa.inspect(connection).get_table_names())
    count = lambda table: session.scalar(sa.text(f"SELECT count(*) FROM {table}"))  # noqa: E731
    contents = _contents(
        count("member") if "member" in tables else None,
        count("journal_entry") if "journal_entry" in tables else None,
    )
    click.echo(
        f"Sicherung wiederhergestellt: {facts.path}" + (f" ({', '.join(contents)})" if contents else "")
    )
    click.echo("")
    ring_ids = list(session.scalars(sa.select(ledger.Ring.id).order_by(ledger.Ring.id)))
    if not ring_ids:
        click.echo("Keine Tauschringe in der Datenbank.")
    failed = False
    for ring_id in ring_ids:
        report = ledger.verify(session, ring_id)
        click.echo(render_verify_report(report))
        failed = failed or not report.ok
    session.close()
    sys.exit(1 if failed else 0)


COMMANDS = [backup_command, restore_command]
