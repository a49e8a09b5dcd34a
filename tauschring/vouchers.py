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
from sqlalchemy import func, select
from sqlalchemy.orm import Session

import ledger

from . import audit, errors, events, inputs
from .models import Member, VoucherBatch, VoucherLine, VoucherRange
from .names import display_name
from .permissions import Actor, require_office
from .rings import next_number, settings_of, unit_of
from .texts import explain
from .units import AmountError, Unit, parse_amount, whole_number

MAX_LINES = 1000
MAX_IMPORT_BYTES = 2_000_000
MAX_VOUCHER_RANGE = 10_000  # an edition's numbers for every paper member
MAX_HAND_OUT = 1_000  # what the office registers by hand at once
LINE_FIELDS = ("voucher_number", "service_date", "payer_number", "payee_number", "amount", "memo")


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
        return self.count_off == 0 and self.minutes_off == 0

    @property
    def count_off(self) -> int:
        """How many vouchers more (+) or fewer (-) the batch has than counted on the paper stack."""
        return 0 if self.batch.expected_count is None else self.count - self.batch.expected_count

    @property
    def minutes_off(self) -> int:
        """How much more (+) or less (-) the batch adds up to than the paper stack."""
        return 0 if self.batch.expected_minutes is None else self.minutes - self.batch.expected_minutes

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
    issued = issued_ranges(session, batch.ring_id)
    closed_through = ledger.closed_through(session, batch.ring_id)
    balances = ledger.balances_of(
        session, ring_id=batch.ring_id, account_ids=[m.account_id for m in members.values()]
    )
    running = {account_id: balance.balance for account_id, balance in balances.items()}
    oldest = today - dt.timedelta(days=settings.submission_days)
    payer_role, payee_role = _("Leistungsnehmer"), _("Leistungsgeber")
    checks = []
    seen: set[str] = set()
    for line in lines:
        check = LineCheck(line=line)
        checks.append(check)
        if line.entry_id is not None:  # booked: shown with its names and amount, checked no more
            check.minutes = _amount(line, unit, check)
            check.payer, check.payee = (
                members.get(whole_number(n)) for n in (line.payer_number, line.payee_number)
            )
            continue
        voucher = line.voucher_number.strip()
        if not voucher:
            check.errors.append(_("Beleg-Nr. fehlt."))
        elif voucher in booked:
            check.duplicate = True
            check.errors.append(
                _(
                    "Beleg %(voucher)s ist schon gebucht (Buchung Nr. %(entry)s).",
                    voucher=voucher,
                    entry=booked[voucher],
                )
            )
        elif voucher in seen:  # the first line with the number is the genuine one
            check.duplicate = True
            check.errors.append(
                _("Beleg %(voucher)s steht schon weiter oben in diesem Stapel.", voucher=voucher)
            )
        elif issued is not None and not in_ranges(voucher, issued):
            check.warnings.append(
                _("Beleg-Nr. %(voucher)s wurde nie ausgegeben – bitte den Beleg prüfen.", voucher=voucher)
            )
        seen.add(voucher)
        check.payer = _member(line.payer_number, members, payer_role, check)
        check.payee = _member(line.payee_number, members, payee_role, check)
        if check.payer is not None and check.payee is not None and check.payer.id == check.payee.id:
            check.errors.append(_("Leistungsnehmer und Leistungsgeber sind dasselbe Mitglied."))
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
            if closed_through is not None and check.service_date <= closed_through:
                check.warnings.append(
                    _(
                        "Der Zeitraum bis %(day)s ist abgeschlossen: der Beleg wird mit dem heutigen Datum "
                        "gebucht, das Leistungsdatum steht im Buchungstext.",
                        day=f"{closed_through:%d.%m.%Y}",
                    )
                )
        if not line.memo.strip() and settings.voucher_memo_required:
            check.errors.append(_("Der Buchungstext fehlt."))
        elif len(line.memo) > 500:
            check.errors.append(_("Der Buchungstext ist zu lang (höchstens 500 Zeichen)."))
        if check.errors or check.minutes is None or check.payer is None or check.payee is None:
            continue
        limit_error = _limit(check, balances, running, unit)
        if limit_error and line.override_reason:
            check.warnings.append(
                _("%(limit)s Freigegeben: %(reason)s", limit=limit_error, reason=line.override_reason)
            )
        elif limit_error:
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


