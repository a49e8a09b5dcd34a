"""`tauschring print`: the printed Marktzeitung."""

from __future__ import annotations

import datetime as dt
import re

import click
from flask.cli import AppGroup

from .. import editions, errors
from ..clock import local_now
from ..db import db, run_in_transaction
from ..fees import period_bounds
from ..files import private_folder, write_private
from ..models import EDITION_FILES
from ..permissions import Actor
from ..texts import explain
from .common import RING_HELP, one_ring

print_group = AppGroup("print", help="Die gedruckte Marktzeitung.")


@print_group.command("edition", help="Eine Ausgabe erzeugen und ihre PDF-Dateien in einen Ordner schreiben.")
@click.option("--month", required=True, help="Monat der Ausgabe als JJJJ-MM, z. B. 2026-12.")
@click.option("--out", "out", required=True, type=click.Path(file_okay=False), help="Zielordner.")
@click.option("--ring", help=f"{RING_HELP}; ohne Angabe der einzige.")
@click.option(
    "--cutoff",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Redaktionsschluss (JJJJ-MM-TT), falls die Ausgabe neu angelegt wird; sonst heute.",
)
def print_edition(month: str, out: str, ring: str | None, cutoff) -> None:
    match = re.fullmatch(r"(\d{4})-(\d{2})", month)
    if not match:
        raise click.BadParameter("Monat als JJJJ-MM angeben.", param_hint="--month")
    try:
        period_bounds(month)
    except errors.Refusal as refusal:
        raise click.BadParameter(explain(refusal), param_hint="--month") from None
    year, number = int(match.group(1)), int(match.group(2))
    actor = Actor.system(one_ring(ring))
    target = private_folder(out)  # every paper member's address: for the office only
    now = local_now()

    def work(session):
        edition = editions.edition_of_month(session, actor.ring_id, year, number)
        if edition is None:
            day = cutoff.date() if cutoff else now.date()
            edition = editions.create_edition(
                session,
                actor,
                year=year,
                month=number,
                cutoff=day,
                next_cutoff=day + dt.timedelta(days=30),
                now=now,
            )
        with click.progressbar(EDITION_FILES, label="Marktzeitung wird gesetzt", show_pos=True) as bar:
            done = editions.generate_edition(
                session, actor, edition, now=now, progress=lambda name: bar.update(1)
            )
        return edition.number, done

    try:
        edition_number, done = run_in_transaction(db.session, work)
    except errors.Refusal as refusal:
        raise click.ClickException(explain(refusal)) from refusal
    for name, content in done.files.items():
        write_private(target / name, content)
    click.echo(
        f"Ausgabe {edition_number} ({month}): {done.listings} Inserate; Druckauflage {done.print_run} "
        f"(davon {done.large_print_run} in Großdruck)."
    )
    for name in EDITION_FILES:
        click.echo(f"  {target / name}  ({len(done.files[name]) // 1024} KB)")


COMMANDS = [print_group]
