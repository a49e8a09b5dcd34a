"""Reports and exports for the office and the treasurer: CSV files and an hledger journal.

Pure functions: each takes a Session and returns the file's text; no request, no commit. The
web layer (or a CLI command) sends it as a download.

CSV files are what a German office opens in Excel or LibreOffice: ``;`` between cells, UTF-8
with a byte order mark, CRLF line ends, German column names, ISO dates. Cells of text that a
spreadsheet would run as a formula (starting with = + - @, a tab or a carriage return) get a
leading apostrophe; numbers (signed minutes) stay numbers.

The journals are plain text for the treasurer's tools: one file read alike by hledger and
ledger-cli, and one for beancount; in minutes or hours; the whole book, or one period (by
service date) with its opening balances.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

import ledger
from ledger import Account, JournalEntry, Posting, Ring

from . import errors
from .clock import RING_ZONE, utcnow
from .models import Member, User
from .names import display_name
from .texts import (
    CHANNELS,
    CHECK_TEXTS,
    ENTRY_KINDS,
    MEMBER_STATUSES,
    SYSTEM_ACCOUNT_NAMES,
    format_hours,
    in_german,
    name_of,
)
from .units import hm

ERASED_STATUS = "ausgetreten, Daten gelöscht"
COMMODITY = "Min"
MEMBER_ACCOUNT_ROOT = "Mitglieder"
SYSTEM_ACCOUNT_ROOT = "Tauschring"
# Member accounts the ledger knows but no member row points to (should not happen in the app).
OTHER_ACCOUNT_ROOT = "Konten"


# ---------------------------------------------------------------------------------------------
# CSV

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A signed duration (-1:30) is a value a spreadsheet shows as such, never a formula: no apostrophe.
_DURATION = re.compile(r"-?\d{1,7}:[0-5]\d")


def csv_cell(value: object) -> str | int:
    """One cell: numbers stay numbers, text that a spreadsheet would run as a formula is quoted.

    ``None`` is empty, booleans are ja/nein, dates are ISO (YYYY-MM-DD).
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, int):
        return value
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    if text.startswith(_FORMULA_STARTS) and not _DURATION.fullmatch(text):
        return "'" + text
    return text


