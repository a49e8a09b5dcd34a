"""The ring's figures equal figures computed independently here, from the list of what the test
booked: hours, exchanges and active members per month, joined and left, fees, balances in bands,
members beyond a limit, the busiest Rubriken; across a month and a year end, with frozen time."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter, defaultdict

import pytest
from freezegun import freeze_time
from sqlalchemy import select

import ledger
from tauschring import closing, corrections, fees, listings, members, payments, rings, statistics
from tauschring.models import Category

pytestmark = pytest.mark.usefixtures("app_context")


@pytest.fixture
def app_context():
    from tauschring import create_app

    app = create_app({"TESTING": True, "SQLALCHEMY_ENGINES": {"default": "sqlite://"}})
    with app.test_request_context():
        yield


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(11, 0), tzinfo=dt.UTC)


@pytest.fixture
def year(world):
    """Random exchanges from November 2026 into January 2027, one storno, a fee, a new member and
    one who left; returns the world and the independently kept record."""
    w = world
    rng = random.Random(15)
    people = [w.anna, w.bernd, w.clara, w.dora]
    record = []  # (service date, payer, payee, minutes) of the exchanges that stand
    day = dt.date(2026, 11, 2)
    entries = []
    while day < dt.date(2027, 1, 20):
        if rng.random() < 0.5:
            payer, payee = rng.sample(people, 2)
            minutes = rng.choice([15, 30, 45, 60, 90, 120])
            with freeze_time(_at(day)):
                entry = payments.pay(
                    w.session,
                    w.system,
                    payer=payer,
                    payee=payee,
                    minutes=minutes,
                    memo="Hilfe",
                    service_date=day,
                    now=_at(day),
                )
            entries.append((entry, (day, payer.number, payee.number, minutes)))
        day += dt.timedelta(days=1)
    # One exchange of December is reversed in January: it no longer counts.
    reversed_entry, reversed_record = next(e for e in entries if e[1][0].month == 12)
    corrections.reverse(
        w.session, w.system, entry_id=reversed_entry.id, reason="doppelt", now=_at(dt.date(2027, 1, 5))
    )
    record = [r for e, r in entries if e.id != reversed_entry.id]
    # A fee for December 2026.
    settings = rings.settings_of(w.session, w.ring_id)
    settings.fee_minutes, settings.fee_policy = 10, "override"
    w.session.flush()
    fees.run_fees(w.session, w.system, period="2026-12", now=_at(dt.date(2026, 12, 28)))
    # Emil joins in December.
    members.admit_member(
        w.session,
        w.system,
        first_name="Emil",
        last_name="Neu",
        now=_at(dt.date(2026, 12, 10)),
        joined_on=dt.date(2026, 12, 10),
    )
    # Listings: three in "Garten", one in "Haushalt".
    categories = {
        c.name: c.id for c in w.session.scalars(select(Category).where(Category.ring_id == w.ring_id))
    }
    garden, house = list(categories)[0], list(categories)[1]
    for n, name in enumerate([garden, garden, garden, house]):
        listings.create_listing(
            w.session,
            w.system,
            member=people[n],
            kind="offer",
            category_id=categories[name],
            title=f"Angebot {n}",
            text="Text",
            now=_at(dt.date(2026, 11, 3)),
        )
    return w, record, garden, house


def test_the_year_figures_equal_an_independent_count(year):
    w, record, garden, house = year
    found = statistics.figures(w.session, w.ring_id, dt.date(2026, 1, 1), dt.date(2026, 12, 31))

    in_year = [r for r in record if r[0].year == 2026]
    per_month = defaultdict(list)
    for r in in_year:
        per_month[r[0].month].append(r)
    assert [m.month.month for m in found.months] == list(range(1, 13))
    for month in found.months:
        mine = per_month[month.month.month]
        assert month.minutes == sum(r[3] for r in mine)
        assert month.exchanges == len(mine)
        assert month.active_members == len({n for r in mine for n in (r[1], r[2])})
    assert found.minutes == sum(r[3] for r in in_year) and found.exchanges == len(in_year)
    assert found.active_members == len({n for r in in_year for n in (r[1], r[2])})
    assert found.joined == 5 and found.left == 0  # the four of the world (November) and Emil
    assert found.members_at_end == 5

    # Balances at the year end, from the record alone (the fee: 10 minutes from each member).
    balances = Counter()
    for _day, payer, payee, minutes in in_year:
        balances[payer] -= minutes
        balances[payee] += minutes
    numbers = [w.anna.number, w.bernd.number, w.clara.number, w.dora.number]
    for number in numbers:
        balances[number] -= 10
    assert found.fees == 10 * 4
    bands = Counter()
    for number in [*numbers, max(numbers) + 1]:
        balance = balances[number]
        label = next(
            lab
            for lab, lo, hi in statistics.BALANCE_BANDS
            if (lo is None or balance >= lo) and (hi is None or balance <= hi)
        )
        bands[label] += 1
    assert dict(found.bands) == {label: bands.get(label, 0) for label, _, _ in statistics.BALANCE_BANDS}
    assert found.categories[0] == (garden, 3) and (house, 1) in found.categories
    system = {s.kind: s for s in found.system}
    assert system["fees"].opening == 0 and system["fees"].closing == 40


def test_a_closed_year_carries_its_fingerprint_into_the_report(year):
    w, record, *_ = year
    closing.close_year(w.session, w.system, year=2026, now=_at(dt.date(2027, 1, 20)))
    data, found = statistics.annual_report(w.session, w.ring_id, 2026, today=dt.date(2027, 1, 20))
    assert found.closing is not None
    assert any(found.closing.fingerprint in line for line in data.closing)
    assert any("keinen Fehler" in line for line in data.closing)
    # the report's totals are the figures'
    facts = dict(data.facts)
    assert facts["Tausche"] == str(len([r for r in record if r[0].year == 2026]))
    # the January 2027 exchanges and the storno booked then do not change 2026
    assert found.closing.balances == ledger.closing(w.session, w.ring_id, found.closing.id).balances


def test_public_figures_only_when_the_ring_switched_them_on(year):
    w, record, *_ = year
    today = dt.date(2027, 1, 20)
    assert statistics.public_figures(w.session, w.ring_id, today) is None
    rings.settings_of(w.session, w.ring_id).public_statistics = True
    public = statistics.public_figures(w.session, w.ring_id, today)
    assert public.members == 5 and public.year == 2027
    assert public.minutes_this_year == sum(r[3] for r in record if r[0].year == 2027)
