"""The last verify result of a ring (`tauschring.verification`): kept by the office's "check now",
the scheduled job and the console, read by the office home without scanning the book."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from tauschring import errors, verification
from tests.tauschring.conftest import T0, rows


def test_a_ring_never_checked_has_no_result_and_checking_keeps_one(world):
    assert verification.last(world.session, world.ring_id) is None

    report = verification.verify_now(world.session, world.actor("ute"), now=T0)

    kept = verification.last(world.session, world.ring_id)
    assert report.ok and kept.ok and kept.checked_at == T0 and kept.source == "office"
    assert (kept.accounts, kept.entries, kept.violation_count) == (report.accounts, report.entries, 0)
    assert verification.last(world.session, world.other_ring_id) is None  # per ring


def test_a_broken_book_is_kept_with_its_violations_and_replaced_by_the_next_check(world):
    world.session.execute(
        text("UPDATE account SET balance = balance + 1 WHERE id = :a"), {"a": world.anna.account_id}
    )
    verification.verify_now(world.session, world.actor("ute"), now=T0)
    broken = verification.last(world.session, world.ring_id)
    assert not broken.ok and broken.violation_count >= 1
    assert "cached_balance" in {v["check"] for v in broken.violations}

    world.session.execute(
        text("UPDATE account SET balance = balance - 1 WHERE id = :a"), {"a": world.anna.account_id}
    )
    verification.verify_now(world.session, world.actor("ute"), now=T0)
    assert verification.last(world.session, world.ring_id).ok


def test_only_the_office_checks_now(world):
    before = rows(world.session)
    with pytest.raises(errors.Forbidden):
        verification.verify_now(world.session, world.actor("anna"), now=T0)
    assert rows(world.session) == before


def test_the_scheduled_verify_and_the_console_keep_every_rings_result(tmp_path):
    from tauschring import create_app
    from tauschring.db import db
    from tauschring.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    upgrade(url)
    app = create_app({"SQLALCHEMY_ENGINES": {"default": url}, "BACKUP_DIR": ""})
    runner = app.test_cli_runner()
    secret = tmp_path / "pw"
    secret.write_text("geheim-und-lang")
    for slug in ("lindenau", "plagwitz"):
        founded = runner.invoke(
            args=["ring", "create", "--name", slug, "--slug", slug, "--admin", f"{slug}-admin",
                  "--admin-password-file", str(secret)]
        )  # fmt: skip
        assert founded.exit_code == 0, founded.output

    assert runner.invoke(args=["jobs", "run", "verify"]).exit_code == 0
    with app.app_context():
        kept = [verification.last(db.session, ring_id) for ring_id in (1, 2)]
    assert [(k.ok, k.source) for k in kept] == [(True, "job"), (True, "job")]

    assert runner.invoke(args=["ledger", "verify", "--ring", "plagwitz"]).exit_code == 0
    with app.app_context():
        assert verification.last(db.session, 2).source == "cli"
        assert verification.last(db.session, 1).source == "job"
        for engine in db.engines.values():
            engine.dispose()