def write_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """The text of a CSV file for Excel in Germany: BOM, ';', CRLF, every cell through csv_cell."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([csv_cell(name) for name in header])
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    return "\ufeff" + out.getvalue()


# ---------------------------------------------------------------------------------------------
# Accounts and their names


@dataclass(frozen=True)
class _AccountName:
    account_id: int
    kind: str
    number: int | None  # member number; None for system accounts
    konto: str | int  # the "Konto" cell: member number or system account name
    name: str  # the member's full name ("Mitglied 42" once erased); "" for system accounts
    journal: str  # the account's name in the hledger journal
    member: Member | None


def _ring(session: Session, ring_id: int) -> Ring:
    ring = session.get(Ring, ring_id)
    if ring is None:
        raise ledger.UnknownRing(ring_id=ring_id)
    return ring


def _members(session: Session, ring_id: int) -> list[Member]:
    return list(session.scalars(select(Member).where(Member.ring_id == ring_id).order_by(Member.number)))


def _account_names(session: Session, ring_id: int, members: list[Member]) -> dict[int, _AccountName]:
    by_account = {member.account_id: member for member in members}
    names: dict[int, _AccountName] = {}
    for account_id, kind, label in session.execute(
        select(Account.id, Account.kind, Account.label).where(Account.ring_id == ring_id)
    ):
        member = by_account.get(account_id)
        if member is not None:
            names[account_id] = _AccountName(
                account_id,
                kind,
                member.number,
                member.number,
                display_name(member, full=True),
                f"{MEMBER_ACCOUNT_ROOT}:{member.number:04d}",
                member,
            )
        elif kind in SYSTEM_ACCOUNT_NAMES:
            system = in_german(SYSTEM_ACCOUNT_NAMES[kind])
            names[account_id] = _AccountName(
                account_id, kind, None, system, "", f"{SYSTEM_ACCOUNT_ROOT}:{system}", None
            )
        else:
            names[account_id] = _AccountName(
                account_id, kind, None, label, label, f"{OTHER_ACCOUNT_ROOT}:{account_id}", None
            )
    return names


def _sort_key(name: _AccountName) -> tuple[int, int, str]:
    """Members by number, then accounts without a member, then the system accounts in fixed order."""
    if name.number is not None:
        return (0, name.number, "")
    if name.kind in SYSTEM_ACCOUNT_NAMES:
        return (2, list(SYSTEM_ACCOUNT_NAMES).index(name.kind), "")
    return (1, name.account_id, "")


def _status(member: Member | None) -> str:
    if member is None:
        return ""
    if member.erased:
        return ERASED_STATUS
    return in_german(name_of(MEMBER_STATUSES, member.status))


def _local_date(moment: dt.datetime) -> dt.date:
    return moment.astimezone(RING_ZONE).date()


# ---------------------------------------------------------------------------------------------
# Balances, entries, members


BALANCES_HEADER = (
    "Mitgliedsnummer",
    "Name",
    "Status",
    "Saldo in Minuten",
    "Saldo h:mm",
    "Untergrenze in Minuten",
    "Obergrenze in Minuten",
)


def balances_csv(session: Session, ring_id: int) -> str:
    """Balances of every account of the ring: members by number, then the system accounts, then
    a "Summe" row (zero in a sound book). Limits are those in force (empty: no limit)."""
    _ring(session, ring_id)
    names = _account_names(session, ring_id, _members(session, ring_id))
    balances = ledger.ring_balances(session, ring_id=ring_id)
    rows = []
    total = 0
    for balance in sorted(balances, key=lambda b: _sort_key(names[b.account_id])):
        name = names[balance.account_id]
        total += balance.balance
        rows.append(
            (
                name.number,
                name.name or str(name.konto),
                _status(name.member),
                balance.balance,
                hm(balance.balance),
                balance.min_balance,
                balance.max_balance,
            )
        )
    rows.append((None, "Summe", None, total, hm(total), None, None))
    return write_csv(BALANCES_HEADER, rows)


ENTRIES_HEADER = (
    "Buchung",
    "Buchungsdatum",
    "Leistungsdatum",
    "Art",
    "Belegnummer",
    "Text",
    "Konto",
    "Name",
    "Minuten",
    "h:mm",
    "Storno von",
    "Kanal",
    "eingegeben von",
)


def _check_period(start: dt.datetime, end: dt.datetime) -> None:
    for value in (start, end):
        if not isinstance(value, dt.datetime) or value.tzinfo is None:
            raise ValueError("start and end of the period must be aware datetimes")
    if end < start:
        raise ValueError("the end of the period is before its start")


def entries_csv(session: Session, ring_id: int, start: dt.datetime, end: dt.datetime) -> str:
    """One row per posting of every entry booked in [start, end), in booking order.

    Buchungsdatum is the local date (Europe/Berlin) of the booking; "eingegeben von" is the
    username of the login that keyed the entry (empty when the member booked it themselves
    without an operator recorded).
    """
    _check_period(start, end)
    _ring(session, ring_id)
    names = _account_names(session, ring_id, _members(session, ring_id))
    query = (
        select(
            JournalEntry.id,
            JournalEntry.booked_at,
            JournalEntry.service_date,
            JournalEntry.kind,
            JournalEntry.voucher_number,
            JournalEntry.memo,
            JournalEntry.reverses_id,
            JournalEntry.channel,
            User.username,
            Posting.account_id,
            Posting.amount,
        )
        .join(Posting, Posting.entry_id == JournalEntry.id)
        .outerjoin(User, User.id == JournalEntry.operator_id)
        .where(
            JournalEntry.ring_id == ring_id,
            JournalEntry.booked_at >= start,
            JournalEntry.booked_at < end,
        )
        .order_by(JournalEntry.booked_at, JournalEntry.id, Posting.id)
    )
    rows = []
    for row in session.execute(query):
        name = names[row.account_id]
        rows.append(
            (
                row.id,
                _local_date(row.booked_at),
                row.service_date,
                in_german(name_of(ENTRY_KINDS, row.kind)),
                row.voucher_number,
                row.memo,
                name.konto,
                name.name,
                row.amount,
                hm(row.amount),
                row.reverses_id,
                in_german(name_of(CHANNELS, row.channel)),
                row.username,
            )
        )
    return write_csv(ENTRIES_HEADER, rows)


MEMBERS_HEADER = (
    "Mitgliedsnummer",
    "Vorname",
    "Nachname",
    "Telefon",
    "E-Mail",
    "Straße",
    "PLZ",
    "Ort",
    "Stadtteil",
    "Papiermitglied",
    "Großdruck",
    "Status",
    "Eintritt",
    "Austritt",
    "Saldo in Minuten",
    "Saldo h:mm",
)


def members_csv(session: Session, ring_id: int) -> str:
    """The member list for the office, by number. Erased members keep only their number, status,
    dates of membership and balance; no personal data."""
    _ring(session, ring_id)
    balances = {b.account_id: b.balance for b in ledger.ring_balances(session, ring_id=ring_id)}
    rows = []
    for member in _members(session, ring_id):
        balance = balances.get(member.account_id, 0)
        if member.erased:
            personal: tuple[object, ...] = (None,) * 10
        else:
            personal = (
                member.first_name,
                member.last_name,
                member.phone,
                member.email,
                member.street,
                member.postal_code,
                member.city,
                member.district,
                member.paper_member,
                member.large_print,
            )
        rows.append(
            (
                member.number,
                *personal,
                _status(member),
                member.joined_on,
                member.left_on,
                balance,
                hm(balance),
            )
        )
    return write_csv(MEMBERS_HEADER, rows)


# ---------------------------------------------------------------------------------------------
# hledger journal


def journal_text(text: str | None) -> str:
    """Text safe on one journal line: no line breaks or control characters, no ';' (a comment)."""
    if not text:
        return ""
    cleaned = "".join(" " if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch for ch in text)
    return cleaned.replace(";", ",").strip()


def _tag_value(text: str) -> str:
    """A tag value ends at a comma; keep it to one piece."""
    return " ".join(journal_text(text).replace(",", " ").split())


def _journal_account(name: str) -> str:
    """Account names end at two spaces or a tab and must not contain ';'."""
    return " ".join(journal_text(name).split())


JOURNAL_FORMATS = ("ledger", "beancount")
JOURNAL_UNITS = ("minutes", "hours")
HOURS_COMMODITY = "Std"
BEANCOUNT_COMMODITIES = {"minutes": "MIN", "hours": "STD"}


def _amount(minutes: int, unit: str, entry_id: int = 0) -> str:
    """Minutes as the journal's number: whole minutes, or hours with two decimals when exact."""
    if unit == "minutes":
        return str(minutes)
    if minutes % 3:
        raise errors.JournalNotExact(entry_id=entry_id, minutes=minutes)
    sign = "-" if minutes < 0 else ""
    hours, rest = divmod(abs(minutes), 60)
    return f"{sign}{hours}.{rest * 5 // 3:02d}"


