"""The ring's figures for any period: what the treasurer shows the Mitgliederversammlung (the
annual report), what the office sees at /buero/statistik, and the short public version.

Pure reading: a Session in, plain values out; nothing is written. Entries count by their service
date (the period a closing covers). The definitions, as the report states them:

- an **exchange** is a transfer between two members that was not reversed (Storno); its hours are
  its amount; a member is **active** in a month with at least one exchange as payer or payee;
- **joined** and **left** count members by the dates of their admission and leaving;
- **fees booked** are the fee entries of the period, less their reversals;
- the **busiest Rubriken** are those with the most listings (offers and requests) that were
  online at some time in the period (entries do not name a Rubrik, listings do);
- **balances** are those at the end of the period by service date (a closed period's closing
  balances are the same, as verify proves); members beyond a limit are named by number only.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, aliased

import ledger
from ledger import Account, JournalEntry, Posting

from . import errors
from .models import Category, Listing, Member
from .rings import settings_of
from .texts import SYSTEM_ACCOUNT_NAMES, in_german

# Bands of member balances in hours: (label, lowest minutes inclusive, highest minutes inclusive).
BALANCE_BANDS: tuple[tuple[str, int | None, int | None], ...] = (
    ("unter −20 h", None, -20 * 60 - 1),
    ("−20 bis unter −10 h", -20 * 60, -10 * 60 - 1),
    ("−10 bis unter 0 h", -10 * 60, -1),
    ("0 h", 0, 0),
    ("über 0 bis 10 h", 1, 10 * 60),
    ("über 10 bis 20 h", 10 * 60 + 1, 20 * 60),
    ("über 20 h", 20 * 60 + 1, None),
)


@dataclass(frozen=True)
class MonthFigures:
    month: dt.date  # its first day
    minutes: int
    exchanges: int
    active_members: int


@dataclass(frozen=True)
class SystemBalance:
    kind: str
    name: str
    opening: int
    closing: int


@dataclass(frozen=True)
class Figures:
    ring_id: int
    start: dt.date
    end: dt.date
    months: tuple[MonthFigures, ...]
    exchanges: int
    minutes: int
    active_members: int  # distinct members with an exchange in the whole period
    members_at_end: int
    joined: int
    left: int
    fees: int
    system: tuple[SystemBalance, ...]
    categories: tuple[tuple[str, int], ...]  # the ten busiest, most first
    bands: tuple[tuple[str, int], ...]
    beyond_limits: tuple[int, ...]  # member numbers
    closing: ledger.ClosingView | None  # the active closing of exactly this period, if any


def _month_starts(start: dt.date, end: dt.date) -> list[dt.date]:
    months, day = [], start.replace(day=1)
    while day <= end:
        months.append(day)
        day = (day + dt.timedelta(days=32)).replace(day=1)
    return months


def check_period(start: dt.date, end: dt.date) -> None:
    """A period of one day up to ten years, start before end, within the years a ring can have
    (1900 to 2999: the charts count months around it)."""
    if start.year < 1900 or end.year > 2999:
        raise errors.PeriodInvalid(reason="range", value=f"{start}..{end}")
    if end < start:
        raise errors.PeriodInvalid(reason="order", value="")
    if (end - start).days > 3660:
        raise errors.PeriodInvalid(reason="too_long", value=f"{start}..{end}")


def _exchanges(session: Session, ring_id: int, start: dt.date, end: dt.date):
    """(service date, payer account, payee account, minutes) of every unreversed member transfer."""
    reversal = aliased(JournalEntry)
    payer, payee = aliased(Posting), aliased(Posting)
    member_accounts = select(Member.account_id).where(Member.ring_id == ring_id)
    query = (
        select(JournalEntry.service_date, payer.account_id, payee.account_id, payee.amount)
        .join(payer, and_(payer.entry_id == JournalEntry.id, payer.amount < 0))
        .join(payee, and_(payee.entry_id == JournalEntry.id, payee.amount > 0))
        .outerjoin(reversal, reversal.reverses_id == JournalEntry.id)
        .where(
            JournalEntry.ring_id == ring_id,
            JournalEntry.kind == "transfer",
            JournalEntry.service_date.between(start, end),
            reversal.id.is_(None),
            payer.account_id.in_(member_accounts),
            payee.account_id.in_(member_accounts),
        )
    )
    return session.execute(query).all()


def _balances_at(session: Session, ring_id: int, day: dt.date) -> dict[int, int]:
    """Every account's balance at the end of ``day``, entries by service date."""
    rows = session.execute(
        select(Posting.account_id, func.sum(Posting.amount))
        .join(JournalEntry, JournalEntry.id == Posting.entry_id)
        .where(JournalEntry.ring_id == ring_id, JournalEntry.service_date <= day)
        .group_by(Posting.account_id)
    )
    return {account_id: int(total) for account_id, total in rows}


