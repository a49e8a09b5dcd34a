"""The command line: `tauschring demo`, `tauschring ledger verify`, `tauschring ledger balances`."""

from __future__ import annotations

import pytest
from sqlalchemy import text

import ledger
from tauschring import create_app
from tauschring.migrate import upgrade


@pytest.fixture
def app(tmp_path, monkeypatch):
    monkeypatch.setenv("TAUSCHRING_INSTANCE_PATH", str(tmp_path))
    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    upgrade(url)
    app = create_app({"TESTING": True, "SQLALCHEMY_ENGINES": {"default": url}})
    yield app
    with app.app_context():
        from tauschring.db import db

        for engine in db.engines.values():
            engine.dispose()


def test_verify_on_an_empty_database_says_so_and_succeeds(app):
    result = app.test_cli_runner().invoke(args=["ledger", "verify"])
    assert result.exit_code == 0
    assert "Keine Tauschringe" in result.output


def test_demo_books_a_ring_whose_verify_report_is_clean(app):
    runner = app.test_cli_runner()

    demo = runner.invoke(args=["demo"])
    verify = runner.invoke(args=["ledger", "verify"])

    assert demo.exit_code == 0, demo.output
    assert "Summe" in demo.output and "0:00 h" in demo.output
    assert verify.exit_code == 0
    assert verify.output.count("[OK    ]") == len(ledger.CHECKS)
    assert "Ergebnis: Die Bücher stimmen." in verify.output
    assert runner.invoke(args=["demo"]).output.startswith("Die Datenbank enthält schon einen Tauschring")


def test_verify_exits_non_zero_and_names_each_violation(app):
    runner = app.test_cli_runner()
    runner.invoke(args=["demo"])
    with app.app_context():
        from tauschring.db import db

        db.session.execute(text("DROP TRIGGER trg_posting_no_update"))
        db.session.execute(text("UPDATE posting SET amount = amount + 1 WHERE id = 1"))
        db.session.execute(text("UPDATE account SET balance = balance + 7 WHERE id = 6"))
        db.session.commit()

    result = runner.invoke(args=["ledger", "verify"])

    assert result.exit_code == 1
    assert "[FEHLER] Jeder Kontostand ist gleich der Summe seiner Buchungszeilen" in result.output
    assert "account 6: cached" in result.output
    assert "[FEHLER] Jede Buchung hat mindestens zwei Zeilen" in result.output
    assert "Verstoß/Verstöße gefunden" in result.output


def test_verify_of_an_unknown_ring_exits_with_2(app):
    result = app.test_cli_runner().invoke(args=["ledger", "verify", "--ring", "99"])
    assert result.exit_code == 2


def test_balances_lists_every_account_and_the_zero_sum(app):
    runner = app.test_cli_runner()
    runner.invoke(args=["demo"])
    result = runner.invoke(args=["ledger", "balances"])
    assert result.exit_code == 0
    assert "Gemeinschaftskonto" in result.output and "Anna Becker" in result.output
    assert result.output.rstrip().endswith("0:00 h")
