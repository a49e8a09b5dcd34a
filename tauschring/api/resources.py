"""The resources of /api/v1. Every call is authorised exactly like the same action on the web:
the token carries its owner's rights; member actions act as the owner's member (or a member they
may act for); office resources need the office role."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib

import marshmallow as ma
from flask import Response, g, request
from flask_babel import gettext as _
from flask_smorest import Blueprint
from sqlalchemy import or_, select

import ledger

from .. import audit
from ..db import db, run_in_transaction
from ..editions import EditionError
from ..listings import (
    EDITABLE,
    ListingError,
    create_listing,
    edit_listing,
    is_live,
    listing_by_public_number,
    renew_listing,
    search,
    withdraw_listing,
)
from ..members import MemberError, contact_card, display_name, member_by_number
from ..models import (
    EDITION_FILES,
    Edition,
    EditionFile,
    Listing,
    Member,
    PaymentRequest,
    User,
    VoucherBatch,
)
from ..payments import PaymentError, accept_request, cancel_request, decline_request, pay, request_payment
from ..rings import categories_of, settings_of
from ..vouchers import (
    LINE_FIELDS,
    BatchError,
    add_line,
    check_batch,
    open_batch,
    post_batch,
)
from ..web.common import now, today
from . import schemas as s
from .auth import ApiDenied, acting_member, authenticate, require_office
from .problems import ledger_problem, payment_problem, problem

PROBLEM = "application/problem+json"
ALL_BLUEPRINTS: list[Blueprint] = []


def blueprint(name: str, url_prefix: str, description: str) -> Blueprint:
    bp = Blueprint(name, __name__, url_prefix=url_prefix, description=description)
    for error, handler in (
        (ApiDenied, lambda e: e.response),
        (ledger.LedgerError, ledger_problem),
        (PaymentError, payment_problem),
        (ListingError, lambda e: problem(422, "invalid_listing", str(e))),
        (BatchError, lambda e: problem(409, "batch_not_possible", str(e))),
        (MemberError, lambda e: problem(409, "not_possible", str(e))),
        (EditionError, lambda e: problem(409, "not_possible", str(e))),
    ):
        bp.register_error_handler(error, handler)
    ALL_BLUEPRINTS.append(bp)
    return bp


def problems(bp: Blueprint, *codes: int):
    """Document the problem responses an operation can give (and 401 for every operation)."""
    texts = {
        400: "Ungültige Anfrage",
        401: "Nicht angemeldet (Token fehlt oder ist ungültig)",
        403: "Keine Berechtigung",
        404: "Nicht gefunden",
        409: "Widerspricht dem Stand der Bücher",
        422: "Ungültige Eingabe",
        503: "Zu viele gleichzeitige Buchungen; bitte wiederholen",
    }

    def decorate(view):
        for code in sorted({401, *codes}):
            view = bp.alt_response(
                code, schema=s.ProblemSchema, description=texts[code], content_type=PROBLEM
            )(view)
        return view

    return decorate


def transaction(work):
    try:
        return run_in_transaction(db.session, work)
    except Exception as error:  # noqa: BLE001 - mapped to a problem below, everything else re-raised
        from ..db import TransactionFailed

        if isinstance(error, TransactionFailed):
            raise ApiDenied(
                problem(
                    503,
                    "busy",
                    _("Zu viele gleichzeitige Buchungen; bitte wiederholen."),
                    headers={"Retry-After": "1"},
                )
            ) from error
        raise


READ_ONLY_METHODS = ("GET", "HEAD")


def _read_only_transaction() -> None:
    """Reads only: on SQLite a deferred BEGIN, so readers never wait for the write lock."""
    if not db.session.in_transaction():
        db.session.connection(execution_options={"read_only": True})


def authenticated(view):
    """Authenticate the token before the view (the user is in g.api_user). A GET only reads, in a
    read-only transaction; every other method writes, and starts as the web does (BEGIN IMMEDIATE
    on SQLite), so its reads and writes are one transaction that cannot fail on a lock upgrade."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        read_only = request.method in READ_ONLY_METHODS
        if read_only:
            _read_only_transaction()
        authenticate(db.session)
        if read_only:
            _read_only_transaction()  # again, if noting the token's use ended the first one
        return view(*args, **kwargs)

    return wrapped


def user() -> User:
    return g.api_user


def office_user() -> User:
    require_office(g.api_user)
    return g.api_user


