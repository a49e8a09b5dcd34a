"""Journals every treasurer's tool reads: hledger and ledger-cli read the same file with equal
balances, bean-check accepts the beancount file with equal balances; in minutes or hours; per
period with the closing as opening balances."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import ledger
from tauschring import closing, errors, payments, reports
from tauschring.models import Member

pytestmark = pytest.mark.usefixtures("app_context")

NOV_10 = dt.datetime(2026, 11, 10, 10, 0, tzinfo=dt.UTC)
DEC_3 = dt.datetime(2026, 12, 3, 10, 0, tzinfo=dt.UTC)
DEC_20 = dt.datetime(2026, 12, 20, 10, 0, tzinfo=dt.UTC)
JAN_4 = dt.datetime(2027, 1, 4, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def app_context():
    from tauschring import create_app

    app = create_app({"TESTING": True, "SQLALCHEMY_ENGINES": {"default": "sqlite://"}})
    with app.test_request_context():
        yield


def _tool(name: str) -> str:
    found = shutil.which(name) or (str(Path(".venv/bin", name)) if Path(".venv/bin", name).exists() else None)
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is not installed")
        pytest.skip(f"{name} is not installed")
    return found


def _run(*args: str) -> str:
    env = {**os.environ, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
    result = subprocess.run(list(args), capture_output=True, text=True, encoding="utf-8", env=env, timeout=60)
    assert result.returncode == 0, f"{args} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.fixture
def year(world):
    w = world
    pay = lambda payer, payee, minutes, day, now: payments.pay(  # noqa: E731
        w.session,
        w.system,
        payer=payer,
        payee=payee,
        minutes=minutes,
        memo='Hilfe "mit" Zitat; ja',
        service_date=day,
        now=now,
    )
    pay(w.anna, w.bernd, 90, dt.date(2026, 11, 9), NOV_10)
    pay(w.bernd, w.clara, 45, dt.date(2026, 11, 9), NOV_10)
    pay(w.dora, w.anna, 30, dt.date(2026, 11, 30), DEC_3)
    closing.close_month(w.session, w.system, period="2026-11", now=DEC_3)
    pay(w.clara, w.dora, 75, dt.date(2026, 12, 19), DEC_20)
    pay(w.anna, w.clara, 15, dt.date(2026, 12, 19), DEC_20)
    closing.close_year(w.session, w.system, year=2026, now=JAN_4)
    return w


def _expected(world, *, names: str, unit: str, at: dt.date | None = None) -> dict[str, int]:
    """The ledger's balances (or a closing's), keyed as the journal names the accounts, in hundredths
    of an hour or minutes."""
    numbers = {m.account_id: m.number for m in world.session.query(Member).filter_by(ring_id=world.ring_id)}
    if at is None:
        balances = {
            b.account_id: b.balance for b in ledger.ring_balances(world.session, ring_id=world.ring_id)
        }
    else:
        balances = next(
            c for c in ledger.closings(world.session, world.ring_id) if c.period_end == at
        ).balances
    out = {}
    for account_id, minutes in balances.items():
        if account_id in numbers:
            name = (
                f"Mitglieder:{numbers[account_id]:04d}"
                if names == "ledger"
                else f"Assets:Mitglieder:M{numbers[account_id]:04d}"
            )
        else:
            continue
        out[name] = minutes if unit == "minutes" else minutes * 5 // 3
    return {k: v for k, v in out.items() if v}


def _parse(out: str, unit: str) -> dict[str, int]:
    """'   -90 Min  Mitglieder:0001' or '  -1.50 Std  Mitglieder:0001' -> {name: minutes or hundredths}."""
    found = {}
    for line in out.splitlines():
        match = re.match(r"\s*(-?[\d.]+) (Min|Std)\s+(Mitglieder:\d{4})\s*$", line)
        if match:
            number = match.group(1)
            found[match.group(3)] = int(number) if unit == "minutes" else int(round(float(number) * 100))
    return found


@pytest.mark.parametrize("unit", ["minutes", "hours"])
def test_hledger_and_ledger_read_the_same_journal_with_the_books_balances(year, tmp_path, unit):
    path = tmp_path / "ring.journal"
    path.write_text(reports.journal(year.session, year.ring_id, unit=unit, now=JAN_4), encoding="utf-8")
    expected = _expected(year, names="ledger", unit=unit)
    hledger = _run(_tool("hledger"), "-f", str(path), "balance", "--flat", "--no-total", "Mitglieder")
    ledger_cli = _run(_tool("ledger"), "-f", str(path), "balance", "--flat", "--no-total", "Mitglieder")
    _run(_tool("hledger"), "-f", str(path), "check", "--strict", "ordereddates")
    assert _parse(hledger, unit) == expected
    assert _parse(ledger_cli, unit) == expected


def test_a_closed_period_exports_with_the_closing_as_opening_balances(year, tmp_path):
    text = reports.journal(
        year.session, year.ring_id, start=dt.date(2026, 12, 1), end=dt.date(2026, 12, 31), now=JAN_4
    )
    assert "Eröffnungssalden" in text and "Fingerabdruck" in text
    assert "Hilfe" in text and text.count("(") >= 2
    path = tmp_path / "dez.journal"
    path.write_text(text, encoding="utf-8")
    expected = _expected(year, names="ledger", unit="minutes", at=dt.date(2026, 12, 31))
    for tool in ("hledger", "ledger"):
        out = _run(_tool(tool), "-f", str(path), "balance", "--flat", "--no-total", "Mitglieder")
        assert _parse(out, "minutes") == expected
    # the November entries are not in it, only their balances
    assert "2026-11-09" not in text


@pytest.mark.parametrize("unit", ["minutes", "hours"])
def test_bean_check_accepts_the_beancount_export_and_its_balances_agree(year, tmp_path, unit):
    whole = tmp_path / "ring.beancount"
    whole.write_text(
        reports.journal(year.session, year.ring_id, fmt="beancount", unit=unit, now=JAN_4), encoding="utf-8"
    )
    _run(_tool("bean-check"), str(whole))
    december = tmp_path / "dez.beancount"
    text = reports.journal(
        year.session,
        year.ring_id,
        fmt="beancount",
        unit=unit,
        start=dt.date(2026, 12, 1),
        end=dt.date(2026, 12, 31),
        now=JAN_4,
    )
    assert " balance Assets:Mitglieder:M" in text  # the closing's balances, asserted
    december.write_text(text, encoding="utf-8")
    _run(_tool("bean-check"), str(december))
    from beancount import loader
    from beancount.core import realization

    entries, errors_found, _ = loader.load_file(str(whole))
    assert not errors_found
    tree = realization.realize(entries)
    got = {}
    for account in realization.iter_children(tree):
        if account.account.startswith("Assets:Mitglieder:M"):
            for position in account.balance:
                number = position.units.number
                got[account.account] = int(number) if unit == "minutes" else int(number * 100)
    assert {k: v for k, v in got.items() if v} == _expected(year, names="beancount", unit=unit)


def test_hours_are_refused_when_an_amount_is_no_exact_hundredth_of_an_hour(world):
    ledger.book_transfer(
        world.session,
        ring_id=world.ring_id,
        payer=world.anna.account_id,
        payee=world.bernd.account_id,
        minutes=20,
        memo="x",
        service_date=dt.date(2026, 11, 9),
        now=NOV_10,
    )
    with pytest.raises(errors.JournalNotExact):
        reports.journal(world.session, world.ring_id, unit="hours", now=NOV_10)
