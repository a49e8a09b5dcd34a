"""Paying and payment requests between members: the use cases (they flush, never commit).

The receiver of a service pays its provider, online or through a helper or the office; or the
provider asks (a payment request) and the receiver accepts or declines, or the ring's answer time
runs out and a scheduled job accepts it. Every rule is here: who may act for whom, that both
members can exchange, amounts in the ring's steps, no date in the future, a described service.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Select, or_, select, update
from sqlalchemy.orm import Session

import ledger

from . import audit, errors, events, texts
from .clock import RING_ZONE
from .models import Member, PaymentRequest
from .permissions import Actor, require_active, require_may_act_for, require_same_ring
from .rings import settings_of, unit_of
from .units import format_amount


def check_amount(session: Session, ring_id: int, minutes: int) -> int:
    """Whole minutes, positive, bounded, and in the ring's smallest bookable step."""
    if (
        isinstance(minutes, bool)
        or not isinstance(minutes, int)
        or not 0 < minutes <= ledger.MAX_POSTING_MINUTES
    ):
        raise errors.AmountInvalid(maximum=ledger.MAX_POSTING_MINUTES)
    step = unit_of(session, ring_id).step_minutes
    if minutes % step:
        raise errors.AmountOffStep(step=step, minutes=minutes)
    return minutes


def _check_exchange(
    session: Session,
    actor: Actor,
    *,
    payer: Member,
    payee: Member,
    minutes: int,
    memo: str,
    service_date: dt.date,
    now: dt.datetime,
) -> str:
    """What every payment and request needs; returns the cleaned memo."""
    require_same_ring(actor, payer)
    require_same_ring(actor, payee)
    if payer.id == payee.id:
        raise errors.SameMember()
    require_active(payer)
    require_active(payee)
    check_amount(session, actor.ring_id, minutes)
    if service_date > now.date():
        raise errors.FutureServiceDate()
    memo = (memo or "").strip()
    if not memo:
        raise errors.MemoMissing()
    return memo


def _on_behalf_of(actor: Actor, member: Member) -> int | None:
    """The member's account when someone else (office, helper) acts for them; else None."""
    return None if actor.is_member(member) else member.account_id


def check_payment(
    session: Session,
    actor: Actor,
    *,
    payer: Member,
    payee: Member,
    minutes: int,
    memo: str,
    service_date: dt.date,
    now: dt.datetime,
) -> str:
    """Every rule of a payment but the books' own (limits are checked when it is booked): for the
    preview before a member confirms. Returns the cleaned memo."""
    require_may_act_for(session, actor, payer)
    return _check_exchange(
        session,
        actor,
        payer=payer,
        payee=payee,
        minutes=minutes,
        memo=memo,
        service_date=service_date,
        now=now,
    )


def preview_payment(
    session: Session,
    actor: Actor,
    *,
    payer: Member,
    payee: Member,
    minutes: int,
    memo: str,
    service_date: dt.date,
    now: dt.datetime,
) -> ledger.AccountBalance:
    """Every rule of a payment, the limits as the books stand now included, before the member
    confirms; nothing is written. Returns the payer's balance before the payment."""
    check_payment(
        session,
        actor,
        payer=payer,
        payee=payee,
        minutes=minutes,
        memo=memo,
        service_date=service_date,
        now=now,
    )
    ledger.check_transfer(
        session, ring_id=payer.ring_id, payer=payer.account_id, payee=payee.account_id, minutes=minutes
    )
    return ledger.balance_of(session, ring_id=payer.ring_id, account_id=payer.account_id)


def pay(
    session: Session,
    actor: Actor,
    *,
    payer: Member,
    payee: Member,
    minutes: int,
    memo: str,
    service_date: dt.date,
    now: dt.datetime,
    idempotency_key: str | None = None,
) -> ledger.EntryView:
    """The receiver of a service pays its provider (themself, or through a helper or the office)."""
    memo = check_payment(
        session,
        actor,
        payer=payer,
        payee=payee,
        minutes=minutes,
        memo=memo,
        service_date=service_date,
        now=now,
    )
    entry = ledger.book_transfer(
        session,
        ring_id=payer.ring_id,
        payer=payer.account_id,
        payee=payee.account_id,
        minutes=minutes,
        memo=memo,
        service_date=service_date,
        now=now,
        operator_id=actor.user_id,
        on_behalf_of_id=_on_behalf_of(actor, payer),
        channel=actor.channel,
        idempotency_key=idempotency_key,
    )
    if not entry.replayed:
        _booked(session, actor, entry, payer, payee, minutes, now)
    return entry


