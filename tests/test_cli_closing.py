"""`tauschring close --period`, `close --year` and `reopen`: on the demo ring, with the clock frozen."""

from __future__ import annotations

from freezegun import freeze_time
from sqlalchemy import select

import ledger
from tauschring.models import AuditEvent
from tests.test_cli import app  # noqa: F401  (the fixture)


def test_close_a_month_then_the_year_then_reopen_the_year(app):  # noqa: F811
    runner = app.test_cli_runner()
    with freeze_time("2026-11-20 10:00:00"):
        assert runner.invoke(args=["demo"]).exit_code == 0
    with freeze_time("2026-12-01 10:00:00"):
        early = runner.invoke(args=["close", "--period", "2026-12"])
        month = runner.invoke(args=["close", "--period", "2026-11"])
    assert early.exit_code == 1 and "noch nicht vorbei" in early.output
    assert month.exit_code == 0, month.output
    assert "Monat 2026-11 abgeschlossen" in month.output and "Fingerabdruck" in month.output
    with freeze_time("2027-01-02 10:00:00"):
        year = runner.invoke(args=["close", "--year", "2026"])
        again = runner.invoke(args=["close", "--year", "2026"])
        wrong_order = runner.invoke(args=["reopen", "--period", "2026-12", "--reason", "Test"])
        reopened = runner.invoke(args=["reopen", "--year", "2026", "--reason", "Kassenprüfung"])
        verify = runner.invoke(args=["ledger", "verify"])
    assert year.exit_code == 0, year.output
    assert "Monat 2026-12 abgeschlossen" in year.output and "Jahr 2026 abgeschlossen" in year.output
    assert again.exit_code == 1
    assert wrong_order.exit_code == 1 and "letzte Abschluss" in wrong_order.output
    assert reopened.exit_code == 0, reopened.output
    assert verify.exit_code == 0, verify.output
    with app.app_context():
        from tauschring.db import db

        actions = [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
        assert actions.count("closing.close") == 3 and actions.count("closing.reopen") == 1
        ring = db.session.scalar(select(ledger.Ring.id))
        assert ledger.closed_through(db.session, ring).isoformat() == "2026-12-31"


def test_close_needs_exactly_one_of_period_and_year(app):  # noqa: F811
    result = app.test_cli_runner().invoke(args=["close"])
    assert result.exit_code == 2 and "--period" in result.output


def test_report_year_writes_the_annual_report(app, tmp_path):  # noqa: F811
    runner = app.test_cli_runner()
    with freeze_time("2026-11-20 10:00:00"):
        assert runner.invoke(args=["demo"]).exit_code == 0
    with freeze_time("2027-01-03 10:00:00"):
        assert runner.invoke(args=["close", "--year", "2026"]).exit_code == 0
        out = tmp_path / "jahresbericht.pdf"
        result = runner.invoke(args=["report", "year", "--year", "2026", "--out", str(out)])
        bad = runner.invoke(args=["report", "year", "--year", "1", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Jahr abgeschlossen" in result.output
    assert out.read_bytes().startswith(b"%PDF")
    assert bad.exit_code == 1