def not_found(what: str):
    raise ApiDenied(problem(404, "not_found", _("%(what)s gibt es nicht.", what=what)))


# --- me ---------------------------------------------------------------------------------------

me_bp = blueprint("me", "/api/v1/me", "Wer bin ich")


@me_bp.route("")
@me_bp.response(200, s.MeSchema)
@problems(me_bp, 400, 403)
@authenticated
def me():
    """Der angemeldete Zugang und das Mitglied, für das er handelt."""
    who = user()
    ring = db.session.get(ledger.Ring, who.ring_id)
    member = None
    if who.member_id is not None or request.headers.get("X-Tauschring-Member"):
        member = acting_member(db.session, who)
    own = db.session.get(Member, who.member_id) if who.member_id else None
    return {
        "username": who.username,
        "role": who.role,
        "ring": ring.name,
        "member_number": own.number if own else None,
        "acting_for": member.number if member else None,
    }


# --- members (office) ---------------------------------------------------------------------------

members_bp = blueprint("members", "/api/v1/members", "Mitglieder (Büro)")


def member_json(member: Member, balances: dict[int, int]) -> dict:
    return {
        "number": member.number,
        "name": display_name(member, full=True),
        "first_name": member.first_name,
        "last_name": member.last_name,
        "status": member.status,
        "paper_member": member.paper_member,
        "large_print": member.large_print,
        "district": member.district,
        "phone": member.phone,
        "email": member.email,
        "joined_on": member.joined_on,
        "balance_minutes": balances.get(member.account_id, 0),
    }


@members_bp.route("")
@members_bp.arguments(s.MemberQuerySchema, location="query", unknown=ma.RAISE)
@members_bp.response(200, s.MemberSchema(many=True))
@problems(members_bp, 403, 422)
@authenticated
def members(args):
    """Alle Mitglieder des Tauschrings (Büro), gefiltert."""
    who = office_user()
    query = select(Member).where(Member.ring_id == who.ring_id)
    text = args["q"].strip()
    if text.isascii() and text.isdigit():
        query = query.where(Member.number == int(text) if len(text) < 10 else Member.id < 0)
    elif text:
        for word in text.lower().split()[:5]:
            query = query.where(
                or_(Member.first_name.ilike(f"%{word}%"), Member.last_name.ilike(f"%{word}%"))
            )
    if args.get("status"):
        query = query.where(Member.status == args["status"])
    balances = {b.account_id: b.balance for b in ledger.ring_balances(db.session, ring_id=who.ring_id)}
    return [member_json(m, balances) for m in db.session.scalars(query.order_by(Member.number).limit(1000))]


@members_bp.route("/<int:number>")
@members_bp.response(200, s.MemberSchema)
@problems(members_bp, 403, 404)
@authenticated
def member(number: int):
    """Ein Mitglied (Büro)."""
    who = office_user()
    found = member_by_number(db.session, who.ring_id, number) if number <= s.MAX_ID else None
    if found is None:
        not_found(_("Mitglied %(n)s", n=number))
    balance = ledger.balance_of(db.session, ring_id=who.ring_id, account_id=found.account_id)
    return member_json(found, {found.account_id: balance.balance})


# --- accounts and balances ----------------------------------------------------------------------

accounts_bp = blueprint("accounts", "/api/v1/accounts", "Konten und Salden")


def balance_json(balance: ledger.AccountBalance, number: int | None) -> dict:
    return {
        "member_number": number,
        "label": balance.label,
        "balance_minutes": balance.balance,
        "min_balance_minutes": balance.min_balance,
        "max_balance_minutes": balance.max_balance,
        "can_pay_minutes": balance.can_pay,
        "can_receive_minutes": balance.can_receive,
        "closed": balance.closed,
    }


@accounts_bp.route("/me")
@accounts_bp.response(200, s.BalanceSchema)
@problems(accounts_bp, 400, 403)
@authenticated
def my_balance():
    """Der Kontostand des handelnden Mitglieds, mit Grenzen und Spielraum."""
    member = acting_member(db.session, user())
    return balance_json(
        ledger.balance_of(db.session, ring_id=member.ring_id, account_id=member.account_id), member.number
    )


@accounts_bp.route("")
@accounts_bp.response(200, s.BalanceSchema(many=True))
@problems(accounts_bp, 403)
@authenticated
def balances():
    """Die Salden aller Konten des Tauschrings (Büro); sie summieren sich zu null."""
    who = office_user()
    numbers = {
        m.account_id: m.number
        for m in db.session.scalars(select(Member).where(Member.ring_id == who.ring_id))
    }
    return [
        balance_json(b, numbers.get(b.account_id))
        for b in ledger.ring_balances(db.session, ring_id=who.ring_id)
    ]