def issued_ranges(session: Session, ring_id: int) -> list[tuple[int, int]] | None:
    """The voucher number ranges handed out; None when the ring does not use numbered vouchers."""
    ranges = session.execute(
        select(VoucherRange.first, VoucherRange.last).where(VoucherRange.ring_id == ring_id)
    ).all()
    return [tuple(r) for r in ranges] or None


def in_ranges(voucher: str, ranges: list[tuple[int, int]]) -> bool:
    """Whether a voucher number (as typed) lies in one of the ranges handed out."""
    number = whole_number(voucher)
    if number is None:
        return False
    return any(first <= number <= last for first, last in ranges)


def issue_vouchers(
    session: Session,
    *,
    ring_id: int,
    count: int,
    now: dt.datetime,
    user_id: int | None,
    member_id: int | None = None,
    edition_id: int | None = None,
    note: str = "",
) -> VoucherRange:
    """Register the next ``count`` voucher numbers as issued (to a member, or blank to the office)."""
    if not 1 <= count <= MAX_VOUCHER_RANGE:
        raise errors.VoucherCountInvalid(maximum=MAX_VOUCHER_RANGE)
    last = next_number(session, ring_id, "voucher", count)
    voucher_range = VoucherRange(
        ring_id=ring_id,
        first=last - count + 1,
        last=last,
        member_id=member_id,
        edition_id=edition_id,
        note=note,
        issued_at=now,
        issued_by_id=user_id,
    )
    session.add(voucher_range)
    session.flush()
    return voucher_range


def hand_out_vouchers(
    session: Session,
    actor: Actor,
    *,
    count: int,
    now: dt.datetime,
    member: Member | None = None,
    note: str = "",
) -> VoucherRange:
    """The office registers voucher numbers handed out: to a member, or blank for its own stock."""
    require_office(actor)
    if not 1 <= count <= MAX_HAND_OUT:
        raise errors.VoucherCountInvalid(maximum=MAX_HAND_OUT)
    issued = issue_vouchers(
        session,
        ring_id=actor.ring_id,
        count=count,
        now=now,
        user_id=actor.user_id,
        member_id=member.id if member is not None else None,
        note=note.strip()[:200],
    )
    audit.record(
        session,
        actor,
        now=now,
        action="vouchers.issue",
        object_type="voucher_range",
        object_id=issued.id,
        summary=f"Belegnummern {issued.first}–{issued.last} ausgegeben",
        member=member,
        after={"member": member.number if member is not None else None},
    )
    return issued


def range_numbers(voucher_range: VoucherRange) -> tuple[str, ...]:
    return tuple(str(n) for n in range(voucher_range.first, voucher_range.last + 1))


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
        error = ledger.limit_refusal(
            account_id=member.account_id, label=shown.label, balance=before, amount=amount, limit=limit
        )
        if error is not None:
            return explain(
                error, unit, names={member.account_id: f"{display_name(member, full=True)} ({member.number})"}
            )
    return None


# ---------------------------------------------------------------------------------------------
# Changing a batch (office)


def batch_for(session: Session, actor: Actor, batch_id: int) -> VoucherBatch:
    """A batch of the actor's ring, for the office."""
    require_office(actor)
    batch = session.get(VoucherBatch, batch_id) if 0 < batch_id < 2**31 else None
    if batch is None or batch.ring_id != actor.ring_id:
        raise errors.BatchUnknown(batch_id=batch_id)
    return batch


def line_for(session: Session, actor: Actor, batch: VoucherBatch, line_id: int) -> VoucherLine:
    line = session.get(VoucherLine, line_id) if 0 < line_id < 2**31 else None
    if line is None or line.batch_id != batch.id:
        raise errors.LineUnknown(line_id=line_id)
    return line


def _audit(
    session: Session, actor: Actor, batch: VoucherBatch, now: dt.datetime, action: str, summary: str, **kw
) -> None:
    audit.record(
        session,
        actor,
        now=now,
        action=action,
        object_type="voucher_batch",
        object_id=batch.id,
        summary=summary,
        **kw,
    )


