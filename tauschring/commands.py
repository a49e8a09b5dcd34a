"""Command-line use cases: `tauschring db upgrade`, `tauschring ledger verify`, `tauschring demo`."""

from __future__ import annotations

import datetime as dt
import sys

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select

import ledger

from .backup import register_backup_commands
from .db import db
from .texts import CHECK_TEXTS, format_hours


def register_commands(app: Flask) -> None:
    app.cli.add_command(db_group)
    app.cli.add_command(ledger_group)
    app.cli.add_command(demo_command)
    app.cli.add_command(serve_command)
    app.cli.add_command(fees_group)
    app.cli.add_command(print_group)
    app.cli.add_command(requests_group)
    register_backup_commands(app)


# ---------------------------------------------------------------------------------------------
# Database


db_group = AppGroup("db", help="Datenbank einrichten und migrieren.")


@db_group.command("upgrade", help="Die Datenbank auf den neuesten Stand migrieren.")
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision: str) -> None:
    from .migrate import upgrade

    upgrade(current_app.config["SQLALCHEMY_ENGINES"]["default"]["url"], revision)
    click.echo(f"Datenbank migriert ({revision}).")


@db_group.command("current", help="Die aktuelle Migrationsversion zeigen.")
def db_current() -> None:
    from .migrate import current_revision

    click.echo(current_revision(current_app.config["SQLALCHEMY_ENGINES"]["default"]["url"]) or "-")


# ---------------------------------------------------------------------------------------------
# Ledger


ledger_group = AppGroup("ledger", help="Die Buchhaltung prüfen und auswerten.")


def _ring_ids(ring: int | None) -> list[int]:
    if ring is not None:
        return [ring]
    return list(db.session.scalars(select(ledger.Ring.id).order_by(ledger.Ring.id)))


@ledger_group.command("verify", help="Alle Regeln der Buchhaltung prüfen; Exit-Code 1 bei jedem Verstoß.")
@click.option("--ring", type=int, help="Nur diesen Tauschring prüfen (Nummer).")
def ledger_verify(ring: int | None) -> None:
    failed = False
    ring_ids = _ring_ids(ring)
    if not ring_ids:
        click.echo("Keine Tauschringe in der Datenbank.")
        return
    for ring_id in ring_ids:
        try:
            report = ledger.verify(db.session, ring_id)
        except ledger.UnknownRing:
            click.echo(f"Tauschring {ring_id} gibt es nicht.", err=True)
            sys.exit(2)
        click.echo(render_report(report))
        failed = failed or not report.ok
    sys.exit(1 if failed else 0)


def render_report(report: ledger.VerifyReport) -> str:
    """The verify report as a treasurer reads it: what was checked, what was found."""
    lines = [
        f"Prüfbericht für {report.ring_name} (Tauschring {report.ring_id})",
        f"  Konten: {report.accounts}   Buchungen: {report.entries}   "
        f"Buchungszeilen: {report.postings}   Summe aller Salden: {format_hours(report.total_balance)}",
        "",
    ]
    by_check: dict[str, list[ledger.Violation]] = {}
    for violation in report.violations:
        by_check.setdefault(violation.check, []).append(violation)
    for check in report.checks:
        found = by_check.get(check, [])
        mark = "OK    " if not found else "FEHLER"
        lines.append(f"  [{mark}] {CHECK_TEXTS.get(check, check)}")
        for violation in found:
            lines.append(f"           - {violation.detail}")
    if report.notices:
        lines.append("")
        lines.append("  Hinweise (keine Fehler):")
        for notice in report.notices:
            lines.append(f"           - {notice.detail}")
    lines.append("")
    if report.ok:
        lines.append("  Ergebnis: Die Bücher stimmen.")
    else:
        lines.append(f"  Ergebnis: {len(report.violations)} Verstoß/Verstöße gefunden.")
    return "\n".join(lines)


@ledger_group.command("balances", help="Die Salden aller Konten eines Tauschrings zeigen.")
@click.option("--ring", type=int, help="Nur diesen Tauschring (Nummer).")
def ledger_balances(ring: int | None) -> None:
    for ring_id in _ring_ids(ring):
        click.echo(render_balances(ring_id))


