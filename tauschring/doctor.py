"""`tauschring doctor`: is this installation set up to keep a ring's books safe? Each check says
what it found and what to do; an ``error`` is something that would lose data or expose it (the
command then exits non-zero), a ``warning`` something an operator should look at, ``ok`` fine.

Checked: the secret key (set, long, not the example), the database (reachable, migrated to the
newest revision), the files (instance folder, key, SQLite file and backup folder private), the
time zone, the proxy setting, the metrics token, the daily backups (there, recent, checked) and
the scheduled jobs (run lately, not failing). There is no mail to check yet.
"""

from __future__ import annotations

import datetime as dt
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from . import backups, health, jobruns
from .jobs import JOBS

WEAK_SECRETS = {"change-me", "change-me-to-64-hex-characters", "secret", "dev", "test", "geheim"}


@dataclass(frozen=True)
class Finding:
    level: str  # ok, warning, error
    topic: str
    text: str  # what was found, and what to do (German: the console's language)


def examine(
    config: Mapping[str, object],
    *,
    instance_path: str,
    engine: sa.Engine,
    now: dt.datetime,
    environ: Mapping[str, str] = os.environ,
) -> list[Finding]:
    """Every check, in the order an operator would fix them."""
    findings: list[Finding] = []
    findings += _secret(config, environ)
    database_ok = _database(engine, findings)
    findings += _files(config, instance_path, engine)
    findings += _time_zone(config)
    findings += _proxy_and_metrics(config)
    findings += _backups(config, now)
    if database_ok:
        findings += _jobs(engine, now)
    return findings


def failed(findings: list[Finding]) -> bool:
    return any(finding.level == "error" for finding in findings)


# ---------------------------------------------------------------------------------------------


def _secret(config: Mapping[str, object], environ: Mapping[str, str]) -> list[Finding]:
    key = str(config.get("SECRET_KEY") or "")
    if not key:
        return [
            Finding(
                "error",
                "Schlüssel",
                "SECRET_KEY ist leer: Sitzungen ließen sich fälschen. Einen langen Zufallswert setzen.",
            )
        ]
    if key.lower() in WEAK_SECRETS or len(set(key)) < 8 or len(key) < 32:
        return [
            Finding(
                "error",
                "Schlüssel",
                "SECRET_KEY ist zu kurz oder ein Beispielwert: Sitzungen ließen sich fälschen. "
                "Setzen: python3 -c 'import secrets; print(secrets.token_hex(32))'.",
            )
        ]
    source = "aus der Umgebung" if environ.get("SECRET_KEY") else "im Instanzordner erzeugt"
    return [Finding("ok", "Schlüssel", f"SECRET_KEY ist gesetzt ({source}).")]


def _database(engine: sa.Engine, findings: list[Finding]) -> bool:
    found = health.readiness(engine)
    shown = engine.url.render_as_string(hide_password=True)
    if not found.database:
        findings.append(
            Finding("error", "Datenbank", f"Die Datenbank {shown} antwortet nicht: DATABASE_URL prüfen.")
        )
        return False
    if found.revision != found.head:
        findings.append(
            Finding(
                "error",
                "Datenbank",
                f"Die Datenbank ist auf Stand {found.revision or 'leer'}, "
                f"diese Version braucht {found.head}: "
                "zuerst sichern (tauschring backup DATEI), dann tauschring db upgrade.",
            )
        )
        return False
    backend = "PostgreSQL" if engine.dialect.name == "postgresql" else "SQLite"
    findings.append(
        Finding("ok", "Datenbank", f"{backend} erreichbar, auf dem neuesten Stand ({found.head}).")
    )
    if engine.dialect.name == "sqlite":
        findings.append(
            Finding(
                "warning",
                "Datenbank",
                "SQLite: gut für einen kleinen Tauschring mit tauschring serve; für mehrere Prozesse "
                "oder viele Tauschringe PostgreSQL (README, Production).",
            )
        )
    return True


def _private(path: Path, mode: int) -> bool:
    return stat.S_IMODE(path.stat().st_mode) & ~mode == 0


def _files(config: Mapping[str, object], instance_path: str, engine: sa.Engine) -> list[Finding]:
    found: list[Finding] = []
    wanted: list[tuple[Path, int]] = [
        (Path(instance_path), 0o700),
        (Path(instance_path) / "secret_key", 0o600),
    ]
    if engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:"):
        wanted.append((Path(str(engine.url.database)), 0o600))
    folder = str(config.get("BACKUP_DIR") or "")
    if folder and Path(folder).is_dir():
        wanted.append((Path(folder), 0o700))
        wanted += [(listed.path, 0o600) for listed in backups.listing(folder)]
    exposed = [str(path) for path, mode in wanted if path.exists() and not _private(path, mode)]
    if exposed:
        found.append(
            Finding(
                "error",
                "Dateien",
                "Für andere Benutzer lesbar (sie enthalten personenbezogene Daten oder den Schlüssel): "
                + ", ".join(exposed)
                + ". chmod 700 für Ordner, 600 für Dateien.",
            )
        )
    else:
        found.append(
            Finding("ok", "Dateien", "Instanzordner, Schlüssel, Datenbankdatei und Sicherungen sind privat.")
        )
    return found


