"""The package installs as a wheel: built from the project's files, installed into a fresh virtual
environment without the source tree, it migrates a database and serves pages, its translations
and its static files. (A folder of code without ``__init__.py`` is missing from a wheel.)"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def project_files() -> list[str]:
    """What a clean clone holds: the files git tracks, and those it would track (not ignored)."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    return [name for name in listed.split("\0") if name and (ROOT / name).is_file()]


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh venv with the wheel installed; its dependencies come from the test environment's
    site-packages (added as a plain path, so the editable install of the source is not seen)."""
    if shutil.which("git") is None:
        pytest.skip("git is needed to list the project's files")
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    for name in project_files():
        target = source / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target)
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(work / "dist"), str(source)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    (wheel,) = (work / "dist").glob("tauschring-*.whl")
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", str(wheel)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert install.returncode == 0, install.stdout + install.stderr
    fresh_site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    (Path(fresh_site) / "test-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return venv


def run(venv: Path, *command: str, cwd: Path) -> subprocess.CompletedProcess:
    skipped = ("PYTHON", "TAUSCHRING", "FLASK")
    environment = {key: value for key, value in os.environ.items() if not key.startswith(skipped)}
    environment.update(TAUSCHRING_INSTANCE_PATH=str(cwd / "instance"), SECRET_KEY="wheel-test")
    environment.pop("DATABASE_URL", None)
    return subprocess.run(command, cwd=cwd, env=environment, capture_output=True, text=True, timeout=300)


@pytest.mark.slow
def test_the_wheel_holds_every_package_and_serves_from_a_fresh_venv(installed, tmp_path):
    migrated = run(installed, str(installed / "bin" / "tauschring"), "db", "upgrade", cwd=tmp_path)
    assert migrated.returncode == 0, migrated.stdout + migrated.stderr
    script = textwrap.dedent(
        """
        import tauschring
        from tauschring import create_app
        from tauschring.demo import create_demo
        from tauschring.db import db

        app = create_app()
        with app.app_context():
            create_demo(db.session)
        client = app.test_client()
        login = client.get("/anmelden")
        style = client.get("/static/style.css")
        client.post("/sprache/en", data={"csrf_token": ""})
        spec = client.get("/api/v1/openapi.json")
        print(tauschring.__file__)
        print(login.status_code, style.status_code, spec.status_code)
        print("Anmelden" in login.get_data(as_text=True))
        """
    )
    served = run(installed, str(installed / "bin" / "python"), "-I", "-c", script, cwd=tmp_path)
    assert served.returncode == 0, served.stdout + served.stderr
    location, statuses, german = served.stdout.split("\n")[:3]
    assert location.startswith(str(installed)), location  # the wheel, not the source tree
    assert statuses == "200 200 200" and german == "True"
    listed = run(
        installed,
        str(installed / "bin" / "python"),
        "-I",
        "-c",
        "import importlib.metadata as m; print('\\n'.join(str(f) for f in m.files('tauschring')))",
        cwd=tmp_path,
    ).stdout.split()
    for needed in (
        "tauschring/web/__init__.py",
        "tauschring/web/office/__init__.py",
        "tauschring/api/resources/__init__.py",
        "tauschring/cli/__init__.py",
        "tauschring/templates/base.html",
        "tauschring/translations/en/LC_MESSAGES/messages.mo",
        "migrations/versions/2026_12_01_0006_rules.py",
        "print/fonts/DejaVuSans.ttf",
    ):
        assert needed in listed, needed
