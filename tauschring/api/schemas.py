"""marshmallow schemas of the API: separate schemas to load, to dump and for query arguments.

Integers are strict (no floats, no strings) and bounded; amounts are integer minutes. The dump
schemas serialise the domain's own objects (members, listings as the reader sees them, named
statements and entries, checked batches), reading each field from its attribute.
"""

from __future__ import annotations

import re

import marshmallow as ma
from flask_babel import gettext as _
from marshmallow import fields, validate
from sqlalchemy import select
from sqlalchemy.orm import object_session

from ledger import MAX_POSTING_MINUTES

from .. import inputs
from ..models import EDITION_FILES, EditionFile
from ..names import display_name

MAX_ID = 2**31 - 1
MemberNumber = lambda **kw: fields.Integer(strict=True, validate=validate.Range(1, MAX_ID), **kw)  # noqa: E731
Minutes = lambda **kw: fields.Integer(  # noqa: E731
    strict=True,
    validate=validate.Range(1, MAX_POSTING_MINUTES),
    metadata={"description": "Minuten (ganze Zahl)"},
    **kw,
)
# Query strings are text: their integers are parsed from digits ("1.5" and "abc" are refused).
QueryInt = lambda low, high, **kw: fields.Integer(strict=False, validate=validate.Range(low, high), **kw)  # noqa: E731

# Text follows the one rule of ``inputs`` (no control characters but line breaks in long texts,
# no direction overrides); a required text has at least one character that is not a space. The
# pattern is the validation and its documentation.
PRINTABLE_ASCII = r"^[\u0020-\u007e]*$"


class TextRule(validate.Validator):
    """The whole value matches the documented pattern, and has no lone surrogate (which JSON can
    carry but no database can store)."""

    error = "Unzulässige Zeichen oder leer."

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self.regex = re.compile(pattern)

    def __call__(self, value: str) -> str:
        if self.regex.fullmatch(value) is None or any("\ud800" <= ch <= "\udfff" for ch in value):
            raise ma.ValidationError(self.error)
        return value


def Text(
    maximum: int,
    *,
    minimum: int = 1,
    multiline: bool = False,
    pattern: str | None = None,
    metadata: dict | None = None,
    **kw,
) -> fields.String:
    pattern = pattern or inputs.pattern(multiline=multiline, blank=minimum == 0)
    return fields.String(
        validate=[validate.Length(minimum, maximum), TextRule(pattern)],
        metadata={"pattern": pattern, **(metadata or {})},
        **kw,
    )


def OptionalText(maximum: int, **kw) -> fields.String:
    return Text(maximum, minimum=0, allow_none=True, **kw)


