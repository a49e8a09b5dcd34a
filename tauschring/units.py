"""Amounts as people write and read them: h:mm, decimal hours, or the ring's own unit.

The ledger counts integer minutes; a ring shows them in hours ("1:30 Std.") or in its own unit
("30 Talente", 20 per hour). Input is checked against the ring's smallest bookable step.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from flask_babel import format_date
from flask_babel import gettext as _

from ledger import MAX_POSTING_MINUTES


@dataclass(frozen=True)
class Unit:
    singular: str = "Stunde"
    plural: str = "Stunden"
    symbol: str = "Std."
    units_per_hour: int = 1
    step_minutes: int = 15

    @property
    def is_hours(self) -> bool:
        return self.units_per_hour == 1

    @property
    def minutes_per_unit(self) -> int:
        return 60 // self.units_per_hour


class AmountError(ValueError):
    """Input that is not a bookable amount; the message is for the person who typed it."""


def whole_number(text: str | None, max_digits: int = 9) -> int | None:
    """A number typed as ASCII digits (a member number, a voucher number), else None.

    ``str.isdigit`` alone also accepts characters like "²" that ``int`` refuses.
    """
    text = (text or "").strip()
    if text.isascii() and text.isdigit() and len(text) <= max_digits:
        return int(text)
    return None


def format_day(value: dt.date | dt.datetime | None) -> str:
    """A calendar day as the reader's language writes it: 20.11.2026 in German, Nov 20, 2026 in English."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        from .clock import RING_ZONE

        value = value.astimezone(RING_ZONE).date()
    return format_date(value, "medium")


def hm(minutes: int) -> str:
    """Signed h:mm, e.g. -90 -> '-1:30'."""
    sign = "-" if minutes < 0 else ""
    hours, rest = divmod(abs(minutes), 60)
    return f"{sign}{hours}:{rest:02d}"


def _decimal_text(value: Decimal) -> str:
    text = f"{value.normalize():f}"
    return text.replace(".", ",")


def format_amount(minutes: int, unit: Unit, *, signed: bool = False) -> str:
    """An amount in the ring's unit: '1:30 Std.' for hours, '30 Talente' for a ring's own unit."""
    prefix = "+" if signed and minutes > 0 else ""
    if unit.is_hours:
        symbol = _("Std.") if unit.symbol == "Std." else unit.symbol
        return f"{prefix}{hm(minutes)} {symbol}"
    units = Decimal(minutes) * unit.units_per_hour / 60
    name = unit.singular if abs(units) == 1 else unit.plural
    return f"{prefix}{_decimal_text(units)} {name}"


_HM = re.compile(r"^(\d{1,5}):([0-5]\d)$")
_NUMBER = re.compile(r"^\d{1,7}([.,]\d{1,4})?$")
_SUFFIXES = (
    ("minutes", re.compile(r"\s*(min|minuten|minute|minutes|m)\.?$", re.I)),
    ("hours", re.compile(r"\s*(h|std|stunden|stunde|hours|hour)\.?$", re.I)),
)


def parse_amount(text: str, unit: Unit, *, in_units: bool = False) -> int:
    """Minutes from '1:30', '1,5' or '1.5' (hours), '90 min', or, with ``in_units``, the ring's unit.

    Refuses zero, negative, fractional minutes, amounts off the ring's step and absurd amounts.
    """
    raw = (text or "").strip()
    if not raw:
        raise AmountError(_("Bitte geben Sie einen Betrag ein."))
    if raw.startswith("-"):
        raise AmountError(_("Der Betrag muss größer als null sein."))
    mode = "units" if in_units and not unit.is_hours else "hours"
    for suffix_mode, pattern in _SUFFIXES:
        stripped = pattern.sub("", raw)
        if stripped != raw:
            raw, mode = stripped.strip(), suffix_mode
            break
    match = _HM.match(raw)
    if match:
        if mode == "minutes":
            raise AmountError(_("Bitte schreiben Sie Minuten ohne Doppelpunkt, zum Beispiel 90 min."))
        minutes = Decimal(int(match.group(1)) * 60 + int(match.group(2)))
    elif _NUMBER.match(raw):
        try:
            value = Decimal(raw.replace(",", "."))
        except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
            raise AmountError(_("„%(text)s“ ist kein Betrag.", text=text)) from None
        if mode == "minutes":
            minutes = value
        elif mode == "units":
            minutes = value * unit.minutes_per_unit
        else:
            minutes = value * 60
    else:
        raise AmountError(
            _("„%(text)s“ ist kein Betrag. Beispiele: 1:30 oder 1,5 (Stunden).", text=text.strip())
        )
    if minutes != minutes.to_integral_value():
        raise AmountError(_("Der Betrag muss ganze Minuten ergeben."))
    total = int(minutes)
    if total <= 0:
        raise AmountError(_("Der Betrag muss größer als null sein."))
    if total > MAX_POSTING_MINUTES:
        raise AmountError(_("Dieser Betrag ist unrealistisch groß."))
    if total % unit.step_minutes:
        raise AmountError(
            _(
                "Bitte in Schritten von %(step)s buchen; %(amount)s passt nicht dazu.",
                step=format_amount(unit.step_minutes, unit),
                amount=format_amount(total, unit),
            )
        )
    return total


def parse_limit(text: str | None) -> int | None:
    """A limit typed as signed hours (-30:00, 60, -12,5); empty means none. Minutes need no step."""
    text = (text or "").strip()
    if not text:
        return None
    negative = text.startswith("-")
    minutes = parse_amount(text.lstrip("-+"), Unit(step_minutes=1))
    return -minutes if negative else minutes
