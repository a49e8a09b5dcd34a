"""Voucher batches: the office types (or imports) a stack of paper vouchers, checks every line
against the books and the lines before it, compares the control totals with the stack, and posts
the whole batch in one transaction, or nothing.

Lines are stored as typed and checked again whenever the batch is shown or posted: the books
may have changed since a line was typed (another batch, a member's own payment).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections import Counter
from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select
from sqlalchemy.orm import Session

import ledger

from .members import display_name
from .models import Member, User, VoucherBatch, VoucherLine
from .rings import settings_of, unit_of
from .texts import explain
from .units import AmountError, Unit, format_amount, parse_amount, whole_number

MAX_LINES = 1000
LINE_FIELDS = ("voucher_number", "service_date", "payer_number", "payee_number", "amount", "memo")


class BatchError(ValueError):
    """A batch action that cannot be done; the message is for the clerk."""


@dataclass
class LineCheck:
    """What the checks found for one line. ``status`` is ready, error, duplicate or confirm."""

    line: VoucherLine
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    payer: Member | None = None
    payee: Member | None = None
    minutes: int | None = None
    service_date: dt.date | None = None
    duplicate: bool = False
    needs_confirmation: bool = False

    @property
    def status(self) -> str:
        if self.line.entry_id is not None:
            return "posted"
        if self.duplicate:
            return "duplicate"
        if self.errors:
            return "error"
        if self.needs_confirmation:
            return "confirm"
        return "ready"

    @property
    def ready(self) -> bool:
        return self.status == "ready"


@dataclass
class BatchCheck:
    batch: VoucherBatch
    lines: list[LineCheck]
    unit: Unit

    @property
    def count(self) -> int:
        return len(self.lines)

    @property
    def minutes(self) -> int:
        """The sum of every line's amount that could be read: the control total for the stack."""
        return sum(check.minutes or 0 for check in self.lines)

    @property
    def ready_count(self) -> int:
        return sum(1 for check in self.lines if check.ready)

    @property
    def problem_count(self) -> int:
        return sum(1 for check in self.lines if check.status in ("error", "duplicate", "confirm"))

    @property
    def totals_match(self) -> bool | None:
        """Whether the totals counted on the paper stack match (None: not entered)."""
        batch = self.batch
        if batch.expected_count is None and batch.expected_minutes is None:
            return None
        return (batch.expected_count in (None, self.count)) and (
            batch.expected_minutes in (None, self.minutes)
        )

    @property
    def postable(self) -> bool:
        return self.count > 0 and self.problem_count == 0


def parse_day(text: str, today: dt.date) -> dt.date:
    """A date as clerks write it: 20.11.2026, 20.11.26, 20.11. (this year) or 2026-11-20."""
    text = (text or "").strip()
    match = re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{2}|\d{4})?", text)
    try:
        if match:
            day, month, year = match.groups()
            year_number = today.year if year is None else int(year) + (2000 if len(year) == 2 else 0)
            return dt.date(year_number, int(month), int(day))
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(text) from None


def _members_by_number(session: Session, ring_id: int, numbers: set[int]) -> dict[int, Member]:
    if not numbers:
        return {}
    members = session.scalars(select(Member).where(Member.ring_id == ring_id, Member.number.in_(numbers)))
    return {m.number: m for m in members}


