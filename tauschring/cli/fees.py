"""`tauschring fees`: the monthly account fee."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from .. import errors, fees
from ..clock import local_now
from ..db import db, run_in_transaction
from ..permissions import Actor
from ..texts import explain, format_hours
from .common import RING_HELP, rings_or_all

fees_group = AppGroup("fees", help="Die monatliche Kontoführungsgebühr.")

LABELS = {
    "book": "wird gebucht",
    "override": "wird trotz Grenze gebucht",
    "skip": "wird übersprungen (Grenze)",
    "exempt": "befreit",
    "already": "schon früher gebucht",
    "refused": "früher übersprungen (Grenze)",
    "booked": "gebucht",
    "skipped": "übersprungen (Grenze)",
}


@fees_group.command("run", help="Die Gebühr eines Monats buchen (ein zweiter Lauf bucht nichts mehr).")
@click.option("--period", required=True, help="Monat als JJJJ-MM, z. B. 2026-11.")
@click.option("--ring", help=f"{RING_HELP}; ohne Angabe alle.")
@click.option("--dry-run", is_flag=True, help="Nur zeigen, was gebucht würde.")
def fees_run(period: str, ring: str | None, dry_run: bool) -> None:
    failed = False
    for ring_id in rings_or_all(ring):
        now = local_now()
        try:
            if dry_run:
                plan = fees.plan_fees(db.session, ring_id=ring_id, period=period, today=now.date())
            else:
                plan = run_in_transaction(
                    db.session,
                    lambda session, ring_id=ring_id, now=now: fees.run_fees(
                        session, Actor.system(ring_id), period=period, now=now
                    ),
                )
        except errors.Refusal as refusal:
            click.echo(f"Tauschring {ring_id}: {explain(refusal)}", err=True)
            # A ring without a fee is no failure when all rings are run.
            failed = failed or ring is not None or not isinstance(refusal, errors.NoFee)
            continue
        title = "Vorschau" if dry_run else "Ergebnis"
        click.echo(
            f"{title} Kontoführungsgebühr {period}, Tauschring {ring_id}: "
            f"{format_hours(plan.minutes)} je Mitglied"
        )
        for line in plan.lines:
            click.echo(
                f"  {line.member.number:>5}  {LABELS[line.outcome]}"
                + (f": {line.reason}" if line.reason else "")
            )
        if dry_run:
            click.echo(f"  Zu buchen: {plan.count('book', 'override')}, zusammen {format_hours(plan.total)}")
        else:
            click.echo(
                f"  Gebucht: {plan.count('booked')}, übersprungen: {plan.count('skipped')}, "
                f"befreit: {plan.count('exempt')}, schon früher erledigt: {plan.count('already', 'refused')}"
            )
    if failed:
        sys.exit(1)


COMMANDS = [fees_group]
