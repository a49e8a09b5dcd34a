"""Errors of the ledger, named after the rule that was broken.

Each error carries its facts as keyword parameters (so a stored refusal can be raised again
exactly, see idempotency) and a stable machine-readable ``code``. The English ``message`` is
for logs and developers; the application words it for members in their language.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar


def format_minutes(minutes: int) -> str:
    """Minutes as signed h:mm, e.g. -90 -> '-1:30'."""
    sign = "-" if minutes < 0 else ""
    hours, rest = divmod(abs(minutes), 60)
    return f"{sign}{hours}:{rest:02d}"


class LedgerError(Exception):
    """A booking or query the ledger refuses. Nothing was written."""

    code: ClassVar[str] = "ledger_error"
    # True when the ledger recorded this refusal under an idempotency key: commit to keep it.
    recorded: bool = False
    # True when this is the stored first answer to a request retried under its idempotency key.
    replayed: bool = False
    template: ClassVar[str] = "The ledger refused the request."
    registry: ClassVar[dict[str, type[LedgerError]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        LedgerError.registry[cls.code] = cls

    def __init__(self, **params: Any) -> None:
        self.params = params
        super().__init__(self.message)

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["params"][name]
        except KeyError:
            raise AttributeError(name) from None

    @property
    def message(self) -> str:
        shown = {
            key: format_minutes(value) if key in self.minute_params else value
            for key, value in self.params.items()
        }
        return self.template.format(**shown)

    minute_params: ClassVar[frozenset[str]] = frozenset()

    def to_json(self) -> str:
        return json.dumps(self.params, sort_keys=True, default=str)

    @classmethod
    def from_stored(cls, code: str, detail: str) -> LedgerError:
        """Rebuild a refusal that was stored with an idempotency key."""
        error_class = cls.registry.get(code, LedgerError)
        return error_class(**json.loads(detail))


class InvalidAmount(LedgerError):
    code = "invalid_amount"
    template = "Invalid amount {amount!r}: {reason}."


class SameAccount(LedgerError):
    code = "same_account"
    template = "Payer and payee are the same account ({account_id})."


class UnbalancedEntry(LedgerError):
    code = "unbalanced_entry"
    template = "An entry needs two or more postings on distinct accounts summing to zero: {reason}."


class UnknownRing(LedgerError):
    code = "unknown_ring"
    template = "There is no ring {ring_id}."


class UnknownAccount(LedgerError):
    code = "unknown_account"
    template = "There is no account {account_id}."


class ForeignAccount(LedgerError):
    code = "foreign_account"
    template = "Account {account_id} belongs to another ring ({account_ring_id}, not {ring_id})."


class AccountClosed(LedgerError):
    code = "account_closed"
    template = "Account {account_id} ({label}) is closed."


class LimitExceeded(LedgerError):
    """side is "lower" (the payer's floor) or "upper" (the payee's ceiling)."""

    code = "limit_exceeded"
    template = (
        "Account {account_id} ({label}) would cross its {side} limit: "
        "balance {balance}, amount {amount}, limit {limit}."
    )
    minute_params = frozenset({"balance", "amount", "limit"})


def limit_refusal(
    *, account_id: int, label: str, balance: int, amount: int, limit: int | None
) -> LimitExceeded | None:
    """The refusal a movement of ``amount`` meets at ``limit``, or None: the floor is checked when
    an account pays, the ceiling when it receives, so an account beyond a limit can move back."""
    if limit is None:
        return None
    after = balance + amount
    if (after < limit) if amount < 0 else (after > limit):
        return LimitExceeded(
            account_id=account_id,
            label=label,
            side="lower" if amount < 0 else "upper",
            balance=balance,
            amount=amount,
            limit=limit,
        )
    return None


class InvalidMemo(LedgerError):
    code = "invalid_memo"
    template = "Invalid text: {reason}."


class InvalidServiceDate(LedgerError):
    code = "invalid_service_date"
    template = "Invalid service date {service_date}: {reason}."


class InvalidField(LedgerError):
    code = "invalid_field"
    template = "Invalid {field}: {reason}."


class DuplicateVoucher(LedgerError):
    code = "duplicate_voucher"
    template = "Voucher number {voucher_number} is already booked in entry {entry_id}."


class IdempotencyConflict(LedgerError):
    code = "idempotency_conflict"
    template = "Idempotency key {key!r} was used before for a different request."


class UnknownEntry(LedgerError):
    code = "unknown_entry"
    template = "There is no entry {entry_id} in ring {ring_id}."


class AlreadyReversed(LedgerError):
    code = "already_reversed"
    template = "Entry {entry_id} was already reversed by entry {reversal_id}."


class ReversalOfReversal(LedgerError):
    code = "reversal_of_reversal"
    template = "Entry {entry_id} is a reversal; a reversal is never reversed."


class AccountNotZero(LedgerError):
    code = "account_not_zero"
    template = "Account {account_id} ({label}) has balance {balance}; only a zero balance can be closed."
    minute_params = frozenset({"balance"})


class InvalidLimits(LedgerError):
    code = "invalid_limits"
    template = "Invalid limits: {reason}."


class PeriodClosed(LedgerError):
    """The service date lies in a closed period: a correction is a storno in the open period."""

    code = "period_closed"
    template = "Service date {service_date} lies in a closed period (closed through {closed_through})."


class ClosingOutOfOrder(LedgerError):
    code = "closing_out_of_order"
    template = "Period {start}..{end} cannot be closed: {reason}."


class UnknownClosing(LedgerError):
    code = "unknown_closing"
    template = "There is no closing {closing_id} in ring {ring_id}."


class ClosingNotLatest(LedgerError):
    """Closings are reopened from the latest back, so the closed periods stay one unbroken span."""

    code = "closing_not_latest"
    template = "Closing {closing_id} is not the latest; reopen closing {latest_id} first."
