"""The same data gives byte-identical PDFs."""

from __future__ import annotations

from print.inserts import render_inserts
from print.newspaper import render_contact_list, render_large_print, render_newspaper
from print.vouchers import render_blank_vouchers

from . import samples


def test_every_product_renders_byte_identical_twice(products: dict[str, bytes]) -> None:
    edition = samples.edition()
    again = {
        "marktzeitung.pdf": render_newspaper(edition),
        "grossdruck.pdf": render_large_print(edition),
        "kontaktliste.pdf": render_contact_list(edition),
        "beilagen.pdf": render_inserts(samples.paper_members(), edition.ring, edition.info),
        "belege.pdf": render_blank_vouchers(
            [f"2026-{number:05d}" for number in range(500, 507)], edition.ring
        ),
    }
    for name, pdf in again.items():
        assert pdf == products[name], name


def test_different_data_gives_different_bytes(newspaper: bytes) -> None:
    assert render_newspaper(samples.edition(number=13)) != newspaper
