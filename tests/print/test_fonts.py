"""Every font in every product is embedded DejaVu Sans; Helvetica never sneaks in."""

from __future__ import annotations

import pytest

from .pdfcheck import font_report

PRODUCTS = ["marktzeitung.pdf", "grossdruck.pdf", "kontaktliste.pdf", "beilagen.pdf", "belege.pdf"]


@pytest.mark.parametrize("name", PRODUCTS)
def test_every_font_is_embedded_dejavu(name: str, products: dict[str, bytes]) -> None:
    seen, problems = font_report(products[name])
    assert problems == []
    assert seen, "no fonts found at all"
    assert all("DejaVuSans" in font for font in seen), seen


@pytest.mark.parametrize("name", PRODUCTS)
def test_no_standard_font_is_named_anywhere_in_the_file(name: str, products: dict[str, bytes]) -> None:
    pdf = products[name]
    assert b"/Helvetica" not in pdf and b"/Times" not in pdf and b"/Courier" not in pdf