def _beancount_component(text: str) -> str:
    """A beancount account component: ASCII letters, digits and dashes, starting upper case."""
    for umlaut, plain in (
        ("ä", "ae"),
        ("ö", "oe"),
        ("ü", "ue"),
        ("Ä", "Ae"),
        ("Ö", "Oe"),
        ("Ü", "Ue"),
        ("ß", "ss"),
    ):
        text = text.replace(umlaut, plain)
    cleaned = "".join(ch if ch.isascii() and (ch.isalnum() or ch == "-") else "-" for ch in text).strip("-")
    return (cleaned[:1].upper() + cleaned[1:]) or "X"


def _beancount_account(name: _AccountName) -> str:
    if name.number is not None:
        return f"Assets:{MEMBER_ACCOUNT_ROOT}:M{name.number:04d}"
    if name.kind in SYSTEM_ACCOUNT_NAMES:
        return f"Equity:{SYSTEM_ACCOUNT_ROOT}:{_beancount_component(str(name.konto))}"
    return f"Assets:{OTHER_ACCOUNT_ROOT}:K{name.account_id}"


def _beancount_string(text: str | None) -> str:
    return '"' + journal_text(text).replace("\\", "/").replace('"', "'") + '"'


@dataclass(frozen=True)
class _JournalEntry:
    id: int
    date: dt.date
    kind: str
    memo: str
    tags: list[tuple[str, str]]
    postings: list[tuple[int, int]]


