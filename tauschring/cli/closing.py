"""`tauschring close` and `tauschring reopen`: closing a month or a year, and reopening the latest
closing (the console acts as the system, trusted like an admin; both are audited)."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

import ledger

from .. import closing, errors
from ..clock import local_now
from ..db import db, run_in_transaction
from ..fees import period_bounds
from ..permissions import Actor
from ..texts import explain, format_hours
from .common import RING_HELP, one_ring


def _describe(view: ledger.ClosingView) -> str:
    label = f"{view.period_start:%Y-%m}" if view.kind == "month" else str(view.period_start.year)
    what = "Monat" if view.kind == "month" else "Jahr"
    return (
        f"{what} {label} abgeschlossen: {view.entry_count} Buchungen, bewegt {format_hours(view.moved)}, "
        f"Fingerabdruck {view.fingerprint}"
    )


def _period_option(period: str | None, year: int | None) -> None:
    if (period is None) == (year is None):
        raise click.UsageError("Bitte genau eines angeben: --period JJJJ-MM oder --year JJJJ.")


@click.command("close", help="Einen Monat (--period 2026-11) oder ein Jahr (--year 2026) abschließen.")
@click.option("--period", help="Monat als JJJJ-MM.")
@click.option("--year", type=int, help="Jahr als JJJJ: schließt die offenen Monate und dann das Jahr ab.")
@click.option("--ring", help=f"{RING_HELP}; nötig, wenn es mehrere gibt.")
@with_appcontext
def close_command(period: str | None, year: int | None, ring: str | None) -> None:
    _period_option(period, year)
    ring_id = one_ring(ring)
    now = local_now()
    actor = Actor.system(ring_id)
    try:
        if period is not None:
            written = [
                run_in_transaction(
                    db.session, lambda session: closing.close_month(session, actor, period=period, now=now)
                )
            ]
        else:
            written = run_in_transaction(
                db.session, lambda session: closing.close_year(session, actor, year=year, now=now)
            )
    except (errors.Refusal, ledger.LedgerError) as refusal:
        click.echo(explain(refusal), err=True)
        sys.exit(1)
    for view in written:
        click.echo(_describe(view))


@click.command("reopen", help="Den letzten Abschluss wieder öffnen (mit Begründung; wird protokolliert).")
@click.option("--period", help="Monat als JJJJ-MM.")
@click.option("--year", type=int, help="Jahr als JJJJ.")
@click.option("--reason", required=True, help="Warum der Abschluss geöffnet wird.")
@click.option("--ring", help=f"{RING_HELP}; nötig, wenn es mehrere gibt.")
@with_appcontext
def reopen_command(period: str | None, year: int | None, reason: str, ring: str | None) -> None:
    _period_option(period, year)
    ring_id = one_ring(ring)
    try:
        if period is not None:
            kind, (start, end) = "month", period_bounds(period)
        else:
            kind, (start, end) = "year", closing.year_bounds(year)
        found = ledger.active_closing(db.session, ring_id, kind, start, end)
        if found is None:
            raise errors.ClosingUnknown(closing_id=0)
        view = run_in_transaction(
            db.session,
            lambda session: closing.reopen(
                session, Actor.system(ring_id), closing_id=found.id, reason=reason, now=local_now()
            ),
        )
    except (errors.Refusal, ledger.LedgerError) as refusal:
        click.echo(explain(refusal), err=True)
        sys.exit(1)
    click.echo(f"Abschluss {view.period_start}..{view.period_end} wieder geöffnet: {reason}")


COMMANDS = [close_command, reopen_command]