def open_batch(
    session: Session,
    actor: Actor,
    *,
    now: dt.datetime,
    title: str = "",
    source: str = "keyboard",
    filename: str | None = None,
) -> VoucherBatch:
    require_office(actor)
    batch = VoucherBatch(
        ring_id=actor.ring_id,
        status="open",
        source=source,
        title=title.strip()[:200],
        filename=filename,
        created_at=now,
        created_by_id=actor.user_id,
    )
    session.add(batch)
    session.flush()
    _audit(session, actor, batch, now, "batch.open", f"Belegstapel {batch.id} angelegt")
    return batch


def _editable(session: Session, actor: Actor, batch: VoucherBatch, now: dt.datetime) -> None:
    """Lines may change while a batch is open or approved; a change to an approved batch sends
    it back to open: the approval starts over (the second person must see what is booked)."""
    require_office(actor)
    if batch.status not in ("open", "approved"):
        raise errors.BatchNotOpen(batch_id=batch.id)
    if batch.status == "approved":
        batch.status, batch.approved_at, batch.approved_by_id = "open", None, None
        _audit(
            session,
            actor,
            batch,
            now,
            "batch.unapprove",
            f"Freigabe von Belegstapel {batch.id} aufgehoben (geändert)",
        )


def add_line(
    session: Session,
    actor: Actor,
    batch: VoucherBatch,
    *,
    now: dt.datetime,
    old_confirmed: bool = False,
    override_reason: str | None = None,
    **fields: str,
) -> VoucherLine:
    """Append a line as typed (checked when the batch is shown); approval starts over. With an
    ``override_reason`` the office books it even beyond a member's limit, recording the reason."""
    _editable(session, actor, batch, now)
    if len(batch.lines) >= MAX_LINES:
        raise errors.BatchFull(maximum=MAX_LINES)
    line = _append(session, actor, batch, now=now, old_confirmed=old_confirmed, fields=_clean(fields))
    line.override_reason = _reason(override_reason)
    _audit(
        session,
        actor,
        batch,
        now,
        "batch.line.add",
        f"Zeile {line.position}: Beleg {line.voucher_number}",
        after={
            **_clean(fields),
            **({"override_reason": line.override_reason} if line.override_reason else {}),
        },
    )
    return line


def _append(
    session: Session,
    actor: Actor,
    batch: VoucherBatch,
    *,
    now: dt.datetime,
    old_confirmed: bool,
    fields: dict[str, str],
) -> VoucherLine:
    position = (
        session.scalar(select(func.max(VoucherLine.position)).where(VoucherLine.batch_id == batch.id)) or 0
    ) + 1
    line = VoucherLine(
        batch_id=batch.id,
        position=position,
        entered_at=now,
        entered_by_id=actor.user_id,
        old_confirmed=old_confirmed,
        **fields,
    )
    batch.lines.append(line)
    session.flush()
    return line


def update_line(
    session: Session,
    actor: Actor,
    line: VoucherLine,
    *,
    now: dt.datetime,
    old_confirmed: bool,
    override_reason: str | None = None,
    **fields: str,
) -> None:
    """Correct a line as typed; approval starts over."""
    _editable(session, actor, line.batch, now)
    kept = (*LINE_FIELDS, "old_confirmed", "override_reason")
    before = audit.snapshot(line, kept)
    for name, value in _clean(fields).items():
        setattr(line, name, value)
    line.old_confirmed = old_confirmed
    if override_reason is not None or fields:
        line.override_reason = _reason(override_reason)
    session.flush()
    after = audit.snapshot(line, kept)
    if before != after:
        action, summary = "batch.line.change", f"Zeile {line.position} geändert"
        if after["old_confirmed"] and all(before[k] == after[k] for k in LINE_FIELDS):
            action, summary = "batch.line.confirm_old", f"Alten Beleg {line.voucher_number} bestätigt"
        _audit(session, actor, line.batch, now, action, summary, before=before, after=after)


def confirm_old(session: Session, actor: Actor, line: VoucherLine, *, now: dt.datetime) -> None:
    """The clerk confirms a voucher older than the ring's submission period."""
    update_line(session, actor, line, now=now, old_confirmed=True, override_reason=line.override_reason)


def _reason(text: str | None) -> str | None:
    return (text or "").strip()[:300] or None


