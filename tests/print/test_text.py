"""Amounts in the ring's unit, dates, and member text made printable."""

from __future__ import annotations

import datetime as dt

import pytest

from print.text import (
    MISSING_GLYPH,
    balance_in_words,
    clean,
    fit_text,
    format_amount,
    format_date,
    format_date_long,
    para,
    paragraphs,
    phone,
)

from . import samples

HOURS = samples.ring()
TALENTE = samples.talent_ring()


@pytest.mark.parametrize(
    ("minutes", "unit", "expected"),
    [
        (90, "short", "1:30 Std."),
        (0, "short", "0:00 Std."),
        (5, "none", "0:05"),
        (-90, "none", "-1:30"),
        (750, "long", "12:30 Stunden"),
        (60, "long", "1:00 Stunde"),
        (-60, "long", "-1:00 Stunde"),
        (6000, "short", "100:00 Std."),
    ],
)
def test_hours_are_shown_as_h_mm(minutes: int, unit: str, expected: str) -> None:
    assert format_amount(minutes, HOURS, unit) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("minutes", "unit", "expected"),
    [
        (60, "long", "20 Talente"),
        (3, "long", "1 Talent"),
        (100, "long", "33,33 Talente"),
        (1, "none", "0,33"),
        (2, "none", "0,67"),
        (-45, "short", "-15 Tal."),
        (3 * 25 + 1, "none", "25,33"),
        (0, "long", "0 Talente"),
    ],
)
def test_other_units_are_shown_with_decimals_as_needed(minutes: int, unit: str, expected: str) -> None:
    assert format_amount(minutes, TALENTE, unit) == expected  # type: ignore[arg-type]


def test_half_units_round_half_up_to_two_places() -> None:
    ring = samples.ring(
        unit_singular="Punkt", unit_plural="Punkte", unit_abbreviation="P.", minutes_per_unit=8
    )
    assert format_amount(1, ring, "none") == "0,13"  # 0.125
    assert format_amount(4, ring, "none") == "0,5"


def test_balance_in_words_names_credit_debit_and_even() -> None:
    day = dt.date(2026, 11, 30)
    assert balance_in_words(750, HOURS, day) == "Ihr Kontostand am 30.11.2026: 12:30 Stunden Guthaben"
    assert balance_in_words(-150, HOURS, day) == "Ihr Kontostand am 30.11.2026: 2:30 Stunden im Minus"
    assert balance_in_words(0, HOURS, day).endswith("0:00 Stunden (ausgeglichen)")
    assert balance_in_words(300, TALENTE, day).endswith("100 Talente Guthaben")


def test_dates_are_german_without_a_locale() -> None:
    assert format_date(dt.date(2026, 12, 8)) == "08.12.2026"
    assert format_date(dt.date(2026, 12, 8), short_year=True) == "08.12.26"
    assert format_date_long(dt.date(2026, 12, 8)) == "Dienstag, 8. Dezember 2026"
    assert format_date_long(dt.date(2027, 3, 1)) == "Montag, 1. März 2027"


def test_markup_in_member_text_is_escaped() -> None:
    assert para("<b>fett</b> & Co.") == "&lt;b&gt;fett&lt;/b&gt; &amp; Co."
    assert para('<img src="/etc/passwd">') == '&lt;img src="/etc/passwd"&gt;'
    assert para("a\nb") == "a<br/>b"


def test_characters_without_a_glyph_become_one_white_square() -> None:
    unicorn_family = "Einhorn \U0001f984 Familie \U0001f468\u200d\U0001f469\u200d\U0001f467 ok"
    assert clean(unicorn_family) == f"Einhorn {MISSING_GLYPH} Familie {MISSING_GLYPH} ok"


def test_control_characters_are_dropped_and_line_breaks_normalised() -> None:
    assert clean("a\x00b\x1bc\r\nd\te") == "abc\nd e"
    assert clean("oben\n\n\n\n\nunten") == "oben\n\nunten"
    assert clean("u\u0308ber") == "über"  # decomposed umlaut composed for the font
    assert clean(None) == ""


def test_blank_lines_separate_paragraphs() -> None:
    assert paragraphs("Eins\nzwei\n\nDrei") == ["Eins<br/>zwei", "Drei"]


def test_phone_numbers_do_not_break_and_are_escaped() -> None:
    assert phone("0341 <b>1</b>") == "Tel.\u00a00341\u00a0&lt;b&gt;1&lt;/b&gt;"


def test_fit_text_cuts_with_an_ellipsis() -> None:
    assert fit_text("kurz", "DejaVuSans", 10, 200) == "kurz"
    cut = fit_text("sehr " * 40, "DejaVuSans", 10, 100)
    assert cut.endswith("…") and len(cut) < 40
