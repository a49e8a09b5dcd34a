"""German wording of ledger facts for members, clerks and treasurers."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

import ledger
from ledger import format_minutes

from .units import Unit, format_amount

CHECK_TEXTS = {
    "cached_balance": _l("Jeder Kontostand ist gleich der Summe seiner Buchungszeilen"),
    "balance_chain": _l("Jede Buchungszeile: Saldo danach = Saldo davor + Betrag (lückenlose Kette)"),
    "time_order": _l("Die Buchungszeilen eines Kontos laufen zeitlich nie rückwärts"),
    "entry_balanced": _l("Jede Buchung hat mindestens zwei Zeilen, die sich zu null summieren"),
    "ring_sum": _l("Die Salden aller Konten des Tauschrings summieren sich zu null"),
    "closed_book": _l("Jede Buchung bewegt nur Konten des eigenen Tauschrings"),
    "posting_time": _l("Jede Buchungszeile trägt die Buchungszeit ihrer Buchung"),
    "limits_held": _l("Keine Buchung hat ein Limit überschritten, außer mit begründeter Freigabe"),
    "reversal_links": _l(
        "Jeder Storno hebt genau eine Buchung spiegelbildlich auf; kein Storno wird storniert"
    ),
    "closed_accounts": _l("Geschlossene Konten stehen auf null und haben danach keine Buchungen"),
}


SYSTEM_ACCOUNT_NAMES = {
    "community": _l("Gemeinschaftskonto"),
    "fees": _l("Gebührenkonto"),
    "opening": _l("Eröffnungssalden"),
    "clearing": _l("Verrechnungskonto"),
}


def format_hours(minutes: int) -> str:
    """Minutes as signed h:mm with the unit, e.g. -90 -> '-1:30 h'."""
    return f"{format_minutes(minutes)} h"


def explain(
    error: ledger.LedgerError,
    unit: Unit,
    *,
    own_account_id: int | None = None,
    names: dict[int, str] | None = None,
) -> str:
    """A ledger refusal in plain German (or English) with the numbers, for members and clerks."""
    names = names or {}
    p = error.params
    amount = lambda minutes: format_amount(minutes, unit)  # noqa: E731
    if isinstance(error, ledger.LimitExceeded):
        whose = names.get(p["account_id"], p["label"])
        if p["side"] == "lower":
            room = max(0, p["balance"] - p["limit"])
            if p["account_id"] == own_account_id:
                return _(
                    "Das würde Ihre Untergrenze unterschreiten: Ihr Kontostand ist %(balance)s, die "
                    "Untergrenze %(limit)s. Sie können noch höchstens %(room)s bezahlen, nicht %(amount)s.",
                    balance=amount(p["balance"]),
                    limit=amount(p["limit"]),
                    room=amount(room),
                    amount=amount(-p["amount"]),
                )
            return _(
                "Das würde die Untergrenze von %(name)s unterschreiten: Kontostand %(balance)s, "
                "Untergrenze %(limit)s. Möglich sind noch höchstens %(room)s, nicht %(amount)s.",
                name=whose,
                balance=amount(p["balance"]),
                limit=amount(p["limit"]),
                room=amount(room),
                amount=amount(-p["amount"]),
            )
        room = max(0, p["limit"] - p["balance"])
        if p["account_id"] == own_account_id:
            return _(
                "Das würde Ihre Obergrenze überschreiten: Ihr Kontostand ist %(balance)s, die Obergrenze "
                "%(limit)s. Sie können noch höchstens %(room)s empfangen, nicht %(amount)s.",
                balance=amount(p["balance"]),
                limit=amount(p["limit"]),
                room=amount(room),
                amount=amount(p["amount"]),
            )
        return _(
            "Das würde die Obergrenze von %(name)s überschreiten: Kontostand %(balance)s, Obergrenze "
            "%(limit)s. %(name)s kann noch höchstens %(room)s empfangen, nicht %(amount)s.",
            name=whose,
            balance=amount(p["balance"]),
            limit=amount(p["limit"]),
            room=amount(room),
            amount=amount(p["amount"]),
        )
    if isinstance(error, ledger.DuplicateVoucher):
        return _(
            "Die Belegnummer %(voucher)s ist schon gebucht (Buchung Nr. %(entry)s).",
            voucher=p["voucher_number"],
            entry=p["entry_id"],
        )
    if isinstance(error, ledger.AccountClosed):
        return _("Das Konto %(label)s ist geschlossen.", label=names.get(p["account_id"], p["label"]))
    if isinstance(error, ledger.SameAccount):
        return _("Zahler und Empfänger sind dasselbe Konto.")
    if isinstance(error, ledger.InvalidServiceDate):
        return _("Das Leistungsdatum darf nicht in der Zukunft liegen.")
    if isinstance(error, ledger.InvalidMemo):
        return _("Der Buchungstext ist zu lang oder enthält unzulässige Zeichen.")
    if isinstance(error, ledger.InvalidAmount):
        return _("Der Betrag ist ungültig.")
    if isinstance(error, ledger.IdempotencyConflict):
        return _("Diese Anfrage wurde schon einmal mit anderem Inhalt gesendet.")
    if isinstance(error, ledger.AlreadyReversed):
        return _(
            "Buchung Nr. %(entry)s wurde schon storniert (Storno Nr. %(reversal)s).",
            entry=p["entry_id"],
            reversal=p["reversal_id"],
        )
    if isinstance(error, ledger.ReversalOfReversal):
        return _("Ein Storno kann nicht storniert werden.")
    if isinstance(error, ledger.AccountNotZero):
        return _(
            "Das Konto steht nicht auf null (%(balance)s) und kann nicht geschlossen werden.",
            balance=amount(p["balance"]),
        )
    return _("Die Buchung wurde abgelehnt: %(reason)s", reason=error.message)