class StrictBoolean(fields.Boolean):
    """true or false in a JSON body, nothing else (marshmallow would take 0, 1, "yes", "on")."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


class StrictSchema(ma.Schema):
    """Unknown fields are an error, not silently dropped."""

    class Meta:
        unknown = ma.RAISE


class ProblemSchema(ma.Schema):
    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    code = fields.String(required=True, metadata={"description": "stabiler, maschinenlesbarer Fehlercode"})
    errors = fields.Dict(metadata={"description": "Fehler einzelner Felder"})
    params = fields.Dict(metadata={"description": "Zahlen und Namen zum Fehler"})


# --- members and balances ---------------------------------------------------------------------


class MeSchema(ma.Schema):
    """Dumps ``resources.me.Me``: the login, its ring and the member it acts for."""

    username = fields.String(required=True, attribute="user.username")
    role = fields.String(required=True, attribute="user.role")
    ring = fields.String(required=True, attribute="ring.name")
    member_number = fields.Function(
        lambda me: me.user.member.number if me.user.member is not None else None,
        allow_none=True,
        required=True,
        metadata={"type": "integer"},
    )
    acting_for = fields.Function(
        lambda me: me.acting.number if me.acting is not None else None,
        allow_none=True,
        required=True,
        metadata={"type": "integer"},
    )


class MemberQuerySchema(StrictSchema):
    q = Text(100, minimum=0, load_default="")
    status = fields.String(validate=validate.OneOf(["active", "suspended", "left"]))


class MemberSchema(ma.Schema):
    """Dumps a Member (for the office: full names and contact data)."""

    number = fields.Integer(required=True)
    name = fields.Function(lambda m: display_name(m, full=True), required=True, metadata={"type": "string"})
    first_name = fields.String(required=True)
    last_name = fields.String(required=True)
    status = fields.String(required=True)
    paper_member = fields.Boolean(required=True)
    large_print = fields.Boolean(required=True)
    district = fields.String(allow_none=True, required=True)
    phone = fields.String(allow_none=True, required=True)
    email = fields.String(allow_none=True, required=True)
    joined_on = fields.Date(required=True)
    balance_minutes = fields.Integer(required=True, attribute="account.balance")


class BalanceSchema(ma.Schema):
    """Dumps ``resources.accounts.NumberedBalance``: an account's balance and its member's number."""

    member_number = fields.Integer(allow_none=True, required=True)
    label = fields.String(required=True, attribute="account.label")
    balance_minutes = fields.Integer(required=True, attribute="account.balance")
    min_balance_minutes = fields.Integer(allow_none=True, required=True, attribute="account.min_balance")
    max_balance_minutes = fields.Integer(allow_none=True, required=True, attribute="account.max_balance")
    can_pay_minutes = fields.Integer(allow_none=True, required=True, attribute="account.can_pay")
    can_receive_minutes = fields.Integer(allow_none=True, required=True, attribute="account.can_receive")
    closed = fields.Boolean(required=True, attribute="account.closed")


# --- entries ------------------------------------------------------------------------------------


class PartnerSchema(ma.Schema):
    """Dumps a ``statements.NamedPartner``."""

    member_number = fields.Integer(allow_none=True, required=True)
    name = fields.String(required=True)
    amount_minutes = fields.Integer(required=True, attribute="amount")


class StatementLineSchema(ma.Schema):
    """Dumps a ``statements.NamedLine``."""

    entry_id = fields.Integer(required=True)
    kind = fields.String(required=True)
    memo = fields.String(required=True)
    booked_at = fields.AwareDateTime(required=True)
    service_date = fields.Date(required=True)
    amount_minutes = fields.Integer(required=True, attribute="amount")
    balance_after_minutes = fields.Integer(required=True, attribute="balance_after")
    partners = fields.List(fields.Nested(PartnerSchema), required=True)
    voucher_number = fields.String(allow_none=True, required=True)
    reverses_id = fields.Integer(allow_none=True, required=True)
    reversed_by_id = fields.Integer(allow_none=True, required=True)


class EntryPageSchema(ma.Schema):
    """Dumps ``resources.entries.Page``: one page of a named statement."""

    member_number = fields.Integer(required=True, attribute="member.number")
    opening_balance_minutes = fields.Integer(required=True, attribute="statement.opening_balance")
    closing_balance_minutes = fields.Integer(required=True, attribute="statement.closing_balance")
    items = fields.List(fields.Nested(StatementLineSchema), required=True, attribute="statement.lines")
    next_cursor = fields.String(allow_none=True, required=True)


class EntryQuerySchema(StrictSchema):
    start = fields.Date(data_key="from", metadata={"description": "erster Buchungstag (einschließlich)"})
    end = fields.Date(data_key="to", metadata={"description": "letzter Buchungstag (einschließlich)"})
    cursor = fields.String(
        validate=validate.Regexp(r"^[0-9]{1,16}-[0-9]{1,18}\Z"),
        metadata={
            "description": "next_cursor der vorigen Seite",
            "pattern": "^[0-9]{1,16}-[0-9]{1,18}$",
        },
    )
    limit = QueryInt(1, 200, load_default=50)
    member = QueryInt(1, MAX_ID, metadata={"description": "nur Büro: Kontoauszug dieses Mitglieds"})


class PostingSchema(ma.Schema):
    """Dumps a ``statements.NamedPosting``."""

    member_number = fields.Integer(allow_none=True, required=True)
    account = fields.String(required=True, attribute="name")
    amount_minutes = fields.Integer(required=True, attribute="amount")
    balance_after_minutes = fields.Integer(required=True, attribute="balance_after")


class EntrySchema(ma.Schema):
    """Dumps a ``statements.NamedEntry``."""

    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    memo = fields.String(required=True)
    service_date = fields.Date(required=True)
    booked_at = fields.AwareDateTime(required=True)
    channel = fields.String(required=True)
    voucher_number = fields.String(allow_none=True, required=True)
    reverses_id = fields.Integer(allow_none=True, required=True)
    reversed_by_id = fields.Integer(allow_none=True, required=True)
    postings = fields.List(fields.Nested(PostingSchema), required=True)


class PaymentSchema(StrictSchema):
    payee = MemberNumber(required=True, metadata={"description": "Mitgliedsnummer des Leistungsgebers"})
    minutes = Minutes(required=True)
    memo = Text(200, required=True)
    service_date = fields.Date(metadata={"description": "Leistungsdatum; ohne Angabe heute"})


# --- payment requests ---------------------------------------------------------------------------


class PaymentRequestLoadSchema(StrictSchema):
    payer = MemberNumber(required=True, metadata={"description": "Mitgliedsnummer des Leistungsnehmers"})
    minutes = Minutes(required=True)
    memo = Text(200, required=True)
    service_date = fields.Date()


class PaymentRequestSchema(ma.Schema):
    """Dumps a PaymentRequest, its members by number."""

    id = fields.Integer(required=True)
    payer = fields.Integer(required=True, attribute="payer.number")
    payee = fields.Integer(required=True, attribute="payee.number")
    minutes = fields.Integer(required=True)
    memo = fields.String(required=True)
    service_date = fields.Date(required=True)
    status = fields.String(required=True)
    created_at = fields.AwareDateTime(required=True)
    answered_at = fields.AwareDateTime(allow_none=True, required=True)
    entry_id = fields.Integer(allow_none=True, required=True)
    note = fields.String(allow_none=True, required=True)


class PaymentRequestQuerySchema(StrictSchema):
    status = fields.String(
        validate=validate.OneOf(["open", "accepted", "declined", "auto_accepted", "cancelled", "failed"])
    )


class DeclineSchema(StrictSchema):
    note = OptionalText(300, multiline=True)


# --- listings -----------------------------------------------------------------------------------


class ContactSchema(ma.Schema):
    """Dumps a ``members.ContactCard``: only what the member allows online."""

    name = fields.String(required=True)
    member_number = fields.Integer(required=True, attribute="number")
    phone = fields.String(allow_none=True, required=True)
    email = fields.String(allow_none=True, required=True)
    address = fields.String(allow_none=True, required=True)
    via_office = fields.Method("office_way", allow_none=True, required=True, metadata={"type": "string"})

    def office_way(self, card) -> str | None:
        if not card.empty:
            return None
        if card.office_phone:
            return _("Kontakt über das Büro, Tel. %(p)s", p=card.office_phone)
        return _("Kontakt über das Büro")


class ListingSchema(ma.Schema):
    """Dumps a ``listings.ListingCard``: the listing as the reader sees it in the market."""

    number = fields.String(
        required=True, attribute="public_number", metadata={"description": "z. B. A-0137 oder G-0042"}
    )
    kind = fields.String(required=True)
    category = fields.String(required=True, attribute="category.name")
    category_id = fields.Integer(required=True)
    title = fields.String(required=True)
    text = fields.String(required=True)
    district = fields.String(allow_none=True, required=True)
    availability = fields.String(allow_none=True, required=True)
    price_hint = fields.String(allow_none=True, required=True)
    print_in_paper = fields.Boolean(required=True)
    created_at = fields.AwareDateTime(required=True)
    edited_at = fields.AwareDateTime(allow_none=True, required=True)
    expires_on = fields.Date(required=True)
    withdrawn_at = fields.AwareDateTime(allow_none=True, required=True)
    own = fields.Boolean(required=True)
    contact = fields.Nested(ContactSchema, required=True)


class ListingQuerySchema(StrictSchema):
    q = Text(200, minimum=0, load_default="")
    kind = fields.String(validate=validate.OneOf(["offer", "request"]))
    category = QueryInt(1, MAX_ID)
    new = fields.Boolean(load_default=False)
    mine = fields.Boolean(load_default=False)


class ListingLoadSchema(StrictSchema):
    kind = fields.String(required=True, validate=validate.OneOf(["offer", "request"]))
    category_id = fields.Integer(strict=True, required=True, validate=validate.Range(1, MAX_ID))
    title = Text(120, required=True)
    text = Text(2000, multiline=True, required=True)
    district = OptionalText(100)
    availability = OptionalText(200)
    price_hint = OptionalText(200)
    print_in_paper = StrictBoolean(load_default=True)


class ListingPatchSchema(StrictSchema):
    category_id = fields.Integer(strict=True, validate=validate.Range(1, MAX_ID))
    title = Text(120)
    text = Text(2000, multiline=True)
    district = OptionalText(100)
    availability = OptionalText(200)
    price_hint = OptionalText(200)
    print_in_paper = StrictBoolean()


class CategorySchema(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    position = fields.Integer(required=True)


# --- voucher batches ----------------------------------------------------------------------------


class BatchLineSchema(ma.Schema):
    """Dumps a ``vouchers.LineCheck``: the line as typed and what the checks found."""

    id = fields.Integer(required=True, attribute="line.id")
    position = fields.Integer(required=True, attribute="line.position")
    voucher_number = fields.String(required=True, attribute="line.voucher_number")
    service_date = fields.String(required=True, attribute="line.service_date")
    payer_number = fields.String(required=True, attribute="line.payer_number")
    payee_number = fields.String(required=True, attribute="line.payee_number")
    amount = fields.String(required=True, attribute="line.amount")
    memo = fields.String(required=True, attribute="line.memo")
    minutes = fields.Integer(allow_none=True, required=True)
    status = fields.String(
        required=True, metadata={"description": "ready, error, duplicate, confirm, posted"}
    )
    errors = fields.List(fields.String(), required=True)
    warnings = fields.List(fields.String(), required=True)
    entry_id = fields.Integer(allow_none=True, required=True, attribute="line.entry_id")


class BatchSchema(ma.Schema):
    """Dumps a ``vouchers.BatchCheck``: the batch, its lines checked, the control totals."""

    id = fields.Integer(required=True, attribute="batch.id")
    title = fields.String(required=True, attribute="batch.title")
    status = fields.String(required=True, attribute="batch.status")
    source = fields.String(required=True, attribute="batch.source")
    created_at = fields.AwareDateTime(required=True, attribute="batch.created_at")
    count = fields.Integer(required=True, metadata={"description": "Kontrollsumme: Anzahl Belege"})
    minutes = fields.Integer(required=True, metadata={"description": "Kontrollsumme: Minuten aller Belege"})
    ready = fields.Integer(required=True, attribute="ready_count")
    problems = fields.Integer(required=True, attribute="problem_count")
    lines = fields.List(fields.Nested(BatchLineSchema), required=True)


class BatchSummarySchema(ma.Schema):
    """Dumps a VoucherBatch, its lines counted."""

    id = fields.Integer(required=True)
    title = fields.String(required=True)
    status = fields.String(required=True)
    source = fields.String(required=True)
    created_at = fields.AwareDateTime(required=True)
    lines = fields.Function(lambda batch: len(batch.lines), required=True, metadata={"type": "integer"})


class BatchLoadSchema(StrictSchema):
    title = OptionalText(200)


class BatchLineLoadSchema(StrictSchema):
    voucher_number = Text(40, minimum=0, pattern=PRINTABLE_ASCII, required=True)
    service_date = Text(20, minimum=0, pattern=PRINTABLE_ASCII, required=True)
    payer_number = Text(20, minimum=0, pattern=PRINTABLE_ASCII, required=True)
    payee_number = Text(20, minimum=0, pattern=PRINTABLE_ASCII, required=True)
    amount = Text(20, minimum=0, pattern=PRINTABLE_ASCII, required=True)
    memo = Text(500, minimum=0, required=True)
    old_confirmed = StrictBoolean(load_default=False)


class BatchPostSchema(StrictSchema):
    clean_only = StrictBoolean(load_default=False)


class BatchPostedSchema(ma.Schema):
    batch = fields.Nested(BatchSchema, required=True)
    entries = fields.List(fields.Integer(), required=True)


# --- editions -----------------------------------------------------------------------------------


class EditionSchema(ma.Schema):
    """Dumps an Edition, with the names of its generated files."""

    id = fields.Integer(required=True)
    number = fields.Integer(required=True)
    year = fields.Integer(required=True)
    month = fields.Integer(required=True)
    cutoff = fields.Date(required=True)
    next_cutoff = fields.Date(required=True)
    status = fields.String(required=True)
    print_run = fields.Integer(allow_none=True, required=True)
    large_print_run = fields.Integer(allow_none=True, required=True)
    files = fields.Method(
        "file_names", required=True, metadata={"type": "array", "items": {"type": "string"}}
    )

    def file_names(self, edition) -> list[str]:
        names = set(
            object_session(edition).scalars(
                select(EditionFile.name).where(EditionFile.edition_id == edition.id)
            )
        )
        return [name for name in EDITION_FILES if name in names]
