"""Turning plain values into printable text: escaping, glyph fallback, amounts and dates.

Member text is data, never markup: everything that reaches a Paragraph goes through `para()`.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal
from xml.sax.saxutils import escape

from reportlab.pdfbase.pdfmetrics import stringWidth

from print.data import RingInfo
from print.fonts import printable_characters

MISSING_GLYPH = "\u25a1"  # WHITE SQUARE, stands in for a character the font cannot print
_DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Mn", "Me"})
# Joiners and variation selectors only matter to a shaping engine, which reportlab does not have.
_UNSHAPED = dict.fromkeys(map(ord, "\u200c\u200d\ufe0e\ufe0f"))
_MANY_BLANK_LINES = re.compile(r"\n{3,}")
_RUN_OF_MISSING = re.compile(MISSING_GLYPH + "{2,}")

WEEKDAYS = ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag")
MONTHS = (
    "Januar", "Februar", "März", "April", "Mai", "Juni",
    "Juli", "August", "September", "Oktober", "November", "Dezember",
)  # fmt: skip

AmountUnit = Literal["none", "short", "long"]


def clean(text: str | None) -> str:
    """Make plain text printable with DejaVu Sans: NFC, no control characters, no missing glyphs.

    Line breaks survive as "\\n"; a character without a glyph (many emoji) becomes a white square;
    joiners, variation selectors and combining marks without a glyph are dropped.
    """
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ").translate(_UNSHAPED)
    printable = printable_characters()
    used = set(text)
    used.discard("\n")
    if not used <= printable:
        kept = []
        for char in text:
            if char in printable or char == "\n":
                kept.append(char)
            elif char in "\u2028\u2029":
                kept.append("\n")
            elif unicodedata.category(char) == "Zs":
                kept.append(" ")
            elif unicodedata.category(char) not in _DROPPED_CATEGORIES:
                kept.append(MISSING_GLYPH)
        text = _RUN_OF_MISSING.sub(MISSING_GLYPH, "".join(kept))
    return _MANY_BLANK_LINES.sub("\n\n", text.strip("\n"))


def one_line(text: str | None) -> str:
    """Plain text made printable on one line (for canvas strings: headers, vouchers, metadata)."""
    return " ".join(clean(text).split())


def para(text: str | None) -> str:
    """Plain text as Paragraph markup that prints literally (escaped, line breaks kept)."""
    return escape(clean(text)).replace("\n", "<br/>")


def phone(text: str | None) -> str:
    """A phone number as Paragraph markup, "Tel. ..." that never breaks across lines."""
    return "Tel.\u00a0" + escape(" ".join(clean(text).split())).replace(" ", "\u00a0")


def paragraphs(text: str | None) -> list[str]:
    """Plain text split at blank lines, each part as Paragraph markup (see `para`)."""
    return [para(part) for part in clean(text).split("\n\n") if part.strip()]


def format_amount(minutes: int, ring: RingInfo, unit: AmountUnit = "short") -> str:
    """Integer minutes in the ring's unit: "1:30 Std." for hours, "33,33 Talente" otherwise.

    Rings counting in hours (60 minutes per unit) show h:mm; other units show a decimal number
    with up to two places (half up), no trailing zeros. `unit` chooses no unit ("1:30"), the
    abbreviation ("1:30 Std.") or the full word ("1:30 Stunden", singular for exactly one unit).
    """
    sign = "-" if minutes < 0 else ""
    size = abs(minutes)
    per_unit = ring.minutes_per_unit
    if per_unit == 60:
        number = f"{size // 60}:{size % 60:02d}"
    else:
        value = (Decimal(size) / Decimal(per_unit)).quantize(Decimal("0.01"), ROUND_HALF_UP)
        number = f"{value:f}".rstrip("0").rstrip(".").replace(".", ",")
    if unit == "none":
        return sign + number
    if unit == "short":
        return f"{sign}{number} {ring.unit_abbreviation}"
    word = ring.unit_singular if size == per_unit else ring.unit_plural
    return f"{sign}{number} {word}"


def balance_in_words(minutes: int, ring: RingInfo, day: dt.date) -> str:
    """The closing balance as a sentence, e.g. "Ihr Kontostand am 30.11.2026: 12:30 Stunden Guthaben"."""
    amount = format_amount(abs(minutes), ring, "long")
    if minutes > 0:
        state = f"{amount} Guthaben"
    elif minutes < 0:
        state = f"{amount} im Minus"
    else:
        state = f"{amount} (ausgeglichen)"
    return f"Ihr Kontostand am {format_date(day)}: {state}"


def format_date(day: dt.date, short_year: bool = False) -> str:
    """A date as "30.11.2026" (or "30.11.26")."""
    return day.strftime("%d.%m.%y" if short_year else "%d.%m.%Y")


def format_date_long(day: dt.date) -> str:
    """A date with weekday, e.g. "Dienstag, 8. Dezember 2026" (no locale needed)."""
    return f"{WEEKDAYS[day.weekday()]}, {day.day}. {MONTHS[day.month - 1]} {day.year}"


def month_name(month: int, year: int) -> str:
    """A month as "Dezember 2026"."""
    return f"{MONTHS[month - 1]} {year}"


def wrap_lines(text: str | None, font: str, size: float, width: float) -> str:
    """Plain text broken into lines of at most `width` points, as one string with line breaks.

    For table cells drawn as plain strings (much cheaper than a Paragraph each); words longer than
    the width are broken between characters.
    """
    space = stringWidth(" ", font, size)
    lines: list[str] = []
    for paragraph in clean(text).split("\n"):
        line, used = "", 0.0
        for word in paragraph.split():
            word_width = stringWidth(word, font, size)
            if line and used + space + word_width <= width:
                line, used = f"{line} {word}", used + space + word_width
                continue
            if line:
                lines.append(line)
            while word_width > width and len(word) > 1:
                cut = _longest_prefix(word, font, size, width)
                lines.append(word[:cut])
                word = word[cut:]
                word_width = stringWidth(word, font, size)
            line, used = word, word_width
        lines.append(line)
    return "\n".join(lines)


def _longest_prefix(word: str, font: str, size: float, width: float) -> int:
    low, high = 1, len(word)
    while low < high:
        middle = (low + high + 1) // 2
        if stringWidth(word[:middle], font, size) <= width:
            low = middle
        else:
            high = middle - 1
    return low


def fit_text(text: str, font: str, size: float, width: float) -> str:
    """Cut text with an ellipsis so that it is at most `width` points wide in the given font."""
    if stringWidth(text, font, size) <= width:
        return text
    low, high = 0, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if stringWidth(text[:middle] + "…", font, size) <= width:
            low = middle
        else:
            high = middle - 1
    return text[:low].rstrip() + "…"
