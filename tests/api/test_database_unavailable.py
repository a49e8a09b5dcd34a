"""A database that drops a connection, runs out of time or fails: the next request works (a
connection the server dropped is replaced before use), a statement cancelled by the statement
timeout is answered 503 with Retry-After (a page on the web, problem details on the API), and no
log line carries the parameters of a failed statement (names, streets, memos)."""

from __future__ import annotations

import logging

import pytest
import sqlalchemy as sa

from tauschring import create_app
from tauschring.db import db, engine_options, is_unavailable
from tauschring.models import metadata
from tauschring.web.setup import FOUNDED
from tests.conftest import POSTGRES_ADMIN_URL

PERSONAL = "Hildegard Musterfrau, Lindenstraße 7"


@pytest.fixture
def pg_app(fresh_database):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "SQLALCHEMY_ENGINES": {"default": fresh_database},
            "STATEMENT_TIMEOUT_MS": 300,
        }
    )

    @app.get("/_probe/sleep")
    @app.get("/api/v1/_probe/sleep")
    def sleep():
        db.session.execute(sa.text("SELECT pg_sleep(2)"))
        return "slept"

    @app.get("/_probe/broken")
    def broken():
        db.session.execute(sa.text("SELECT * FROM no_such_table WHERE name = :name"), {"name": PERSONAL})
        return "unreachable"

    @app.get("/_probe/duplicate")
    def duplicate():
        db.session.execute(sa.text("CREATE TEMP TABLE probe (name text UNIQUE)"))
        for _ in range(2):
            db.session.execute(sa.text("INSERT INTO probe VALUES (:name)"), {"name": PERSONAL})
        return "unreachable"

    @app.get("/_probe/read")
    def read():
        return str(db.session.execute(sa.text("SELECT 1")).scalar())

    with app.app_context():
        metadata.create_all(db.engine)
    app.extensions[FOUNDED] = True  # the probes need no ring (an empty instance would say so)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.mark.postgres
@pytest.mark.parametrize("fresh_database", ["postgres"], indirect=True)
def test_a_connection_the_server_dropped_is_replaced_before_the_next_request(pg_app, fresh_database):
    client = pg_app.test_client()
    assert client.get("/_probe/read").text == "1"
    name = sa.make_url(fresh_database).database
    admin = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        ended = connection.execute(
            sa.text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = :name AND pid <> pg_backend_pid()"
            ),
            {"name": name},
        ).scalar()
    admin.dispose()
    assert ended >= 1  # the pooled connection was really cut

    response = client.get("/_probe/read")

    assert response.status_code == 200 and response.text == "1"


@pytest.mark.postgres
@pytest.mark.parametrize("fresh_database", ["postgres"], indirect=True)
def test_a_statement_timeout_is_answered_503_with_retry_after_on_the_web_and_the_api(pg_app):
    client = pg_app.test_client()

    page = client.get("/_probe/sleep")
    api = client.get("/api/v1/_probe/sleep")

    assert page.status_code == 503 and page.headers["Retry-After"] == "5"
    assert "beschäftigt" in page.text and page.mimetype == "text/html"
    assert api.status_code == 503 and api.headers["Retry-After"] == "5"
    assert api.mimetype == "application/problem+json" and api.json["status"] == 503
    assert client.get("/_probe/read").text == "1"  # and the service goes on


@pytest.mark.postgres
@pytest.mark.parametrize("fresh_database", ["postgres"], indirect=True)
def test_a_failed_statement_logs_no_parameters(pg_app, caplog):
    client = pg_app.test_client()
    pg_app.testing = False  # answer with the error page, as in production, and log
    with caplog.at_level(logging.DEBUG):
        response = client.get("/_probe/broken")
        duplicate = client.get("/_probe/duplicate")  # the server's DETAIL names the value

    assert response.status_code == 500 and duplicate.status_code == 500
    assert "UniqueViolation" in caplog.text
    assert "no_such_table" in caplog.text  # the fault is logged ...
    assert "Musterfrau" not in caplog.text and "Lindenstraße" not in caplog.text  # ... not the data
    assert "Musterfrau" not in response.text


def test_every_engine_hides_parameters_and_pings_and_postgres_gets_a_statement_timeout():
    sqlite = engine_options("sqlite:///x.sqlite", 1000)
    postgres = engine_options("postgresql+psycopg://u@h/db", 1000)

    assert sqlite["hide_parameters"] and sqlite["pool_pre_ping"]
    assert postgres["hide_parameters"] and postgres["pool_pre_ping"]
    assert "statement_timeout=1000" in postgres["connect_args"]["options"]


def test_only_passing_troubles_count_as_unavailable():
    class Orig(Exception):
        def __init__(self, sqlstate):
            self.sqlstate = sqlstate

    def error(sqlstate):
        return sa.exc.OperationalError("SELECT 1", {}, Orig(sqlstate))

    assert is_unavailable(error("57014"))  # statement timeout
    assert is_unavailable(error("08006"))  # connection failure
    assert not is_unavailable(error("42P01"))  # a missing table is a fault
    assert not is_unavailable(ValueError())
