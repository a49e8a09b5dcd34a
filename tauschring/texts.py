"""Every refusal worded once for people, in German (English where the reader chose it).

``explain`` turns a ledger refusal or a use case's refusal into a sentence with its numbers, for
members, clerks and treasurers; the web shows it, the API sends it as the ``detail`` of its
problem answer, the command line prints it. ``public_params`` is what of a refusal's facts the
API may hand out (never an internal key or another member's account label).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

import ledger
from ledger import format_minutes

from . import errors
from .units import Unit, format_amount

CHECK_TEXTS = {
    "cached_balance": _l("Jeder Kontostand ist gleich der Summe seiner Buchungszeilen"),
    "balance_chain": _l("Jede Buchungszeile: Saldo danach = Saldo davor + Betrag (lückenlose Kette)"),
    "time_order": _l("Die Buchungszeilen eines Kontos laufen zeitlich nie rückwärts"),
    "entry_balanced": _l("Jede Buchung hat mindestens zwei Zeilen, die sich zu null summieren"),
    "ring_sum": _l("Die Salden aller Konten des Tauschrings summieren sich zu null"),
    "closed_book": _l("Jede Buchung bewegt nur Konten des eigenen Tauschrings"),
    "posting_time": _l("Jede Buchungszeile trägt die Buchungszeit ihrer Buchung"),
    "limits_held": _l("Keine Buchung hat eine Grenze überschritten, außer mit begründeter Freigabe"),
    "reversal_links": _l(
        "Jeder Storno hebt genau eine Buchung spiegelbildlich auf; kein Storno wird storniert"
    ),
    "closed_accounts": _l("Geschlossene Konten stehen auf null und haben danach keine Buchungen"),
    "append_only": _l("Die Datenbank verweigert das Ändern und Löschen von Buchungen (ihre Trigger sind da)"),
    "closings": _l(
        "Jeder Abschluss passt noch zu den Buchungen, die er umfasst (Fingerabdruck, Anzahl, Salden)"
    ),
}

# The ring's own accounts, by kind, in the order they are listed.
SYSTEM_ACCOUNT_NAMES = {
    "community": _l("Gemeinschaftskonto"),
    "fees": _l("Gebührenkonto"),
    "opening": _l("Eröffnungssalden"),
    "clearing": _l("Verrechnungskonto"),
}


# Names of the codes the database stores, for pages and files: no internal code reaches a reader.
ENTRY_KINDS = {
    "transfer": _l("Überweisung"),
    "fee": _l("Gebühr"),
    "settlement": _l("Ausgleich"),
    "opening": _l("Eröffnung"),
    "reversal": _l("Storno"),
    "adjustment": _l("Korrektur"),
}
CHANNELS = {
    "web": _l("online"),
    "api": _l("API"),
    "office": _l("Büro"),
    "voucher": _l("Beleg"),
    "import": _l("Import"),
    "system": _l("automatisch"),
}
CONTACT_FIELDS = {"phone": _l("Telefon"), "email": _l("E-Mail"), "address": _l("Adresse")}
CONSENT_CHANNELS = {"online": _l("online"), "print": _l("im Druck")}
CONSENT_SOURCES = {
    "online": _l("selbst online"),
    "paper_form": _l("Papierformular"),
    "office": _l("im Büro mündlich/telefonisch"),
    "helper": _l("durch Betreuer"),
    "import": _l("aus der Datei des alten Systems übernommen"),
}
ROLES = {"member": _l("Mitglied"), "office": _l("Büro"), "admin": _l("Administrator")}
MEMBER_STATUSES = {"active": _l("aktiv"), "suspended": _l("gesperrt"), "left": _l("ausgetreten")}
REQUEST_STATUSES = {
    "open": _l("offen"),
    "accepted": _l("angenommen"),
    "declined": _l("abgelehnt"),
    "auto_accepted": _l("automatisch angenommen"),
    "cancelled": _l("zurückgezogen"),
    "failed": _l("nicht buchbar"),
}
BATCH_STATUSES = {
    "open": _l("offen"),
    "approved": _l("freigegeben"),
    "posted": _l("gebucht"),
    "discarded": _l("verworfen"),
}
OBJECT_TYPES = {
    "api_token": _l("API-Token"),
    "closing": _l("Abschluss"),
    "edition": _l("Ausgabe"),
    "entry": _l("Buchung"),
    "fee_run": _l("Gebührenlauf"),
    "import_batch": _l("Umzug"),
    "listing": _l("Inserat"),
    "login": _l("Zugang"),
    "member": _l("Mitglied"),
    "payment_request": _l("Zahlungsanforderung"),
    "ring": _l("Tauschring"),
    "category": _l("Rubrik"),
    "voucher_batch": _l("Belegstapel"),
    "voucher_range": _l("Belegnummern"),
}
AUDIT_ACTIONS = {
    "batch.approve": _l("Stapel freigegeben"),
    "batch.carry_over": _l("Zeilen übernommen"),
    "batch.discard": _l("Stapel verworfen"),
    "batch.import": _l("Datei eingelesen"),
    "batch.line.add": _l("Beleg eingetippt"),
    "batch.line.change": _l("Beleg geändert"),
    "batch.line.confirm_old": _l("alten Beleg bestätigt"),
    "batch.line.delete": _l("Beleg gelöscht"),
    "batch.open": _l("Stapel angelegt"),
    "batch.post": _l("Stapel gebucht"),
    "batch.totals": _l("Summen laut Stapel"),
    "batch.unapprove": _l("Freigabe aufgehoben"),
    "closing.close": _l("Zeitraum abgeschlossen"),
    "closing.reopen": _l("Abschluss wieder geöffnet"),
    "edition.create": _l("Ausgabe angelegt"),
    "edition.event": _l("Termin eingetragen"),
    "edition.generate": _l("Ausgabe erzeugt"),
    "edition.news": _l("Artikel eingetragen"),
    "edition.remove": _l("aus der Ausgabe entfernt"),
    "entry.reverse": _l("Storno"),
    "fee.exempt": _l("von der Gebühr befreit"),
    "fee.run": _l("Kontoführungsgebühr gebucht"),
    "fee.unexempt": _l("Gebührenbefreiung aufgehoben"),
    "helper.add": _l("Betreuer eingetragen"),
    "import.discard": _l("Umzug: Datei verworfen"),
    "import.map": _l("Umzug: Rubriken zugeordnet"),
    "import.post": _l("Umzug: Datei übernommen"),
    "import.stage": _l("Umzug: Datei eingelesen"),
    "helper.end": _l("Betreuung beendet"),
    "listing.create": _l("Inserat aufgegeben"),
    "listing.edit": _l("Inserat geändert"),
    "listing.renew": _l("Inserat verlängert"),
    "listing.withdraw": _l("Inserat zurückgezogen"),
    "login.create": _l("Zugang angelegt"),
    "login.own_password": _l("eigenes Passwort geändert"),
    "login.password": _l("Passwort neu gesetzt"),
    "member.admit": _l("aufgenommen"),
    "member.consent": _l("Einwilligungen erfasst"),
    "member.contact": _l("Kontaktdaten geändert"),
    "member.edit": _l("Angaben geändert"),
    "member.erase": _l("persönliche Daten gelöscht"),
    "member.leave": _l("ausgetreten"),
    "member.limits": _l("Grenzen geändert"),
    "member.reactivate": _l("entsperrt"),
    "member.suspend": _l("gesperrt"),
    "outreach.record": _l("Kontakt aufgenommen"),
    "payment.book": _l("Zahlung gebucht"),
    "request.accepted": _l("Zahlungsanforderung angenommen"),
    "request.auto_accepted": _l("Zahlungsanforderung automatisch angenommen"),
    "request.cancelled": _l("Zahlungsanforderung zurückgezogen"),
    "request.create": _l("Zahlung angefordert"),
    "request.declined": _l("Zahlungsanforderung abgelehnt"),
    "request.failed": _l("Zahlungsanforderung nicht buchbar"),
    "settings.change": _l("Einstellungen geändert"),
    "ring.found": _l("Tauschring gegründet"),
    "category.add": _l("Rubrik angelegt"),
    "category.rename": _l("Rubrik umbenannt"),
    "category.move": _l("Rubrik verschoben"),
    "category.retire": _l("Rubrik aufgelöst"),
    "token.create": _l("API-Token angelegt"),
    "token.revoke": _l("API-Token widerrufen"),
    "vouchers.issue": _l("Belegnummern ausgegeben"),
}


LISTING_KINDS = {"offer": _l("Angebot"), "request": _l("Gesuch")}
IMPORT_KINDS = {
    "members": _l("Mitglieder"),
    "listings": _l("Inserate"),
    "balances": _l("Kontostände"),
}
IMPORT_FORMATS = {
    "template": _l("Tabelle nach Vorlage"),
    "cyclos": _l("Cyclos 3"),
    "timeoverflow": _l("TimeOverflow"),
}
IMPORT_STATUSES = {"open": _l("offen"), "posted": _l("übernommen"), "discarded": _l("verworfen")}
IMPORT_LINE_STATUSES = {
    "ready": _l("bereit"),
    "error": _l("Fehler"),
    "duplicate": _l("schon da"),
    "nothing": _l("nichts zu tun"),
    "taken": _l("übernommen"),
}

NAME_DISPLAYS = {
    "full": _l("Vor- und Nachname"),
    "first_initial": _l("Vorname und Anfangsbuchstabe"),
    "number": _l("nur Mitgliedsnummer"),
}
FEE_POLICIES = {
    "skip": _l("nicht buchen (Mitglied wird aufgeführt)"),
    "override": _l("trotzdem buchen (mit Vermerk)"),
}

# What the audit keeps before and after a change, by field: the reader's word for each.
AUDIT_FIELDS = {
    "admin": _l("Administrator"),
    "amount": _l("Betrag"),
    "auto_accept_days": _l("Zahlungsanforderungen automatisch angenommen nach (Tagen)"),
    "availability": _l("Erreichbarkeit"),
    "balance": _l("Kontostand"),
    "booked": _l("gebucht für Mitglieder"),
    "categories": _l("Rubriken"),
    "category_id": _l("Rubrik (Nr.)"),
    "city": _l("Ort"),
    "clean_only": _l("nur fehlerfreie Zeilen"),
    "district": _l("Stadtteil"),
    "email": _l("E-Mail"),
    "created": _l("übernommen"),
    "entries": _l("Buchungen"),
    "expected_count": _l("Anzahl Belege laut Stapel"),
    "expected_minutes": _l("Summe laut Stapel"),
    "fee_minutes": _l("Kontoführungsgebühr"),
    "fee_policy": _l("Wenn die Gebühr eine Grenze überschreiten würde"),
    "filename": _l("Datei"),
    "first_name": _l("Vorname"),
    "format": _l("Herkunft"),
    "helper": _l("Betreuer"),
    "helper_links_ended": _l("beendete Betreuungen"),
    "kind": _l("Inhalt"),
    "large_print": _l("Großdruck"),
    "large_print_run": _l("davon in Großdruck"),
    "last_name": _l("Nachname"),
    "left_on": _l("ausgetreten am"),
    "lines": _l("Zeilen"),
    "listing_months": _l("Laufzeit eines Inserats (Monate)"),
    "listings": _l("Inserate"),
    "max_balance": _l("Obergrenze"),
    "member": _l("Mitglied"),
    "memo": _l("Text"),
    "min_balance": _l("Untergrenze"),
    "minutes": _l("Betrag"),
    "name": _l("Name"),
    "name_display": _l("Name zeigen als"),
    "office_address": _l("Anschrift des Büros"),
    "office_email": _l("E-Mail des Büros"),
    "office_hours": _l("Sprechstunde"),
    "office_phone": _l("Telefon des Büros"),
    "old_confirmed": _l("alter Beleg bestätigt"),
    "override": _l("über die Grenze freigegeben"),
    "override_reason": _l("Grund für die Buchung über die Grenze"),
    "paper_member": _l("Papiermitglied"),
    "payee_number": _l("Leistungsgeber (Nr.)"),
    "payer_number": _l("Leistungsnehmer (Nr.)"),
    "phone": _l("Telefon"),
    "postal_code": _l("Postleitzahl"),
    "price_hint": _l("Preisvorstellung"),
    "print_in_paper": _l("in der Marktzeitung drucken"),
    "print_run": _l("Druckauflage"),
    "reason": _l("Grund"),
    "require_batch_approval": _l("Belegstapel brauchen die Freigabe einer zweiten Person"),
    "public_statistics": _l("Kurzstatistik auf der Startseite der Mitglieder"),
    "fingerprint": _l("Fingerabdruck"),
    "reopened": _l("wieder geöffnet"),
    "period": _l("Zeitraum"),
    "reversal": _l("Storno (Buchung Nr.)"),
    "role": _l("Rolle"),
    "service_date": _l("Leistungsdatum"),
    "settlement_entry": _l("Ausgleichsbuchung (Nr.)"),
    "skipped": _l("nicht übernommen"),
    "slug": _l("Kurzname"),
    "status": _l("Status"),
    "step_minutes": _l("Schritt (Minuten)"),
    "street": _l("Straße und Hausnummer"),
    "submission_days": _l("Belege einreichen binnen (Tagen)"),
    "suspended_on": _l("gesperrt am"),
    "text": _l("Text"),
    "title": _l("Titel"),
    "unit_plural": _l("Einheit (Mehrzahl)"),
    "unit_singular": _l("Einheit (Einzahl)"),
    "unit_symbol": _l("Einheit (Zeichen)"),
    "units_per_hour": _l("Einheiten je Stunde"),
    "username": _l("Benutzername"),
    "voucher_number": _l("Beleg-Nr."),
    "warn_max_balance": _l("Warnschwelle oben"),
    "warn_min_balance": _l("Warnschwelle unten"),
}
_DURATIONS = {
    "balance", "expected_minutes", "fee_minutes", "max_balance", "min_balance", "minutes", "warn_max_balance",
    "warn_min_balance",
}  # fmt: skip
_CODED = {
    "status": MEMBER_STATUSES,
    "role": ROLES,
    "name_display": NAME_DISPLAYS,
    "fee_policy": FEE_POLICIES,
    "kind": IMPORT_KINDS,
    "format": IMPORT_FORMATS,
}


def audit_field(key: str) -> object:
    """A field of an audit record by its name (consents as "Telefon online" and so on)."""
    if key in AUDIT_FIELDS:
        return AUDIT_FIELDS[key]
    field, _sep, channel = key.rpartition("_")
    if field in CONTACT_FIELDS and channel in CONSENT_CHANNELS:
        return _(
            "Einwilligung %(field)s %(channel)s",
            field=CONTACT_FIELDS[field],
            channel=CONSENT_CHANNELS[channel],
        )
    return key


def audit_value(key: str, value: object) -> str:
    """A value the audit kept, as the office reads it: names for codes, h:mm for durations, ja/nein."""
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return _("ja") if value else _("nein")
    if key in _DURATIONS and isinstance(value, int):
        return format_minutes(value)
    if key in _CODED:
        return str(name_of(_CODED[key], str(value)))
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value) or "–"
    return str(value)


def describe_change(values: dict | None) -> list[tuple[str, str]]:
    """The fields of an audit record's before or after, each named and shown for people."""
    return [(str(audit_field(key)), audit_value(key, value)) for key, value in (values or {}).items()]


