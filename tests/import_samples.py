"""Sample files of every format the importers read, written from the documented columns (see
tauschring/imports/formats.py and docs/import.md): with umlauts, in Windows-1252 and UTF-8, with
duplicates and broken lines. Each builder returns the bytes of a file as the old system writes it.
"""

from __future__ import annotations

import io


def csv_bytes(
    lines: list[list[str]], *, sep: str = ";", encoding: str = "utf-8", quote_all: bool = False
) -> bytes:
    def cell(text: str) -> str:
        if quote_all or sep in text or '"' in text or "\n" in text:
            return '"' + text.replace('"', '""') + '"'
        return text

    return "".join(sep.join(cell(c) for c in line) + "\r\n" for line in lines).encode(encoding)


def xlsx_bytes(lines: list[list[object]]) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    for line in lines:
        workbook.active.append(line)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- Tauschring's template ---------------------------------------------------------------------

TEMPLATE_MEMBERS = [
    ["Mitgliedsnummer", "Vorname", "Nachname", "Straße", "PLZ", "Ort", "Stadtteil", "Telefon", "E-Mail",
     "Eintrittsdatum", "Papiermitglied", "Großdruck", "Telefon online", "Telefon im Druck", "E-Mail online",
     "E-Mail im Druck", "Adresse online", "Adresse im Druck", "Einwilligung vom"],
    # ready: number 20 is free, consents stated with their date
    ["20", "Jürgen", "Müller", "Gießerstraße 7", "04229", "Leipzig", "Plagwitz", "0341 200 200",
     "juergen@example.org", "15.03.2019", "nein", "ja", "ja", "ja", "nein", "", "", "", "01.02.2025"],
    # ready: no number, gets the next free one; paper member; no consents stated
    ["", "Hildegard", "Weiß", "Lützner Straße 90", "04177", "Leipzig", "Lindenau", "0341 300 300", "",
     "1.4.2021", "ja", "", "", "", "", "", "", "", ""],
    # ready with a warning: number 1 is Anna's, so a new number
    ["1", "Ömer", "Çelik", "", "", "", "", "", "oemer@example.org", "", "", "", "", "", "", "", "", "", ""],
    # duplicate: the same number again in the file
    ["20", "Jürgen", "Müller", "Gießerstraße 7", "04229", "Leipzig", "", "", "", "", "", "", "", "", "",
     "", "", "", ""],
    # error: no last name
    ["", "Pepa", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", ""],
    # error: a consent without the date of the declaration
    ["30", "Frieda", "Schäfer", "", "", "", "", "0341 400", "", "", "", "", "ja", "", "", "", "", "", ""],
    # error: not a date; not yes or no
    ["31", "Kai", "Groß", "", "", "", "", "", "", "31.02.2020", "vielleicht", "", "", "", "", "", "", "", ""],
]  # fmt: skip

TEMPLATE_BALANCES = [
    ["Mitgliedsnummer", "Kontostand", "Untergrenze", "Obergrenze"],
    ["20", "12:30", "-40:00", ""],
    ["1", "-4,5", "", ""],
    ["2", "0", "", ""],
    ["20", "3:00", "", ""],  # duplicate in the file
    ["99", "1:00", "", ""],  # no such member
    ["3", "zwölf", "", ""],  # not an amount
]

TEMPLATE_LISTINGS = [
    ["Mitgliedsnummer", "Art", "Rubrik", "Titel", "Text", "Läuft bis"],
    ["20", "Angebot", "Garten", "Rasen mähen", "Mit eigenem Mäher, auch Hecken.", ""],
    ["20", "Gesuch", "Haus & Hof", "Hilfe beim Umzug", "", "31.12.2027"],
    ["1", "Angebot", "garten", "Äpfel pflücken", "Im Herbst", ""],
    ["20", "Angebot", "Garten", "Rasen mähen", "doppelt", ""],  # duplicate in the file
    ["77", "Angebot", "Garten", "Fenster putzen", "", ""],  # no such member
    ["1", "Tausch", "Garten", "Ungültig", "", ""],  # neither offer nor request
    ["1", "Angebot", "Garten", "Alt", "", "01.01.2020"],  # expired
]


# --- Cyclos 3.7.3 ------------------------------------------------------------------------------
# ExportMembersToCsvAction: Id, Member login, Full name, E-Mail, Registration date, Activation date,
# Last login, Loan groups, Permission group, custom fields (here Cyclos' defaults), Broker login,
# Broker name. Values quoted (CsvStringQuote.DOUBLE_QUOTE), dates dd/MM/yyyy.

CYCLOS_MEMBERS_EN = [
    ["Id", "Member login", "Full name", "E-Mail", "Registration date", "Activation date", "Last login",
     "Loan groups", "Permission group", "Gender", "Address", "Postal code", "City", "Area", "Phone",
     "Mobile phone", "Broker login", "Broker name"],
    ["5", "grete", "Margarete Köhler", "grete@example.org", "03/05/2012", "03/05/2012", "01/10/2026 10:12:00",
     "", "Full members", "Female", "Karl-Heine-Straße 12", "04229", "Leipzig", "Plagwitz", "0341 555",
     "0171 555", "", ""],
    ["6", "117", "Bernd Schulz", "bernd.s@example.org", "10/11/2013", "", "", "", "Full members", "", "", "",
     "", "", "", "", "", ""],
    ["7", "weg", "Walter Weg", "", "01/01/2015", "", "", "", "Removed members", "", "", "", "", "", "", "",
     "", ""],
    ["8", "grete", "Margarete Köhler", "", "", "", "", "", "Full members", "", "", "", "", "", "", "", "",
     ""],
    ["9", "solo", "Cher", "", "", "", "", "", "Full members", "", "", "", "", "", "", "", "", ""],
]  # fmt: skip

CYCLOS_MEMBERS_DE = [
    ["Id", "Mitglied-Benutzername", "Name", "E-Mail", "Registrierungsdatum", "Aktivierungsdatum",
     "Letzte Anmeldung", "Darlehensgruppen", "Gruppe", "Adresse", "Postleitzahl", "Stadt", "Telefon"],
    ["12", "käthe", "Käthe Süß", "kaethe@example.org", "24/12/2010", "", "", "", "Vollwertige Mitglieder",
     "Straße des 17. Juni 1", "04103", "Leipzig", "0341 777"],
]  # fmt: skip

# ExportAdsToCsvAction (German labels of 3.7.3; "Mitglieds-Id" is the ad's id).
CYCLOS_ADS_DE = [
    ["Mitglieds-Id", "Typ", "Titel", "Kategorie", "Preis", "Währung", "Dauerinserat",
     "Veröffentlichungsdatum", "Ablaufdatum", "Mitglied-Benutzername", "AnbieterIn",
     "Externe Veröffentlichung", "Beschreibung"],
    ["301", "Angebot", "Fahrräder reparieren", "Handwerk: Fahrrad", "1,00", "Std.", "false", "01/09/2026",
     "01/03/2027", "grete", "Margarete Köhler", "true", "<p>Schläuche, Bremsen &amp; Licht.</p><p>Gern!</p>"],
    ["302", "Nachfrage", "Begleitung zum Arzt", "Soziales", "", "", "true", "15/10/2026", "", "117",
     "Bernd Schulz", "false", "Einmal im Monat"],
    ["303", "Angebot", "Altes Inserat", "Garten", "", "", "false", "01/01/2020", "01/02/2020", "grete",
     "Margarete Köhler", "false", "abgelaufen"],
    ["304", "Angebot", "Kuchen backen", "Kochen & Backen", "", "", "false", "01/11/2026", "01/05/2027",
     "niemand", "Niemand", "false", "Mitglied unbekannt"],
]  # fmt: skip

# ExportMembersListReportToCsvAction with name, credit limits and balances of one account type.
CYCLOS_REPORT_EN = [
    ["Member login", "Full name", "Member account: Lower credit limit", "Member account: Upper credit limit",
     "Member account: Account balance"],
    ["grete", "Margarete Köhler", "50,00", "100,00", "1.234,50"],
    ["117", "Bernd Schulz", "30,00", "60,00", "-25,75"],
    ["weg", "Walter Weg", "30,00", "60,00", "5,00"],  # never taken over (removed in Cyclos)
]  # fmt: skip

# Cyclos' account history of one account (ExportTransactionsToCsvAction): not taken over.
CYCLOS_HISTORY_DE = [
    ["Datum", "Überweisungstyp", "Betrag", "Von / An", "Von / An - Name", "Beschreibung"],
    ["01/10/2026 10:00:00", "Mitgliederzahlung", "-2,00", "grete", "Margarete Köhler", "Garten"],
]


# --- TimeOverflow ------------------------------------------------------------------------------
# Report::MemberDecorator (since March 2021): N, username, email, phone, alt_phone, created_at,
# last_sign_in_at, locale, balance (seconds); headers in the exporter's language (here Spanish).

TIMEOVERFLOW_MEMBERS_ES = [
    ["N", "Nombre", "Correo", "Teléfono", "Teléfono alternativo", "Creado", "Fecha último login", "Locale",
     "Balance"],
    ["1", "Lucía Fernández", "lucia@example.org", "600 111 222", "", "2019-04-02 10:22:33 +0200", "", "es",
     "5400"],
    ["40", "Jörg Brückner", "", "0341 999", "0172 999", "2020-01-15 08:00:00 UTC", "", "de", "-1800"],
    ["41", "pepa", "pepa@example.org", "", "", "2021-06-01 12:00:00 +0200", "", "es", "0"],
    ["40", "Jörg Brückner", "", "", "", "", "", "", "0"],
]  # fmt: skip

# Report::PostDecorator: "", Offer (model name), Tags, User, Created; a heading row per category.
TIMEOVERFLOW_OFFERS_EN = [
    ["", "Offer", "Tags", "User", "Created"],
    ["", "Garten", "", "", ""],
    ["11", "Hecke schneiden", "garten, hecke", "Lucía Fernández (1)", "2026-10-01 09:00:00 +0200"],
    ["12", "Obst ernten", "", "Jörg Brückner (40)", "2026-10-02 09:00:00 +0200"],
    ["", "-", "", "", ""],
    ["13", "Ohne Rubrik", "", "Lucía Fernández (1)", "2026-10-03 09:00:00 +0200"],
    ["14", "Wer bin ich", "", "Unbekannt", "2026-10-03 09:00:00 +0200"],
]
TIMEOVERFLOW_INQUIRIES_ES = [
    ["", "Demanda", "Etiquetas", "Usuario", "Creado"],
    ["", "Fahrdienste", "", "", ""],
    ["21", "Fahrt zum Markt", "", "Jörg Brückner (40)", "2026-10-05 09:00:00 +0200"],
]

# Report::TransferDecorator: date, from, to, post, quantity (h:mm): not taken over.
TIMEOVERFLOW_TRANSFERS_EN = [
    ["Date", "From", "To", "Post", "Quantity"],
    ["2026-10-01 10:00:00 +0200", "Lucía Fernández (1)", "Jörg Brückner (40)", "Hecke schneiden", "1:30"],
]