def check_batch(session: Session, batch: VoucherBatch, *, today: dt.date) -> BatchCheck:
    """Check every line: members, amount and step, dates, voucher numbers, and the limits given
    all earlier lines of the batch (in the order typed)."""
    settings = settings_of(session, batch.ring_id)
    unit = unit_of(session, batch.ring_id)
    lines = list(batch.lines)
    numbers = {whole_number(n) for line in lines for n in (line.payer_number, line.payee_number)} - {None}
    members = _members_by_number(session, batch.ring_id, {n for n in numbers if n < 2**31})
    typed_numbers = Counter(line.voucher_number.strip() for line in lines if line.voucher_number.strip())
    booked = _booked_vouchers(session, batch.ring_id, set(typed_numbers))
    issued = _issued_ranges(session, batch.ring_id)
    balances = ledger.balances_of(
        session, ring_id=batch.ring_id, account_ids=[m.account_id for m in members.values()]
    )
    running = {account_id: balance.balance for account_id, balance in balances.items()}
    oldest = today - dt.timedelta(days=settings.submission_days)
    payer_role, payee_role = _("Zahler"), _("Empfänger")
    checks = []
    for line in lines:
        check = LineCheck(line=line)
        checks.append(check)
        if line.entry_id is not None:
            check.minutes = _amount(line, unit, check)
            continue
        voucher = line.voucher_number.strip()
        if not voucher:
            check.errors.append(_("Belegnummer fehlt."))
        elif voucher in booked:
            check.duplicate = True
            check.errors.append(
                _(
                    "Beleg %(voucher)s ist schon gebucht (Buchung Nr. %(entry)s).",
                    voucher=voucher,
                    entry=booked[voucher],
                )
            )
        elif typed_numbers[voucher] > 1:
            check.duplicate = True
            check.errors.append(_("Beleg %(voucher)s steht mehrfach in diesem Stapel.", voucher=voucher))
        elif issued is not None and not _in_ranges(voucher, issued):
            check.warnings.append(
                _("Belegnummer %(voucher)s wurde nie ausgegeben – bitte den Beleg prüfen.", voucher=voucher)
            )
        check.payer = _member(line.payer_number, members, payer_role, check)
        check.payee = _member(line.payee_number, members, payee_role, check)
        if check.payer is not None and check.payee is not None and check.payer.id == check.payee.id:
            check.errors.append(_("Zahler und Empfänger sind dasselbe Mitglied."))
        check.minutes = _amount(line, unit, check)
        try:
            check.service_date = parse_day(line.service_date, today)
        except ValueError:
            check.errors.append(_("„%(text)s“ ist kein Datum (TT.MM.JJJJ).", text=line.service_date))
        else:
            if check.service_date > today:
                check.errors.append(_("Das Leistungsdatum darf nicht in der Zukunft liegen."))
            elif check.service_date < oldest and not line.old_confirmed:
                check.needs_confirmation = True
                check.warnings.append(
                    _(
                        "Älter als die Einreichfrist (%(days)s Tage): "
                        "bitte bestätigen, dass der Beleg noch gebucht werden soll.",
                        days=settings.submission_days,
                    )
                )
            elif check.service_date < oldest:
                check.warnings.append(
                    _(
                        "Älter als die Einreichfrist (%(days)s Tage), bestätigt.",
                        days=settings.submission_days,
                    )
                )
        if not line.memo.strip():
            check.errors.append(_("Der Buchungstext fehlt."))
        elif len(line.memo) > 500:
            check.errors.append(_("Der Buchungstext ist zu lang (höchstens 500 Zeichen)."))
        if check.errors or check.minutes is None or check.payer is None or check.payee is None:
            continue
        limit_error = _limit(check, balances, running, unit)
        if limit_error:
            check.errors.append(limit_error)
            continue
        running[check.payer.account_id] -= check.minutes
        running[check.payee.account_id] += check.minutes
    return BatchCheck(batch=batch, lines=checks, unit=unit)


def _booked_vouchers(session: Session, ring_id: int, numbers: set[str]) -> dict[str, int]:
    if not numbers:
        return {}
    entry = ledger.JournalEntry
    rows = session.execute(
        select(entry.voucher_number, entry.id).where(
            entry.ring_id == ring_id, entry.voucher_number.in_(numbers)
        )
    )
    return dict(rows.all())


def _issued_ranges(session: Session, ring_id: int) -> list[tuple[int, int]] | None:
    """The voucher number ranges handed out; None when the ring does not use numbered vouchers."""
    from .models import VoucherRange

    ranges = session.execute(
        select(VoucherRange.first, VoucherRange.last).where(VoucherRange.ring_id == ring_id)
    ).all()
    return [tuple(r) for r in ranges] or None


def _in_ranges(voucher: str, ranges: list[tuple[int, int]]) -> bool:
    number = whole_number(voucher)
    if number is None:
        return False
    return any(first <= number <= last for first, last in ranges)


