"""The `tauschring` command: Flask's commands plus the ring's own (see `tauschring --help`)."""

from __future__ import annotations

from flask.cli import FlaskGroup

from . import create_app

cli = FlaskGroup(create_app=create_app, help="Tauschring: Zeitkonten und Marktzeitung eines Tauschrings.")