# --- entries ------------------------------------------------------------------------------------

entries_bp = blueprint("entries", "/api/v1/entries", "Buchungen")


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICROSECOND = dt.timedelta(microseconds=1)


def _encode_cursor(cursor) -> str | None:
    """The position after a statement line: its booking time (microseconds since 1970) and posting."""
    if cursor is None:
        return None
    moment, posting_id = cursor
    return f"{(moment - _EPOCH) // _MICROSECOND}-{posting_id}"


def _decode_cursor(text: str) -> tuple[dt.datetime, int]:
    """Every text of the documented pattern is a position (the schema has refused all others)."""
    micros, _sep, posting_id = text.partition("-")
    return _EPOCH + int(micros) * _MICROSECOND, int(posting_id)


UNBOUNDED_BEFORE = dt.date(1900, 1, 1)
UNBOUNDED_AFTER = dt.date(9000, 1, 1)


def _names(ring_id: int, account_ids: set[int]) -> dict[int, Member]:
    """The members behind these accounts (only these: a ring has hundreds)."""
    if not account_ids:
        return {}
    query = select(Member).where(Member.ring_id == ring_id, Member.account_id.in_(account_ids))
    return {m.account_id: m for m in db.session.scalars(query)}


def _partner_json(partner: ledger.Partner, names: dict[int, Member]) -> dict:
    member = names.get(partner.account_id)
    return {
        "member_number": member.number if member else None,
        "name": display_name(member) if member else partner.label,
        "amount_minutes": partner.amount,
    }


@entries_bp.route("")
@entries_bp.arguments(s.EntryQuerySchema, location="query", unknown=ma.RAISE)
@entries_bp.response(200, s.EntryPageSchema)
@problems(entries_bp, 400, 403, 404, 422)
@authenticated
def entries(args):
    """Der Kontoauszug des handelnden Mitglieds (Büro: eines beliebigen) für einen Zeitraum, seitenweise."""
    who = user()
    if "member" in args:
        require_office(who)
        member = member_by_number(db.session, who.ring_id, args["member"])
        if member is None:
            not_found(_("Mitglied %(n)s", n=args["member"]))
    else:
        member = acting_member(db.session, who)
    from ..web.common import to_utc_range

    start, end = args.get("start"), args.get("end")
    if start and end and end < start:
        raise ApiDenied(problem(422, "invalid_period", _("Das Ende des Zeitraums liegt vor dem Anfang.")))
    # Days before and after any booking bound nothing; dropping them keeps the edges of the
    # calendar (0001-01-01, 9999-12-31) out of the time zone arithmetic, which would overflow.
    begin, finish = to_utc_range(
        start if start and start > UNBOUNDED_BEFORE else None, end if end and end < UNBOUNDED_AFTER else None
    )
    cursor = _decode_cursor(args["cursor"]) if "cursor" in args else None
    result = ledger.statement(
        db.session,
        ring_id=member.ring_id,
        account_id=member.account_id,
        start=begin,
        end=finish,
        page_size=args["limit"],
        cursor=cursor,
    )
    names = _names(member.ring_id, {p.account_id for line in result.lines for p in line.partners})
    return {
        "member_number": member.number,
        "opening_balance_minutes": result.opening_balance,
        "closing_balance_minutes": result.closing_balance,
        "next_cursor": _encode_cursor(result.next_cursor),
        "items": [
            {
                "entry_id": line.entry_id,
                "kind": line.kind,
                "memo": line.memo,
                "booked_at": line.booked_at,
                "service_date": line.service_date,
                "amount_minutes": line.amount,
                "balance_after_minutes": line.balance_after,
                "partners": [_partner_json(p, names) for p in line.partners],
                "voucher_number": line.voucher_number,
                "reverses_id": line.reverses_id,
                "reversed_by_id": line.reversed_by_id,
            }
            for line in result.lines
        ],
    }