def _member(text: str, members: dict[int, Member], role: str, check: LineCheck) -> Member | None:
    text = text.strip()
    if not text:
        check.errors.append(_("%(role)s: Mitgliedsnummer fehlt.", role=role))
        return None
    if whole_number(text) not in members:
        check.errors.append(_("%(role)s: Mitglied %(number)s gibt es nicht.", role=role, number=text))
        return None
    member = members[int(text)]
    if member.status == "left":
        check.errors.append(_("%(role)s: Mitglied %(number)s ist ausgetreten.", role=role, number=text))
    elif member.status == "suspended":
        check.errors.append(_("%(role)s: Mitglied %(number)s ist gesperrt.", role=role, number=text))
    return member


def _amount(line: VoucherLine, unit: Unit, check: LineCheck) -> int | None:
    try:
        return parse_amount(line.amount, unit, in_units=not unit.is_hours)
    except AmountError as error:
        check.errors.append(str(error))
        return None


def _limit(check: LineCheck, balances, running: dict[int, int], unit: Unit) -> str | None:
    for member, amount in ((check.payer, -check.minutes), (check.payee, check.minutes)):
        shown = balances[member.account_id]
        before = running[member.account_id]
        limit = shown.min_balance if amount < 0 else shown.max_balance
        if limit is None:
            continue
        after = before + amount
        if (amount < 0 and after < limit) or (amount > 0 and after > limit):
            error = ledger.LimitExceeded(
                account_id=member.account_id,
                label=shown.label,
                side="lower" if amount < 0 else "upper",
                balance=before,
                amount=amount,
                limit=limit,
            )
            return explain(
                error, unit, names={member.account_id: f"{display_name(member, full=True)} ({member.number})"}
            )
    return None


# ---------------------------------------------------------------------------------------------
# Changing a batch


def open_batch(
    session: Session,
    *,
    ring_id: int,
    user: User,
    now: dt.datetime,
    title: str = "",
    source: str = "keyboard",
    filename: str | None = None,
) -> VoucherBatch:
    batch = VoucherBatch(
        ring_id=ring_id,
        status="open",
        source=source,
        title=title.strip()[:200],
        filename=filename,
        created_at=now,
        created_by_id=user.id,
    )
    session.add(batch)
    session.flush()
    return batch


def _editable(batch: VoucherBatch) -> None:
    if batch.status != "open":
        raise BatchError(_("Dieser Stapel ist nicht mehr offen."))


def add_line(
    session: Session,
    batch: VoucherBatch,
    *,
    user: User,
    now: dt.datetime,
    old_confirmed: bool = False,
    **fields: str,
) -> VoucherLine:
    """Append a line as typed (checked when the batch is shown); approval starts over."""
    _editable(batch)
    if len(batch.lines) >= MAX_LINES:
        raise BatchError(_("Ein Stapel hat höchstens %(n)s Belege.", n=MAX_LINES))
    position = (
        session.scalar(select(func.max(VoucherLine.position)).where(VoucherLine.batch_id == batch.id)) or 0
    ) + 1
    line = VoucherLine(
        batch_id=batch.id,
        position=position,
        entered_at=now,
        entered_by_id=user.id,
        old_confirmed=old_confirmed,
        **_clean(fields),
    )
    batch.lines.append(line)
    session.flush()
    return line


def update_line(session: Session, line: VoucherLine, *, old_confirmed: bool, **fields: str) -> None:
    _editable(line.batch)
    for name, value in _clean(fields).items():
        setattr(line, name, value)
    line.old_confirmed = old_confirmed
    session.flush()


def delete_line(session: Session, line: VoucherLine) -> None:
    _editable(line.batch)
    line.batch.lines.remove(line)
    session.flush()


def _clean(fields: dict[str, str]) -> dict[str, str]:
    unknown = set(fields) - set(LINE_FIELDS)
    if unknown:
        raise BatchError(f"unknown fields {sorted(unknown)}")
    limits = {
        "voucher_number": 40,
        "service_date": 20,
        "payer_number": 20,
        "payee_number": 20,
        "amount": 20,
        "memo": 500,
    }
    return {name: (value or "").strip()[: limits[name]] for name, value in fields.items()}


