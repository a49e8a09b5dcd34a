"""The clock. Use cases read the time here once and pass it into the ledger."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

RING_ZONE = ZoneInfo("Europe/Berlin")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def local_now(zone: ZoneInfo = RING_ZONE) -> dt.datetime:
    """Now in the ring's time zone; the ledger takes the booking day from it."""
    return utcnow().astimezone(zone)
