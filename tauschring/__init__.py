"""Tauschring: hour accounts and offer listings for local exchange rings."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask

from .config import defaults
from .db import configure_engine, db, sqlite_connect_args


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the application. ``test_config`` overrides the defaults and the environment."""
    instance_path = os.environ.get("TAUSCHRING_INSTANCE_PATH")
    app = Flask(__name__, instance_relative_config=True, instance_path=instance_path)
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_mapping(defaults(app.instance_path))
    app.config.from_prefixed_env("TAUSCHRING")
    if test_config:
        app.config.from_mapping(test_config)

    engines = dict(app.config["SQLALCHEMY_ENGINES"])
    for name, engine_config in engines.items():
        if isinstance(engine_config, str):
            engine_config = {"url": engine_config}
        if str(engine_config["url"]).startswith("sqlite"):
            engine_config = {"connect_args": sqlite_connect_args(), **engine_config}
        engines[name] = engine_config
    app.config["SQLALCHEMY_ENGINES"] = engines
    db.init_app(app)
    with app.app_context():
        for engine in db.engines.values():
            configure_engine(engine)

    from .commands import register_commands

    register_commands(app)
    return app