def set_expected_totals(
    session: Session, batch: VoucherBatch, *, count: int | None, minutes: int | None
) -> None:
    batch.expected_count, batch.expected_minutes = count, minutes
    session.flush()


def approve_batch(
    session: Session, batch: VoucherBatch, *, user: User, now: dt.datetime, today: dt.date
) -> None:
    """A second office user confirms the batch: not its creator, nor anyone who typed a line of it."""
    _editable(batch)
    if user.id == batch.created_by_id or any(line.entered_by_id == user.id for line in batch.lines):
        raise BatchError(
            _("Freigeben muss eine zweite Person aus dem Büro, die den Stapel nicht erfasst hat.")
        )
    check = check_batch(session, batch, today=today)
    if not check.postable:
        raise BatchError(_("Der Stapel hat noch Fehler und kann nicht freigegeben werden."))
    batch.status, batch.approved_at, batch.approved_by_id = "approved", now, user.id
    session.flush()


def discard_batch(session: Session, batch: VoucherBatch) -> None:
    if batch.status == "posted":
        raise BatchError(
            _("Ein gebuchter Stapel kann nicht verworfen werden; bitte einzelne Buchungen stornieren.")
        )
    batch.status = "discarded"
    session.flush()


def post_batch(
    session: Session,
    batch: VoucherBatch,
    *,
    user: User,
    now: dt.datetime,
    today: dt.date,
    clean_only: bool = False,
) -> list[ledger.EntryView]:
    """Book every line in this one transaction, or none (the caller commits or rolls back).

    With ``clean_only`` the lines with errors are left out on purpose (an imported file); they
    stay in the batch, unbooked, for the clerk to take into a new batch.
    """
    if batch.status not in ("open", "approved"):
        raise BatchError(_("Dieser Stapel ist nicht mehr offen."))
    settings = settings_of(session, batch.ring_id)
    if settings.require_batch_approval and batch.status != "approved":
        raise BatchError(_("Dieser Stapel muss erst von einer zweiten Person freigegeben werden."))
    check = check_batch(session, batch, today=today)
    if check.count == 0:
        raise BatchError(_("Der Stapel ist leer."))
    if not check.postable and not clean_only:
        raise BatchError(
            ngettext(
                "%(num)d Zeile hat Fehler. Bitte korrigieren – "
                "oder ausdrücklich nur die fehlerfreien buchen.",
                "%(num)d Zeilen haben Fehler. Bitte korrigieren – "
                "oder ausdrücklich nur die fehlerfreien buchen.",
                check.problem_count,
            )
        )
    if check.ready_count == 0:
        raise BatchError(_("Keine fehlerfreie Zeile zum Buchen."))
    channel = "import" if batch.source == "import" else "voucher"
    # Every account of the batch is locked first, in id order: booking line by line would take
    # the locks in line order and could deadlock with members' own payments.
    ledger.lock_accounts(
        session,
        ring_id=batch.ring_id,
        account_ids=[a for c in check.lines if c.ready for a in (c.payer.account_id, c.payee.account_id)],
    )
    entries = []
    for line_check in check.lines:
        if not line_check.ready:
            continue
        line = line_check.line
        entry = ledger.book_transfer(
            session,
            ring_id=batch.ring_id,
            payer=line_check.payer.account_id,
            payee=line_check.payee.account_id,
            minutes=line_check.minutes,
            memo=line.memo,
            service_date=line_check.service_date,
            now=now,
            operator_id=line.entered_by_id,
            on_behalf_of_id=line_check.payer.account_id,
            channel=channel,
            voucher_number=line.voucher_number,
            batch_id=batch.id,
        )
        line.entry_id = entry.id
        entries.append(entry)
    batch.status, batch.posted_at, batch.posted_by_id = "posted", now, user.id
    session.flush()
    return entries


