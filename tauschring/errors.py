"""Refusals of the use cases, named after the rule that was broken (the ledger's own are in
``ledger/errors.py``).

A use case that refuses has written nothing; a refusal may carry ``remember``, what it leaves
behind although its unit of work is rolled back (a failed sign-in is counted), which
``db.run_in_transaction`` writes and commits on its own. Each refusal carries a stable machine-readable
``code``, the HTTP ``status`` the API answers with, and its facts as keyword parameters: only
what the person who asked may see (member numbers and names as that person may see them, never
internal keys). The English ``message`` is for logs and developers; ``texts.explain`` words
every code once for people, in German and English, and the API sends the same words as the
``detail`` of its problem answer.
"""

from __future__ import annotations

from typing import Any, ClassVar

import ledger


class Refusal(Exception):
    """A use case refused: a rule of the ring or a permission. Nothing was written."""

    code: ClassVar[str] = "refused"
    status: ClassVar[int] = 409
    template: ClassVar[str] = "The request was refused."
    registry: ClassVar[dict[str, type[Refusal]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.code in Refusal.registry:
            raise TypeError(f"two refusals with the code {cls.code!r}")
        Refusal.registry[cls.code] = cls

    def __init__(self, **params: Any) -> None:
        self.params = params
        self.remember = None
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return self.template.format(**self.params)


# --- permissions (403): who may do what ---------------------------------------------------------


class Forbidden(Refusal):
    """The family of permission refusals."""

    code = "forbidden"
    status = 403
    template = "Not allowed."


class OfficeOnly(Forbidden):
    code = "office_only"
    template = "Only the office may do this."


class AdminOnly(Forbidden):
    code = "admin_only"
    template = "Only an admin may do this."


class MayNotActFor(Forbidden):
    code = "may_not_act_for"
    template = "This login may not act for member {number}."


class LoginProtected(Forbidden):
    """Office and admin logins are changed by an admin only (else an office login could take
    over an admin's, or a second office login to approve its own batch)."""

    code = "login_protected"
    template = "Only an admin may change an office or admin login."


class RoleNotAllowed(Forbidden):
    code = "role_not_allowed"
    template = "This login may not give the role {role}."


class NoMember(Forbidden):
    code = "no_member"
    template = "This login belongs to no member; name the member to act for."


# --- things that do not exist (404), as far as the asker may know -------------------------------


class Unknown(Refusal):
    code = "not_found"
    status = 404
    template = "Not found."


class MemberUnknown(Unknown):
    code = "member_unknown"
    template = "There is no member {number}."


class RequestUnknown(Unknown):
    code = "request_unknown"
    template = "There is no payment request {request_id}."


class ListingUnknown(Unknown):
    code = "listing_unknown"
    template = "There is no listing {number}."


class SessionUnknown(Unknown):
    code = "session_unknown"
    template = "There is no such session."


class EntryUnknown(Unknown):
    code = "entry_unknown"
    template = "There is no entry {entry_id}."


class BatchUnknown(Unknown):
    code = "batch_unknown"
    template = "There is no voucher batch {batch_id}."


class LineUnknown(Unknown):
    code = "line_unknown"
    template = "There is no line {line_id} in this batch."


class EditionUnknown(Unknown):
    code = "edition_unknown"
    template = "There is no edition {edition_id}."


class EditionItemUnknown(Unknown):
    code = "edition_item_unknown"
    template = "There is no such item in this edition."


class TokenUnknown(Unknown):
    code = "token_unknown"
    template = "There is no API token {token_id}."


class RingUnknown(Unknown):
    code = "ring_unknown"
    template = "There is no ring {reference}."


class ImportUnknown(Unknown):
    code = "import_unknown"
    template = "There is no import {import_id}."


class ClosingUnknown(Unknown):
    code = "closing_unknown"
    template = "There is no closing {closing_id}."


class HelperUnknown(Unknown):
    code = "helper_unknown"
    template = "This login is no helper of member {number}."


# --- input that breaks a rule (422) -------------------------------------------------------------


class Invalid(Refusal):
    code = "invalid_input"
    status = 422
    template = "Invalid input."


class TextInvalid(Invalid):
    """A text with characters the rule for text (``inputs``) does not allow."""

    code = "text_invalid"
    template = "The field {field} holds characters that are not allowed."


class TextTooLong(Invalid):
    code = "text_too_long"
    template = "The field {field} is longer than {maximum} characters."


class SameMember(Invalid):
    code = "same_member"
    template = "Payer and payee are the same member."


class AmountInvalid(Invalid):
    code = "amount_invalid"
    template = "An amount is a whole number of minutes between 1 and {maximum}."


class AmountOffStep(Invalid):
    code = "amount_off_step"
    template = "The ring books in steps of {step} minutes; {minutes} is not one."


class FutureServiceDate(Invalid):
    code = "future_service_date"
    template = "The service date lies in the future."


class MemoMissing(Invalid):
    code = "memo_missing"
    template = "The service is not described."


class PeriodInvalid(Invalid):
    """A period typed by hand: ``reason`` is date (not a date) or order (end before start)."""

    code = "period_invalid"
    template = "Invalid period ({reason}): {value}."


class CategoryUnknown(Invalid):
    code = "category_unknown"
    template = "There is no such Rubrik in this ring."


class CategoryNameInvalid(Invalid):
    code = "category_name_invalid"
    template = "A Rubrik needs a name of at most 60 characters."


class CategoryNameTaken(Invalid):
    code = "category_name_taken"
    template = "There is a Rubrik {name} already."


class CategorySame(Invalid):
    code = "category_same"
    template = "Listings must move to another Rubrik."


class ListingKindUnknown(Invalid):
    code = "listing_kind_unknown"
    template = "A listing is an offer or a request."


class UsernameInvalid(Invalid):
    code = "username_invalid"
    template = "A username has 3 to 80 characters a-z, 0-9, dot, underscore, dash."


class PasswordTooShort(Invalid):
    code = "password_too_short"
    template = "A password needs at least {minimum} characters."


class PasswordTooLong(Invalid):
    code = "password_too_long"
    template = "A password has at most {maximum} characters."


class UsernameTaken(Invalid):
    """A form's input: another login has this name."""

    code = "username_taken"
    template = "The username is taken."


class SignInThrottled(Refusal):
    """Too many failed sign-ins for this name or from this client: wait, or call the office."""

    code = "sign_in_throttled"
    status = 429
    template = "Too many failed sign-ins; try again in {minutes} minutes or call the office ({phone})."


class WrongCredentials(Refusal):
    """Unknown username, wrong password or an ended login: one answer for all, so nobody learns
    which names exist."""

    code = "wrong_credentials"
    status = 401
    template = "Username or password is wrong."


class WrongPassword(Invalid):
    code = "wrong_password"
    template = "The current password is wrong."


class ReasonMissing(Invalid):
    code = "reason_missing"
    template = "A reason is needed."


class HelperInvalid(Invalid):
    code = "helper_invalid"
    template = "A helper is another member with a login of their own."


class ConsentUnknown(Invalid):
    code = "consent_unknown"
    template = "There is no consent {field}/{channel}."


class ConsentSourceUnknown(Invalid):
    code = "consent_source_unknown"
    template = "Consents are recorded from {source}? Unknown source."


class NameMissing(Invalid):
    code = "name_missing"
    template = "First and last name are needed."


class MonthInvalid(Invalid):
    code = "month_invalid"
    template = "{period} is not a month (YYYY-MM between 2000 and 2100)."


class YearInvalid(Invalid):
    code = "year_invalid"
    template = "{year!r} is not a year."


class OutreachInvalid(Invalid):
    code = "outreach_invalid"
    template = "Unknown {field}: {value!r}."


class JournalNotExact(Invalid):
    """Hours with two decimals are exact only for whole multiples of 3 minutes."""

    code = "journal_not_exact"
    template = "Entry {entry_id}: {minutes} minutes cannot be written exactly in hours."


class CutoffsOrder(Invalid):
    code = "cutoffs_order"
    template = "The next cut-off must come after this one."


class VoucherCountInvalid(Invalid):
    code = "voucher_count_invalid"
    template = "Between 1 and {maximum} voucher numbers."


class ImportEmpty(Invalid):
    code = "import_empty"
    template = "The file is empty."


class ImportColumnsMissing(Invalid):
    code = "import_columns_missing"
    template = "Columns missing in the header: {names}."


class ImportTooLong(Invalid):
    code = "import_too_long"
    template = "A file holds at most {maximum} vouchers."


class ImportTooLarge(Invalid):
    code = "import_too_large"
    status = 413
    template = "The file is too large (at most {megabytes} MB)."


class ImportTooManyLines(Invalid):
    code = "import_too_many_lines"
    template = "A file to import holds at most {maximum} lines."


class ImportFormatUnknown(Invalid):
    """The console or a form named a format or a kind of data that is not imported."""

    code = "import_format_unknown"
    template = "Unknown import: {name}."


class ImportUnreadable(Invalid):
    """Not a CSV text nor an XLSX workbook, or a workbook that cannot be opened."""

    code = "import_unreadable"
    template = "The file cannot be read as CSV or XLSX."


class ImportHistoryNotImported(Invalid):
    """A history of transfers (TimeOverflow's transfers, Cyclos' account history) is not taken
    over: the ring moves in with each member's balance as one opening entry."""

    code = "import_history_not_imported"
    template = "A history of transfers is not imported; import the balances ({source})."


class SlugInvalid(Invalid):
    """A ring's short name: lower-case letters, digits and hyphens, 2 to 40, not a word the
    service uses in its own addresses."""

    code = "slug_invalid"
    template = "{slug} cannot be a ring's short name."


class SlugTaken(Invalid):
    code = "slug_taken"
    template = "Another ring is called {slug}."


class RingNameInvalid(Invalid):
    code = "ring_name_invalid"
    template = "A ring needs a name of at most 200 characters."


class SetupLinkInvalid(Unknown):
    """A setup link that does not exist, was used, or expired (all look alike)."""

    code = "setup_link_invalid"
    template = "This setup link is not valid (used, expired or mistyped)."


class InstanceFounded(Refusal):
    """The link to found the first ring, used when a ring exists already."""

    code = "instance_founded"
    template = "This instance has a ring already."


class RingNotNamed(Invalid):
    """A command with several rings in the database must be told which one."""

    code = "ring_not_named"
    template = "There are {count} rings; name one."


# --- conflicts with the state of things (409) ---------------------------------------------------


class MemberLeft(Refusal):
    code = "member_left"
    template = "Member {number} has left."


class MemberSuspended(Refusal):
    code = "member_suspended"
    template = "Member {number} is suspended."


class MemberErased(Refusal):
    code = "member_erased"
    template = "The personal data of member {number} were erased."


class MemberNotActive(Refusal):
    code = "member_not_active"
    template = "Member {number} is not active."


class MemberNotSuspended(Refusal):
    code = "member_not_suspended"
    template = "Member {number} is not suspended."


class MemberNotLeft(Refusal):
    code = "member_not_left"
    template = "Only the data of members who left can be erased (member {number})."


class LoginExists(Refusal):
    code = "login_exists"
    template = "Member {number} has a login already."


class RequestAnswered(Refusal):
    code = "request_answered"
    template = "Payment request {request_id} was answered already."


class ListingWithdrawn(Refusal):
    code = "listing_withdrawn"
    template = "Listing {number} was withdrawn."


class BatchNotOpen(Refusal):
    code = "batch_not_open"
    template = "Voucher batch {batch_id} is not open any more."


class BatchFull(Refusal):
    code = "batch_full"
    template = "A batch holds at most {maximum} vouchers."


class BatchSecondPerson(Refusal):
    code = "batch_second_person"
    template = "A second office login, which typed no line of the batch, must approve it."


class BatchHasErrors(Refusal):
    code = "batch_has_errors"
    template = "{count} line(s) have errors."


class BatchTotalsMismatch(Refusal):
    """The typed batch and the counted paper stack differ (by vouchers, by minutes)."""

    code = "batch_totals_mismatch"
    template = "The batch differs from the paper stack: {count_off} vouchers, {minutes_off} minutes."


class BatchNeedsApproval(Refusal):
    code = "batch_needs_approval"
    template = "The batch must be approved by a second person first."


class BatchEmpty(Refusal):
    code = "batch_empty"
    template = "The batch is empty."


class BatchNothingReady(Refusal):
    code = "batch_nothing_ready"
    template = "No line of the batch is ready to book."


class BatchPosted(Refusal):
    code = "batch_posted"
    template = "A posted batch cannot be discarded; reverse single entries instead."


class BatchNotPosted(Refusal):
    code = "batch_not_posted"
    template = "Only the unbooked lines of a posted batch can be carried over."


class BatchAllBooked(Refusal):
    code = "batch_all_booked"
    template = "Every line of this batch is booked."


class PeriodNotBegun(Refusal):
    code = "period_not_begun"
    template = "The month {period} has not begun."


class NoFee(Refusal):
    code = "no_fee"
    template = "This ring charges no account fee."


class MemberNumberTaken(Refusal):
    code = "member_number_taken"
    template = "Member number {number} is taken."


class ImportNotOpen(Refusal):
    code = "import_not_open"
    template = "Import {import_id} is not open any more."


class ImportHasErrors(Refusal):
    code = "import_has_errors"
    template = "{count} line(s) of the import have errors."


class ImportNothingReady(Refusal):
    code = "import_nothing_ready"
    template = "No line of the import is ready to take over."


class OpeningBalancesUnverified(Refusal):
    """After booking the opening balances the ledger's verify found a violation: nothing is kept."""

    code = "opening_balances_unverified"
    template = "The books would not verify after the opening balances: {checks}."


class PeriodNotOver(Refusal):
    code = "period_not_over"
    template = "The period {period} has not ended yet; it can be closed afterwards."


class EditionExists(Refusal):
    code = "edition_exists"
    template = "There is an edition for {period} already."


def status_of(refusal: Exception) -> int:
    """The HTTP status of a refusal: a use case's carries its own; the ledger's say whether the
    input broke a rule (422), clashes with the state of the books (409) or names nothing (404)."""
    if isinstance(refusal, Refusal):
        return refusal.status
    return next((status for cls, status in _LEDGER_STATUS if isinstance(refusal, cls)), 422)


_LEDGER_STATUS = (
    (ledger.LimitExceeded, 409),
    (ledger.DuplicateVoucher, 409),
    (ledger.IdempotencyConflict, 409),
    (ledger.AlreadyReversed, 409),
    (ledger.PeriodClosed, 409),
    (ledger.ClosingOutOfOrder, 409),
    (ledger.ClosingNotLatest, 409),
    (ledger.UnknownClosing, 404),
    (ledger.ReversalOfReversal, 409),
    (ledger.AccountClosed, 409),
    (ledger.AccountNotZero, 409),
    (ledger.UnknownAccount, 404),
    (ledger.UnknownEntry, 404),
    (ledger.ForeignAccount, 404),
)


__all__ = [
    name for name, value in dict(globals()).items() if isinstance(value, type) and issubclass(value, Refusal)
]