def entry_json(entry: ledger.EntryView) -> dict:
    names = _names(entry.ring_id, {p.account_id for p in entry.postings})
    system = {  # the ring's own accounts (fees, vouchers): by their labels
        p.account_id: ledger.balance_of(db.session, ring_id=entry.ring_id, account_id=p.account_id).label
        for p in entry.postings
        if p.account_id not in names
    }
    return {
        "id": entry.id,
        "kind": entry.kind,
        "memo": entry.memo,
        "service_date": entry.service_date,
        "booked_at": entry.booked_at,
        "channel": entry.channel,
        "voucher_number": entry.voucher_number,
        "reverses_id": entry.reverses_id,
        "reversed_by_id": entry.reversed_by_id,
        "postings": [
            {
                "member_number": names[p.account_id].number if p.account_id in names else None,
                "account": display_name(names[p.account_id])
                if p.account_id in names
                else system.get(p.account_id, ""),
                "amount_minutes": p.amount,
                "balance_after_minutes": p.balance_after,
            }
            for p in entry.postings
        ],
    }


@entries_bp.route("/<int:entry_id>")
@entries_bp.response(200, s.EntrySchema)
@problems(entries_bp, 400, 403, 404)
@authenticated
def entry(entry_id: int):
    """Eine Buchung: sichtbar für die beteiligten Mitglieder und für das Büro."""
    who = user()
    try:
        found = (
            ledger.entry(db.session, ring_id=who.ring_id, entry_id=entry_id) if entry_id <= s.MAX_ID else None
        )
    except ledger.UnknownEntry:
        found = None
    if found is not None and not who.is_office:
        member = acting_member(db.session, who)
        if member.account_id not in {p.account_id for p in found.postings}:
            found = None
    if found is None:
        not_found(_("Buchung %(n)s", n=entry_id))
    return entry_json(found)


def _ledger_key(who: User, key: str) -> str:
    """The ledger's key for a client's Idempotency-Key: per login (two clients may pick the same
    key), hashed so that every key of up to 200 characters fits the ledger's column."""
    return f"api:{who.id}:{hashlib.sha256(key.encode()).hexdigest()}"


@entries_bp.route("", methods=["POST"])
@entries_bp.arguments(s.PaymentSchema)
@entries_bp.response(
    201,
    s.EntrySchema,
    headers={
        "Idempotent-Replayed": {
            "description": "true, wenn die Antwort eine Wiederholung ist",
            "schema": {"type": "string"},
        }
    },
)
@entries_bp.doc(
    parameters=[
        {
            "in": "header",
            "name": "Idempotency-Key",
            "required": False,
            "schema": {"type": "string", "maxLength": 200},
            "description": "Dieselbe Anfrage mit demselben Schlüssel bucht nichts ein zweites Mal und "
            "bekommt die erste Antwort, auch eine Ablehnung; anderer Inhalt unter demselben Schlüssel "
            "wird abgelehnt.",
        }
    ]
)
@problems(entries_bp, 400, 403, 404, 409, 422, 503)
@authenticated
def create_payment(args):
    """Bezahlen: das handelnde Mitglied bezahlt den Leistungsgeber."""
    who = user()
    payer = acting_member(db.session, who)
    payee = member_by_number(db.session, who.ring_id, args["payee"])
    if payee is None:
        not_found(_("Mitglied %(n)s", n=args["payee"]))
    key = request.headers.get("Idempotency-Key")
    if key is not None and not (1 <= len(key) <= 200 and key.isprintable()):
        raise ApiDenied(problem(400, "invalid_idempotency_key", _("Der Idempotency-Key ist ungültig.")))
    service_date = args.get("service_date") or today()

    def work(session):
        return pay(
            session,
            payer=session.get(Member, payer.id),
            payee=session.get(Member, payee.id),
            minutes=args["minutes"],
            memo=args["memo"],
            service_date=service_date,
            now=now(),
            operator=session.get(User, who.id),
            channel="api",
            idempotency_key=_ledger_key(who, key) if key else None,
        )

    booked = transaction(work)
    found = ledger.entry(db.session, ring_id=who.ring_id, entry_id=booked.id)
    return entry_json(found), 201, {"Idempotent-Replayed": "true" if booked.replayed else "false"}


# --- payment requests ---------------------------------------------------------------------------

requests_bp = blueprint("payment_requests", "/api/v1/payment-requests", "Zahlungsanforderungen")


def request_json(found: PaymentRequest) -> dict:
    return {
        "id": found.id,
        "payer": found.payer.number,
        "payee": found.payee.number,
        "minutes": found.minutes,
        "memo": found.memo,
        "service_date": found.service_date,
        "status": found.status,
        "created_at": found.created_at,
        "answered_at": found.answered_at,
        "entry_id": found.entry_id,
        "note": found.note,
    }


