"""Every page of every role, as a phone (390 px) and a desktop (1366 px) show it, checked with axe
(axe-core through Playwright, Debian's Chromium): no serious or critical violation. On the phone,
no page is wider than the screen, also with the text at 150 %. (The words on the pages are checked
in test_glossary.)"""

from __future__ import annotations

import pytest

from tests.web.content import fill_ring, pages_of
from tests.web.test_browser import live_server, off_the_event_loop, page, screenshot  # noqa: F401

WIDTHS = {"phone": 390, "desktop": 1366}
SERIOUS = ("serious", "critical")


@pytest.fixture
def pages_with_content(app, ring):
    return off_the_event_loop(lambda: fill_ring(app, ring))


def sign_in(page, base: str, role: str, ring) -> None:  # noqa: F811
    if role == "anonymous":
        return
    page.goto(f"{base}/anmelden")
    page.fill("#username", role)
    page.fill("#password", "geheim-und-lang")
    page.click("main button[type=submit]")
    if role == "hilde":
        page.goto(f"{base}/handeln-fuer")
        page.click("main form button")


def serious(results) -> list[str]:
    return [
        f"{v['id']} ({v['impact']}): {', '.join(t for node in v['nodes'] for t in node['target'])}"
        for v in results.response["violations"]
        if v["impact"] in SERIOUS
    ]


@pytest.mark.slow
@pytest.mark.parametrize("role", ["anonymous", "anna", "hilde", "buero", "admin"])
def test_every_page_passes_axe_at_phone_and_desktop_width(page, live_server, ring, pages_with_content, role):  # noqa: F811
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    sign_in(page, live_server, role, ring)
    found = {}
    for name, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        for path in pages_of(role, ring, pages_with_content):
            page.goto(live_server + path)
            problems = serious(axe.run(page))
            if problems:
                found[f"{name} {path}"] = problems
                screenshot(page, f"axe-{role}-{name}-{path.strip('/').replace('/', '-') or 'home'}")
    assert found == {}


@pytest.mark.slow
@pytest.mark.parametrize("role", ["anonymous", "anna", "hilde", "buero", "admin"])
def test_pages_fit_a_phone_also_at_150_percent_text(page, live_server, ring, pages_with_content, role):  # noqa: F811
    sign_in(page, live_server, role, ring)
    page.set_viewport_size({"width": 390, "height": 900})
    too_wide = {}
    for path in pages_of(role, ring, pages_with_content):
        for text_size in (None, "150%"):
            page.goto(live_server + path)
            if text_size:  # the reader's default text size at 150 % (the phone layout's 112.5 % of it)
                page.evaluate(
                    "document.documentElement.style.setProperty('font-size', '168.75%', 'important')"
                )
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > 390:
                too_wide[f"{path} {text_size or '100%'}"] = width
                screenshot(
                    page, f"wide-{role}-{path.strip('/').replace('/', '-') or 'home'}-{text_size or '100'}"
                )
    assert too_wide == {}