def _journal_entries(
    session: Session,
    ring_id: int,
    number_of: dict[int, int],
    *,
    start: dt.date | None,
    end: dt.date | None,
    by_service_date: bool,
) -> list[_JournalEntry]:
    query = (
        select(
            JournalEntry.id,
            JournalEntry.booked_at,
            JournalEntry.service_date,
            JournalEntry.kind,
            JournalEntry.memo,
            JournalEntry.voucher_number,
            JournalEntry.reverses_id,
            JournalEntry.channel,
            JournalEntry.on_behalf_of_id,
            JournalEntry.override_reason,
            User.username,
            Posting.account_id,
            Posting.amount,
        )
        .join(Posting, Posting.entry_id == JournalEntry.id)
        .outerjoin(User, User.id == JournalEntry.operator_id)
        .where(JournalEntry.ring_id == ring_id)
    )
    if start is not None:
        query = query.where(JournalEntry.service_date >= start)
    if end is not None:
        query = query.where(JournalEntry.service_date <= end)
    if by_service_date:
        query = query.order_by(JournalEntry.service_date, JournalEntry.id, Posting.id)
    else:
        query = query.order_by(JournalEntry.booked_at, JournalEntry.id, Posting.id)
    entries: list[_JournalEntry] = []
    for row in session.execute(query):
        if not entries or entries[-1].id != row.id:
            tags = [("kind", row.kind)]
            if row.voucher_number:
                tags.append(("voucher", _tag_value(row.voucher_number)))
            tags.append(("service-date", row.service_date.isoformat()))
            if row.reverses_id is not None:
                tags.append(("reverses", str(row.reverses_id)))
            tags.append(("booked-at", f"{row.booked_at.astimezone(dt.UTC):%Y-%m-%dT%H:%M:%SZ}"))
            tags.append(("channel", row.channel))
            if row.username:
                tags.append(("operator", _tag_value(row.username)))
            if row.on_behalf_of_id is not None:
                number = number_of.get(row.on_behalf_of_id)
                helped = f"{number:04d}" if number is not None else f"konto-{row.on_behalf_of_id}"
                tags.append(("on-behalf-of", helped))
            if row.override_reason:
                tags.append(("override", _tag_value(row.override_reason)))
            day = row.service_date if by_service_date else _local_date(row.booked_at)
            entries.append(_JournalEntry(row.id, day, row.kind, journal_text(row.memo), tags, []))
        entries[-1].postings.append((row.account_id, row.amount))
    return entries


def _opening(
    session: Session, ring_id: int, start: dt.date
) -> tuple[dict[int, int], ledger.ClosingView | None]:
    """Balances at the end of the day before ``start``: from the closing ending then (if the
    period before is closed), else summed from the entries before ``start``."""
    before = start - dt.timedelta(days=1)
    found = next(
        (c for c in ledger.closings(session, ring_id, with_reopened=False) if c.period_end == before), None
    )
    if found is not None:
        return {a: b for a, b in found.balances.items() if b}, found
    sums: dict[int, int] = {}
    for account_id, total in session.execute(
        select(Posting.account_id, func.sum(Posting.amount))
        .join(JournalEntry, JournalEntry.id == Posting.entry_id)
        .where(JournalEntry.ring_id == ring_id, JournalEntry.service_date < start)
        .group_by(Posting.account_id)
    ):
        if total:
            sums[account_id] = int(total)
    return sums, None