@requests_bp.route("")
@requests_bp.arguments(s.PaymentRequestQuerySchema, location="query", unknown=ma.RAISE)
@requests_bp.response(200, s.PaymentRequestSchema(many=True))
@problems(requests_bp, 400, 403, 422)
@authenticated
def payment_requests(args):
    """Die Zahlungsanforderungen an das und von dem handelnden Mitglied."""
    member = acting_member(db.session, user())
    query = select(PaymentRequest).where(
        or_(PaymentRequest.payer_id == member.id, PaymentRequest.payee_id == member.id)
    )
    if args.get("status"):
        query = query.where(PaymentRequest.status == args["status"])
    return [request_json(r) for r in db.session.scalars(query.order_by(PaymentRequest.id.desc()).limit(500))]


@requests_bp.route("", methods=["POST"])
@requests_bp.arguments(s.PaymentRequestLoadSchema)
@requests_bp.response(201, s.PaymentRequestSchema)
@problems(requests_bp, 400, 403, 404, 409, 422)
@authenticated
def create_payment_request(args):
    """Bezahlung anfordern: das handelnde Mitglied (Leistungsgeber) bittet den Leistungsnehmer."""
    who = user()
    payee = acting_member(db.session, who)
    payer = member_by_number(db.session, who.ring_id, args["payer"])
    if payer is None:
        not_found(_("Mitglied %(n)s", n=args["payer"]))

    def work(session):
        return request_payment(
            session,
            payee=session.get(Member, payee.id),
            payer=session.get(Member, payer.id),
            minutes=args["minutes"],
            memo=args["memo"],
            service_date=args.get("service_date") or today(),
            now=now(),
            operator=session.get(User, who.id),
        ).id

    return request_json(db.session.get(PaymentRequest, transaction(work))), 201


def _own_request(request_id: int, *, as_payer: bool) -> tuple[User, PaymentRequest]:
    who = user()
    member = acting_member(db.session, who)
    found = db.session.get(PaymentRequest, request_id) if request_id <= s.MAX_ID else None
    if found is None or (found.payer_id if as_payer else found.payee_id) != member.id:
        not_found(_("Zahlungsanforderung %(n)s", n=request_id))
    return who, found


@requests_bp.route("/<int:request_id>/accept", methods=["POST"])
@requests_bp.response(200, s.PaymentRequestSchema)
@problems(requests_bp, 400, 403, 404, 409, 503)
@authenticated
def accept(request_id: int):
    """Annehmen: die Zahlung wird gebucht (nur der Leistungsnehmer)."""
    who, found = _own_request(request_id, as_payer=True)
    transaction(
        lambda session: accept_request(
            session,
            session.get(PaymentRequest, found.id),
            now=now(),
            operator=session.get(User, who.id),
            channel="api",
        )
    )
    return request_json(db.session.get(PaymentRequest, found.id))


@requests_bp.route("/<int:request_id>/decline", methods=["POST"])
@requests_bp.arguments(s.DeclineSchema, required=False)
@requests_bp.response(200, s.PaymentRequestSchema)
@problems(requests_bp, 400, 403, 404, 409, 422)
@authenticated
def decline(args, request_id: int):
    """Ablehnen (nur der Leistungsnehmer); nichts wird gebucht."""
    who, found = _own_request(request_id, as_payer=True)
    transaction(
        lambda session: decline_request(
            session,
            session.get(PaymentRequest, found.id),
            now=now(),
            operator=session.get(User, who.id),
            note=args.get("note") or "",
        )
    )
    return request_json(db.session.get(PaymentRequest, found.id))


@requests_bp.route("/<int:request_id>/cancel", methods=["POST"])
@requests_bp.response(200, s.PaymentRequestSchema)
@problems(requests_bp, 400, 403, 404, 409)
@authenticated
def cancel(request_id: int):
    """Zurückziehen (nur der Leistungsgeber, solange unbeantwortet)."""
    who, found = _own_request(request_id, as_payer=False)
    transaction(
        lambda session: cancel_request(
            session, session.get(PaymentRequest, found.id), now=now(), operator=session.get(User, who.id)
        )
    )
    return request_json(db.session.get(PaymentRequest, found.id))


# --- listings -----------------------------------------------------------------------------------

listings_bp = blueprint("listings", "/api/v1/listings", "Inserate: Angebote und Gesuche")


