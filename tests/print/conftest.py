"""Rendered products, built once per test session (rendering takes a fraction of a second each)."""

from __future__ import annotations

import pytest

from print.data import Edition
from print.inserts import render_inserts
from print.newspaper import render_contact_list, render_large_print, render_newspaper
from print.vouchers import render_blank_vouchers

from . import samples


@pytest.fixture(scope="session")
def sample_edition() -> Edition:
    return samples.edition()


@pytest.fixture(scope="session")
def newspaper(sample_edition: Edition) -> bytes:
    return render_newspaper(sample_edition)


@pytest.fixture(scope="session")
def large_print(sample_edition: Edition) -> bytes:
    return render_large_print(sample_edition)


@pytest.fixture(scope="session")
def contact_list(sample_edition: Edition) -> bytes:
    return render_contact_list(sample_edition)


@pytest.fixture(scope="session")
def inserts(sample_edition: Edition) -> bytes:
    return render_inserts(samples.paper_members(), sample_edition.ring, sample_edition.info)


@pytest.fixture(scope="session")
def blank_vouchers(sample_edition: Edition) -> bytes:
    return render_blank_vouchers([f"2026-{number:05d}" for number in range(500, 507)], sample_edition.ring)


@pytest.fixture(scope="session")
def products(
    newspaper: bytes, large_print: bytes, contact_list: bytes, inserts: bytes, blank_vouchers: bytes
) -> dict[str, bytes]:
    """Every file of the monthly job, by file name."""
    return {
        "marktzeitung.pdf": newspaper,
        "grossdruck.pdf": large_print,
        "kontaktliste.pdf": contact_list,
        "beilagen.pdf": inserts,
        "belege.pdf": blank_vouchers,
    }
