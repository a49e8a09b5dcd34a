"""Personal inserts: window address, statement, own listings with renewal slip, vouchers."""

from __future__ import annotations

import dataclasses
import re

from print.inserts import render_inserts

from . import samples
from .pdfcheck import page_texts, placed_texts
from .test_privacy import insert_pages

# DIN 5008 form B address field: 20 mm from the left, 45 mm from the top, 85 x 45 mm.
WINDOW_LEFT, WINDOW_TOP, WINDOW_WIDTH, WINDOW_HEIGHT = 20.0, 45.0, 85.0, 45.0


def first_pages(pdf: bytes) -> dict[str, int]:
    """The page index where each member's insert starts."""
    starts = {}
    for index, text in enumerate(page_texts(pdf)):
        match = re.search(r"Mitglied (\S+)\nSeite 1 von", text) or re.search(
            r"Seite 1 von \d+\n.*?Mitglied (\S+)", text
        )
        if "Seite 1 von" in text and match:
            starts[match.group(1)] = index
    return starts


def test_each_insert_numbers_its_own_pages(inserts: bytes) -> None:
    texts = page_texts(inserts)
    footers = [re.search(r"Seite (\d+) von (\d+)", text) for text in texts]
    groups: list[list[int]] = []
    for match in footers:
        if match is None:  # voucher pages have no footer
            continue
        number, total = int(match.group(1)), int(match.group(2))
        if number == 1:
            groups.append([])
        groups[-1].append(number)
        assert number <= total
    assert len(groups) == 4
    for group in groups:
        assert group == list(range(1, len(group) + 1))


def test_inserts_come_in_the_given_order(inserts: bytes) -> None:
    assert list(insert_pages(inserts)) == ["0042", "0043", "0044", "0045"]
    members = list(reversed(samples.paper_members()))
    ring, info = samples.ring(), samples.EDITION_INFO
    assert list(insert_pages(render_inserts(members, ring, info))) == ["0045", "0044", "0043", "0042"]


def test_the_address_sits_in_the_window_field(inserts: bytes) -> None:
    starts = first_pages(inserts)
    for member in samples.paper_members():
        pieces = placed_texts(inserts, starts[member.member_number])
        for line in member.address:
            piece = next(piece for piece in pieces if piece.text == line)
            assert WINDOW_LEFT + 5 - 0.1 <= piece.x_mm <= WINDOW_LEFT + WINDOW_WIDTH
            assert WINDOW_TOP + 17.7 <= piece.top_mm <= WINDOW_TOP + WINDOW_HEIGHT, (line, piece.top_mm)
        sender = next(piece for piece in pieces if piece.text.startswith("Tauschring Lindenau · Bürgerhaus"))
        assert WINDOW_TOP <= sender.top_mm <= WINDOW_TOP + 17.7
        assert sender.size < 8


def test_the_statement_shows_balances_lines_and_a_summary_in_words(inserts: bytes) -> None:
    text = insert_pages(inserts)["0042"]
    flat = " ".join(text.split())
    assert "Ihr Kontoauszug" in text
    assert "Zeitraum 01.11.2026 bis 30.11.2026" in flat
    assert "Kontostand am 31.10.2026 10:00" in flat
    assert "01.11.26 29.10.26 Buchung 1: Fahrt zum Arzt" in flat
    for head in ("Datum", "Leistungs-", "datum", "Text", "Partner", "Ein-", "gang", "Aus-", "Saldo"):
        assert head in text
    assert "Kontostand am 30.11.2026 19:00" in flat
    assert "Ihr Kontostand am 30.11.2026: 19:00 Stunden Guthaben" in flat


def test_a_negative_balance_is_named_as_such(inserts: bytes) -> None:
    flat = " ".join(insert_pages(inserts)["0043"].split())
    assert "Kontostand am 31.10.2026 -2:00" in flat
    assert "Ihr Kontostand am 30.11.2026: 4:45 Stunden Guthaben" in flat


