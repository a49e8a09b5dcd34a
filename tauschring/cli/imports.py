"""`tauschring import`: a ring moves in with its members, listings and balances."""

from __future__ import annotations

import sys
from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

import ledger

from .. import errors, imports
from ..clock import local_now
from ..db import db, run_in_transaction
from ..permissions import Actor
from ..reports import render_verify_report
from ..rings import ring_by_reference
from ..texts import IMPORT_FORMATS, IMPORT_KINDS, IMPORT_LINE_STATUSES, explain, in_german
from ..units import format_amount
from .common import RING_HELP

FORMATS = {"template": "template", "vorlage": "template", "cyclos": "cyclos", "timeoverflow": "timeoverflow"}
KINDS = {
    "members": "members",
    "mitglieder": "members",
    "listings": "listings",
    "inserate": "listings",
    "balances": "balances",
    "kontostaende": "balances",
    "kontostände": "balances",
}


def _mapping(pairs: tuple[str, ...]) -> dict[str, str]:
    mapping = {}
    for pair in pairs:
        name, sep, category = pair.rpartition("=")
        if not sep or not name.strip() or not category.strip():
            raise click.BadParameter(f"„{pair}“: bitte als NAME=RUBRIK angeben.", param_hint="--rubrik")
        mapping[name.strip()] = category.strip()
    return mapping


@click.command(
    "import",
    help="Einen Tauschring umziehen: Mitglieder, Inserate oder Kontostände aus einer Datei übernehmen. "
    "FORMAT ist vorlage (die Tabelle nach Tauschrings Vorlage, CSV oder XLSX), cyclos (Cyclos 3) oder "
    "timeoverflow; KIND ist mitglieder, inserate oder kontostaende. Jede Zeile wird geprüft (bereit, "
    "Fehler mit Grund, schon da); übernommen wird alles in einem Schritt oder nichts. Ein zweiter Lauf "
    "mit derselben Datei ändert nichts.",
)
@click.argument("format_name", metavar="FORMAT", type=click.Choice(sorted(FORMATS), case_sensitive=False))
@click.argument("kind_name", metavar="KIND", type=click.Choice(sorted(KINDS), case_sensitive=False))
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--ring", help=f"{RING_HELP} oder Name; ohne Angabe der einzige.")
@click.option("--dry-run", is_flag=True, help="Nur zeigen, was übernommen würde; nichts ändern.")
@click.option(
    "--skip-errors", is_flag=True, help="Zeilen mit Fehlern auslassen und die fehlerfreien übernehmen."
)
@click.option(
    "--rubrik",
    "rubriken",
    multiple=True,
    metavar="NAME=RUBRIK",
    help="Inserate: eine Rubrik der Datei einer Rubrik des Tauschrings zuordnen (mehrfach möglich).",
)
@with_appcontext
def import_command(
    format_name: str,
    kind_name: str,
    file: Path,
    ring: str | None,
    dry_run: bool,
    skip_errors: bool,
    rubriken: tuple[str, ...],
) -> None:
    source, kind = FORMATS[format_name.lower()], KINDS[kind_name.lower()]
    mapping = _mapping(rubriken)
    raw = file.read_bytes()
    now = local_now()
    try:
        actor = Actor.system(ring_by_reference(db.session, ring))
        db.session.rollback()
        check = imports.preview_import(
            db.session, actor, kind=kind, source=source, filename=file.name, raw=raw, now=now, mapping=mapping
        )
        _show(check, ring_name=_ring_name(actor.ring_id), dry_run=dry_run)
        db.session.rollback()
        if dry_run:
            return
        outcome = run_in_transaction(
            db.session,
            lambda session: imports.post_import(
                session,
                actor,
                imports.stage_import(
                    session,
                    actor,
                    kind=kind,
                    source=source,
                    filename=file.name,
                    raw=raw,
                    now=now,
                    mapping=mapping,
                ),
                now=now,
                clean_only=skip_errors,
            ),
        )
    except errors.ImportNothingReady as refusal:
        click.echo(explain(refusal))
        return
    except (errors.Refusal, ledger.LedgerError) as refusal:
        click.echo(f"Nichts übernommen: {explain(refusal)}", err=True)
        if isinstance(refusal, errors.ImportHasErrors):
            click.echo("Mit --skip-errors werden nur die fehlerfreien Zeilen übernommen.", err=True)
        sys.exit(1)
    click.echo(
        f"Übernommen: {outcome.created} Zeilen als Umzug {outcome.batch.id}; "
        f"nicht übernommen: {outcome.skipped}."
    )
    if outcome.verify is not None:
        click.echo("")
        click.echo(render_verify_report(outcome.verify))


def _ring_name(ring_id: int) -> str:
    name = db.session.scalar(sa.select(ledger.Ring.name).where(ledger.Ring.id == ring_id))
    return f"„{name}“ (Nr. {ring_id})"


def _show(check: imports.ImportCheck, *, ring_name: str, dry_run: bool) -> None:
    batch = check.batch
    title = "Vorschau (nichts geändert)" if dry_run else "Prüfung"
    click.echo(
        f"{title}: {in_german(IMPORT_KINDS[batch.kind])} aus {in_german(IMPORT_FORMATS[batch.format])}, "
        f"Datei {batch.filename}, Tauschring {ring_name}"
    )
    if check.same_file is not None:
        click.echo(f"  Diese Datei wurde schon einmal übernommen (Umzug {check.same_file.id}).")
    for line in check.lines:
        status = in_german(IMPORT_LINE_STATUSES[line.status])
        what = _what(check, line)
        reasons = " ".join(line.errors + line.warnings)
        click.echo(f"  Zeile {line.row.line:>4}  {status:<13} {what}" + (f" – {reasons}" if reasons else ""))
    counts = ", ".join(
        f"{check.count(status)} {in_german(name)}"
        for status, name in IMPORT_LINE_STATUSES.items()
        if check.count(status)
    )
    click.echo(f"  Zusammen: {counts or 'keine Zeilen'}.")
    if batch.kind == "balances":
        click.echo(
            f"  Zu buchen: eine Buchung über {check.ready_count} Konten, zusammen "
            f"{format_amount(check.total, check.unit, signed=True)}; Gegenbuchung auf das Konto "
            f"Eröffnungssalden: {format_amount(-check.total, check.unit, signed=True)} "
            "(die Grenzen gelten dabei nicht)."
        )
    for name in check.unmapped:
        click.echo(f'  Rubrik „{name}“ ohne Zuordnung: mit --rubrik "{name}=RUBRIK" zuordnen.')


def _what(check: imports.ImportCheck, line: imports.LineCheck) -> str:
    kind = check.batch.kind
    if kind == "members":
        number = f"Nr. {line.number}" if line.number else ""
        return f"{number} {line.name}".strip()
    if kind == "listings":
        owner = f"Mitglied {line.member.number}" if line.member is not None else ""
        return f"{line.name} ({owner})" if owner else line.name
    amount = format_amount(line.minutes, check.unit, signed=True) if line.minutes is not None else ""
    owner = f"{line.member.number} {line.name}" if line.member is not None else line.row.get("member")
    return f"{owner}: {amount}" if amount else owner


COMMANDS = [import_command]