def listing_json(listing: Listing, member: Member) -> dict:
    card = contact_card(listing.member, "online")
    phone = settings_of(db.session, listing.ring_id).office_phone
    return {
        "number": listing.public_number,
        "kind": listing.kind,
        "category": listing.category.name,
        "category_id": listing.category_id,
        "title": listing.title,
        "text": listing.text,
        "district": listing.district,
        "availability": listing.availability,
        "price_hint": listing.price_hint,
        "print_in_paper": listing.print_in_paper,
        "created_at": listing.created_at,
        "edited_at": listing.edited_at,
        "expires_on": listing.expires_on,
        "withdrawn_at": listing.withdrawn_at,
        "own": listing.member_id == member.id,
        "contact": {
            "name": card.name,
            "member_number": card.number,
            "phone": card.phone,
            "email": card.email,
            "address": card.address,
            "via_office": (
                _("Kontakt über das Büro, Tel. %(p)s", p=phone) if phone else _("Kontakt über das Büro")
            )
            if card.empty
            else None,
        },
    }


@listings_bp.route("/categories")
@listings_bp.response(200, s.CategorySchema(many=True))
@problems(listings_bp, 400, 403)
@authenticated
def categories():
    """Die Rubriken des Tauschrings in ihrer Reihenfolge."""
    acting_member(db.session, user())
    return [
        {"id": c.id, "name": c.name, "position": c.position}
        for c in categories_of(db.session, user().ring_id)
    ]


@listings_bp.route("")
@listings_bp.arguments(s.ListingQuerySchema, location="query", unknown=ma.RAISE)
@listings_bp.response(200, s.ListingSchema(many=True))
@problems(listings_bp, 400, 403, 422)
@authenticated
def listings(args):
    """Laufende Inserate suchen (alle Wörter müssen vorkommen); mine=true: die eigenen, auch abgelaufene."""
    member = acting_member(db.session, user())
    if args["mine"]:
        found = db.session.scalars(
            select(Listing).where(Listing.member_id == member.id).order_by(Listing.created_at.desc())
        ).all()
    else:
        found = search(
            db.session,
            ring_id=member.ring_id,
            today=today(),
            text=args["q"],
            kind=args.get("kind"),
            category_id=args.get("category"),
            new_only=args["new"],
        )
    return [listing_json(listing, member) for listing in found]


def _listing(number: str, member: Member, *, own: bool) -> Listing:
    found = listing_by_public_number(db.session, member.ring_id, number)
    if (
        found is None
        or (own and found.member_id != member.id)
        or (not own and found.member_id != member.id and not is_live(found, today()))
    ):
        not_found(_("Inserat %(n)s", n=number[:20]))
    return found


@listings_bp.route("/<listing_number:number>")
@listings_bp.response(200, s.ListingSchema)
@problems(listings_bp, 400, 403, 404)
@authenticated
def listing(number: str):
    """Ein Inserat, mit den Kontaktdaten, die sein Mitglied online zeigen möchte."""
    member = acting_member(db.session, user())
    return listing_json(_listing(number, member, own=False), member)


@listings_bp.route("", methods=["POST"])
@listings_bp.arguments(s.ListingLoadSchema)
@listings_bp.response(201, s.ListingSchema)
@problems(listings_bp, 400, 403, 409, 422)
@authenticated
def create(args):
    """Ein eigenes Inserat aufgeben."""
    member = acting_member(db.session, user())
    if member.status != "active":
        raise ApiDenied(problem(409, "not_possible", _("Nur aktive Mitglieder können inserieren.")))

    def work(session):
        return create_listing(
            session,
            member=session.get(Member, member.id),
            kind=args["kind"],
            category_id=args["category_id"],
            title=args["title"],
            text=args["text"],
            now=now(),
            district=args.get("district"),
            availability=args.get("availability"),
            price_hint=args.get("price_hint"),
            print_in_paper=args["print_in_paper"],
        ).id

    return listing_json(db.session.get(Listing, transaction(work)), member), 201


@listings_bp.route("/<listing_number:number>", methods=["PATCH"])
@listings_bp.arguments(s.ListingPatchSchema)
@listings_bp.response(200, s.ListingSchema)
@problems(listings_bp, 400, 403, 404, 422)
@authenticated
def edit(args, number: str):
    """Ein eigenes Inserat ändern."""
    member = acting_member(db.session, user())
    found = _listing(number, member, own=True)
    if found.withdrawn_at is not None:
        raise ApiDenied(
            problem(409, "withdrawn", _("Ein zurückgezogenes Inserat kann nicht geändert werden."))
        )
    changes = {name: args[name] for name in EDITABLE if name in args}
    transaction(lambda session: edit_listing(session, session.get(Listing, found.id), now=now(), **changes))
    return listing_json(db.session.get(Listing, found.id), member)