def journal(
    session: Session,
    ring_id: int,
    *,
    fmt: str = "ledger",
    unit: str = "minutes",
    start: dt.date | None = None,
    end: dt.date | None = None,
    now: dt.datetime | None = None,
) -> str:
    """The ring's book as a journal for the treasurer's tools.

    ``fmt="ledger"`` is read alike by hledger and ledger-cli (one-line ``commodity 1000. Min``
    directive, declared accounts, tags in comments); ``fmt="beancount"`` passes ``bean-check``.
    ``unit`` is whole minutes or hours with two decimals (refused, ``errors.JournalNotExact``, when an
    amount is no whole multiple of 3 minutes). Without a period: every entry, dated by the local
    booking date, in booking order. With ``start``/``end`` (service dates): the entries of that
    period dated by their service date, after an opening entry with the balances at the start
    (from the closing of the period before, when there is one); a closed period ends with its
    closing's fingerprint, and in beancount with balance assertions of every account.
    """
    if fmt not in JOURNAL_FORMATS or unit not in JOURNAL_UNITS:
        raise ValueError(f"unknown journal format {fmt!r} or unit {unit!r}")
    ring = _ring(session, ring_id)
    moment = (now or utcnow()).astimezone(RING_ZONE)
    members = _members(session, ring_id)
    names = _account_names(session, ring_id, members)
    number_of = {member.account_id: member.number for member in members}
    period = start is not None or end is not None
    entries = _journal_entries(session, ring_id, number_of, start=start, end=end, by_service_date=period)
    opening: dict[int, int] = {}
    opening_closing = None
    if start is not None:
        opening, opening_closing = _opening(session, ring_id, start)
    closing_at_end = None
    if end is not None:
        closing_at_end = next(
            (
                c
                for c in ledger.closings(session, ring_id, with_reopened=False)
                if c.period_end == end and (start is None or c.period_start >= start or c.kind == "year")
            ),
            None,
        )
    account_name = (
        (lambda account_id: _journal_account(names[account_id].journal))
        if fmt == "ledger"
        else (lambda account_id: _beancount_account(names[account_id]))
    )
    commodity = (
        (COMMODITY if unit == "minutes" else HOURS_COMMODITY)
        if fmt == "ledger"
        else BEANCOUNT_COMMODITIES[unit]
    )
    comment = ";"
    unit_line = (
        f"Beträge in Minuten ({commodity}); 60 {commodity} = 1 Stunde."
        if unit == "minutes"
        else f"Beträge in Stunden ({commodity}) mit zwei Nachkommastellen; 1:30 h = 1.50 {commodity}."
    )
    lines = [
        f"{comment} Tauschring: {journal_text(ring.name)}",
        f"{comment} Journal exportiert am {moment:%Y-%m-%d %H:%M} (Europe/Berlin)",
        f"{comment} {unit_line}",
    ]
    if period:
        lines.append(
            f"{comment} Zeitraum (Leistungsdatum): {start.isoformat() if start else 'Anfang'} bis "
            f"{end.isoformat() if end else 'heute'}; Datum jeder Buchung = Leistungsdatum."
        )
    else:
        lines.append(
            f"{comment} Buchungsdatum = Datum der Buchung in Europe/Berlin, service-date = Leistungsdatum."
        )
    if opening_closing is not None:
        lines.append(
            f"{comment} Eröffnungssalden aus dem Abschluss bis {opening_closing.period_end.isoformat()}, "
            f"Fingerabdruck {opening_closing.fingerprint}"
        )
    lines.append("")
    ordered = sorted(names.values(), key=_sort_key)
    if fmt == "ledger":
        number_format = "1000." if unit == "minutes" else "1000.00"
        lines += [f"commodity {number_format} {commodity}", ""]
        for name in ordered:
            lines.append(f"account {_journal_account(name.journal)}")
            if name.number is not None and name.name:
                lines.append(f"    ; {journal_text(name.name)}")
        lines.append("")
    else:
        first = min([e.date for e in entries] + ([start] if start else []) + [_local_date(ring.created_at)])
        lines += [
            'option "operating_currency" "' + commodity + '"',
            f"{first.isoformat()} commodity {commodity}",
            "",
        ]
        for name in ordered:
            lines.append(f"{first.isoformat()} open {_beancount_account(name)} {commodity}")
        lines.append("")

    def posting(account_id: int, minutes: int, entry_id: int) -> str:
        return f"    {account_name(account_id)}  {_amount(minutes, unit, entry_id)} {commodity}"

    if opening:
        day = start
        if fmt == "ledger":
            lines.append(f"{day.isoformat()} Eröffnungssalden")
            lines.append("    ; kind:opening-balances")
        else:
            lines.append(f'{day.isoformat()} * "Eröffnungssalden"')
        for account_id in sorted(opening, key=lambda a: _sort_key(names[a])):
            lines.append(posting(account_id, opening[account_id], 0))
        lines.append("")
    for entry in entries:
        if fmt == "ledger":
            lines.append(f"{entry.date.isoformat()} ({entry.id}){' ' + entry.memo if entry.memo else ''}")
            lines.append("    ; " + ", ".join(f"{key}:{value}" for key, value in entry.tags))
        else:
            lines.append(f"{entry.date.isoformat()} * {_beancount_string(entry.memo)}")
            lines.append(f'  entry: "{entry.id}"')
            for key, value in entry.tags:
                lines.append(f"  {key.replace('-', '_')}: {_beancount_string(value)}")
        for account_id, minutes in entry.postings:
            lines.append(posting(account_id, minutes, entry.id))
        lines.append("")
    if closing_at_end is not None:
        lines.append(
            f"{comment} Abschluss bis {closing_at_end.period_end.isoformat()}: {closing_at_end.entry_count} "
            f"Buchungen, Fingerabdruck {closing_at_end.fingerprint}"
        )
        if fmt == "beancount":
            day = closing_at_end.period_end + dt.timedelta(days=1)
            for name in ordered:
                balance = closing_at_end.balances.get(name.account_id, 0)
                lines.append(
                    f"{day.isoformat()} balance {_beancount_account(name)}  "
                    f"{_amount(balance, unit, 0)} {commodity}"
                )
        lines.append("")
    return "\n".join(lines)