def _booked(
    session: Session,
    actor: Actor,
    entry: ledger.EntryView,
    payer: Member,
    payee: Member,
    minutes: int,
    now: dt.datetime,
) -> None:
    audit.record_for(
        session,
        actor,
        payer,
        now=now,
        action="payment.book",
        object_type="entry",
        object_id=entry.id,
        summary=f"Zahlung von Mitglied {payer.number} an Mitglied {payee.number} "
        f"({format_amount(minutes, unit_of(session, payer.ring_id))}, Buchung {entry.id})",
    )
    events.record(
        session,
        events.PaymentBooked.of(entry, payer_id=payer.id, payee_id=payee.id),
    )


# ---------------------------------------------------------------------------------------------
# Payment requests


def request_payment(
    session: Session,
    actor: Actor,
    *,
    payee: Member,
    payer: Member,
    minutes: int,
    memo: str,
    service_date: dt.date,
    now: dt.datetime,
) -> PaymentRequest:
    """The provider asks the receiver to pay; nothing is booked until it is accepted."""
    require_may_act_for(session, actor, payee)
    memo = _check_exchange(
        session,
        actor,
        payer=payer,
        payee=payee,
        minutes=minutes,
        memo=memo,
        service_date=service_date,
        now=now,
    )
    request = PaymentRequest(
        ring_id=payee.ring_id,
        payee_id=payee.id,
        payer_id=payer.id,
        minutes=minutes,
        memo=memo[:500],
        service_date=service_date,
        status="open",
        created_at=now,
        created_by_id=actor.user_id,
    )
    session.add(request)
    session.flush()
    audit.record_for(
        session,
        actor,
        payee,
        now=now,
        action="request.create",
        object_type="payment_request",
        object_id=request.id,
        summary=f"Zahlungsanforderung von Mitglied {payee.number} an Mitglied {payer.number}",
    )
    events.record(
        session,
        events.PaymentRequested(
            ring_id=request.ring_id,
            request_id=request.id,
            payer_id=payer.id,
            payee_id=payee.id,
            minutes=minutes,
        ),
    )
    return request


def request_for(
    session: Session, actor: Actor, member: Member, request_id: int, *, as_payer: bool
) -> PaymentRequest:
    """A request the member answers (``as_payer``) or made (the payee), if the actor may act for
    them; any other request does not exist for them."""
    require_may_act_for(session, actor, member)
    found = session.get(PaymentRequest, request_id) if 0 < request_id < 2**31 else None
    owner = (found.payer_id if as_payer else found.payee_id) if found is not None else None
    if found is None or owner != member.id:
        raise errors.RequestUnknown(request_id=request_id)
    return found


