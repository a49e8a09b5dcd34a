"""What happened, told after the commit.

A use case records an event on the unit of work (``record``); the one commit place
(``db.run_in_transaction``) hands the recorded events to their subscribers only after the commit
succeeded, and drops them when the attempt rolls back or is retried. So a subscriber (a mail, a
notice on the next insert) never tells of something that did not happen, and never twice.

Subscribers run after the commit: they must not write into the finished transaction, and an
error in one is logged, never raised into the request that already succeeded.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

_PENDING = "tauschring.events"


@dataclass(frozen=True)
class Event:
    ring_id: int


@dataclass(frozen=True)
class PaymentBooked(Event):
    """A payment between two members: paid online, a request accepted, a voucher posted."""

    entry_id: int
    payer_id: int
    payee_id: int
    minutes: int
    channel: str

    @classmethod
    def of(cls, entry, *, payer_id: int, payee_id: int) -> PaymentBooked:
        """The event of a booked transfer (``ledger.EntryView``) between two members."""
        return cls(
            ring_id=entry.ring_id,
            entry_id=entry.id,
            payer_id=payer_id,
            payee_id=payee_id,
            minutes=max(posting.amount for posting in entry.postings),
            channel=entry.channel,
        )


@dataclass(frozen=True)
class PaymentRequested(Event):
    request_id: int
    payer_id: int
    payee_id: int
    minutes: int


@dataclass(frozen=True)
class RequestAnswered(Event):
    """status: accepted, declined, cancelled, auto_accepted or failed."""

    request_id: int
    status: str
    entry_id: int | None


@dataclass(frozen=True)
class ListingPublished(Event):
    listing_id: int
    member_id: int


@dataclass(frozen=True)
class ListingWithdrawn(Event):
    listing_id: int
    member_id: int


@dataclass(frozen=True)
class MemberAdmitted(Event):
    member_id: int


@dataclass(frozen=True)
class MemberLeft(Event):
    member_id: int


@dataclass(frozen=True)
class MemberErased(Event):
    member_id: int


@dataclass(frozen=True)
class LoginChanged(Event):
    """A login was created, or its password set by someone else or changed by its owner."""

    user_id: int
    change: str  # created, password_set, password_changed


@dataclass(frozen=True)
class BatchPosted(Event):
    batch_id: int
    entry_ids: tuple[int, ...]


@dataclass(frozen=True)
class ImportPosted(Event):
    """A file of the ring's old system was taken over: members, listings or opening balances."""

    batch_id: int
    kind: str
    created: int


@dataclass(frozen=True)
class FeesBooked(Event):
    period: str
    entry_ids: tuple[int, ...]


@dataclass(frozen=True)
class EntryReversed(Event):
    entry_id: int
    reversal_id: int


@dataclass(frozen=True)
class EditionGenerated(Event):
    edition_id: int
    at: dt.datetime


Subscriber = Callable[[Event], None]
_subscribers: dict[type[Event], list[Subscriber]] = defaultdict(list)


def subscribe(event_type: type[Event]) -> Callable[[Subscriber], Subscriber]:
    """Decorator: call the function with every committed event of this type (or a subclass)."""

    def register(handler: Subscriber) -> Subscriber:
        _subscribers[event_type].append(handler)
        return handler

    return register


def unsubscribe(event_type: type[Event], handler: Subscriber) -> None:
    _subscribers[event_type].remove(handler)


def record(session: Session, event: Event) -> None:
    """Note what happened on the unit of work; it is told only after a successful commit."""
    session.info.setdefault(_PENDING, []).append(event)


def pending(session: Session) -> list[Event]:
    return list(session.info.get(_PENDING, ()))


def discard(session: Session) -> None:
    """The attempt rolled back (or starts over): what it recorded did not happen."""
    session.info.pop(_PENDING, None)


def deliver(session: Session) -> list[Event]:
    """After the commit: hand every recorded event to its subscribers, in the order recorded."""
    delivered = session.info.pop(_PENDING, [])
    for event in delivered:
        for event_type, handlers in list(_subscribers.items()):
            if not isinstance(event, event_type):
                continue
            for handler in list(handlers):
                try:
                    handler(event)
                except Exception:  # a subscriber's fault must not undo a committed request
                    log.exception(
                        "subscriber %s failed on %s",
                        getattr(handler, "__name__", handler),
                        type(event).__name__,
                    )
    return delivered


@subscribe(Event)
def _log(event: Event) -> None:
    """Every event in the log, with ids only (no personal data)."""
    log.debug("%s %s", type(event).__name__, {k: v for k, v in vars(event).items()})