def render_balances(ring_id: int) -> str:
    balances = ledger.ring_balances(db.session, ring_id=ring_id)
    ring = db.session.get(ledger.Ring, ring_id)
    lines = [f"Salden in {ring.name if ring else ring_id}:"]
    width = max([len(b.label) for b in balances] + [10])
    for b in balances:
        closed = "  (geschlossen)" if b.closed else ""
        lines.append(f"  {b.account_id:>5}  {b.label:<{width}}  {format_hours(b.balance):>10}{closed}")
    lines.append(f"  {'':>5}  {'Summe':<{width}}  {format_hours(sum(b.balance for b in balances)):>10}")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Demo


@click.command("demo", help="Einen Demo-Tauschring anlegen (nur in einer leeren Datenbank).")
@with_appcontext
def demo_command() -> None:
    from .demo import create_demo, demo_banner

    info = create_demo(db.session)
    if info is None:
        click.echo("Die Datenbank enthält schon einen Tauschring; keine Demo angelegt.")
        return
    click.echo(demo_banner(info))
    click.echo("")
    click.echo(render_report(ledger.verify(db.session, info.ring_id)))


# ---------------------------------------------------------------------------------------------
# Serving


@click.command(
    "serve", help="Datenbank migrieren, bei leerer Datenbank die Demo anlegen, dann mit waitress dienen."
)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int)
@click.option("--no-demo", is_flag=True, help="Auch bei leerer Datenbank keine Demo anlegen.")
@with_appcontext
def serve_command(host: str, port: int, threads: int, no_demo: bool) -> None:
    import waitress

    from .demo import create_demo, demo_banner
    from .migrate import upgrade

    upgrade(current_app.config["SQLALCHEMY_ENGINES"]["default"]["url"])
    info = None if no_demo else create_demo(db.session)
    if info is not None:
        click.echo(render_report(ledger.verify(db.session, info.ring_id)))
        click.echo("")
        click.echo(demo_banner(info))
    db.session.close()
    app = current_app._get_current_object()
    if host in ("127.0.0.1", "localhost", "::1"):
        # Plain HTTP on this machine only: a Secure cookie would not come back.
        app.config["SESSION_COOKIE_SECURE"] = app.config["REMEMBER_COOKIE_SECURE"] = False
    click.echo(f"Tauschring läuft auf http://{host}:{port}/ (Strg+C beendet).")
    waitress.serve(app, host=host, port=port, threads=threads)


# ---------------------------------------------------------------------------------------------
# Monthly account fee

fees_group = AppGroup("fees", help="Die monatliche Kontoführungsgebühr.")