def delete_line(session: Session, actor: Actor, line: VoucherLine, *, now: dt.datetime) -> None:
    batch = line.batch
    _editable(session, actor, batch, now)
    before = audit.snapshot(line, LINE_FIELDS)
    position = line.position
    batch.lines.remove(line)
    session.flush()
    _audit(session, actor, batch, now, "batch.line.delete", f"Zeile {position} gelöscht", before=before)


def _clean(fields: dict[str, str]) -> dict[str, str]:
    unknown = set(fields) - set(LINE_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields {sorted(unknown)}")
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
    session: Session,
    actor: Actor,
    batch: VoucherBatch,
    *,
    count: int | None,
    minutes: int | None,
    now: dt.datetime,
) -> None:
    """What the clerk counted on the paper stack, to compare with the control totals."""
    require_office(actor)
    before = {"expected_count": batch.expected_count, "expected_minutes": batch.expected_minutes}
    batch.expected_count, batch.expected_minutes = count, minutes
    session.flush()
    _audit(
        session,
        actor,
        batch,
        now,
        "batch.totals",
        "Summen laut Stapel eingetragen",
        before=before,
        after={"expected_count": count, "expected_minutes": minutes},
    )


def approve_batch(session: Session, actor: Actor, batch: VoucherBatch, *, now: dt.datetime) -> None:
    """A second office login confirms the batch: not its creator, nor anyone who typed a line of it."""
    require_office(actor)
    if batch.status != "open":
        raise errors.BatchNotOpen(batch_id=batch.id)
    if (
        actor.user_id is None
        or actor.user_id == batch.created_by_id
        or any(line.entered_by_id == actor.user_id for line in batch.lines)
    ):
        raise errors.BatchSecondPerson()
    check = check_batch(session, batch, today=now.date())
    if not check.postable:
        raise errors.BatchHasErrors(count=check.problem_count)
    _require_totals(check)
    batch.status, batch.approved_at, batch.approved_by_id = "approved", now, actor.user_id
    session.flush()
    _audit(session, actor, batch, now, "batch.approve", f"Belegstapel {batch.id} freigegeben")


def _require_totals(check: BatchCheck) -> None:
    """What the clerk counted on the paper stack must match what was typed, else a voucher is
    missing or typed twice: the refusal says by how much."""
    if check.totals_match is False:
        raise errors.BatchTotalsMismatch(count_off=check.count_off, minutes_off=check.minutes_off)


def discard_batch(session: Session, actor: Actor, batch: VoucherBatch, *, now: dt.datetime) -> None:
    require_office(actor)
    if batch.status == "posted":
        raise errors.BatchPosted(batch_id=batch.id)
    if batch.status == "discarded":
        raise errors.BatchNotOpen(batch_id=batch.id)
    batch.status = "discarded"
    session.flush()
    _audit(session, actor, batch, now, "batch.discard", f"Belegstapel {batch.id} verworfen")


def post_batch(
    session: Session,
    actor: Actor,
    batch: VoucherBatch,
    *,
    now: dt.datetime,
    clean_only: bool = False,
) -> list[ledger.EntryView]:
    """Book every line in this one transaction, or none (the caller commits or rolls back).

    With ``clean_only`` the lines with errors are left out on purpose (an imported file); they
    stay in the batch, unbooked, for the clerk to take into a new batch.
    """
    require_office(actor)
    if batch.status not in ("open", "approved"):
        raise errors.BatchNotOpen(batch_id=batch.id)
    settings = settings_of(session, batch.ring_id)
    if settings.require_batch_approval and batch.status != "approved":
        raise errors.BatchNeedsApproval(batch_id=batch.id)
    check = check_batch(session, batch, today=now.date())
    if check.count == 0:
        raise errors.BatchEmpty(batch_id=batch.id)
    if not check.postable and not clean_only:
        raise errors.BatchHasErrors(count=check.problem_count)
    if check.ready_count == 0:
        raise errors.BatchNothingReady(batch_id=batch.id)
    _require_totals(check)
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
            memo=line.memo or f"Beleg {line.voucher_number}",
            service_date=line_check.service_date,
            now=now,
            operator_id=line.entered_by_id,
            on_behalf_of_id=line_check.payer.account_id,
            channel=channel,
            voucher_number=line.voucher_number,
            override_reason=line.override_reason,
            batch_id=batch.id,
            # A voucher for a closed month is booked today, its date kept in the text (closing.py).
            late="today",
        )
        line.entry_id = entry.id
        entries.append(entry)
        events.record(
            session,
            events.PaymentBooked.of(entry, payer_id=line_check.payer.id, payee_id=line_check.payee.id),
        )
    batch.status, batch.posted_at, batch.posted_by_id = "posted", now, actor.user_id
    session.flush()
    _audit(
        session,
        actor,
        batch,
        now,
        "batch.post",
        f"Belegstapel {batch.id} gebucht: {len(entries)} Belege",
        after={"entries": [e.id for e in entries], "clean_only": clean_only},
    )
    events.record(
        session,
        events.BatchPosted(ring_id=batch.ring_id, batch_id=batch.id, entry_ids=tuple(e.id for e in entries)),
    )
    return entries


