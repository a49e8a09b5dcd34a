"""Paying and payment requests between members: the operations (they flush, never commit)."""

from __future__ import annotations

import datetime as dt

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import Session

import ledger

from .members import display_name
from .models import Member, PaymentRequest, User
from .rings import settings_of, unit_of
from .texts import explain


class PaymentError(ValueError):
    """A payment or request that cannot be made; the message is for the member."""


def _check_members_can_exchange(payer: Member, payee: Member) -> None:
    if payer.ring_id != payee.ring_id:
        raise PaymentError(_("Dieses Mitglied gehört zu einem anderen Tauschring."))
    if payer.id == payee.id:
        raise PaymentError(_("Sie können sich nicht selbst bezahlen."))
    for member in (payer, payee):
        if member.status != "active":
            if member.status == "left":
                raise PaymentError(
                    _(
                        "%(name)s (Nr. %(number)s) ist ausgetreten und kann nicht mehr tauschen.",
                        name=display_name(member),
                        number=member.number,
                    )
                )
            raise PaymentError(
                _(
                    "%(name)s (Nr. %(number)s) ist gesperrt und kann zurzeit nicht tauschen.",
                    name=display_name(member),
                    number=member.number,
                )
            )


def on_behalf_of(operator: User, member: Member) -> int | None:
    """The member's account when someone else (office, helper) acts for them; else None."""
    return None if operator.member_id == member.id else member.account_id


def pay(
    session: Session,
    *,
    payer: Member,
    payee: Member,
    minutes: int,
    memo: str,
    service_date: dt.date,
    now: dt.datetime,
    operator: User,
    channel: str = "web",
    idempotency_key: str | None = None,
) -> ledger.EntryView:
    """The receiver of a service pays its provider."""
    _check_members_can_exchange(payer, payee)
    return ledger.book_transfer(
        session,
        ring_id=payer.ring_id,
        payer=payer.account_id,
        payee=payee.account_id,
        minutes=minutes,
        memo=memo,
        service_date=service_date,
        now=now,
        operator_id=operator.id,
        on_behalf_of_id=on_behalf_of(operator, payer),
        channel=channel,
        idempotency_key=idempotency_key,
    )


def request_payment(
    session: Session,
    *,
    payee: Member,
    payer: Member,
    minutes: int,
    memo: str,
    service_date: dt.date,
    now: dt.datetime,
    operator: User,
) -> PaymentRequest:
    """The provider asks the receiver to pay; nothing is booked until it is accepted."""
    _check_members_can_exchange(payer, payee)
    if service_date > now.date():
        raise PaymentError(_("Das Leistungsdatum darf nicht in der Zukunft liegen."))
    if not memo.strip():
        raise PaymentError(_("Bitte beschreiben Sie die Leistung."))
    request = PaymentRequest(
        ring_id=payee.ring_id,
        payee_id=payee.id,
        payer_id=payer.id,
        minutes=minutes,
        memo=memo.strip(),
        service_date=service_date,
        status="open",
        created_at=now,
        created_by_id=operator.id,
    )
    session.add(request)
    session.flush()
    return request


def _claim(session: Session, request: PaymentRequest, status: str, now: dt.datetime, operator_id: int | None):
    """Move an open request to its answer; refuses if someone answered it meanwhile."""
    claimed = session.execute(
        update(PaymentRequest)
        .where(PaymentRequest.id == request.id, PaymentRequest.status == "open")
        .values(status=status, answered_at=now, answered_by_id=operator_id)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        raise PaymentError(_("Diese Zahlungsanforderung wurde schon beantwortet."))
    session.refresh(request)


def accept_request(
    session: Session, request: PaymentRequest, *, now: dt.datetime, operator: User, channel: str = "web"
) -> ledger.EntryView:
    """The payer accepts: the payment is booked (once, whatever happens concurrently)."""
    if request.status != "open":
        raise PaymentError(_("Diese Zahlungsanforderung wurde schon beantwortet."))
    _check_members_can_exchange(request.payer, request.payee)
    entry = ledger.book_transfer(
        session,
        ring_id=request.ring_id,
        payer=request.payer.account_id,
        payee=request.payee.account_id,
        minutes=request.minutes,
        memo=request.memo,
        service_date=request.service_date,
        now=now,
        operator_id=operator.id,
        on_behalf_of_id=on_behalf_of(operator, request.payer),
        channel=channel,
    )
    _claim(session, request, "accepted", now, operator.id)
    request.entry_id = entry.id
    session.flush()
    return entry


def decline_request(
    session: Session, request: PaymentRequest, *, now: dt.datetime, operator: User, note: str = ""
) -> None:
    _claim(session, request, "declined", now, operator.id)
    request.note = note.strip()[:500] or None
    session.flush()


def cancel_request(session: Session, request: PaymentRequest, *, now: dt.datetime, operator: User) -> None:
    """The provider withdraws a request not yet answered."""
    _claim(session, request, "cancelled", now, operator.id)


def process_due_requests(session: Session, ring_id: int, now: dt.datetime) -> list[PaymentRequest]:
    """Accept the open requests older than the ring's auto-accept days (never, if unset).

    A request whose booking the ledger refuses (a limit) is marked failed with the reason, so
    the members see it instead of it waiting forever.
    """
    days = settings_of(session, ring_id).auto_accept_days
    if days is None:
        return []
    due = list(
        session.scalars(
            select(PaymentRequest)
            .where(
                PaymentRequest.ring_id == ring_id,
                PaymentRequest.status == "open",
                PaymentRequest.created_at <= now - dt.timedelta(days=days),
            )
            .order_by(PaymentRequest.id)
        )
    )
    for request in due:
        try:
            _check_members_can_exchange(request.payer, request.payee)
            entry = ledger.book_transfer(
                session,
                ring_id=ring_id,
                payer=request.payer.account_id,
                payee=request.payee.account_id,
                minutes=request.minutes,
                memo=request.memo,
                service_date=request.service_date,
                now=now,
                operator_id=None,
                on_behalf_of_id=request.payer.account_id,
                channel="system",
            )
        except (ledger.LedgerError, PaymentError) as refusal:
            _claim(session, request, "failed", now, None)
            request.note = (
                refusal.args[0]
                if isinstance(refusal, PaymentError)
                else explain(refusal, unit_of(session, ring_id))
            )[:500]
        else:
            _claim(session, request, "auto_accepted", now, None)
            request.entry_id = entry.id
        session.flush()
    return due