def test_a_200_line_statement_splits_over_pages_and_repeats_its_header(inserts: bytes) -> None:
    texts = [
        text for text in page_texts(inserts) if "Mitglied 0044" in text and re.search(r"Buchung \d+:", text)
    ]
    assert len(texts) >= 4
    seen = []
    for text in texts:
        lines = text.splitlines()
        assert "Datum" in lines and "Saldo" in lines and "Ein-" in lines
        assert text.index("Saldo") < text.index("Buchung")  # header row above the first line
        seen += [int(number) for number in re.findall(r"Buchung (\d+):", text)]
    assert seen == list(range(1, 201))


def test_own_listings_have_expiry_dates_and_a_renewal_slip(inserts: bytes) -> None:
    flat = " ".join(insert_pages(inserts)["0042"].split())
    assert "Ihre Inserate" in flat
    assert "A-0137 Rasenmähen und Heckenschnitt" in flat
    assert "Angebot, läuft ab am 28.02.2027" in flat
    assert "Gesuch, läuft ab am 28.02.2027" in flat
    slip = flat[flat.index("Rückmeldung zu Ihren Inseraten") :]
    assert "Mitglied 0042, Erika Mustermann" in slip
    assert "bis zum 29.12.2026 im Büro abgeben" in slip
    for number in ("A-0046", "A-0137", "G-0042"):
        assert f"{number}" in slip
    assert slip.count("\u2610 verlängern") == 3 and slip.count("\u2610 zurückziehen") == 3


def test_a_member_without_listings_or_statement_gets_a_short_insert(inserts: bytes) -> None:
    text = insert_pages(inserts)["0045"]
    assert "Für Sie liegt kein Kontoauszug vor." in text
    assert "Sie haben zurzeit keine Inserate." in " ".join(text.split())
    assert "Kontrollabschnitt" not in text


def test_vouchers_carry_the_member_as_payer_three_per_page(inserts: bytes) -> None:
    """Three per page; two in large print, where the voucher is set at 16 pt."""
    texts = page_texts(inserts)
    voucher_pages = [text for text in texts if "Beleg für das Büro" in text]
    erika = [text for text in voucher_pages if "Erika Mustermann · Mitgl.-Nr. 0042" in text]
    assert [text.count("Kontrollabschnitt") for text in erika] == [3, 3]
    numbers = re.findall(r"2026-001\d\d", "".join(erika))
    assert sorted(set(numbers)) == [f"2026-{number:05d}" for number in range(101, 107)]
    heimlich = [text for text in voucher_pages if "Hans Heimlich · Mitgl.-Nr. 0043" in text]
    assert [text.count("Kontrollabschnitt") for text in heimlich] == [2, 2]


def test_large_print_members_get_16_pt(inserts: bytes) -> None:
    starts = first_pages(inserts)

    def size_of(member: str, prefix: str) -> float:
        pieces = placed_texts(inserts, starts[member])
        return next(piece.size for piece in pieces if piece.text.startswith(prefix))

    assert size_of("0043", "Zeitraum") == 16
    assert size_of("0042", "Zeitraum") == 12
    assert size_of("0043", "01.11.26") == 16  # the statement table too


def test_talente_rings_show_their_unit() -> None:
    member = dataclasses.replace(samples.paper_members()[0], voucher_numbers=())
    pdf = render_inserts([member], samples.talent_ring(), samples.EDITION_INFO)
    flat = " ".join(" ".join(page_texts(pdf)).split())
    assert "Beträge in Talente" in flat
    assert "Ihr Kontostand am 30.11.2026: 380 Talente Guthaben" in flat


def test_no_members_give_a_valid_pdf() -> None:
    assert page_texts(render_inserts([], samples.ring(), samples.EDITION_INFO)) == [
        "Keine Beilagen in dieser Ausgabe.\n"
    ]