def carry_over(session: Session, actor: Actor, batch: VoucherBatch, *, now: dt.datetime) -> VoucherBatch:
    """A new open batch with the lines of a posted batch that were not booked."""
    require_office(actor)
    if batch.status != "posted":
        raise errors.BatchNotPosted(batch_id=batch.id)
    remaining = [line for line in batch.lines if line.entry_id is None]
    if not remaining:
        raise errors.BatchAllBooked(batch_id=batch.id)
    new = open_batch(
        session,
        actor,
        now=now,
        title=f"Rest aus Stapel {batch.id}",
        source=batch.source,
        filename=batch.filename,
    )
    for line in remaining:
        _append(
            session,
            actor,
            new,
            now=now,
            old_confirmed=line.old_confirmed,
            fields={name: getattr(line, name) for name in LINE_FIELDS},
        )
    _audit(
        session, actor, new, now, "batch.carry_over", f"Ungebuchte Zeilen aus Stapel {batch.id} übernommen"
    )
    return new


# ---------------------------------------------------------------------------------------------
# CSV import

COLUMN_NAMES = {
    "voucher_number": "Belegnummer",
    "service_date": "Leistungsdatum",
    "payer_number": "Leistungsnehmer",
    "payee_number": "Leistungsgeber",
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


class _Semicolons(csv.excel):
    """The German spreadsheet dialect, for files too short or odd for the sniffer."""

    delimiter = ";"


def read_voucher_csv(text: str) -> list[dict[str, str]]:
    """Rows of a voucher file with the batch columns (Belegnummer; Leistungsdatum;
    Leistungsnehmer; Leistungsgeber; Betrag; Text), by header or, without one, by position."""
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise errors.ImportEmpty()
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=";,\t")
    except csv.Error:
        dialect = _Semicolons
    try:
        rows = [
            row
            for row in csv.reader(io.StringIO(inputs.lines(text), newline=""), dialect)
            if any(cell.strip() for cell in row)
        ]
    except csv.Error:  # a cell beyond the csv module's limit, a stray quote
        raise errors.ImportUnreadable() from None
    if not rows:
        raise errors.ImportEmpty()
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
        raise errors.ImportColumnsMissing(names=", ".join(COLUMN_NAMES[name] for name in missing))
    if len(body) > MAX_LINES:
        raise errors.ImportTooLong(maximum=MAX_LINES)
    return [
        {name: (row[index].strip() if index < len(row) else "") for name, index in mapping.items()}
        for row in body
    ]


def decode_upload(raw: bytes) -> str:
    """The text of an uploaded file: UTF-8 (with or without BOM), else Windows-1252."""
    if len(raw) > MAX_IMPORT_BYTES:
        raise errors.ImportTooLarge(megabytes=MAX_IMPORT_BYTES // 1_000_000)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def import_batch(
    session: Session, actor: Actor, *, now: dt.datetime, filename: str, text: str
) -> VoucherBatch:
    """Stage a voucher file as an open batch: nothing is booked until the clerk posts it."""
    require_office(actor)
    rows = read_voucher_csv(text)
    filename = (filename or "import.csv")[:200]
    batch = open_batch(session, actor, now=now, title=filename, source="import", filename=filename)
    for row in rows:
        _append(session, actor, batch, now=now, old_confirmed=False, fields=_clean(row))
    _audit(session, actor, batch, now, "batch.import", f"Datei {filename} mit {len(rows)} Zeilen eingelesen")
    return batch