def erasure_report(report) -> str:
    """What an erasure removed, in one paragraph for the office."""
    parts = [
        ngettext("%(num)d Inserat", "%(num)d Inserate", report.listings),
        ngettext("%(num)d Einwilligung", "%(num)d Einwilligungen (mit Verlauf)", report.consents),
        ngettext("%(num)d Zugang anonymisiert", "%(num)d Zugänge anonymisiert", report.logins),
        ngettext("%(num)d Anmeldung", "%(num)d Anmeldungen", report.sessions),
        ngettext("%(num)d API-Token", "%(num)d API-Tokens", report.api_tokens),
        ngettext("%(num)d Betreuung", "%(num)d Betreuungen", report.helper_links),
        ngettext("%(num)d Notiz zu Belegnummern", "%(num)d Notizen zu Belegnummern", report.voucher_notes),
        ngettext(
            "%(num)d Protokolleintrag bereinigt", "%(num)d Protokolleinträge bereinigt", report.audit_events
        ),
        ngettext(
            "%(num)d Termin oder Artikel bereinigt",
            "%(num)d Termine oder Artikel bereinigt",
            report.edition_texts,
        ),
    ]
    if report.fee_exemption:
        parts.append(_("die Gebührenbefreiung mit ihrem Grund"))
    if report.outreach:
        parts.append(
            ngettext(
                "%(num)d Notiz über einen Kontakt des Büros",
                "%(num)d Notizen über Kontakte des Büros",
                report.outreach,
            )
        )
    if report.import_files:
        parts.append(
            ngettext(
                "%(num)d eingelesene Datei aus dem alten System",
                "%(num)d eingelesene Dateien aus dem alten System",
                report.import_files,
            )
        )
    text = _("Entfernt: %(list)s.", list=", ".join(parts))
    if report.edition_files:
        text += " " + _(
            "Aus dem Archiv der Marktzeitung entfernt: %(files)s. Gedruckte Exemplare lassen sich nicht "
            "zurückholen.",
            files="; ".join(report.edition_files),
        )
    return text


