"""The office tests use the web fixtures: an app on its own database, the test ring, browsers."""

from tests.web.conftest import app, browser, other_browser, ring  # noqa: F401