def _fees(session: Session, ring_id: int, start: dt.date, end: dt.date) -> int:
    fee_account = ledger.system_account(session, ring_id, "fees")
    original = aliased(JournalEntry)
    total = session.scalar(
        select(func.coalesce(func.sum(Posting.amount), 0))
        .join(JournalEntry, JournalEntry.id == Posting.entry_id)
        .outerjoin(original, original.id == JournalEntry.reverses_id)
        .where(
            JournalEntry.ring_id == ring_id,
            Posting.account_id == fee_account,
            JournalEntry.service_date.between(start, end),
            or_(JournalEntry.kind == "fee", original.kind == "fee"),
        )
    )
    return int(total or 0)


def _categories(session: Session, ring_id: int, start: dt.date, end: dt.date) -> list[tuple[str, int]]:
    end_moment = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    start_moment = dt.datetime.combine(start, dt.time(), tzinfo=dt.UTC)
    rows = session.execute(
        select(Category.name, Category.position, func.count(Listing.id))
        .join(Listing, Listing.category_id == Category.id)
        .where(
            Category.ring_id == ring_id,
            Listing.created_at < end_moment,
            Listing.expires_on >= start,
            or_(Listing.withdrawn_at.is_(None), Listing.withdrawn_at >= start_moment),
        )
        .group_by(Category.id, Category.name, Category.position)
    ).all()
    rows.sort(key=lambda row: (-row[2], row[1], row[0]))
    return [(name, count) for name, _, count in rows[:10]]


def _limits(session: Session, ring_id: int) -> dict[int, tuple[int | None, int | None]]:
    ring = session.get(ledger.Ring, ring_id)
    return {
        account.id: (
            account.min_balance if account.min_balance is not None else ring.default_min_balance,
            account.max_balance if account.max_balance is not None else ring.default_max_balance,
        )
        for account in session.scalars(select(Account).where(Account.ring_id == ring_id, Account.limited))
    }


def figures(session: Session, ring_id: int, start: dt.date, end: dt.date) -> Figures:
    """Every figure of the period [start, end] (service dates)."""
    check_period(start, end)
    by_month: dict[dt.date, list] = defaultdict(list)
    active: set[int] = set()
    for day, payer, payee, minutes in _exchanges(session, ring_id, start, end):
        by_month[day.replace(day=1)].append((payer, payee, minutes))
        active.update((payer, payee))
    months = tuple(
        MonthFigures(
            month=month,
            minutes=sum(m for _, _, m in by_month[month]),
            exchanges=len(by_month[month]),
            active_members=len({a for p, q, _ in by_month[month] for a in (p, q)}),
        )
        for month in _month_starts(start, end)
    )
    members = list(session.scalars(select(Member).where(Member.ring_id == ring_id)))
    at_end = [m for m in members if m.joined_on <= end and (m.left_on is None or m.left_on > end)]
    opening = _balances_at(session, ring_id, start - dt.timedelta(days=1))
    closing_balances = _balances_at(session, ring_id, end)
    system = []
    for kind in SYSTEM_ACCOUNT_NAMES:
        account_id = ledger.system_account(session, ring_id, kind)
        system.append(
            SystemBalance(
                kind,
                in_german(SYSTEM_ACCOUNT_NAMES[kind]),
                opening.get(account_id, 0),
                closing_balances.get(account_id, 0),
            )
        )
    bands = Counter()
    for member in at_end:
        balance = closing_balances.get(member.account_id, 0)
        for label, low, high in BALANCE_BANDS:
            if (low is None or balance >= low) and (high is None or balance <= high):
                bands[label] += 1
                break
    limits = _limits(session, ring_id)
    beyond = []
    for member in at_end:
        floor, ceiling = limits.get(member.account_id, (None, None))
        balance = closing_balances.get(member.account_id, 0)
        if (floor is not None and balance < floor) or (ceiling is not None and balance > ceiling):
            beyond.append(member.number)
    kind = None
    if start.day == 1 and end == start.replace(day=calendar.monthrange(start.year, start.month)[1]):
        kind = "month"
    if start == dt.date(start.year, 1, 1) and end == dt.date(start.year, 12, 31):
        kind = "year"
    closing = ledger.active_closing(session, ring_id, kind, start, end) if kind else None
    return Figures(
        ring_id=ring_id,
        start=start,
        end=end,
        months=months,
        exchanges=sum(m.exchanges for m in months),
        minutes=sum(m.minutes for m in months),
        active_members=len(active),
        members_at_end=len(at_end),
        joined=sum(1 for m in members if start <= m.joined_on <= end),
        left=sum(1 for m in members if m.left_on is not None and start <= m.left_on <= end),
        fees=_fees(session, ring_id, start, end),
        system=tuple(system),
        categories=tuple(_categories(session, ring_id, start, end)),
        bands=tuple((label, bands.get(label, 0)) for label, _, _ in BALANCE_BANDS),
        beyond_limits=tuple(sorted(beyond)),
        closing=closing,
    )