def name_of(names: dict, code: str | None) -> object:
    """The reader's word for a stored code, as a lazy text (the code itself only if a new one has
    no name yet); ``in_german`` makes it German for files."""
    return names.get(code, code or "")


def in_german(text: object) -> str:
    """A (lazy) text in German whatever the reader chose: for files and the books."""
    with german():
        return str(text)


def german():
    """Within this block every text is German, whoever reads the page: for what is printed."""
    return force_locale("de")


def format_hours(minutes: int) -> str:
    """Minutes as signed h:mm with the unit, e.g. -90 -> '-1:30 h'."""
    return f"{format_minutes(minutes)} h"


Refusal = ledger.LedgerError | errors.Refusal


def explain(
    error: Refusal,
    unit: Unit | None = None,
    *,
    own_account_id: int | None = None,
    names: dict[int, str] | None = None,
) -> str:
    """A refusal in plain German (or English) with its numbers, for members and clerks.

    ``names`` words the accounts of a ledger refusal as the reader may see them (by account id);
    ``own_account_id`` is the reader's own account ("Ihr Kontostand").
    """
    unit = unit or Unit()
    words = _LEDGER if isinstance(error, ledger.LedgerError) else _REFUSALS
    for cls in type(error).__mro__:
        code = getattr(cls, "code", None)
        if code in words:
            return words[code](_Facts(error.params, unit, own_account_id, names or {}))
    if isinstance(error, ledger.LedgerError):
        return _("Die Buchung wurde abgelehnt.")
    return _("Das ist nicht möglich.")


