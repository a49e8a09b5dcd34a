"""`tauschring report year`: the annual report (Jahresbericht) as a PDF for the Mitgliederversammlung."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from print.annual_report import render_annual_report

from .. import errors, statistics
from ..clock import local_now
from ..db import db
from ..texts import explain
from .common import RING_HELP, one_ring

report_group = AppGroup("report", help="Berichte für Kassenprüfung und Mitgliederversammlung.")


@report_group.command("year", help="Den Jahresbericht eines Jahres als PDF schreiben.")
@click.option("--year", type=int, required=True, help="Jahr als JJJJ, z. B. 2026.")
@click.option(
    "--out", "out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="PDF-Datei."
)
@click.option("--ring", help=f"{RING_HELP}; nötig, wenn es mehrere gibt.")
def report_year(year: int, out: Path, ring: str | None) -> None:
    ring_id = one_ring(ring)
    try:
        data, found = statistics.annual_report(db.session, ring_id, year, today=local_now().date())
    except errors.Refusal as refusal:
        click.echo(explain(refusal), err=True)
        sys.exit(1)
    pdf = render_annual_report(data)
    out.write_bytes(pdf)
    state = "abgeschlossen" if found.closing is not None else "noch nicht abgeschlossen"
    click.echo(
        f"Jahresbericht {year} geschrieben: {out} ({len(pdf)} Bytes); {found.exchanges} Tausche, "
        f"Jahr {state}."
    )


COMMANDS = [report_group]
