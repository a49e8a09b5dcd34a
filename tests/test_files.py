"""Files with personal data are the owner's alone, whatever the umask: the instance folder, the
SQLite database with its -wal and -shm, the secret key, printed editions."""

from __future__ import annotations

import os
import stat

import pytest
from sqlalchemy import text

from tauschring import create_app
from tauschring.db import db


@pytest.fixture
def open_umask():
    previous = os.umask(0o000)  # a careless system: everything would be world-readable
    yield
    os.umask(previous)


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_the_instance_folder_database_and_key_are_private_even_with_umask_0(
    tmp_path, monkeypatch, open_umask
):
    instance = tmp_path / "instanz"
    monkeypatch.setenv("TAUSCHRING_INSTANCE_PATH", str(instance))
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app({"TESTING": True})
    with app.app_context():
        db.session.execute(text("CREATE TABLE t (x INTEGER)"))
        db.session.execute(text("INSERT INTO t VALUES (1)"))
        db.session.commit()
        database = instance / "tauschring.sqlite"
        assert mode(instance) == 0o700
        assert mode(database) == 0o600 and mode(instance / "secret_key") == 0o600
        for companion in ("tauschring.sqlite-wal", "tauschring.sqlite-shm"):
            if (instance / companion).exists():
                assert mode(instance / companion) == 0o600, companion
        for engine in db.engines.values():
            engine.dispose()


def test_a_database_made_readable_by_hand_is_closed_again_on_the_next_start(tmp_path, monkeypatch):
    instance = tmp_path / "instanz"
    instance.mkdir(mode=0o755)
    database = instance / "tauschring.sqlite"
    database.touch(mode=0o644)
    monkeypatch.setenv("TAUSCHRING_INSTANCE_PATH", str(instance))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app({"TESTING": True, "SECRET_KEY": "x"})
    with app.app_context():
        db.session.execute(text("SELECT 1"))
        assert mode(database) == 0o600 and mode(instance) == 0o700
        for engine in db.engines.values():
            engine.dispose()


def test_private_writes_never_show_a_readable_file(tmp_path, open_umask):
    from tauschring.files import private_folder, write_private

    folder = private_folder(tmp_path / "ausgabe" / "2026-12")
    written = write_private(folder / "beilagen.pdf", b"%PDF-1.4 Anschriften")
    assert mode(folder) == 0o700 and mode(written) == 0o600
    assert written.read_bytes() == b"%PDF-1.4 Anschriften"