def public_params(error: Refusal) -> dict[str, Any]:
    """The facts of a refusal the API may hand out (JSON values only)."""
    if isinstance(error, ledger.LedgerError):
        allowed = _LEDGER_PUBLIC.get(error.code, ())
        params = {key: value for key, value in error.params.items() if key in allowed}
    else:
        params = dict(error.params)
    return {
        key: value if isinstance(value, int | str | bool | None) else str(value)
        for key, value in params.items()
    }


class _Facts:
    """A refusal's parameters with what wording them needs."""

    def __init__(self, params: dict, unit: Unit, own: int | None, names: dict[int, str]) -> None:
        self.p, self.unit, self.own, self.names = params, unit, own, names

    def __getitem__(self, key: str) -> Any:
        return self.p[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.p.get(key, default)

    def amount(self, minutes: int) -> str:
        return format_amount(minutes, self.unit)

    def member(self) -> str:
        """'Bernd S. (Nr. 12)' where the name is known, else 'Mitglied 12'."""
        if self.p.get("name"):
            return _("%(name)s (Nr. %(number)s)", name=self.p["name"], number=self.p["number"])
        return _("Mitglied %(number)s", number=self.p.get("number"))


def _limit(f: _Facts) -> str:
    whose = f.names.get(f["account_id"], f["label"])
    if f["side"] == "lower":
        room = max(0, f["balance"] - f["limit"])
        if f["account_id"] == f.own:
            return _(
                "Das würde Ihre Untergrenze unterschreiten: Ihr Kontostand ist %(balance)s, die Untergrenze "
                "%(limit)s; Sie können noch höchstens %(room)s bezahlen, %(amount)s sind zu viel.",
                balance=f.amount(f["balance"]),
                limit=f.amount(f["limit"]),
                room=f.amount(room),
                amount=f.amount(-f["amount"]),
            )
        return _(
            "Das würde die Untergrenze von %(name)s unterschreiten: Kontostand %(balance)s, "
            "Untergrenze %(limit)s; möglich sind noch höchstens %(room)s, %(amount)s sind zu viel.",
            name=whose,
            balance=f.amount(f["balance"]),
            limit=f.amount(f["limit"]),
            room=f.amount(room),
            amount=f.amount(-f["amount"]),
        )
    room = max(0, f["limit"] - f["balance"])
    if f["account_id"] == f.own:
        return _(
            "Das würde Ihre Obergrenze überschreiten: Ihr Kontostand ist %(balance)s, die Obergrenze "
            "%(limit)s; Sie können noch höchstens %(room)s empfangen, %(amount)s sind zu viel.",
            balance=f.amount(f["balance"]),
            limit=f.amount(f["limit"]),
            room=f.amount(room),
            amount=f.amount(f["amount"]),
        )
    return _(
        "Das würde die Obergrenze von %(name)s überschreiten: Kontostand %(balance)s, Obergrenze "
        "%(limit)s; %(name)s kann noch höchstens %(room)s empfangen, %(amount)s sind zu viel.",
        name=whose,
        balance=f.amount(f["balance"]),
        limit=f.amount(f["limit"]),
        room=f.amount(room),
        amount=f.amount(f["amount"]),
    )


Words = dict[str, Callable[[_Facts], str]]

_LEDGER: Words = {
    "limit_exceeded": _limit,
    "duplicate_voucher": lambda f: _(
        "Die Belegnummer %(voucher)s ist schon gebucht (Buchung Nr. %(entry)s).",
        voucher=f["voucher_number"],
        entry=f["entry_id"],
    ),
    "account_closed": lambda f: _(
        "Das Konto %(label)s ist geschlossen.", label=f.names.get(f["account_id"], f["label"])
    ),
    "same_account": lambda f: _("Leistungsnehmer und Leistungsgeber sind dasselbe Konto."),
    "invalid_service_date": lambda f: _("Das Leistungsdatum darf nicht in der Zukunft liegen."),
    "invalid_memo": lambda f: _("Der Buchungstext ist zu lang oder enthält unzulässige Zeichen."),
    "invalid_amount": lambda f: _("Der Betrag ist ungültig."),
    "idempotency_conflict": lambda f: _("Diese Anfrage wurde schon einmal mit anderem Inhalt gesendet."),
    "already_reversed": lambda f: _(
        "Buchung Nr. %(entry)s wurde schon storniert (Storno Nr. %(reversal)s).",
        entry=f["entry_id"],
        reversal=f["reversal_id"],
    ),
    "reversal_of_reversal": lambda f: _("Ein Storno kann nicht storniert werden."),
    "account_not_zero": lambda f: _(
        "Das Konto steht nicht auf null (%(balance)s) und kann nicht geschlossen werden.",
        balance=f.amount(f["balance"]),
    ),
    "unknown_entry": lambda f: _("Buchung Nr. %(entry)s gibt es nicht.", entry=f["entry_id"]),
    "invalid_limits": lambda f: _(
        "Die Untergrenze muss null oder negativ, die Obergrenze null oder positiv sein."
    ),
    "period_closed": lambda f: _(
        "Der Zeitraum bis %(through)s ist abgeschlossen: mit Leistungsdatum %(day)s kann nichts mehr "
        "gebucht werden. Bitte ein späteres Leistungsdatum wählen oder das Büro fragen.",
        through=_german_day(f["closed_through"]),
        day=_german_day(f["service_date"]),
    ),
    "closing_out_of_order": lambda f: _(
        "Der Zeitraum %(start)s bis %(end)s kann so nicht abgeschlossen werden: Monate werden der Reihe "
        "nach abgeschlossen, ein Jahr erst nach allen seinen Monaten, und keiner zweimal.",
        start=_german_day(f["start"]),
        end=_german_day(f["end"]),
    ),
    "closing_not_latest": lambda f: _(
        "Nur der letzte Abschluss kann wieder geöffnet werden; bitte zuerst die späteren öffnen."
    ),
    "unknown_closing": lambda f: _("Diesen Abschluss gibt es nicht."),
}

# What of a ledger refusal the API may show: no labels (full names), no idempotency keys.
_LEDGER_PUBLIC = {
    "limit_exceeded": ("side", "balance", "amount", "limit"),
    "duplicate_voucher": ("voucher_number", "entry_id"),
    "already_reversed": ("entry_id", "reversal_id"),
    "reversal_of_reversal": ("entry_id",),
    "account_not_zero": ("balance",),
    "unknown_entry": ("entry_id",),
    "invalid_amount": ("reason",),
    "invalid_memo": ("reason",),
    "invalid_service_date": ("reason",),
    "invalid_limits": ("reason",),
    "period_closed": ("service_date", "closed_through"),
    "closing_out_of_order": ("start", "end"),
    "closing_not_latest": ("closing_id", "latest_id"),
    "unknown_closing": ("closing_id",),
}


def _german_day(value: object) -> str:
    """An ISO date (or date) as 30.11.2026; anything else as it is."""
    if isinstance(value, dt.date):
        return f"{value:%d.%m.%Y}"
    try:
        return f"{dt.date.fromisoformat(str(value)):%d.%m.%Y}"
    except ValueError:
        return str(value)


def _period(f: _Facts) -> str:
    if f["reason"] == "order":
        return _("Das Ende des Zeitraums liegt vor dem Anfang.")
    if f["reason"] == "too_long":
        return _("Ein Zeitraum umfasst höchstens zehn Jahre.")
    if f["reason"] == "range":
        return _("Ein Zeitraum liegt zwischen den Jahren 1900 und 2999.")
    return _("„%(value)s“ ist kein gültiges Datum (JJJJ-MM-TT).", value=f["value"])


def _totals_off(f: _Facts) -> str:
    parts = []
    if f["count_off"]:
        count = abs(f["count_off"])
        more = f["count_off"] > 0
        parts.append(
            ngettext("%(num)d Beleg mehr", "%(num)d Belege mehr", count)
            if more
            else ngettext("%(num)d Beleg weniger", "%(num)d Belege weniger", count)
        )
    if f["minutes_off"]:
        amount = f.amount(abs(f["minutes_off"]))
        parts.append(
            _("%(amount)s mehr", amount=amount)
            if f["minutes_off"] > 0
            else _("%(amount)s weniger", amount=amount)
        )
    return _(
        "Der Stapel weicht vom gezählten Papierstapel ab: %(diff)s. Bitte fehlende Belege eintippen, "
        "doppelte löschen oder die Zählung berichtigen.",
        diff=", ".join(parts),
    )


_REFUSALS: Words = {
    # permissions
    "forbidden": lambda f: _("Das dürfen Sie nicht."),
    "office_only": lambda f: _("Das darf nur das Büro."),
    "admin_only": lambda f: _("Das darf nur ein Administrator."),
    "may_not_act_for": lambda f: _("Sie dürfen nicht für Mitglied %(number)s handeln.", number=f["number"]),
    "login_protected": lambda f: _("Zugänge des Büros und der Administratoren ändert nur ein Administrator."),
    "role_not_allowed": lambda f: _("Diese Rolle vergibt nur ein Administrator."),
    "no_member": lambda f: _("Dieser Zugang gehört zu keinem Mitglied; bitte angeben, für wen Sie handeln."),
    # not found
    "not_found": lambda f: _("Das gibt es nicht."),
    "member_unknown": lambda f: (
        _("Ein Mitglied mit dieser Nummer gibt es nicht.")
        if f.get("number") is None
        else _("Mitglied %(number)s gibt es nicht.", number=f["number"])
    ),
    "request_unknown": lambda f: _("Zahlungsanforderung %(n)s gibt es nicht.", n=f["request_id"]),
    "listing_unknown": lambda f: _("Inserat %(n)s gibt es nicht.", n=f["number"]),
    "entry_unknown": lambda f: _("Buchung Nr. %(entry)s gibt es nicht.", entry=f["entry_id"]),
    "batch_unknown": lambda f: _("Belegstapel %(n)s gibt es nicht.", n=f["batch_id"]),
    "line_unknown": lambda f: _("Diese Zeile gibt es im Stapel nicht."),
    "edition_unknown": lambda f: _("Diese Ausgabe gibt es nicht."),
    "edition_item_unknown": lambda f: _("Diesen Eintrag gibt es in der Ausgabe nicht."),
    "token_unknown": lambda f: _("Dieses Token gibt es nicht."),
    "helper_unknown": lambda f: _("Dieser Zugang ist nicht Betreuer von Mitglied %(n)s.", n=f["number"]),
    "ring_unknown": lambda f: (
        _("Tauschring „%(ring)s“ gibt es nicht.", ring=f["reference"])
        if f.get("reference")
        else _("Es gibt noch keinen Tauschring in der Datenbank.")
    ),
    "import_unknown": lambda f: _("Umzug %(n)s gibt es nicht.", n=f["import_id"]),
    "closing_unknown": lambda f: _("Diesen Abschluss gibt es nicht."),
    # input
    "invalid_input": lambda f: _("Die Eingabe ist ungültig."),
    "same_member": lambda f: _("Sie können sich nicht selbst bezahlen."),
    "amount_invalid": lambda f: _("Der Betrag ist ungültig."),
    "text_invalid": lambda f: _(
        "„%(field)s“ enthält Zeichen, die hier nicht erlaubt sind (Steuer- oder Richtungszeichen).",
        field=audit_field(f["field"]),
    ),
    "text_too_long": lambda f: _(
        "„%(field)s“ ist zu lang (höchstens %(maximum)s Zeichen).",
        field=audit_field(f["field"]),
        maximum=f["maximum"],
    ),
    "amount_off_step": lambda f: _(
        "Bitte in Schritten von %(step)s buchen; %(amount)s passt nicht dazu.",
        step=f.amount(f["step"]),
        amount=f.amount(f["minutes"]),
    ),
    "future_service_date": lambda f: _("Das Leistungsdatum darf nicht in der Zukunft liegen."),
    "memo_missing": lambda f: _("Bitte beschreiben Sie die Leistung."),
    "period_invalid": _period,
    "category_unknown": lambda f: _("Bitte wählen Sie eine Rubrik."),
    "category_name_invalid": lambda f: _("Eine Rubrik braucht einen Namen mit höchstens 60 Zeichen."),
    "category_name_taken": lambda f: _("Eine Rubrik „%(name)s“ gibt es schon.", name=f["name"]),
    "category_same": lambda f: _("Die Inserate müssen in eine andere Rubrik verschoben werden."),
    "listing_kind_unknown": lambda f: _("Bitte wählen Sie Angebot oder Gesuch."),
    "username_invalid": lambda f: _(
        "Ein Benutzername hat 3 bis 80 Zeichen: a–z, 0–9, Punkt, Unterstrich, Strich."
    ),
    "password_too_short": lambda f: _("Das Passwort braucht mindestens %(min)d Zeichen.", min=f["minimum"]),
    "password_too_long": lambda f: _("Das Passwort hat höchstens %(max)d Zeichen.", max=f["maximum"]),
    "wrong_password": lambda f: _("Das bisherige Passwort stimmt nicht."),
    "wrong_credentials": lambda f: _("Benutzername oder Passwort stimmt nicht."),
    "sign_in_throttled": lambda f: (
        _(
            "Zu viele fehlgeschlagene Anmeldungen. Bitte versuchen Sie es in %(minutes)s Minuten noch "
            "einmal oder rufen Sie das Büro an: %(phone)s.",
            minutes=f["minutes"],
            phone=f["phone"],
        )
        if f["phone"]
        else _(
            "Zu viele fehlgeschlagene Anmeldungen. Bitte versuchen Sie es in %(minutes)s Minuten noch "
            "einmal oder wenden Sie sich an das Büro.",
            minutes=f["minutes"],
        )
    ),
    "session_unknown": lambda f: _("Diese Anmeldung gibt es nicht (mehr)."),
    "reason_missing": lambda f: _("Bitte geben Sie einen Grund an."),
    "helper_invalid": lambda f: _("Betreuer kann nur ein anderes Mitglied mit eigenem Zugang sein."),
    "consent_unknown": lambda f: _("Diese Einwilligung gibt es nicht."),
    "consent_source_unknown": lambda f: _("Diese Quelle einer Einwilligung gibt es nicht."),
    "name_missing": lambda f: _("Bitte geben Sie Vor- und Nachnamen an."),
    "month_invalid": lambda f: _("„%(period)s“ ist kein Monat (JJJJ-MM).", period=f["period"]),
    "journal_not_exact": lambda f: _(
        "Buchung Nr. %(entry)s hat %(minutes)s Minuten: das lässt sich nicht genau in Stunden mit "
        "zwei Nachkommastellen schreiben. Bitte das Journal in Minuten herunterladen.",
        entry=f["entry_id"],
        minutes=f["minutes"],
    ),
    "year_invalid": lambda f: _("„%(year)s“ ist kein Jahr (JJJJ).", year=f["year"]),
    "outreach_invalid": lambda f: _("Bitte Anlass und Art des Kontakts wählen."),
    "cutoffs_order": lambda f: _("Der nächste Redaktionsschluss muss nach diesem liegen."),
    "voucher_count_invalid": lambda f: _("Bitte zwischen 1 und %(max)s Belegnummern.", max=f["maximum"]),
    "import_empty": lambda f: _("Die Datei ist leer."),
    "import_columns_missing": lambda f: _("Spalten fehlen in der Kopfzeile: %(names)s", names=f["names"]),
    "import_too_long": lambda f: _("Eine Datei hat höchstens %(n)s Belege.", n=f["maximum"]),
    "import_too_large": lambda f: _("Die Datei ist zu groß (höchstens %(n)s MB).", n=f["megabytes"]),
    "import_too_many_lines": lambda f: _("Eine Datei hat höchstens %(n)s Zeilen.", n=f["maximum"]),
    "import_format_unknown": lambda f: _(
        "Diese Datei kann nicht eingelesen werden: unbekannte Herkunft oder unbekannter Inhalt (%(name)s).",
        name=f["name"],
    ),
    "import_unreadable": lambda f: _(
        "Die Datei lässt sich nicht lesen: bitte als CSV oder als Excel-Arbeitsmappe (XLSX) speichern."
    ),
    "import_history_not_imported": lambda f: _(
        "Das ist eine Liste von Überweisungen aus %(source)s. Übernommen werden nicht die alten "
        "Überweisungen, sondern die Kontostände: bitte die Mitgliederliste mit den Kontoständen einlesen.",
        source=f["source"],
    ),
    "slug_invalid": lambda f: _(
        "„%(slug)s“ geht nicht als Kurzname: nur Kleinbuchstaben, Ziffern und Bindestriche, "
        "2 bis 40 Zeichen, und kein Wort, das der Dienst selbst in Adressen verwendet.",
        slug=f["slug"],
    ),
    "slug_taken": lambda f: _("Ein anderer Tauschring heißt schon „%(slug)s“.", slug=f["slug"]),
    "ring_name_invalid": lambda f: _("Ein Tauschring braucht einen Namen mit höchstens 200 Zeichen."),
    "setup_link_invalid": lambda f: _(
        "Dieser Einrichtungslink gilt nicht (schon benutzt, abgelaufen oder falsch abgeschrieben). "
        "Einen neuen gibt der Befehl, der ihn ausgegeben hat."
    ),
    "instance_founded": lambda f: _("Hier ist schon ein Tauschring eingerichtet."),
    "ring_not_named": lambda f: _(
        "In der Datenbank gibt es %(n)s Tauschringe: bitte mit --ring angeben, welcher gemeint ist.",
        n=f["count"],
    ),
    # state
    "member_left": lambda f: _("%(member)s ist ausgetreten und kann nicht mehr tauschen.", member=f.member()),
    "member_suspended": lambda f: _(
        "%(member)s ist gesperrt und kann zurzeit nicht tauschen.", member=f.member()
    ),
    "member_erased": lambda f: _("Die persönlichen Daten von Mitglied %(n)s sind gelöscht.", n=f["number"]),
    "member_not_active": lambda f: _("Mitglied %(n)s ist nicht aktiv.", n=f["number"]),
    "member_not_suspended": lambda f: _("Mitglied %(n)s ist nicht gesperrt.", n=f["number"]),
    "member_not_left": lambda f: _("Nur die Daten ausgetretener Mitglieder können gelöscht werden."),
    "username_taken": lambda f: _("Dieser Benutzername ist schon vergeben."),
    "login_exists": lambda f: _("Mitglied %(n)s hat schon einen Zugang.", n=f["number"]),
    "request_answered": lambda f: _("Diese Zahlungsanforderung wurde schon beantwortet."),
    "listing_withdrawn": lambda f: _("Ein zurückgezogenes Inserat kann nicht mehr geändert werden."),
    "batch_not_open": lambda f: _("Dieser Stapel ist nicht mehr offen."),
    "batch_full": lambda f: _("Ein Stapel hat höchstens %(n)s Belege.", n=f["maximum"]),
    "batch_second_person": lambda f: _(
        "Freigeben muss eine zweite Person aus dem Büro, die den Stapel nicht erfasst hat."
    ),
    "batch_has_errors": lambda f: ngettext(
        "%(num)d Zeile hat Fehler. Bitte korrigieren – oder ausdrücklich nur die fehlerfreien buchen.",
        "%(num)d Zeilen haben Fehler. Bitte korrigieren – oder ausdrücklich nur die fehlerfreien buchen.",
        f["count"],
    ),
    "batch_totals_mismatch": _totals_off,
    "batch_needs_approval": lambda f: _(
        "Dieser Stapel muss erst von einer zweiten Person freigegeben werden."
    ),
    "batch_empty": lambda f: _("Der Stapel ist leer."),
    "batch_nothing_ready": lambda f: _("Keine fehlerfreie Zeile zum Buchen."),
    "batch_posted": lambda f: _(
        "Ein gebuchter Stapel kann nicht verworfen werden; bitte einzelne Buchungen stornieren."
    ),
    "batch_not_posted": lambda f: _("Nur aus einem gebuchten Stapel können offene Zeilen übernommen werden."),
    "batch_all_booked": lambda f: _("Alle Zeilen dieses Stapels sind gebucht."),
    "period_not_begun": lambda f: _("Der Monat %(period)s hat noch nicht begonnen.", period=f["period"]),
    "no_fee": lambda f: _("Dieser Tauschring erhebt keine Kontoführungsgebühr (Einstellungen)."),
    "period_not_over": lambda f: _(
        "Der Zeitraum %(period)s ist noch nicht vorbei; abschließen geht erst danach.", period=f["period"]
    ),
    "edition_exists": lambda f: _("Für diesen Monat gibt es schon eine Ausgabe."),
    "member_number_taken": lambda f: _("Die Mitgliedsnummer %(n)s ist schon vergeben.", n=f["number"]),
    "import_not_open": lambda f: _("Dieser Umzug ist schon abgeschlossen."),
    "import_has_errors": lambda f: ngettext(
        "%(num)d Zeile hat Fehler. Bitte die Datei berichtigen und neu einlesen – oder ausdrücklich nur "
        "die fehlerfreien Zeilen übernehmen.",
        "%(num)d Zeilen haben Fehler. Bitte die Datei berichtigen und neu einlesen – oder ausdrücklich "
        "nur die fehlerfreien Zeilen übernehmen.",
        f["count"],
    ),
    "import_nothing_ready": lambda f: _(
        "Keine Zeile ist bereit: alles ist schon übernommen oder hat Fehler. Es wurde nichts geändert."
    ),
    "opening_balances_unverified": lambda f: _(
        "Nach den Eröffnungssalden stimmt die Buchhaltung nicht (%(checks)s): nichts wurde gebucht.",
        checks=f["checks"],
    ),
}
