"""Every page of every role, as a phone (390 px) and a desktop (1366 px) show it, checked with axe
(axe-core through Playwright, Debian's Chromium): no serious or critical violation. On the phone,
no page is wider than the screen, also with the text at 150 %. And no page shows an internal code
or a doubled period after "Std."."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from tauschring import editions, listings, payments, rings, vouchers
from tauschring.db import db
from tauschring.models import Member, User
from tauschring.permissions import Actor
from tests.web.test_browser import live_server, off_the_event_loop, page, screenshot  # noqa: F401

WIDTHS = {"phone": 390, "desktop": 1366}
SERIOUS = ("serious", "critical")
# What no reader should meet: an internal code of the database, or "Std.." at a sentence's end.
INTERNAL = re.compile(
    r"\b(transfer|reversal|settlement|paper_form|voucher_batch|batch\.[a-z_.]+|member\.[a-z_]+|"
    r"auto_accepted|api_token|fee_run|payment_request)\b|Std\.\."
)


@pytest.fixture
def pages_with_content(app, ring):
    """A listing, a payment, a request waiting, a voucher batch with a line, and an edition: so
    every page shows what it is for."""

    def build():
        with app.app_context():
            s = db.session
            now = dt.datetime.now(dt.UTC)
            user = lambda name: Actor.of(s.get(User, ring.users[name]))  # noqa: E731
            anna, bernd = s.get(Member, ring.anna.id), s.get(Member, ring.bernd.id)
            category = rings.categories_of(s, ring.id)[1]
            listing = listings.create_listing(
                s, user("anna"), member=anna, kind="offer", category_id=category.id,
                title="Rasen mähen", text="Mit eigenem Mäher.\nAuch Hecken.", now=now,
            )  # fmt: skip
            entry = payments.pay(
                s,
                user("anna"),
                payer=anna,
                payee=bernd,
                minutes=90,
                memo="Hecke",
                service_date=now.date(),
                now=now,
            )
            payments.request_payment(
                s,
                user("bernd"),
                payee=bernd,
                payer=anna,
                minutes=60,
                memo="Einkauf",
                service_date=now.date(),
                now=now,
            )
            batch = vouchers.open_batch(s, user("buero"), now=now, title="Treffen")
            vouchers.add_line(
                s, user("buero"), batch, now=now, voucher_number="101", payer_number=str(anna.number),
                payee_number=str(bernd.number), amount="1:00", memo="Hilfe", service_date=now.strftime("%d.%m.%Y"),
            )  # fmt: skip
            edition = editions.create_edition(
                s, user("buero"), year=2027, month=1, cutoff=now.date(), next_cutoff=now.date() + dt.timedelta(days=30),
                now=now,
            )  # fmt: skip
            s.commit()
            return {"listing": listing.public_number, "listing_id": listing.id, "entry": entry.id,
                    "batch": batch.id, "edition": edition.id}  # fmt: skip

    return off_the_event_loop(build)


def pages_of(role: str, ring, made: dict) -> list[str]:
    member = [
        "/", "/bezahlen", "/anforderungen", "/kontoauszug", f"/buchungen/{made['entry']}", "/markt",
        "/markt?q=rasen", f"/markt/{made['listing']}", "/meine-inserate", "/meine-inserate/neu",
        f"/meine-inserate/{made['listing_id']}/bearbeiten", "/profil", "/passwort", "/api-tokens", "/handeln-fuer",
    ]  # fmt: skip
    office = [
        "/buero/", "/buero/stapel", f"/buero/stapel/{made['batch']}", "/buero/mitglieder", "/buero/mitglieder/neu",
        f"/buero/mitglieder/{ring.anna.number}", f"/buero/mitglieder/{ring.clara.number}",
        f"/buero/mitglieder/{ring.anna.number}/kontoauszug", "/buero/buchungen", f"/buero/buchungen/{made['entry']}",
        "/buero/gebuehren", "/buero/ausgaben", f"/buero/ausgaben/{made['edition']}", "/buero/belegnummern",
        "/buero/grenzen", "/buero/berichte", "/buero/protokoll",
    ]  # fmt: skip
    return {
        "anonymous": ["/anmelden", "/gibt-es-nicht"],
        "anna": member,
        "hilde": ["/handeln-fuer", "/", "/bezahlen", "/anforderungen", "/kontoauszug", "/profil"],
        "buero": office,
        "admin": ["/buero/einstellungen"],
    }[role]


def sign_in(page, base: str, role: str, ring) -> None:
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
@pytest.mark.parametrize("role", ["anna", "hilde", "buero"])
def test_no_page_is_wider_than_a_phone_also_at_150_percent_text(
    page, live_server, ring, pages_with_content, role
):  # noqa: F811
    sign_in(page, live_server, role, ring)
    page.set_viewport_size({"width": 390, "height": 900})
    too_wide, shown_codes = {}, {}
    for path in pages_of(role, ring, pages_with_content):
        for text_size in (None, "150%"):
            page.goto(live_server + path)
            if text_size:  # the reader's default text size at 150 % (the phone layout's 112.5 % of it)
                page.evaluate("document.documentElement.style.setProperty('font-size', '168.75%', 'important')")
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > 390:
                too_wide[f"{path} {text_size or '100%'}"] = width
                screenshot(
                    page, f"wide-{role}-{path.strip('/').replace('/', '-') or 'home'}-{text_size or '100'}"
                )
        text = page.inner_text("body")
        codes = INTERNAL.findall(text)
        if codes:
            shown_codes[path] = codes
    assert too_wide == {}
    assert shown_codes == {}
