"""A hypothesis state machine books, reverses, settles, closes and changes limits at random against
a plain-Python model of the book, and checks every invariant after each step.

Limits are small (about an hour and a half) so that the random walk reaches floor and ceiling often.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy.orm import Session

import ledger

T0 = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
AMOUNTS = st.sampled_from([1, 15, 30, 45, 60, 90, 120, 200])
LIMIT_CHOICES = st.sampled_from([(-90, 90), (-60, 120), (-30, 30), (-120, 60), (None, 90), (-90, None)])


class Model:
    """The book as a treasurer would keep it on paper."""

    def __init__(self, floor: int | None, ceiling: int | None) -> None:
        self.floor, self.ceiling = floor, ceiling
        self.balance: dict[int, int] = {}
        self.override: dict[int, tuple[int | None, int | None]] = {}
        self.closed: set[int] = set()
        self.system: set[int] = set()
        self.entries: dict[int, dict[int, int]] = {}
        self.reversal_of: dict[int, int] = {}  # reversal id -> original id
        self.reversed_by: dict[int, int] = {}
        self.keyed: dict[str, tuple[tuple, object]] = {}

    def limits(self, account: int) -> tuple[int | None, int | None]:
        if account in self.system:
            return None, None
        low, high = self.override.get(account, (None, None))
        return (self.floor if low is None else low, self.ceiling if high is None else high)

    def refusal(self, postings: list[tuple[int, int]], override: bool = False) -> type[Exception] | None:
        """The error the ledger must raise for these postings, or None if it must book them."""
        for account, _ in postings:
            if account in self.closed:
                return ledger.AccountClosed
        if override:
            return None
        for account, amount in postings:
            low, high = self.limits(account)
            after = self.balance[account] + amount
            if amount < 0 and low is not None and after < low:
                return ledger.LimitExceeded
            if amount > 0 and high is not None and after > high:
                return ledger.LimitExceeded
        return None

    def apply(self, entry_id: int, postings: list[tuple[int, int]]) -> None:
        for account, amount in postings:
            self.balance[account] += amount
        self.entries[entry_id] = dict(postings)


class LedgerMachine(RuleBasedStateMachine):
    engine = None  # set per backend by the test

    def __init__(self) -> None:
        super().__init__()
        self.connection = self.engine.connect()
        self.outer = self.connection.begin()
        self.session = Session(bind=self.connection, join_transaction_mode="create_savepoint")
        self.clock = itertools.count()
        self.keys = itertools.count()
        self.model = Model(-90, 90)
        self.ring = ledger.create_ring(
            self.session, name="Zufallsring", now=self.now(), default_min_balance=-90, default_max_balance=90
        )
        for balance in ledger.ring_balances(self.session, ring_id=self.ring):
            self.model.balance[balance.account_id] = 0
            self.model.system.add(balance.account_id)
        self.community = ledger.system_account(self.session, self.ring, "community")
        self.fees = ledger.system_account(self.session, self.ring, "fees")
        self.members: list[int] = []
        for name in ("Anna", "Bernd"):
            self._open(name)
        self._open("Clara", limits=(-45, 45))  # an account with its own, tighter limits

    def teardown(self) -> None:
        self.session.close()
        self.outer.rollback()
        self.connection.close()

    def now(self) -> dt.datetime:
        return T0 + dt.timedelta(minutes=7 * next(self.clock))

    def _open(self, name: str, limits: tuple[int | None, int | None] = (None, None)) -> None:
        account = ledger.open_account(
            self.session,
            ring_id=self.ring,
            label=name,
            now=self.now(),
            min_balance=limits[0],
            max_balance=limits[1],
        )
        self.members.append(account)
        self.model.balance[account] = 0
        self.model.override[account] = limits

    def expect(self, expected: type[Exception] | None, call):
        """Run a ledger call; it must raise exactly ``expected`` (or succeed when None)."""
        if expected is None:
            return call()
        with pytest.raises(expected):
            call()
        return None

    # -- rules ------------------------------------------------------------------------------

    @precondition(lambda self: len(self.members) < 7)
    @rule()
    def open_account(self) -> None:
        self._open(f"Mitglied {len(self.members) + 1}")

    @rule(data=st.data(), minutes=AMOUNTS, keyed=st.booleans())
    def transfer(self, data, minutes: int, keyed: bool) -> None:
        payer = data.draw(st.sampled_from(self.members), label="payer")
        payee = data.draw(st.sampled_from(self.members), label="payee")
        key = f"k{next(self.keys)}" if keyed else None
        postings = [(payer, -minutes), (payee, minutes)]
        expected = ledger.SameAccount if payer == payee else self.model.refusal(postings)
        now = self.now()

        def call():
            return ledger.book_transfer(
                self.session,
                ring_id=self.ring,
                payer=payer,
                payee=payee,
                minutes=minutes,
                memo="Tausch",
                service_date=now.date(),
                now=now,
                idempotency_key=key,
            )

        booked = self.expect(expected, call)
        if booked is not None:
            self.model.apply(booked.id, postings)
        if key is not None and payer != payee:
            self.model.keyed[key] = ((payer, payee, minutes, now.date()), booked.id if booked else expected)

    @precondition(lambda self: self.model.keyed)
    @rule(data=st.data())
    def retry_with_same_key(self, data) -> None:
        key = data.draw(st.sampled_from(sorted(self.model.keyed)), label="key")
        (payer, payee, minutes, day), outcome = self.model.keyed[key]

        def call():
            return ledger.book_transfer(
                self.session,
                ring_id=self.ring,
                payer=payer,
                payee=payee,
                minutes=minutes,
                memo="Tausch",
                service_date=day,
                now=self.now(),
                idempotency_key=key,
            )

        if isinstance(outcome, int):
            replay = call()
            assert replay.replayed and replay.id == outcome
        else:
            self.expect(outcome, call)

    @rule(data=st.data(), minutes=st.sampled_from([5, 10, 30]))
    def charge_fee(self, data, minutes: int) -> None:
        payers = data.draw(st.sets(st.sampled_from(self.members), min_size=1), label="payers")
        postings = [*((m, -minutes) for m in sorted(payers)), (self.fees, minutes * len(payers))]
        now = self.now()
        booked = self.expect(
            self.model.refusal(postings),
            lambda: ledger.book_entry(
                self.session,
                ring_id=self.ring,
                postings=postings,
                kind="fee",
                memo="Gebühr",
                service_date=now.date(),
                now=now,
                channel="system",
            ),
        )
        if booked is not None:
            self.model.apply(booked.id, postings)

    @precondition(lambda self: self.model.entries)
    @rule(data=st.data(), override=st.booleans())
    def reverse(self, data, override: bool) -> None:
        entry_id = data.draw(st.sampled_from(sorted(self.model.entries)), label="entry")
        mirror = [(account, -amount) for account, amount in self.model.entries[entry_id].items()]
        if entry_id in self.model.reversal_of:
            expected = ledger.ReversalOfReversal
        elif entry_id in self.model.reversed_by:
            expected = ledger.AlreadyReversed
        else:
            expected = self.model.refusal(mirror, override=override)
        booked = self.expect(
            expected,
            lambda: ledger.reverse_entry(
                self.session,
                ring_id=self.ring,
                entry_id=entry_id,
                reason="Storno",
                now=self.now(),
                override_limits=override,
            ),
        )
        if booked is not None:
            self.model.apply(booked.id, mirror)
            self.model.reversal_of[booked.id] = entry_id
            self.model.reversed_by[entry_id] = booked.id

    @rule(data=st.data())
    def settle_and_close(self, data) -> None:
        account = data.draw(st.sampled_from(self.members), label="account")
        if account in self.model.closed:
            self.expect(
                ledger.AccountClosed,
                lambda: ledger.close_account(
                    self.session, ring_id=self.ring, account_id=account, now=self.now()
                ),
            )
            return
        balance = self.model.balance[account]
        settled = ledger.settle_account(
            self.session, ring_id=self.ring, account_id=account, memo="Austritt", now=self.now()
        )
        if balance == 0:
            assert settled is None
        else:
            self.model.apply(settled.id, [(account, -balance), (self.community, balance)])
        ledger.close_account(self.session, ring_id=self.ring, account_id=account, now=self.now())
        self.model.closed.add(account)

    @rule(data=st.data())
    def close_without_settling(self, data) -> None:
        account = data.draw(st.sampled_from(self.members), label="account")
        if account in self.model.closed:
            expected = ledger.AccountClosed
        elif self.model.balance[account] != 0:
            expected = ledger.AccountNotZero
        else:
            expected = None
        self.expect(
            expected,
            lambda: ledger.close_account(self.session, ring_id=self.ring, account_id=account, now=self.now()),
        )
        if expected is None:
            self.model.closed.add(account)

    @rule(limits=LIMIT_CHOICES)
    def change_ring_limits(self, limits) -> None:
        ledger.set_ring_limits(self.session, ring_id=self.ring, min_balance=limits[0], max_balance=limits[1])
        self.model.floor, self.model.ceiling = limits

    @rule(data=st.data(), limits=LIMIT_CHOICES)
    def change_account_limits(self, data, limits) -> None:
        account = data.draw(st.sampled_from(self.members), label="account")
        ledger.set_account_limits(
            self.session, ring_id=self.ring, account_id=account, min_balance=limits[0], max_balance=limits[1]
        )
        self.model.override[account] = limits

    # -- invariants -------------------------------------------------------------------------

    @invariant()
    def balances_match_the_model(self) -> None:
        shown = {b.account_id: b for b in ledger.ring_balances(self.session, ring_id=self.ring)}
        assert {a: b.balance for a, b in shown.items()} == self.model.balance
        assert {a for a, b in shown.items() if b.closed} == self.model.closed

    @invariant()
    def the_book_verifies(self) -> None:
        report = ledger.verify(self.session, self.ring)
        assert report.ok, report.violations
        assert report.total_balance == 0


@pytest.mark.parametrize(
    "engine", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
def test_random_bookings_keep_the_book_equal_to_the_model_and_verified(engine):
    LedgerMachine.engine = engine
    run_state_machine_as_test(
        LedgerMachine,
        settings=settings(
            max_examples=40,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
            database=None,
        ),
    )