def _time_zone(config: Mapping[str, object]) -> list[Finding]:
    zone = str(config.get("BABEL_DEFAULT_TIMEZONE") or "")
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        return [
            Finding(
                "error",
                "Zeitzone",
                f"Die Zeitzone {zone!r} ist unbekannt: Leistungsdaten und Fristen wären falsch.",
            )
        ]
    return [Finding("ok", "Zeitzone", f"Zeitzone {zone}; gespeichert wird in UTC.")]


def _proxy_and_metrics(config: Mapping[str, object]) -> list[Finding]:
    found: list[Finding] = []
    try:
        proxies = int(config.get("TRUSTED_PROXIES") or 0)
    except (TypeError, ValueError):
        proxies = -1
    if proxies < 0 or proxies > 3:
        found.append(
            Finding("error", "Proxy", "TAUSCHRING_TRUSTED_PROXIES muss 0, 1 oder die Zahl der Proxys sein.")
        )
    elif proxies == 0:
        found.append(
            Finding(
                "warning",
                "Proxy",
                "TAUSCHRING_TRUSTED_PROXIES=0: hinter einem Reverse-Proxy (HTTPS) auf 1 setzen, sonst "
                "kennt Tauschring weder die Adresse der Besucher noch, dass HTTPS benutzt wird.",
            )
        )
    else:
        found.append(
            Finding(
                "ok", "Proxy", f"Tauschring glaubt {proxies} Proxy(s) vor sich (nur so erreichbar machen)."
            )
        )
    token = str(config.get("METRICS_TOKEN") or "")
    if token and (len(token) < 16 or token.lower().startswith("change-me")):
        found.append(Finding("error", "Metriken", "METRICS_TOKEN ist zu kurz oder ein Beispielwert."))
    elif not token:
        found.append(
            Finding("warning", "Metriken", "Kein METRICS_TOKEN: /metrics antwortet nur an 127.0.0.1.")
        )
    else:
        found.append(Finding("ok", "Metriken", "/metrics verlangt METRICS_TOKEN."))
    return found


def _backups(config: Mapping[str, object], now: dt.datetime) -> list[Finding]:
    folder = str(config.get("BACKUP_DIR") or "")
    if not folder:
        return [Finding("error", "Sicherungen", "Kein BACKUP_DIR: es gibt keine täglichen Sicherungen.")]
    state = backups.state(folder, now)
    if state.kind in ("check_failed", "old"):
        return [
            Finding("error", "Sicherungen", f"{state.problem} (tauschring backup --list; tauschring jobs)")
        ]
    if state.kind:
        return [
            Finding(
                "warning",
                "Sicherungen",
                f"{state.problem} Die erste entsteht beim nächsten Lauf der Aufgaben.",
            )
        ]
    return [Finding("ok", "Sicherungen", f"Neueste Sicherung {state.latest.path.name}, geprüft.")]


def _jobs(engine: sa.Engine, now: dt.datetime) -> list[Finding]:
    try:
        with Session(engine) as session:
            session.connection(execution_options={"read_only": True})
            runs = jobruns.last_runs(session, list(JOBS))
    except SQLAlchemyError:
        return [Finding("error", "Aufgaben", "Die Läufe der geplanten Aufgaben lassen sich nicht lesen.")]
    found: list[Finding] = []
    for name, job in JOBS.items():
        run = runs[name]
        if run is None:
            found.append(
                Finding(
                    "warning",
                    "Aufgaben",
                    f"{name} lief noch nie: läuft der Timer (tauschring-jobs.timer) oder serve?",
                )
            )
        elif run.status == "failed":
            found.append(Finding("error", "Aufgaben", f"{name} ist zuletzt fehlgeschlagen: {run.detail}"))
        elif now - run.started_at > 2 * job.every + dt.timedelta(minutes=10):
            found.append(
                Finding(
                    "warning",
                    "Aufgaben",
                    f"{name} lief zuletzt {run.started_at:%d.%m.%Y %H:%M} UTC: läuft der Timer?",
                )
            )
    if not found:
        found.append(Finding("ok", "Aufgaben", "Alle geplanten Aufgaben liefen zuletzt in Ordnung."))
    return found
