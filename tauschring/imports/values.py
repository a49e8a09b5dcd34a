"""Cells as values: dates, yes/no, amounts and limits as the old systems and spreadsheets write
them. Each parser raises ValueError on text it cannot read; the checks word the reason."""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from ..clock import RING_ZONE
from ..units import Unit

_DATES = (
    (re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})"), "dmy"),
    (re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})"), "dmy"),
    (re.compile(r"(\d{1,2})-(\d{1,2})-(\d{4})"), "dmy"),
    (re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"), "ymd"),
    (re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})"), "ymd"),
    (re.compile(r"(\d{4})\.(\d{1,2})\.(\d{1,2})"), "ymd"),
)
_TIME_AFTER = re.compile(r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*(?:[+-]\d{2}:?\d{2}|UTC|Z))?)?")


def parse_date(text: str) -> dt.date:
    """A day as written by clerks (20.11.2026, 20.11.26), Cyclos (20/11/2026, by default) or
    TimeOverflow (2026-11-20 10:22:33 +0100); a time after the day is ignored."""
    text = text.strip()
    for pattern, order in _DATES:
        match = pattern.match(text)
        if match and _TIME_AFTER.fullmatch(text[match.end() :]):
            first, second, third = (int(part) for part in match.groups())
            if order == "ymd":
                return dt.date(first, second, third)
            year = third + 2000 if len(match.group(3)) == 2 else third
            return dt.date(year, second, first)
    raise ValueError(text)


def parse_moment(text: str) -> dt.datetime:
    """When something appeared, to the day (noon in the ring's zone)."""
    return dt.datetime.combine(parse_date(text), dt.time(12), RING_ZONE)


_YES = {"ja", "j", "yes", "y", "x", "1", "true", "wahr"}
_NO = {"nein", "n", "no", "0", "false", "falsch", ""}


def parse_flag(text: str) -> bool:
    word = text.strip().lower()
    if word in _YES:
        return True
    if word in _NO:
        return False
    raise ValueError(text)


_HM = re.compile(r"(\d{1,6}):([0-5]\d)")
_NUMBER = re.compile(r"\d{1,9}(?:[.,]\d{3})*(?:[.,]\d+)?|\d*[.,]\d+")


def _decimal(text: str) -> Decimal:
    """A number with a decimal comma or point and maybe thousands separators: the last separator
    is the decimal one when both kinds occur, and one kind occurring twice separates thousands."""
    if not _NUMBER.fullmatch(text):
        raise ValueError(text)
    if "," in text and "." in text:
        decimal_sign = "," if text.rfind(",") > text.rfind(".") else "."
        text = text.replace("." if decimal_sign == "," else ",", "").replace(",", ".")
    elif text.count(",") > 1 or text.count(".") > 1:
        text = text.replace(",", "").replace(".", "")
    else:
        text = text.replace(",", ".")
    try:
        return Decimal(text)
    except InvalidOperation:
        raise ValueError(text) from None


def parse_minutes(text: str, unit: Unit) -> tuple[int, bool]:
    """A signed amount (a balance, a limit) as minutes, and whether it was rounded to whole minutes:
    h:mm (-12:30), or a number in the ring's unit (hours: 12,5 or -1.234,50; Talente: 250)."""
    raw = text.strip().replace("\u00a0", "").replace(" ", "")
    suffixes = ("stunden", "stunde", "std.", "std", "hours", "h", unit.symbol.lower(), unit.plural.lower())
    for suffix in suffixes:
        if suffix and raw.lower().endswith(suffix) and len(raw) > len(suffix):
            raw = raw[: -len(suffix)]
            break
    sign = 1
    if raw and raw[0] in "+-":
        sign, raw = (-1 if raw[0] == "-" else 1), raw[1:]
    elif raw.endswith("-"):
        sign, raw = -1, raw[:-1]
    match = _HM.fullmatch(raw)
    if match:
        return sign * (int(match.group(1)) * 60 + int(match.group(2))), False
    exact = _decimal(raw) * 60 / unit.units_per_hour
    whole = exact.to_integral_value(rounding=ROUND_HALF_UP)
    return sign * int(whole), whole != exact


def parse_seconds(text: str) -> tuple[int, bool]:
    """TimeOverflow's balance: whole seconds, signed."""
    raw = text.strip()
    if not re.fullmatch(r"-?\d{1,10}", raw):
        raise ValueError(text)
    seconds = int(raw)
    whole = (Decimal(seconds) / 60).to_integral_value(rounding=ROUND_HALF_UP)
    return int(whole), seconds % 60 != 0
