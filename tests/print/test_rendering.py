"""The products rendered as a reader sees them: pdftoppm (poppler-utils) turns pages into images,
and the ink lands where it must: the address in the envelope window, text in both columns."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from pypdf import PdfReader

DPI = 40
MM = DPI / 25.4
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def render(pdf: bytes, page: int) -> tuple[int, int, bytes]:
    """One page as an 8-bit grey image: width, height, pixels (0 black .. 255 white)."""
    if shutil.which("pdftoppm") is None:
        if IN_CI:
            pytest.fail("pdftoppm missing (apt-get install poppler-utils)")
        pytest.skip("pdftoppm missing (apt-get install poppler-utils)")
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "in.pdf"
        source.write_bytes(pdf)
        subprocess.run(
            [
                "pdftoppm",
                "-gray",
                "-r",
                str(DPI),
                "-f",
                str(page),
                "-l",
                str(page),
                str(source),
                str(Path(folder) / "page"),
            ],
            check=True,
            capture_output=True,
            timeout=60,
        )
        image = next(Path(folder).glob("page*.pgm")).read_bytes()
    magic, width, height, maximum, pixels = image.split(maxsplit=4)
    assert magic == b"P5" and maximum == b"255"
    return int(width), int(height), pixels[: int(width) * int(height)]


def ink(
    image: tuple[int, int, bytes],
    left_mm: float,
    top_mm: float,
    width_mm: float,
    height_mm: float,
) -> float:
    """The share of dark pixels in a rectangle of the page (millimetres from the top left corner)."""
    width, _height, pixels = image
    x0, y0 = int(left_mm * MM), int(top_mm * MM)
    x1, y1 = int((left_mm + width_mm) * MM), int((top_mm + height_mm) * MM)
    dark = total = 0
    for y in range(y0, y1):
        row = pixels[y * width + x0 : y * width + x1]
        dark += sum(1 for value in row if value < 128)
        total += len(row)
    return dark / total


@pytest.mark.parametrize(
    "name", ["marktzeitung.pdf", "grossdruck.pdf", "kontaktliste.pdf", "beilagen.pdf", "belege.pdf"]
)
def test_every_product_renders_to_an_a4_page_with_ink_on_it(name: str, products: dict[str, bytes]) -> None:
    width, height, pixels = image = render(products[name], 1)
    assert (round(width / MM), round(height / MM)) == (210, 297)
    assert ink(image, 0, 0, 210, 297) > 0.005


def test_the_insert_address_sits_in_the_din_5008_window(inserts: bytes) -> None:
    page = render(inserts, 1)
    window = ink(page, 20, 45, 85, 45)
    assert window > 0.01
    # The margin around the window on the left and below stays clear of the address.
    assert ink(page, 0, 45, 18, 45) < 0.001
    assert ink(page, 20, 92, 85, 5) < window / 4


def test_the_newspaper_sets_two_columns_and_the_large_print_one(newspaper: bytes, large_print: bytes) -> None:
    count = len(PdfReader(io.BytesIO(newspaper)).pages)
    pages = [render(newspaper, number) for number in range(2, count + 1)]
    two_columns = [
        page
        for page in pages
        if ink(page, 16, 30, 85, 230) > 0.01
        and ink(page, 110, 30, 85, 230) > 0.01
        and ink(page, 103, 30, 4, 230) == 0
    ]
    assert len(two_columns) >= 3  # the listing pages: text left and right of a clear gutter
    one = render(large_print, 3)
    assert ink(one, 16, 30, 178, 230) > 0.01
    assert ink(one, 103, 30, 4, 230) > 0.002  # one column runs across the middle
