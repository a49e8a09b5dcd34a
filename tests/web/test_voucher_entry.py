"""A clerk types a stack of 20 vouchers with the keyboard only, in Debian's Chromium: after each
voucher the cursor is back in "Beleg-Nr.", the result of the line just saved shows without
scrolling, and a voucher takes at most 22 keystrokes on average. The names shown beside typed
member numbers are those of the number typed last, whatever order the answers arrive in."""

from __future__ import annotations

import time

import pytest

from tests.web.test_browser import live_server, off_the_event_loop, page, screenshot  # noqa: F401

# (Beleg-Nr., Leistungsnehmer, Leistungsgeber, Betrag, Text): the text is optional on vouchers
# (the signed paper is the record; without one the entry reads "Beleg <Nr.>"), and a clerk types
# it for one voucher in four.
STACK = [
    (
        str(2001 + n),
        str(1 + n % 4),
        str(1 + (n + 1) % 4),
        ("1:30", "2", "0:45", "1")[n % 4],
        "Gartenarbeit" if n % 4 == 0 else "",
    )
    for n in range(20)
]


class Keyboard:
    """Types as a clerk does and counts every key pressed."""

    def __init__(self, page) -> None:  # noqa: F811
        self.page, self.keys = page, 0

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)
        self.keys += len(text)

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)
        self.keys += 1


@pytest.mark.slow
def test_twenty_vouchers_by_keyboard_keep_the_focus_and_show_each_result(page, live_server, ring, app):  # noqa: F811
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{live_server}/anmelden")
    page.fill("#username", "buero")
    page.fill("#password", "geheim-und-lang")
    page.click("main button[type=submit]")
    page.goto(f"{live_server}/buero/stapel")
    page.fill("#title", "Tauschtreffen")
    page.click("text=Neuen Stapel beginnen")
    keyboard = Keyboard(page)
    for number, (voucher, payer, payee, amount, memo) in enumerate(STACK, start=1):
        page.wait_for_load_state()
        assert page.evaluate("document.activeElement.id") == "voucher_number", (
            f"focus lost before voucher {number}"
        )
        keyboard.type(voucher)
        keyboard.press("Tab")
        keyboard.type(payer)
        keyboard.press("Tab")
        keyboard.type(payee)
        keyboard.press("Tab")
        keyboard.type(amount)
        if memo:
            keyboard.press("Tab")
            keyboard.type(memo)
        with page.expect_navigation():
            keyboard.press("Enter")
        result = page.locator(".last-line")
        assert f"Zeile {number} gespeichert" in result.inner_text()
        assert "bereit" in result.inner_text(), result.inner_text()
        box = result.bounding_box()
        assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 768, (number, box)
    screenshot(page, "voucher-entry-20")
    assert page.evaluate("document.activeElement.id") == "voucher_number"
    per_voucher = keyboard.keys / len(STACK)
    assert per_voucher <= 22, per_voucher
    totals = page.locator(".totals").inner_text()
    assert "Belege: 20" in totals and "bereit: 20" in totals


@pytest.mark.slow
def test_the_name_beside_a_number_is_the_one_typed_last(page, live_server, ring):  # noqa: F811
    page.goto(f"{live_server}/anmelden")
    page.fill("#username", "buero")
    page.fill("#password", "geheim-und-lang")
    page.click("main button[type=submit]")
    page.goto(f"{live_server}/buero/stapel")
    page.click("text=Neuen Stapel beginnen")

    def slow_first(route) -> None:  # the answer for member 1 arrives after the one for member 2
        time.sleep(0.8)
        route.continue_()

    page.route("**/buero/mitglied/1.json", slow_first)
    page.focus("#payer_number")
    page.keyboard.type("1")
    page.keyboard.press("Backspace")
    page.keyboard.type("2")
    page.wait_for_timeout(1500)
    assert "Bernd Schulz" in page.locator("#payer_number-name").inner_text()
