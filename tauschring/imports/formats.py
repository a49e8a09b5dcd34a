"""The files a ring brings along, column by column: Tauschring's own spreadsheet template, the CSV
exports of Cyclos 3 and the CSV exports of TimeOverflow. Each reader turns the rows of a file into
``SourceRow`` values under the same field names (``number``, ``first_name``, ``balance`` ...); the
checks in ``staging`` judge them. Headers are compared folded: case, umlauts, blanks and
punctuation do not matter ("E-Mail" = "email", "Straße" = "strasse").

Where the columns come from (see also docs/import.md):

- **Template** (``template``): Tauschring's own, with German column names and English variants;
  ``template_rows`` writes it as CSV and XLSX for download.
- **Cyclos 3** (``cyclos``): the source of Cyclos 3.7.3 (SourceForge "cyclos/Cyclos3/3.7.3",
  mirrored as github.com/mateli/OpenCyclos, commit 556fdcafa99c63eb352f3c3f0a7fdc5baad9a1a7):
  members from ``controls/members/ExportMembersToCsvAction.java``, ads from
  ``controls/ads/ExportAdsToCsvAction.java``, balances and credit limits from
  ``controls/reports/members/list/ExportMembersListReportToCsvAction.java``; the header words
  from ``src/main/resources/ApplicationResources_en_US.properties`` and ``_de_DE.properties``;
  separators, quotes, dates (dd/MM/yyyy by default) and numbers ("1.234,56" by default) from
  ``entities/settings/LocalSettings.java`` and ``utils/csv/CSVWriter.java``. Custom member
  fields are matched by the names of Cyclos' default fields (``setup/CyclosSetup*.properties``:
  Address/Adresse, Postal code/Postleitzahl, City/Stadt, Area/Gebiet, Phone/Telefon, Mobile
  phone/Mobiltelefon) and the usual German variants.
- **TimeOverflow** (``timeoverflow``): github.com/coopdevs/timeoverflow, commit
  ddaec8a77e24e2595c9fbfc9e9a25627fe3ecdab (April 2026): members from
  ``app/decorators/report/member_decorator.rb`` (N, username, email, phone, alt_phone,
  created_at, last_sign_in_at, locale, balance in seconds; before March 2021 only the first
  five), offers and inquiries from ``app/decorators/report/post_decorator.rb`` (id, title, tags,
  "user (member_uid)", created_at, after a heading row per category), transfers from
  ``app/decorators/report/transfer_decorator.rb``; written by ``app/services/report/csv/base.rb``
  (Ruby's CSV: comma, UTF-8). The headers are in the exporting person's language
  (``config/locales/*.yml``), so members and offers are read by position.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from .. import errors
from .reading import Row

SOURCES = ("template", "cyclos", "timeoverflow")
KINDS = ("members", "listings", "balances")


@dataclass
class SourceRow:
    """One line of a file under Tauschring's field names, as text; ``key`` is the old system's
    own key for it (a login, a member number, an ad's id), which makes a second import find it."""

    line: int
    key: str
    values: dict[str, str] = field(default_factory=dict)

    def get(self, name: str) -> str:
        return self.values.get(name, "")


@dataclass(frozen=True)
class Column:
    field: str
    label: str  # the template's German header (or the source's own, for messages)
    aliases: tuple[str, ...] = ()
    required: bool = False

    @property
    def keys(self) -> set[str]:
        return {header_key(name) for name in (self.label, *self.aliases)}


def header_key(text: str) -> str:
    """A header as compared: lower case, umlauts spelled out, letters and digits only."""
    text = text.lower()
    for umlaut, spelled in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss"), ("é", "e"), ("è", "e")):
        text = text.replace(umlaut, spelled)
    return re.sub(r"[^a-z0-9]", "", text)


def _c(field_: str, label: str, aliases: str = "", required: bool = False) -> Column:
    return Column(field_, label, tuple(a for a in aliases.split("|") if a), required)


CONSENT_COLUMNS = (
    _c("phone_online", "Telefon online", "phone online|phone_online"),
    _c("phone_print", "Telefon im Druck", "phone print|phone_print|phone in print|Telefon Druck"),
    _c("email_online", "E-Mail online", "email online|email_online"),
    _c("email_print", "E-Mail im Druck", "email print|email_print|email in print|E-Mail Druck"),
    _c("address_online", "Adresse online", "address online|address_online"),
    _c("address_print", "Adresse im Druck", "address print|address_print|address in print|Adresse Druck"),
    _c(
        "consent_date",
        "Einwilligung vom",
        "Einwilligungsdatum|Datum der Einwilligung|Einwilligung am|consent date|consent_date|consented on",
    ),
)

# Tauschring's template: the German header first (as written in the downloadable files), then
# the English and other variants people use.
TEMPLATE_COLUMNS: dict[str, tuple[Column, ...]] = {
    "members": (
        _c(
            "number",
            "Mitgliedsnummer",
            "Mitglieds-Nr.|Mitgliedsnr|Nr.|Nummer|member number|member_number|number",
        ),
        _c("first_name", "Vorname", "first name|first_name|firstname|given name", required=True),
        _c(
            "last_name",
            "Nachname",
            "Familienname|last name|last_name|lastname|surname|family name",
            required=True,
        ),
        _c("street", "Straße", "Strasse|Straße und Hausnummer|Anschrift|street|address"),
        _c("postal_code", "PLZ", "Postleitzahl|postal code|postal_code|postcode|zip"),
        _c("city", "Ort", "Wohnort|Stadt|city|town"),
        _c("district", "Stadtteil", "Ortsteil|district|area|neighbourhood"),
        _c("phone", "Telefon", "Telefonnummer|phone|telephone"),
        _c("email", "E-Mail", "Mail|E-Mail-Adresse|email|e-mail address"),
        _c("joined_on", "Eintrittsdatum", "Eintritt|Mitglied seit|joined|joined_on|member since"),
        _c("paper_member", "Papiermitglied", "Papier|paper member|paper_member"),
        _c("large_print", "Großdruck", "large print|large_print"),
        *CONSENT_COLUMNS,
    ),
    "listings": (
        _c(
            "member",
            "Mitgliedsnummer",
            "Mitglieds-Nr.|Mitgliedsnr|member number|member_number|member",
            required=True,
        ),
        _c("kind", "Art", "Angebot/Gesuch|kind|type|Typ", required=True),
        _c("category", "Rubrik", "Kategorie|category", required=True),
        _c("title", "Titel", "Überschrift|title|heading", required=True),
        _c("text", "Text", "Beschreibung|text|description"),
        _c("expires_on", "Läuft bis", "gültig bis|Ablaufdatum|expires|expires_on|expiry|valid until"),
        _c("published_at", "Erschienen am", "Datum|published|published_on|created"),
        _c("key", "Inserat-Nr.", "Inseratsnummer|listing number|listing_id|id"),
    ),
    "balances": (
        _c(
            "member",
            "Mitgliedsnummer",
            "Mitglieds-Nr.|Mitgliedsnr|member number|member_number|member",
            required=True,
        ),
        _c("balance", "Kontostand", "Saldo|Stand|balance", required=True),
        _c("min_balance", "Untergrenze", "lower limit|min_balance|minimum"),
        _c("max_balance", "Obergrenze", "upper limit|max_balance|maximum"),
    ),
}

# What each template column holds, for the office page and the second sheet of the XLSX template.
TEMPLATE_HINTS = {
    "number": _l(
        "leer: die nächste freie Nummer; eine vergebene Nummer wird durch die nächste freie ersetzt"
    ),
    "first_name": _l("Pflicht"),
    "last_name": _l("Pflicht"),
    "joined_on": _l("TT.MM.JJJJ; leer: heute"),
    "paper_member": _l("ja oder nein"),
    "large_print": _l("ja oder nein"),
    "phone_online": _l("ja oder nein: nur was das Mitglied erklärt hat; leer: keine Einwilligung"),
    "consent_date": _l(
        "TT.MM.JJJJ: wann das Mitglied eingewilligt hat; nötig, sobald eine Einwilligung „ja“ ist"
    ),
    "member": _l("die Mitgliedsnummer wie in der Mitgliederdatei"),
    "kind": _l("Angebot oder Gesuch"),
    "category": _l("Name einer Rubrik; unbekannte Namen ordnen Sie vor der Übernahme einer Rubrik zu"),
    "title": _l("Pflicht, höchstens 120 Zeichen"),
    "text": _l("leer: der Titel"),
    "expires_on": _l("TT.MM.JJJJ; leer: die übliche Laufzeit des Tauschrings"),
    "published_at": _l("TT.MM.JJJJ; leer: heute"),
    "balance": _l("z. B. 12:30 oder -4,5 (Stunden; im eigenen Maß des Tauschrings, wenn er eines hat)"),
    "min_balance": _l("z. B. -30:00 (30:00 heißt dasselbe); leer: wie im Tauschring"),
    "max_balance": _l("z. B. 60:00; leer: wie im Tauschring"),
}

# Cyclos 3.7.3, ExportMembersToCsvAction: Id, member.username, member.name, member.email,
# member.creationDate, member.activationDate, member.lastLogin, member.loanGroups, member.group,
# every custom field by its name, member.brokerUsername, member.brokerName.
CYCLOS_MEMBERS = (
    _c("cyclos_id", "Id"),
    _c("login", "Member login", "Mitglied-Benutzername", required=True),
    _c("full_name", "Full name", "Name", required=True),
    _c("email", "E-Mail"),
    _c("joined_on", "Registration date", "Registrierungsdatum"),
    _c("group", "Permission group", "Gruppe"),
    _c("phone", "Phone", "Telefon|Telefonnummer|Festnetz"),
    _c("phone2", "Mobile phone", "Mobiltelefon|Mobil|Handy"),
    _c("street", "Address", "Adresse|Anschrift|Straße|Strasse"),
    _c("postal_code", "Postal code", "Postleitzahl|PLZ"),
    _c("city", "City", "Stadt|Ort|Wohnort"),
    _c("district", "Area", "Gebiet|Stadtteil|Ortsteil"),
)
# ExportAdsToCsvAction: ad.id (labelled "MemberId" / "Mitglieds-Id" in 3.7.3), ad.tradeType,
# ad.title, ad.category (full name "Parent: Child"), ad.price, accountType.currency,
# ad.permanent, ad.publicationPeriod.begin/end, member.username, ad.owner,
# ad.externalPublication, ad.description, custom fields.
CYCLOS_ADS = (
    _c("key", "MemberId", "Mitglieds-Id|Id"),
    _c("kind", "Type", "Typ", required=True),
    _c("title", "Title", "Titel", required=True),
    _c("category", "Category", "Kategorie", required=True),
    _c("price", "Price", "Preis"),
    _c("currency", "Currency", "Währung"),
    _c("permanent", "Not expirable", "Dauerinserat"),
    _c("published_at", "Publication date", "Veröffentlichungsdatum"),
    _c("expires_on", "Expiry date", "Ablaufdatum"),
    _c("member", "Member login", "Mitglied-Benutzername", required=True),
    _c("text", "Description", "Beschreibung"),
)
# ExportMembersListReportToCsvAction: member.username, optional columns, then per account type
# "<type>: " + account.creditLimit / account.upperCreditLimit / account.balance.
CYCLOS_REPORT_LOGIN = _c("member", "Member login", "Mitglied-Benutzername", required=True)
CYCLOS_REPORT_SUFFIXES = {
    "balance": ("Account balance", "Saldo"),
    "credit_limit": ("Lower credit limit", "Unteres Kreditlimit"),
    "upper_limit": ("Upper credit limit", "Oberes Kreditlimit"),
}
# A history of transfers: Cyclos' account history (transfer.fromOrTo) and TimeOverflow's
# transfers (statistics.all_transfers.* in every language TimeOverflow ships).
CYCLOS_HISTORY_HEADERS = {"fromto", "vonan"}
TIMEOVERFLOW_TRANSFER_FIRST = {"date", "fecha", "data", "datum", "日付"}
TIMEOVERFLOW_TRANSFER_LAST = {
    "quantity", "cantidad", "quantitat", "quantite", "quantidade", "cantidade", "aantal", "kantitatea",
    "数量",
}  # fmt: skip
# TimeOverflow's Offer / Inquiry model names (activerecord.models.*) in its languages.
TIMEOVERFLOW_KINDS = {
    "offer": "offer", "oferta": "offer", "offre": "offer", "aanbieding": "offer", "eskaintza": "offer",
    "request": "request", "inquiry": "request", "demanda": "request", "demande": "request",
    "verzoek": "request", "eskaera": "request",
}  # fmt: skip
TIMEOVERFLOW_MEMBER_FIELDS = (
    "number", "full_name", "email", "phone", "phone2", "joined_on", "last_login", "locale", "balance",
)  # fmt: skip

KIND_WORDS = {
    "angebot": "offer", "biete": "offer", "a": "offer", "offer": "offer", "o": "offer",
    "gesuch": "request", "suche": "request", "nachfrage": "request", "g": "request", "request": "request",
    "wants": "request", "want": "request", "search": "request",
}  # fmt: skip


def read_source(source: str, kind: str, rows: list[Row]) -> list[SourceRow]:
    """The lines of a file of ``source`` holding ``kind``, under Tauschring's field names."""
    if source not in SOURCES or kind not in KINDS:
        raise errors.ImportFormatUnknown(name=f"{source} {kind}"[:60])
    _refuse_history(source, rows[0])
    if source == "template":
        return _by_header(rows, TEMPLATE_COLUMNS[kind], _template_key(kind))
    if source == "cyclos":
        if kind == "members":
            return _by_header(rows, CYCLOS_MEMBERS, lambda values: values.get("login", ""))
        if kind == "listings":
            return _by_header(rows, CYCLOS_ADS, _listing_key)
        return _cyclos_report(rows)
    if kind == "listings":
        return _timeoverflow_posts(rows)
    return _timeoverflow_members(rows, with_balance=kind == "balances")


def _refuse_history(source: str, header: Row) -> None:
    keys = [header_key(cell) for cell in header.cells]
    if source in ("cyclos", "template") and CYCLOS_HISTORY_HEADERS & set(keys):
        raise errors.ImportHistoryNotImported(source="Cyclos")
    filled = [header_key(cell) or cell.strip() for cell in header.cells if cell.strip()]
    if (
        source in ("timeoverflow", "template")
        and len(filled) == 5
        and filled[0] in TIMEOVERFLOW_TRANSFER_FIRST
        and filled[-1] in TIMEOVERFLOW_TRANSFER_LAST
    ):
        raise errors.ImportHistoryNotImported(source="TimeOverflow")


def _columns(header: Row, columns: tuple[Column, ...]) -> dict[str, int]:
    """Which cell of the header holds which field (the first match wins)."""
    found: dict[str, int] = {}
    keys = [header_key(cell) for cell in header.cells]
    for column in columns:
        wanted = column.keys
        for index, key in enumerate(keys):
            if key in wanted and index not in found.values():
                found.setdefault(column.field, index)
                break
    missing = [column.label for column in columns if column.required and column.field not in found]
    if missing:
        raise errors.ImportColumnsMissing(names=", ".join(missing))
    return found


def _by_header(rows: list[Row], columns: tuple[Column, ...], key) -> list[SourceRow]:
    mapping = _columns(rows[0], columns)
    found = []
    for row in rows[1:]:
        values = {name: row.cell(index) for name, index in mapping.items()}
        found.append(SourceRow(row.line, key(values), values))
    return found


def _template_key(kind: str):
    def member_key(values: dict[str, str]) -> str:
        """A member of the template is known by their number, else their e-mail, else name and
        address (folded): what stays the same when the same file is read again."""
        if values.get("number", "").strip():
            return "nr:" + number_text(values["number"])
        if values.get("email", "").strip():
            return "mail:" + values["email"].strip().lower()
        parts = (values.get(name, "") for name in ("first_name", "last_name", "street", "postal_code"))
        return "name:" + "|".join(header_key(part) for part in parts)

    def balance_key(values: dict[str, str]) -> str:
        return number_text(values.get("member", ""))

    return {"members": member_key, "listings": _listing_key, "balances": balance_key}[kind]


def number_text(text: str) -> str:
    """A number as a key: "012" and "12" are the same member."""
    text = text.strip()
    return str(int(text)) if text.isascii() and text.isdigit() and len(text) < 10 else text


def _listing_key(values: dict[str, str]) -> str:
    """A listing is known by its id in the old system, else by member, kind and title."""
    if values.get("key", "").strip():
        return "id:" + values["key"].strip()
    parts = (values.get("member", ""), values.get("kind", ""), values.get("title", ""))
    return "|".join(header_key(part) for part in parts)[:200]


def _cyclos_report(rows: list[Row]) -> list[SourceRow]:
    """The members list report: login and, for the first account type with a balance column, its
    balance and credit limits ("Member account: Account balance")."""
    header = rows[0]
    login = _columns(header, (CYCLOS_REPORT_LOGIN,))["member"]
    suffix_keys = {
        name: {header_key(word) for word in words} for name, words in CYCLOS_REPORT_SUFFIXES.items()
    }
    by_type: dict[str, dict[str, int]] = {}
    for index, cell in enumerate(header.cells):
        account_type, sep, suffix = cell.rpartition(":")
        if not sep:
            continue
        for name, keys in suffix_keys.items():
            if header_key(suffix) in keys:
                by_type.setdefault(account_type.strip(), {}).setdefault(name, index)
    chosen = next((columns for columns in by_type.values() if "balance" in columns), None)
    if chosen is None:
        raise errors.ImportColumnsMissing(names="Account balance / Saldo")
    found = []
    for row in rows[1:]:
        values = {"member": row.cell(login), **{name: row.cell(index) for name, index in chosen.items()}}
        found.append(SourceRow(row.line, values["member"], values))
    return found


def _timeoverflow_members(rows: list[Row], *, with_balance: bool) -> list[SourceRow]:
    """Members as TimeOverflow writes them, by position (its headers are in the exporter's
    language; the first is always "N", the member_uid)."""
    header = rows[0]
    if header_key(header.cell(0)) != "n" or len(header.cells) < 5:
        raise errors.ImportColumnsMissing(names="N, Name, Email, Phone, Alternative Phone")
    if with_balance and len(header.cells) < len(TIMEOVERFLOW_MEMBER_FIELDS):
        raise errors.ImportColumnsMissing(names="Balance")
    found = []
    for row in rows[1:]:
        values = {name: row.cell(index) for index, name in enumerate(TIMEOVERFLOW_MEMBER_FIELDS)}
        if with_balance:
            values = {"member": values["number"], "balance_seconds": values["balance"]}
        found.append(SourceRow(row.line, row.cell(0), values))
    return found


_TIMEOVERFLOW_USER = re.compile(r"\((\d{1,9})\)\s*$")


def _timeoverflow_posts(rows: list[Row]) -> list[SourceRow]:
    """Offers or inquiries as TimeOverflow writes them: a heading row per category ("", name) and
    below it one row per post: id, title, tags, "user (member_uid)", created_at."""
    header = rows[0]
    kind = TIMEOVERFLOW_KINDS.get(header_key(header.cell(1)))
    if header.cell(0) or kind is None:
        raise errors.ImportColumnsMissing(names="Offer / Request")
    category = ""
    found = []
    for row in rows[1:]:
        if not row.cell(0) and row.cell(1) and not any(row.cells[2:]):
            category = "" if row.cell(1) == "-" else row.cell(1)
            continue
        user = row.cell(3)
        match = _TIMEOVERFLOW_USER.search(user)
        values = {
            "kind": kind,
            "category": category,
            "title": row.cell(1),
            "tags": row.cell(2),
            "member": match.group(1) if match else "",
            "member_text": user,
            "published_at": row.cell(4),
        }
        found.append(SourceRow(row.line, "id:" + row.cell(0) if row.cell(0) else "", values))
    return found


def template_columns(kind: str) -> tuple[Column, ...]:
    """The columns of the downloadable template (without the listing key, which old files bring)."""
    return tuple(column for column in TEMPLATE_COLUMNS[kind] if column.field != "key")