@dataclass(frozen=True)
class PublicFigures:
    members: int
    minutes_this_year: int
    year: int


def public_figures(session: Session, ring_id: int, today: dt.date) -> PublicFigures | None:
    """The short version for the member home, if the ring switched it on: members and hours
    exchanged this year so far."""
    if not settings_of(session, ring_id).public_statistics:
        return None
    start = dt.date(today.year, 1, 1)
    members = session.scalar(
        select(func.count())
        .select_from(Member)
        .where(Member.ring_id == ring_id, Member.status != "left", Member.joined_on <= today)
    )
    minutes = sum(m for _, _, _, m in _exchanges(session, ring_id, start, today))
    return PublicFigures(members=int(members or 0), minutes_this_year=minutes, year=today.year)


# ---------------------------------------------------------------------------------------------
# One chart definition for the annual report (PDF) and the statistics page (SVG), with the
# table shown beside each chart and the CSV behind it.

MONTH_ABBREVIATIONS = ("Jan", "Feb", "Mär", "Apr", "Mai", "Jun", "Jul", "Aug", "Sep", "Okt", "Nov", "Dez")
MONTH_NAMES = (
    "Januar", "Februar", "März", "April", "Mai", "Juni",
    "Juli", "August", "September", "Oktober", "November", "Dezember",
)  # fmt: skip


def month_label(month: dt.date, one_year: bool) -> str:
    return MONTH_ABBREVIATIONS[month.month - 1] if one_year else f"{month:%m/%y}"


def german_day(day: dt.date) -> str:
    return f"{day.day}. {MONTH_NAMES[day.month - 1]} {day.year}"


def hours(minutes: int) -> float:
    """Minutes as hours for a chart's axis (charts draw numbers; tables show h:mm)."""
    return round(minutes / 60, 2)


@dataclass(frozen=True)
class ChartTable:
    """A chart with the table beside it: the same numbers, as text, and as CSV."""

    chart: object  # print.charts.Chart
    header: tuple[str, str]
    rows: tuple[tuple[str, str], ...]


def chart_tables(found: Figures, format_minutes) -> list[ChartTable]:
    """The charts of the figures, each with its table. ``format_minutes`` words an amount."""
    from print.charts import Chart

    one_year = found.start.year == found.end.year
    labels = [month_label(m.month, one_year) for m in found.months]
    long_labels = [f"{MONTH_NAMES[m.month.month - 1]} {m.month.year}" for m in found.months]
    rows = lambda value: tuple(  # noqa: E731
        (label, value(m)) for label, m in zip(long_labels, found.months, strict=True)
    )
    out = [
        ChartTable(
            Chart("stunden", "Getauschte Stunden je Monat", "bar", labels,
                  [hours(m.minutes) for m in found.months], "Stunden"),
            ("Monat", "Stunden"),
            rows(lambda m: format_minutes(m.minutes)),
        ),
        ChartTable(
            Chart("tausche", "Tausche je Monat", "bar", labels,
                  [m.exchanges for m in found.months], "Anzahl"),
            ("Monat", "Tausche"),
            rows(lambda m: str(m.exchanges)),
        ),
        ChartTable(
            Chart("aktive", "Aktive Mitglieder je Monat (mindestens ein Tausch)", "line", labels,
                  [m.active_members for m in found.months], "Mitglieder"),
            ("Monat", "Aktive Mitglieder"),
            rows(lambda m: str(m.active_members)),
        ),
        ChartTable(
            Chart("salden", f"Kontostände der Mitglieder am {found.end:%d.%m.%Y}", "bar",
                  [str(i + 1) for i in range(len(found.bands))], [count for _, count in found.bands],
                  "Mitglieder je Bereich (1 = " + found.bands[0][0] + " … " + str(len(found.bands))
                  + " = " + found.bands[-1][0] + ")"),
            ("Kontostand", "Mitglieder"),
            tuple((f"{i + 1}: {label}", str(count)) for i, (label, count) in enumerate(found.bands)),
        ),
    ]  # fmt: skip
    return out


def chart_csv(table: ChartTable) -> str:
    """One chart's table as CSV (for the download beside it)."""
    from .reports import write_csv

    return write_csv(table.header, table.rows)