@listings_bp.route("/<listing_number:number>/renew", methods=["POST"])
@listings_bp.response(200, s.ListingSchema)
@problems(listings_bp, 400, 403, 404, 422)
@authenticated
def renew(number: str):
    """Ein eigenes Inserat verlängern."""
    member = acting_member(db.session, user())
    found = _listing(number, member, own=True)
    transaction(lambda session: renew_listing(session, session.get(Listing, found.id), now=now()))
    return listing_json(db.session.get(Listing, found.id), member)


@listings_bp.route("/<listing_number:number>/withdraw", methods=["POST"])
@listings_bp.response(200, s.ListingSchema)
@problems(listings_bp, 400, 403, 404)
@authenticated
def withdraw(number: str):
    """Ein eigenes Inserat zurückziehen."""
    member = acting_member(db.session, user())
    found = _listing(number, member, own=True)
    transaction(lambda session: withdraw_listing(session, session.get(Listing, found.id), now=now()))
    return listing_json(db.session.get(Listing, found.id), member)


# --- voucher batches (office) -------------------------------------------------------------------

batches_bp = blueprint("voucher_batches", "/api/v1/voucher-batches", "Belegstapel (Büro)")


def batch_json(batch: VoucherBatch) -> dict:
    checked = check_batch(db.session, batch, today=today())
    return {
        "id": batch.id,
        "title": batch.title,
        "status": batch.status,
        "source": batch.source,
        "created_at": batch.created_at,
        "count": checked.count,
        "minutes": checked.minutes,
        "ready": checked.ready_count,
        "problems": checked.problem_count,
        "lines": [
            {
                "id": c.line.id,
                "position": c.line.position,
                **{name: getattr(c.line, name) for name in LINE_FIELDS},
                "minutes": c.minutes,
                "status": c.status,
                "errors": c.errors,
                "warnings": c.warnings,
                "entry_id": c.line.entry_id,
            }
            for c in checked.lines
        ],
    }


def _batch(batch_id: int) -> VoucherBatch:
    who = office_user()
    found = db.session.get(VoucherBatch, batch_id) if batch_id <= s.MAX_ID else None
    if found is None or found.ring_id != who.ring_id:
        not_found(_("Belegstapel %(n)s", n=batch_id))
    return found


def _batch_event(session, action: str, batch_id: int, summary: str, after=None) -> None:
    audit.record(
        session,
        ring_id=user().ring_id,
        user_id=user().id,
        now=now(),
        action=action,
        object_type="voucher_batch",
        object_id=batch_id,
        summary=summary,
        after=after,
    )


@batches_bp.route("")
@batches_bp.response(200, s.BatchSummarySchema(many=True))
@problems(batches_bp, 403)
@authenticated
def batches():
    """Alle Belegstapel, neueste zuerst."""
    who = office_user()
    rows = db.session.scalars(
        select(VoucherBatch)
        .where(VoucherBatch.ring_id == who.ring_id)
        .order_by(VoucherBatch.id.desc())
        .limit(500)
    )
    return [
        {
            "id": b.id,
            "title": b.title,
            "status": b.status,
            "source": b.source,
            "created_at": b.created_at,
            "lines": len(b.lines),
        }
        for b in rows
    ]


@batches_bp.route("", methods=["POST"])
@batches_bp.arguments(s.BatchLoadSchema, required=False)
@batches_bp.response(201, s.BatchSchema)
@problems(batches_bp, 400, 403, 422)
@authenticated
def create_batch(args):
    """Einen neuen, offenen Belegstapel anlegen."""
    who = office_user()

    def work(session):
        batch = open_batch(
            session,
            ring_id=who.ring_id,
            user=session.get(User, who.id),
            now=now(),
            title=args.get("title") or "",
        )
        _batch_event(session, "batch.open", batch.id, _("Belegstapel %(n)s angelegt", n=batch.id))
        return batch.id

    return batch_json(db.session.get(VoucherBatch, transaction(work))), 201


@batches_bp.route("/<int:batch_id>")
@batches_bp.response(200, s.BatchSchema)
@problems(batches_bp, 403, 404)
@authenticated
def batch(batch_id: int):
    """Ein Belegstapel mit allen Zeilen, ihrer Prüfung und den Kontrollsummen."""
    return batch_json(_batch(batch_id))


