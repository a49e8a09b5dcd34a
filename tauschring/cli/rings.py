"""`tauschring ring`: found a ring and list the instance's rings (the operator's commands)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

import ledger

from .. import errors, founding, logins
from ..clock import local_now
from ..db import db, run_in_transaction
from ..texts import explain
from ..units import AmountError, parse_limit

ring_group = AppGroup("ring", help="Tauschringe dieser Installation gründen und auflisten.")


def setup_url(token: str) -> str:
    """The address of a one-time link, at the instance's public address (BASE_URL)."""
    base = str(current_app.config.get("BASE_URL") or "http://127.0.0.1:5000").rstrip("/")
    return f"{base}/einrichten/{token}"


def _limit(text: str | None, option: str) -> int | None:
    if text is None or text.strip().lower() in ("", "keine", "none"):
        return None
    try:
        return parse_limit(text)
    except AmountError as error:
        raise click.BadParameter(str(error), param_hint=option) from None


@ring_group.command("create", help="Einen Tauschring mit seinem ersten Administrator gründen.")
@click.option("--name", required=True, help='Name, z. B. "Tauschring Lindenau".')
@click.option("--slug", required=True, help="Kurzname für Adressen und --ring, z. B. lindenau.")
@click.option("--admin", "admin_username", required=True, help="Benutzername des ersten Administrators.")
@click.option(
    "--admin-password-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Passwort des Administrators aus dieser Datei (erste Zeile).",
)
@click.option(
    "--setup-link",
    is_flag=True,
    help="Kein Passwort abfragen: einen Einrichtungslink (einen Tag gültig) ausgeben.",
)
@click.option(
    "--min-balance", default="-30", show_default=True, help="Untere Grenze in Stunden (keine: none)."
)
@click.option("--max-balance", default="60", show_default=True, help="Obere Grenze in Stunden (keine: none).")
@click.option("--unit", "unit_plural", default="Stunden", show_default=True, help="Einheit (Mehrzahl).")
@click.option("--unit-singular", default="Stunde", show_default=True)
@click.option("--unit-symbol", default="Std.", show_default=True)
@click.option("--units-per-hour", default=1, show_default=True, type=int, help="z. B. 20 Talente je Stunde.")
@click.option(
    "--step", "step_minutes", default=15, show_default=True, type=int, help="Kleinster Betrag in Minuten."
)
@click.option("--office-address", default="", help="Anschrift des Büros (Zeilen mit \\n trennen).")
@click.option("--office-phone", default="")
@click.option("--office-email", default="")
@click.option("--office-hours", default="")
def ring_create(
    name: str,
    slug: str,
    admin_username: str,
    admin_password_file: Path | None,
    setup_link: bool,
    min_balance: str,
    max_balance: str,
    office_address: str,
    **settings: object,
) -> None:
    password = None
    if admin_password_file is not None:
        lines = admin_password_file.read_text(encoding="utf-8").splitlines()
        password = lines[0] if lines else ""
    elif not setup_link and sys.stdin.isatty():
        password = click.prompt(
            f"Passwort für {admin_username}", hide_input=True, confirmation_prompt="Noch einmal"
        )
    low = _limit(min_balance, "--min-balance")
    high = _limit(max_balance, "--max-balance")
    now = local_now()
    try:
        if password is not None:
            logins.check_password_strength(password)
        founded = run_in_transaction(
            db.session,
            lambda session: founding.found(
                session,
                name=name,
                slug=slug,
                admin_username=admin_username,
                admin_password=password,
                now=now,
                min_balance=low,
                max_balance=high,
                office_address=office_address.replace("\\n", "\n"),
                **settings,
            ),
        )
    except errors.Refusal as refusal:
        click.echo(explain(refusal), err=True)
        sys.exit(2)
    click.echo(f"{name} gegründet: Nummer {founded.ring_id}, Kurzname {founded.slug}.")
    if founded.setup_token is not None:
        click.echo(f"Administrator {admin_username}: das Passwort setzen (einmal, einen Tag gültig):")
        click.echo(f"  {setup_url(founded.setup_token)}")
    else:
        click.echo(f"Administrator {admin_username} kann sich jetzt anmelden.")


@ring_group.command("list", help="Die Tauschringe dieser Installation mit ihrer Größe.")
@click.option("--verify", "with_verify", is_flag=True, help="Auch die Bücher jedes Rings prüfen.")
def ring_list(with_verify: bool) -> None:
    found = founding.rings(db.session)
    if not found:
        click.echo("Noch kein Tauschring. Gründen mit: tauschring ring create --name … --slug … --admin …")
        return
    header = f"{'Nr.':>4}  {'Kurzname':<20} {'Mitglieder':>10} {'Buchungen':>10}"
    click.echo(header + ("  Bücher    " if with_verify else "") + "  Name")
    failed = False
    for ring in found:
        line = f"{ring.ring_id:>4}  {ring.slug or '-':<20} {ring.members:>10} {ring.entries:>10}"
        if with_verify:
            report = ledger.verify(db.session, ring.ring_id)
            failed = failed or not report.ok
            line += "  " + ("stimmen " if report.ok else f"{len(report.violations)} Fehler").ljust(10)
        click.echo(f"{line}  {ring.name}")
    sys.exit(1 if failed else 0)


COMMANDS = [ring_group]