def carry_over(session: Session, batch: VoucherBatch, *, user: User, now: dt.datetime) -> VoucherBatch:
    """A new open batch with the lines of a posted batch that were not booked."""
    if batch.status != "posted":
        raise BatchError(_("Nur aus einem gebuchten Stapel können offene Zeilen übernommen werden."))
    remaining = [line for line in batch.lines if line.entry_id is None]
    if not remaining:
        raise BatchError(_("Alle Zeilen dieses Stapels sind gebucht."))
    new = open_batch(
        session,
        ring_id=batch.ring_id,
        user=user,
        now=now,
        title=_("Rest aus Stapel %(n)s", n=batch.id),
        source=batch.source,
        filename=batch.filename,
    )
    for line in remaining:
        add_line(
            session,
            new,
            user=user,
            now=now,
            old_confirmed=line.old_confirmed,
            **{name: getattr(line, name) for name in LINE_FIELDS},
        )
    return new


# ---------------------------------------------------------------------------------------------
# CSV import

COLUMN_NAMES = {
    "voucher_number": "Belegnummer",
    "service_date": "Leistungsdatum",
    "payer_number": "Zahler",
    "payee_number": "Empfänger",
    "amount": "Betrag",
    "memo": "Text",
}
_HEADERS = {
    "voucher_number": (
        "beleg",
        "belegnummer",
        "beleg-nr",
        "beleg-nr.",
        "voucher",
        "voucher_number",
        "nummer",
    ),
    "service_date": ("datum", "leistungsdatum", "service_date", "date"),
    "payer_number": ("zahler", "leistungsnehmer", "payer", "von"),
    "payee_number": ("empfänger", "empfaenger", "leistungsgeber", "payee", "an"),
    "amount": ("betrag", "stunden", "zeit", "amount", "minuten"),
    "memo": ("text", "buchungstext", "leistung", "memo", "beschreibung"),
}


def read_voucher_csv(text: str) -> list[dict[str, str]]:
    """Rows of a voucher file with the batch columns (Belegnummer; Leistungsdatum; Zahler;
    Empfänger; Betrag; Text), by header or, without one, by position."""
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise BatchError(_("Die Datei ist leer."))
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=";,\t")
    except csv.Error:
        dialect = csv.excel
        dialect.delimiter = ";"
    rows = [row for row in csv.reader(io.StringIO(text), dialect) if any(cell.strip() for cell in row)]
    header = [cell.strip().lower() for cell in rows[0]]
    mapping = {}
    for name, aliases in _HEADERS.items():
        for index, cell in enumerate(header):
            if cell in aliases:
                mapping[name] = index
    if len(mapping) == len(LINE_FIELDS):
        body = rows[1:]
    elif not mapping:
        mapping = {name: index for index, name in enumerate(LINE_FIELDS)}
        body = rows
    else:
        missing = [name for name in LINE_FIELDS if name not in mapping]
        raise BatchError(
            _(
                "Spalten fehlen in der Kopfzeile: %(names)s",
                names=", ".join(COLUMN_NAMES[name] for name in missing),
            )
        )
    if len(body) > MAX_LINES:
        raise BatchError(_("Eine Datei hat höchstens %(n)s Belege.", n=MAX_LINES))
    return [
        {name: (row[index].strip() if index < len(row) else "") for name, index in mapping.items()}
        for row in body
    ]


def import_batch(
    session: Session, *, ring_id: int, user: User, now: dt.datetime, filename: str, text: str
) -> VoucherBatch:
    """Stage a voucher file as an open batch: nothing is booked until the clerk posts it."""
    rows = read_voucher_csv(text)
    batch = open_batch(
        session,
        ring_id=ring_id,
        user=user,
        now=now,
        title=filename[:200],
        source="import",
        filename=filename[:200],
    )
    for row in rows:
        add_line(session, batch, user=user, now=now, **row)
    return batch


def line_summary(check: LineCheck, unit: Unit) -> str:
    """One line in words, for lists and confirmations."""
    payer = (
        f"{check.payer.number} {display_name(check.payer, full=True)}"
        if check.payer
        else check.line.payer_number
    )
    payee = (
        f"{check.payee.number} {display_name(check.payee, full=True)}"
        if check.payee
        else check.line.payee_number
    )
    amount = format_amount(check.minutes, unit) if check.minutes is not None else check.line.amount
    return f"{check.line.voucher_number}: {payer} → {payee}, {amount}"
