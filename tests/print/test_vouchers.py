"""Blank pre-numbered vouchers (belege.pdf): three per page, number as text and Code128."""

from __future__ import annotations

import re

from print.data import VoucherPayer
from print.vouchers import render_blank_vouchers

from . import samples
from .pdfcheck import page_texts, reader


def rectangles_per_page(pdf: bytes) -> list[int]:
    """How many filled rectangles (barcode bars) each page draws."""
    return [len(re.findall(rb"\sre\s", page.get_contents().get_data())) for page in reader(pdf).pages]


def test_three_vouchers_per_page_in_number_order(blank_vouchers: bytes) -> None:
    texts = page_texts(blank_vouchers)
    assert [text.count("Kontrollabschnitt") for text in texts] == [3, 3, 1]
    numbers = re.findall(r"^2026-\d{5}$", "\n".join(texts), re.MULTILINE)
    assert numbers == [f"2026-{number:05d}" for number in range(500, 507) for _stub_and_slip in (1, 2)]


def test_each_voucher_has_the_fields_of_the_slip(blank_vouchers: bytes) -> None:
    text = page_texts(blank_vouchers)[0]
    for field in (
        "Leistungsnehmer (zahlt):",
        "Leistungsgeber (erhält):",
        "Leistungsdatum:",
        "Stunden (Std.:Min.):",
        "Leistung:",
        "Unterschrift Leistungsnehmer",
        "Unterschrift Leistungsgeber",
        "Tauschring Lindenau",
    ):
        assert text.count(field) == 3, field
    assert text.count("Mitgl.-Nr.") == 6  # for the payer and for the payee
    assert "Mitgl.-Nr. 0042" not in text


def test_each_voucher_has_a_barcode(blank_vouchers: bytes) -> None:
    bars = rectangles_per_page(blank_vouchers)
    assert bars[0] >= 3 * 25 and bars[2] >= 25
    assert bars[2] < bars[0]


def test_a_payer_can_be_pre_printed() -> None:
    pdf = render_blank_vouchers(["1", "2"], samples.ring(), VoucherPayer("0042", "Erika Mustermann"))
    text = page_texts(pdf)[0]
    assert text.count("Erika Mustermann · Mitgl.-Nr. 0042") == 2


def test_talente_rings_ask_for_talente() -> None:
    text = page_texts(render_blank_vouchers(["1"], samples.talent_ring()))[0]
    assert "Talente:" in text and "Std.:Min." not in text


def test_numbers_code128_cannot_encode_are_printed_as_text_only() -> None:
    pdf = render_blank_vouchers(["Nr-ä-1", "x" * 40], samples.ring())
    text = page_texts(pdf)[0]
    assert "Nr-ä-1" in text
    assert rectangles_per_page(pdf)[0] >= 25  # the long ASCII number still gets a (narrower) barcode


def test_no_numbers_give_a_valid_pdf() -> None:
    assert "Keine Belegnummern." in page_texts(render_blank_vouchers([], samples.ring()))[0]