@batches_bp.route("/<int:batch_id>/lines", methods=["POST"])
@batches_bp.arguments(s.BatchLineLoadSchema)
@batches_bp.response(201, s.BatchSchema)
@problems(batches_bp, 400, 403, 404, 409, 422)
@authenticated
def add_batch_line(args, batch_id: int):
    """Eine Zeile anfügen, wie getippt; geprüft wird sie mit dem ganzen Stapel."""
    found = _batch(batch_id)
    fields = {name: args[name] for name in LINE_FIELDS}

    def work(session):
        target = session.get(VoucherBatch, found.id)
        line = add_line(
            session,
            target,
            user=session.get(User, user().id),
            now=now(),
            old_confirmed=args["old_confirmed"],
            **fields,
        )
        if target.status == "approved":
            target.status = "open"
        _batch_event(
            session,
            "batch.line.add",
            found.id,
            _("Zeile %(n)s: Beleg %(v)s", n=line.position, v=line.voucher_number),
            after=fields,
        )

    transaction(work)
    db.session.expire_all()
    return batch_json(db.session.get(VoucherBatch, found.id)), 201


@batches_bp.route("/<int:batch_id>/post", methods=["POST"])
@batches_bp.arguments(s.BatchPostSchema, required=False)
@batches_bp.response(200, s.BatchPostedSchema)
@problems(batches_bp, 400, 403, 404, 409, 422, 503)
@authenticated
def post_voucher_batch(args, batch_id: int):
    """Den Stapel buchen: alle Zeilen in einer Transaktion oder keine (clean_only: nur die fehlerfreien)."""
    found = _batch(batch_id)

    def work(session):
        entries = post_batch(
            session,
            session.get(VoucherBatch, found.id),
            user=session.get(User, user().id),
            now=now(),
            today=today(),
            clean_only=args["clean_only"],
        )
        _batch_event(
            session,
            "batch.post",
            found.id,
            _("Belegstapel %(n)s gebucht: %(count)s Belege", n=found.id, count=len(entries)),
            after={"entries": [e.id for e in entries], "clean_only": args["clean_only"]},
        )
        return [e.id for e in entries]

    entry_ids = transaction(work)
    db.session.expire_all()
    return {"batch": batch_json(db.session.get(VoucherBatch, found.id)), "entries": entry_ids}


# --- editions (office) --------------------------------------------------------------------------

editions_bp = blueprint("editions", "/api/v1/editions", "Marktzeitung (Büro)")


def edition_json(edition: Edition) -> dict:
    names = set(db.session.scalars(select(EditionFile.name).where(EditionFile.edition_id == edition.id)))
    return {
        "id": edition.id,
        "number": edition.number,
        "year": edition.year,
        "month": edition.month,
        "cutoff": edition.cutoff,
        "next_cutoff": edition.next_cutoff,
        "status": edition.status,
        "print_run": edition.print_run,
        "large_print_run": edition.large_print_run,
        "files": [name for name in EDITION_FILES if name in names],
    }


@editions_bp.route("")
@editions_bp.response(200, s.EditionSchema(many=True))
@problems(editions_bp, 403)
@authenticated
def editions():
    """Alle Ausgaben der Marktzeitung, neueste zuerst (das Archiv)."""
    who = office_user()
    rows = db.session.scalars(
        select(Edition).where(Edition.ring_id == who.ring_id).order_by(Edition.number.desc())
    )
    return [edition_json(e) for e in rows]


@editions_bp.route("/<int:edition_id>/files/<name>")
@editions_bp.response(
    200, {"type": "string", "format": "binary"}, content_type="application/pdf", description="Die PDF-Datei"
)
@problems(editions_bp, 403, 404)
@authenticated
def edition_file(edition_id: int, name: str):
    """Eine PDF-Datei einer erzeugten Ausgabe herunterladen."""
    who = office_user()
    edition = db.session.get(Edition, edition_id) if edition_id <= s.MAX_ID else None
    file = None
    if edition is not None and edition.ring_id == who.ring_id and name in EDITION_FILES:
        file = db.session.scalar(
            select(EditionFile).where(EditionFile.edition_id == edition.id, EditionFile.name == name)
        )
    if file is None:
        not_found(_("Datei %(n)s", n=name[:40]))
    return Response(
        file.content,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{edition.year:04d}-{edition.month:02d}-{name}"'
        },
    )