@fees_group.command("run", help="Die Gebühr eines Monats buchen (ein zweiter Lauf bucht nichts mehr).")
@click.option("--period", required=True, help="Monat als JJJJ-MM, z. B. 2026-11.")
@click.option("--ring", type=int, help="Tauschring (Nummer); ohne Angabe alle.")
@click.option("--dry-run", is_flag=True, help="Nur zeigen, was gebucht würde.")
def fees_run(period: str, ring: int | None, dry_run: bool) -> None:
    from .clock import local_now
    from .db import run_in_transaction
    from .fees import FeeError, NoFee, plan_fees, run_fees
    from .texts import format_hours

    labels = {
        "book": "wird gebucht",
        "override": "wird trotz Limit gebucht",
        "skip": "wird übersprungen (Limit)",
        "exempt": "befreit",
        "already": "schon früher gebucht",
        "refused": "früher übersprungen (Limit)",
        "booked": "gebucht",
        "skipped": "übersprungen (Limit)",
    }
    failed = False
    for ring_id in _ring_ids(ring):
        now = local_now()
        try:
            if dry_run:
                plan = plan_fees(db.session, ring_id=ring_id, period=period, today=now.date())
            else:
                plan = run_in_transaction(
                    db.session,
                    lambda session, ring_id=ring_id, now=now: run_fees(
                        session, ring_id=ring_id, period=period, now=now, operator_id=None, channel="system"
                    ),
                )
        except NoFee as error:
            click.echo(f"Tauschring {ring_id}: {error}", err=True)
            failed = failed or ring is not None
            continue
        except FeeError as error:
            click.echo(f"Tauschring {ring_id}: {error}", err=True)
            failed = True
            continue
        title = "Vorschau" if dry_run else "Ergebnis"
        click.echo(
            f"{title} Kontoführungsgebühr {period}, Tauschring {ring_id}: "
            f"{format_hours(plan.minutes)} je Mitglied"
        )
        for line in plan.lines:
            click.echo(
                f"  {line.member.number:>5}  {labels[line.outcome]}"
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


# ---------------------------------------------------------------------------------------------
# The printed Marktzeitung

print_group = AppGroup("print", help="Die gedruckte Marktzeitung.")


@print_group.command("edition", help="Eine Ausgabe erzeugen und ihre PDF-Dateien in einen Ordner schreiben.")
@click.option("--month", required=True, help="Monat der Ausgabe als JJJJ-MM, z. B. 2026-12.")
@click.option("--out", "out", required=True, type=click.Path(file_okay=False), help="Zielordner.")
@click.option("--ring", type=int, help="Tauschring (Nummer); ohne Angabe der einzige.")
@click.option(
    "--cutoff",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Redaktionsschluss (JJJJ-MM-TT), falls die Ausgabe neu angelegt wird; sonst heute.",
)
def print_edition(month: str, out: str, ring: int | None, cutoff) -> None:
    import re
    from pathlib import Path

    from .clock import local_now
    from .db import run_in_transaction
    from .editions import EditionError, create_edition, generate_edition
    from .fees import period_bounds
    from .models import Edition

    match = re.fullmatch(r"(\d{4})-(\d{2})", month)
    if not match:
        raise click.BadParameter("Monat als JJJJ-MM angeben.", param_hint="--month")
    year, number = int(match.group(1)), int(match.group(2))
    period_bounds(month)
    ring_ids = _ring_ids(ring)
    if len(ring_ids) != 1:
        raise click.UsageError("Bitte mit --ring angeben, für welchen Tauschring.")
    ring_id = ring_ids[0]
    target = Path(out)
    target.mkdir(parents=True, exist_ok=True)
    now = local_now()
    names = ["marktzeitung.pdf", "grossdruck.pdf", "kontaktliste.pdf", "beilagen.pdf", "belege.pdf"]

    def work(session):
        edition = session.scalar(
            select(Edition).where(Edition.ring_id == ring_id, Edition.year == year, Edition.month == number)
        )
        if edition is None:
            day = cutoff.date() if cutoff else now.date()
            edition = create_edition(
                session,
                ring_id=ring_id,
                year=year,
                month=number,
                cutoff=day,
                next_cutoff=day + dt.timedelta(days=30),
                now=now,
                user_id=None,
            )
        with click.progressbar(names, label="Marktzeitung wird gesetzt", show_pos=True) as bar:
            done = generate_edition(
                session, edition, now=now, user_id=None, progress=lambda name: bar.update(1)
            )
        return edition.number, done

    try:
        edition_number, done = run_in_transaction(db.session, work)
    except EditionError as error:
        raise click.ClickException(str(error)) from error
    for name, content in done.files.items():
        (target / name).write_bytes(content)
    click.echo(
        f"Ausgabe {edition_number} ({month}): {done.listings} Inserate; Druckauflage {done.print_run} "
        f"(davon {done.large_print_run} in Großdruck)."
    )
    for name in names:
        click.echo(f"  {target / name}  ({len(done.files[name]) // 1024} KB)")


# ---------------------------------------------------------------------------------------------
# Payment requests

requests_group = AppGroup("requests", help="Zahlungsanforderungen.")


@requests_group.command(
    "accept-due",
    help="Unbeantwortete Anforderungen nach der Frist des Tauschrings annehmen "
    "(für einen täglichen Cron-Job; geschieht sonst beim Aufruf der Seiten).",
)
@click.option("--ring", type=int, help="Tauschring (Nummer); ohne Angabe alle.")
def requests_accept_due(ring: int | None) -> None:
    from .clock import local_now
    from .db import run_in_transaction
    from .payments import process_due_requests

    for ring_id in _ring_ids(ring):
        done = run_in_transaction(
            db.session,
            lambda session, ring_id=ring_id: [
                (r.id, r.status) for r in process_due_requests(session, ring_id, local_now())
            ],
        )
        accepted = sum(1 for _, status in done if status == "auto_accepted")
        click.echo(f"Tauschring {ring_id}: {accepted} angenommen, {len(done) - accepted} nicht buchbar.")