def figures_csv(found: Figures) -> str:
    """The monthly figures as one CSV file: month, minutes, h:mm, exchanges, active members."""
    from .reports import write_csv
    from .units import hm

    rows = [
        (f"{m.month:%Y-%m}", m.minutes, hm(m.minutes), m.exchanges, m.active_members) for m in found.months
    ]
    rows.append(("Summe", found.minutes, hm(found.minutes), found.exchanges, found.active_members))
    return write_csv(("Monat", "Minuten", "h:mm", "Tausche", "Aktive Mitglieder"), rows)


DEFINITIONS = (
    "Ein Tausch ist eine Überweisung zwischen zwei Mitgliedern, die nicht storniert wurde; "
    "gezählt nach Leistungsdatum.",
    "Aktiv ist ein Mitglied mit mindestens einem Tausch (als Leistungsgeber oder -nehmer) im Monat "
    "bzw. im Jahr.",
    "Die Rubriken zählen die Inserate (Angebote und Gesuche), die im Zeitraum online waren.",
    "Kontostände gelten am Ende des Zeitraums nach Leistungsdatum; Mitglieder jenseits einer Grenze "
    "stehen nur mit ihrer Nummer im Bericht.",
)


def ring_amount(session: Session, ring_id: int):
    """Amounts worded in the ring's unit (e.g. '1:30 Std.')."""
    from .rings import unit_of
    from .units import format_amount

    unit = unit_of(session, ring_id)
    return lambda minutes: format_amount(minutes, unit)


def annual_report(session: Session, ring_id: int, year: int, *, today: dt.date, format_minutes=None):
    """The data of the annual report for ``year`` (print.annual_report.AnnualReport) and its figures."""
    from print.annual_report import AnnualReport, ChartWithTable, ReportTable

    format_minutes = format_minutes or ring_amount(session, ring_id)

    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100:
        raise errors.YearInvalid(year=str(year)[:20])
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    found = figures(session, ring_id, start, end)
    ring = session.get(ledger.Ring, ring_id)
    facts = (
        ("Getauschte Stunden", format_minutes(found.minutes)),
        ("Tausche", str(found.exchanges)),
        ("Aktive Mitglieder (mindestens ein Tausch im Jahr)", str(found.active_members)),
        (f"Mitglieder am {found.end:%d.%m.%Y}", str(found.members_at_end)),
        ("Neu aufgenommen", str(found.joined)),
        ("Ausgetreten", str(found.left)),
        ("Gebuchte Kontoführungsgebühren", format_minutes(found.fees)),
    )
    charts = tuple(
        ChartWithTable(t.chart, ReportTable(t.chart.title, t.header, t.rows))
        for t in chart_tables(found, format_minutes)
    )
    tables = (
        ReportTable(
            "Konten des Tauschrings",
            ("Konto", f"Anfang ({found.start:%d.%m.%Y})", f"Ende ({found.end:%d.%m.%Y})"),
            tuple((s.name, format_minutes(s.opening), format_minutes(s.closing)) for s in found.system),
        ),
        ReportTable("Die zehn meistgenutzten Rubriken", ("Rubrik", "Inserate"),
                    tuple((name, str(count)) for name, count in found.categories)),
        ReportTable(
            f"Mitglieder jenseits einer Grenze am {found.end:%d.%m.%Y}",
            ("Mitgliedsnummern", "Anzahl"),
            ((", ".join(str(n) for n in found.beyond_limits), str(len(found.beyond_limits))),)
            if found.beyond_limits else (),
        ),
    )  # fmt: skip
    report = ledger.verify(session, ring_id)
    verdict = (
        f"Die Prüfung der Buchhaltung am {german_day(today)} (tauschring ledger verify) fand keinen Fehler: "
        "die Bücher stimmen, und jeder Abschluss passt noch zu seinen Buchungen."
        if report.ok
        else f"Die Prüfung der Buchhaltung am {german_day(today)} fand {len(report.violations)} Fehler; "
        "Einzelheiten im Prüfbericht."
    )
    if found.closing is not None:
        closing_lines = (
            f"Das Jahr {year} ist abgeschlossen (am {found.closing.closed_at:%d.%m.%Y}); "
            f"der Abschluss umfasst {found.closing.entry_count} Buchungen.",
            f"Fingerabdruck des Abschlusses (SHA-256): {found.closing.fingerprint}",
            verdict,
        )
    else:
        closing_lines = (
            f"Das Jahr {year} ist noch nicht abgeschlossen: die Zahlen können sich durch nachgereichte "
            "Belege noch ändern.",
            verdict,
        )
    return AnnualReport(
        ring_name=ring.name,
        title=f"Jahresbericht {year}",
        period=f"1. Januar bis 31. Dezember {year}",
        created=f"erstellt am {german_day(today)}",
        facts=facts,
        charts=charts,
        tables=tables,
        closing=closing_lines,
        definitions=DEFINITIONS,
    ), found
