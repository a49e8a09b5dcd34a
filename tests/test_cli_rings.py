"""`tauschring ring create` and `tauschring ring list`, `--ring SLUG` on the other commands, and
an empty instance: `serve`'s setup link and the setup pages in the browser."""

from __future__ import annotations

import re

import pytest

from tauschring import create_app
from tauschring.migrate import upgrade
from tests.web.conftest import token_in

PASSWORD = "geheim-und-lang"


@pytest.fixture
def app(tmp_path, monkeypatch):
    monkeypatch.setenv("TAUSCHRING_INSTANCE_PATH", str(tmp_path))
    url = f"sqlite:///{tmp_path / 'rings.sqlite'}"
    upgrade(url)
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_ENGINES": {"default": url},
            "BASE_URL": "https://tausch.example.org",
            "WTF_CSRF_ENABLED": True,
        }
    )
    yield app
    with app.app_context():
        from tauschring.db import db

        for engine in db.engines.values():
            engine.dispose()


def create(runner, tmp_path, *extra, slug="lindenau", admin="vorstand"):
    secret = tmp_path / f"{admin}.txt"
    secret.write_text(PASSWORD + "\n")
    return runner.invoke(
        args=[
            "ring", "create", "--name", f"Tauschring {slug.title()}", "--slug", slug, "--admin", admin,
            "--admin-password-file", str(secret), *extra,
        ]
    )  # fmt: skip


def sign_in(client, username, password=PASSWORD):
    token = token_in(client.get("/anmelden"))
    return client.post("/anmelden", data={"username": username, "password": password, "csrf_token": token})


def test_a_ring_is_founded_from_the_console_and_its_admin_signs_in(app, tmp_path):
    runner = app.test_cli_runner()

    result = create(
        runner, tmp_path, "--office-phone", "0341 4926", "--min-balance", "-20:00", "--max-balance", "none"
    )

    assert result.exit_code == 0, result.output
    assert "Kurzname lindenau" in result.output
    listed = runner.invoke(args=["ring", "list"])
    assert re.search(r"1\s+lindenau\s+0\s+0\s+Tauschring Lindenau", listed.output), listed.output
    assert runner.invoke(args=["ledger", "verify", "--ring", "lindenau"]).exit_code == 0
    checked = runner.invoke(args=["ring", "list", "--verify"])
    assert checked.exit_code == 0 and re.search(r"lindenau\s+0\s+0\s+stimmen", checked.output), checked.output
    client = app.test_client()
    assert sign_in(client, "vorstand").status_code == 302
    assert "0341 4926" in client.get("/buero/einstellungen").text


def test_with_several_rings_a_command_needs_ring_and_an_unknown_one_exits_2(app, tmp_path):
    runner = app.test_cli_runner()
    create(runner, tmp_path)
    assert create(runner, tmp_path, slug="plagwitz", admin="plagwitz-admin").exit_code == 0

    unnamed = runner.invoke(args=["print", "edition", "--month", "2026-12", "--out", str(tmp_path / "out")])
    unknown = runner.invoke(args=["ledger", "balances", "--ring", "connewitz"])
    named = runner.invoke(args=["ledger", "balances", "--ring", "plagwitz"])

    assert unnamed.exit_code == 2 and "--ring" in unnamed.output
    assert unknown.exit_code == 2 and "connewitz" in unknown.output
    assert named.exit_code == 0


def test_a_bad_short_name_or_a_taken_one_is_refused_with_its_reason(app, tmp_path):
    runner = app.test_cli_runner()
    assert create(runner, tmp_path, slug="Linden Au").exit_code == 2
    create(runner, tmp_path)
    again = create(runner, tmp_path, admin="andere")
    assert again.exit_code == 2 and "lindenau" in again.output
    assert "lindenau" in runner.invoke(args=["ring", "list"]).output


def test_without_a_password_the_console_prints_a_one_time_link_for_the_admin(app):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "ring",
            "create",
            "--name",
            "Tauschring Lindenau",
            "--slug",
            "lindenau",
            "--admin",
            "vorstand",
            "--setup-link",
        ]
    )
    assert result.exit_code == 0, result.output
    link = re.search(r"https://tausch\.example\.org(/einrichten/\S+)", result.output).group(1)
    client = app.test_client()

    page = client.get(link)
    token = token_in(page)
    done = client.post(
        link, data={"new": "mein-erstes-passwort", "repeat": "mein-erstes-passwort", "csrf_token": token}
    )

    assert page.status_code == 200 and "Passwort setzen" in page.text
    assert done.status_code == 302
    assert sign_in(app.test_client(), "vorstand", "mein-erstes-passwort").status_code == 302
    assert client.get(link).status_code == 404  # used once


def test_an_empty_instance_shows_how_to_found_a_ring_and_only_the_consoles_link_founds_it(app):
    client = app.test_client()
    waiting = client.get("/")
    assert waiting.status_code == 503 and "tauschring ring create" in waiting.text
    assert client.get("/einrichten/erraten").status_code == 404

    with app.app_context():
        from tauschring import founding
        from tauschring.clock import local_now
        from tauschring.db import db, run_in_transaction

        secret = run_in_transaction(db.session, lambda s: founding.instance_link(s, local_now()))
    form = client.get(f"/einrichten/{secret}")
    values = {
        "name": "Tauschring Lindenau",
        "slug": "lindenau",
        "username": "vorstand",
        "new": PASSWORD,
        "repeat": PASSWORD,
        "csrf_token": token_in(form),
    }
    bad = client.post(f"/einrichten/{secret}", data={**values, "slug": "buero"})
    founded = client.post(f"/einrichten/{secret}", data=values)

    assert form.status_code == 200 and "Tauschring gründen" in form.text
    assert bad.status_code == 400 and "Kurzname" in bad.text
    assert founded.status_code == 302
    assert client.get("/anmelden").status_code == 200
    assert sign_in(app.test_client(), "vorstand").status_code == 302
    assert client.get(f"/einrichten/{secret}").status_code == 404


def test_serve_on_an_empty_instance_prints_the_setup_link(app, monkeypatch):
    import waitress

    monkeypatch.setattr(waitress, "serve", lambda *a, **k: None)
    result = app.test_cli_runner().invoke(args=["serve", "--no-demo", "--no-jobs"])

    assert result.exit_code == 0, result.output
    assert "tauschring ring create" in result.output
    assert re.search(r"https://tausch\.example\.org/einrichten/\S{20,}", result.output)