def hledger_journal(session: Session, ring_id: int, *, now: dt.datetime | None = None) -> str:
    """Every entry of the ring as a journal read alike by hledger and ledger-cli, in minutes."""
    return journal(session, ring_id, fmt="ledger", unit="minutes", now=now)


# ---------------------------------------------------------------------------------------------
# A member's statement, the verify report and the balances on the command line


def statement_csv(statement, start: dt.date, end: dt.date) -> str:
    """A member's statement as CSV in the reader's language: opening balance, one row per line
    with its partners named (``statements.NamedStatement``), closing balance."""
    rows = [
        [
            "",
            start,
            "",
            _("Anfangssaldo"),
            "",
            statement.opening_balance,
            hm(statement.opening_balance),
            hm(statement.opening_balance),
        ],
        *(
            [
                line.entry_id,
                _local_date(line.booked_at),
                line.service_date,
                line.memo,
                line.partner_text,
                line.amount,
                hm(line.amount),
                hm(line.balance_after),
            ]
            for line in statement.lines
        ),
        [
            "",
            end,
            "",
            _("Endsaldo"),
            "",
            statement.closing_balance,
            hm(statement.closing_balance),
            hm(statement.closing_balance),
        ],
    ]
    header = [
        _("Buchung"),
        _("Buchungsdatum"),
        _("Leistungsdatum"),
        _("Text"),
        _("Partner"),
        _("Minuten"),
        _("Betrag (h:mm)"),
        _("Saldo (h:mm)"),
    ]
    return write_csv(header, rows)


def render_verify_report(report: ledger.VerifyReport) -> str:
    """The verify report as a treasurer reads it: what was checked, what was found."""
    lines = [
        f"Prüfbericht für {report.ring_name} (Tauschring {report.ring_id})",
        f"  Konten: {report.accounts}   Buchungen: {report.entries}   "
        f"Buchungszeilen: {report.postings}   Summe aller Salden: {format_hours(report.total_balance)}",
        "",
    ]
    by_check: dict[str, list[ledger.Violation]] = {}
    for violation in report.violations:
        by_check.setdefault(violation.check, []).append(violation)
    for check in report.checks:
        found = by_check.get(check, [])
        mark = "OK    " if not found else "FEHLER"
        lines.append(f"  [{mark}] {CHECK_TEXTS.get(check, check)}")
        for violation in found:
            lines.append(f"           - {violation.detail}")
    if report.notices:
        lines.append("")
        lines.append("  Hinweise (keine Fehler):")
        for notice in report.notices:
            lines.append(f"           - {notice.detail}")
    lines.append("")
    if report.ok:
        lines.append("  Ergebnis: Die Bücher stimmen.")
    else:
        lines.append(f"  Ergebnis: {len(report.violations)} Verstoß/Verstöße gefunden.")
    return "\n".join(lines)


def render_balances(session: Session, ring_id: int) -> str:
    """Every account's balance in a ring, for the console."""
    balances = ledger.ring_balances(session, ring_id=ring_id)
    ring = session.get(ledger.Ring, ring_id)
    lines = [f"Salden in {ring.name if ring else ring_id}:"]
    width = max([len(b.label) for b in balances] + [10])
    for b in balances:
        closed = "  (geschlossen)" if b.closed else ""
        lines.append(f"  {b.account_id:>5}  {b.label:<{width}}  {format_hours(b.balance):>10}{closed}")
    lines.append(f"  {'':>5}  {'Summe':<{width}}  {format_hours(sum(b.balance for b in balances)):>10}")
    return "\n".join(lines)