def _claim(
    session: Session, request: PaymentRequest, status: str, now: dt.datetime, user_id: int | None
) -> None:
    """Move an open request to its answer (compare and set); refuses if it was answered meanwhile.

    On PostgreSQL a concurrent answer waits for this row and then finds it answered."""
    claimed = session.execute(
        update(PaymentRequest)
        .where(PaymentRequest.id == request.id, PaymentRequest.status == "open")
        .values(status=status, answered_at=now, answered_by_id=user_id)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        raise errors.RequestAnswered(request_id=request.id)
    session.refresh(request)


def _answered(
    session: Session, actor: Actor, request: PaymentRequest, member: Member, now: dt.datetime
) -> None:
    audit.record_for(
        session,
        actor,
        member,
        now=now,
        action=f"request.{request.status}",
        object_type="payment_request",
        object_id=request.id,
        summary=f"Zahlungsanforderung {request.id} für Mitglied {member.number}: "
        + texts.in_german(texts.REQUEST_STATUSES[request.status]),
    )
    events.record(
        session,
        events.RequestAnswered(
            ring_id=request.ring_id, request_id=request.id, status=request.status, entry_id=request.entry_id
        ),
    )


def accept_request(
    session: Session, actor: Actor, member: Member, request_id: int, *, now: dt.datetime
) -> ledger.EntryView:
    """The payer accepts: the request is claimed, then the payment booked, once, whatever happens
    concurrently (a refused booking rolls the claim back with it)."""
    request = request_for(session, actor, member, request_id, as_payer=True)
    if request.status != "open":
        raise errors.RequestAnswered(request_id=request.id)
    require_active(request.payer)
    require_active(request.payee)
    _claim(session, request, "accepted", now, actor.user_id)
    entry = _book_request(session, actor, request, now)
    _answered(session, actor, request, member, now)
    return entry


def _book_request(
    session: Session, actor: Actor, request: PaymentRequest, now: dt.datetime
) -> ledger.EntryView:
    """Book the payment a request asks for, on the payer's behalf (unless the payer acts), and
    tell it."""
    entry = ledger.book_transfer(
        session,
        ring_id=request.ring_id,
        payer=request.payer.account_id,
        payee=request.payee.account_id,
        minutes=request.minutes,
        memo=request.memo,
        service_date=request.service_date,
        now=now,
        operator_id=actor.user_id,
        on_behalf_of_id=_on_behalf_of(actor, request.payer),
        channel=actor.channel,
        # An accepted request for a closed month is booked today, its date kept in the text.
        late="today",
    )
    request.entry_id = entry.id
    session.flush()
    events.record(
        session, events.PaymentBooked.of(entry, payer_id=request.payer_id, payee_id=request.payee_id)
    )
    return entry


def decline_request(
    session: Session, actor: Actor, member: Member, request_id: int, *, now: dt.datetime, note: str = ""
) -> PaymentRequest:
    request = request_for(session, actor, member, request_id, as_payer=True)
    _claim(session, request, "declined", now, actor.user_id)
    request.note = (note or "").strip()[:500] or None
    session.flush()
    _answered(session, actor, request, member, now)
    return request


def cancel_request(
    session: Session, actor: Actor, member: Member, request_id: int, *, now: dt.datetime
) -> PaymentRequest:
    """The provider withdraws a request not yet answered."""
    request = request_for(session, actor, member, request_id, as_payer=False)
    _claim(session, request, "cancelled", now, actor.user_id)
    _answered(session, actor, request, member, now)
    return request


def due_requests(session: Session, ring_id: int, now: dt.datetime) -> Select:
    """Open requests whose answer time ran out, oldest first: the next run of the job accepts them."""
    days = settings_of(session, ring_id).auto_accept_days
    if days is None:
        return select(PaymentRequest).where(PaymentRequest.id.is_(None))
    return (
        select(PaymentRequest)
        .where(
            PaymentRequest.ring_id == ring_id,
            PaymentRequest.status == "open",
            PaymentRequest.created_at <= now - dt.timedelta(days=days),
        )
        .order_by(PaymentRequest.id)
    )


def accept_due_requests(session: Session, ring_id: int, now: dt.datetime) -> list[PaymentRequest]:
    """Accept the open requests older than the ring's answer time (never, if it has none): the
    scheduled job of ``tauschring serve`` and ``tauschring requests accept-due``.

    Safe when several processes run it at once: each due request is taken with its row locked
    (on PostgreSQL, rows another process holds are skipped; SQLite runs one writer at a time) and
    answered in a savepoint. A request whose booking the ledger refuses (a limit) is marked failed
    with the reason, so the members see it instead of it waiting forever.
    """
    if settings_of(session, ring_id).auto_accept_days is None:
        return []
    due = list(
        session.scalars(
            due_requests(session, ring_id, now).with_for_update(skip_locked=True, of=PaymentRequest)
        )
    )
    system = Actor.system(ring_id)
    for request in due:
        try:
            with session.begin_nested():
                require_active(request.payer)
                require_active(request.payee)
                _book_request(session, system, request, now)
        except (ledger.LedgerError, errors.Refusal) as refusal:
            request.status, request.answered_at = "failed", now
            request.note = texts.explain(refusal, unit_of(session, ring_id))[:500]
        else:
            request.status, request.answered_at = "auto_accepted", now
        session.flush()
        _answered(session, system, request, request.payer, now)
    return due


def waiting_for_answer(member: Member) -> Select:
    """The open requests the member is asked to answer, oldest first."""
    return (
        select(PaymentRequest)
        .where(PaymentRequest.payer_id == member.id, PaymentRequest.status == "open")
        .order_by(PaymentRequest.created_at, PaymentRequest.id)
    )


def requests_of(member: Member, *, status: str | None = None) -> Select:
    """Every request the member made or was asked, newest first (optionally of one status)."""
    query = select(PaymentRequest).where(
        or_(PaymentRequest.payer_id == member.id, PaymentRequest.payee_id == member.id)
    )
    if status is not None:
        query = query.where(PaymentRequest.status == status)
    return query.order_by(PaymentRequest.created_at.desc(), PaymentRequest.id.desc())


def request_history(member: Member) -> Select:
    """What the member asked of others, and what they answered: all but the requests still waiting
    for their own answer."""
    return requests_of(member).where(
        ~((PaymentRequest.payer_id == member.id) & (PaymentRequest.status == "open"))
    )


def accepted_by_time_on(session: Session, request: PaymentRequest) -> dt.date | None:
    """The day an open request will be accepted if nobody answers (None: the ring never does)."""
    days = settings_of(session, request.ring_id).auto_accept_days
    if days is None or request.status != "open":
        return None
    return (request.created_at + dt.timedelta(days=days)).astimezone(RING_ZONE).date()
