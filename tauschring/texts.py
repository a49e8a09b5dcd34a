"""German wording of ledger facts for members, clerks and treasurers."""

from __future__ import annotations

from ledger import format_minutes

CHECK_TEXTS = {
    "cached_balance": "Jeder Kontostand ist gleich der Summe seiner Buchungszeilen",
    "balance_chain": "Jede Buchungszeile: Saldo danach = Saldo davor + Betrag (lückenlose Kette)",
    "time_order": "Die Buchungszeilen eines Kontos laufen zeitlich nie rückwärts",
    "entry_balanced": "Jede Buchung hat mindestens zwei Zeilen, die sich zu null summieren",
    "ring_sum": "Die Salden aller Konten des Tauschrings summieren sich zu null",
    "closed_book": "Jede Buchung bewegt nur Konten des eigenen Tauschrings",
    "posting_time": "Jede Buchungszeile trägt die Buchungszeit ihrer Buchung",
    "limits_held": "Keine Buchung hat ein Limit überschritten, außer mit begründeter Freigabe",
    "reversal_links": "Jeder Storno hebt genau eine Buchung spiegelbildlich auf; kein Storno wird storniert",
    "closed_accounts": "Geschlossene Konten stehen auf null und haben danach keine Buchungen",
}


def format_hours(minutes: int) -> str:
    """Minutes as signed h:mm with the unit, e.g. -90 -> '-1:30 h'."""
    return f"{format_minutes(minutes)} h"
