"""The input contract of print/: plain, frozen dataclasses.

The application turns database rows into these values; print/ turns them into PDF bytes and never
looks anything up. Two rules the application must keep:

* **Consent is decided before print/.** A `Contact` carries only what the member agreed to have
  *printed*; every field without print consent is None. print/ prints every field that is not
  None and nothing else, and falls back to "Kontakt über das Büro" when nothing is left.
* **Amounts are integer minutes.** print/ converts them to the ring's unit for display
  (`print.text.format_amount`).

Sequences may be passed as lists; they are stored as tuples so the values stay immutable. All text
fields are plain text (never markup): print/ escapes them itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

ListingKind = Literal["offer", "request"]
Marker = Literal["NEU", "GEÄNDERT", "LETZTMALIG"]

LISTING_KINDS: tuple[str, ...] = ("offer", "request")
MARKERS: tuple[str, ...] = ("NEU", "GEÄNDERT", "LETZTMALIG")


def _freeze(instance: object, *names: str) -> None:
    """Store the named sequence fields of a frozen dataclass as tuples."""
    for name in names:
        value = getattr(instance, name)
        if not isinstance(value, tuple):
            object.__setattr__(instance, name, tuple(value))


@dataclass(frozen=True)
class RingInfo:
    """The ring: its name, the office (printed on every product) and its display unit.

    `minutes_per_unit` converts the booked minutes: 60 for rings that count in hours (shown as
    h:mm, e.g. "1:30 Std."), 3 for a ring where 20 Talente make an hour (shown with decimals as
    needed, e.g. "33,33 Talente"). `return_address` is the small sender line above the window
    address of the inserts; when None it is built from the name and the office address.
    """

    name: str
    office_address: tuple[str, ...]
    office_phone: str
    sprechstunde: str
    office_email: str | None = None
    unit_singular: str = "Stunde"
    unit_plural: str = "Stunden"
    unit_abbreviation: str = "Std."
    minutes_per_unit: int = 60
    return_address: str | None = None

    def __post_init__(self) -> None:
        _freeze(self, "office_address")
        if self.minutes_per_unit <= 0:
            raise ValueError("minutes_per_unit must be positive")

    @property
    def sender_line(self) -> str:
        """The one-line return address for the envelope window."""
        if self.return_address:
            return self.return_address
        return " · ".join([self.name, *self.office_address])


@dataclass(frozen=True)
class Event:
    """A date printed under "Termine" (Tauschtreffen, Sprechstunde, outing)."""

    date: dt.date
    title: str
    time: dt.time | None = None
    place: str | None = None
    text: str | None = None


@dataclass(frozen=True)
class NewsItem:
    """A news article under "Aus dem Tauschring"; blank lines in `text` separate paragraphs."""

    title: str
    text: str


@dataclass(frozen=True)
class NewMember:
    """A new member welcomed in the paper, only with the consent to be named there.

    `name` is the display name exactly as the member agreed to have it printed.
    """

    name: str
    district: str | None = None


@dataclass(frozen=True)
class Contact:
    """The contact details of a listing or a contact-list entry that may be PRINTED.

    The application sets every field without print consent to None (consents withdrawn before
    the cut-off included). print/ prints each field that is not None. With no field at all the
    line reads "Kontakt über das Büro, Tel. <office phone>"; with a name but no way to reach the
    member (no phone, e-mail or address) the office is added to the name.
    """

    name: str | None = None
    phone: str | None = None
    email: str | None = None
    address: str | None = None

    @property
    def is_empty(self) -> bool:
        """Whether nothing may be printed."""
        return not any((self.name, self.phone, self.email, self.address))

    @property
    def is_reachable(self) -> bool:
        """Whether the printed fields give a way to reach the member (not just a name)."""
        return any((self.phone, self.email, self.address))


@dataclass(frozen=True)
class Category:
    """A Rubrik; `position` is the ring's order (ascending)."""

    name: str
    position: int


@dataclass(frozen=True)
class Listing:
    """An offer or request as printed in this edition.

    `number` is the stable listing number ("A-0137" for offers, "G-0042" for requests).
    `category` is the name of a `Category` of the edition. `marker` comes from the previous
    edition: "NEU" in the first edition, "GEÄNDERT" after an edit, "LETZTMALIG" in the last
    edition before `expires`.
    """

    kind: ListingKind
    number: str
    category: str
    title: str
    text: str
    contact: Contact
    expires: dt.date
    district: str | None = None
    availability: str | None = None
    price_hint: str | None = None
    marker: Marker | None = None

    def __post_init__(self) -> None:
        if self.kind not in LISTING_KINDS:
            raise ValueError(f"listing kind must be one of {LISTING_KINDS}, not {self.kind!r}")
        if self.marker is not None and self.marker not in MARKERS:
            raise ValueError(f"listing marker must be None or one of {MARKERS}, not {self.marker!r}")


@dataclass(frozen=True)
class ContactEntry:
    """One line of the Kontaktliste: a member's printable contact details.

    Entries whose contact is empty are left out. `member_number` is printed when given (members
    need it to fill in vouchers); the application decides whether to pass it.
    """

    contact: Contact
    member_number: str | None = None
    district: str | None = None


@dataclass(frozen=True)
class EditionInfo:
    """Which edition a product belongs to: number, month and the two cut-off dates."""

    number: int
    year: int
    month: int
    cutoff: dt.date
    next_cutoff: dt.date

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise ValueError("month must be 1..12")

    @property
    def label(self) -> str:
        """The edition as printed in headers, e.g. "12/2026" (MM/YYYY)."""
        return f"{self.month:02d}/{self.year}"


@dataclass(frozen=True)
class Edition:
    """One monthly Marktzeitung with everything printed in it.

    `listings` holds offers and requests together (told apart by `Listing.kind`); they are grouped
    by `categories` in ring order, new listings first, then by number; empty Rubriken are left
    out. Listings whose category is not among `categories` go after the known ones, by name.
    `contact_list` is printed (on its own pages) only when `show_contact_list` is set; the
    separate kontaktliste.pdf is rendered from it regardless. `impressum` and `privacy_notice`
    are plain text; blank lines separate paragraphs.
    """

    ring: RingInfo
    number: int
    year: int
    month: int
    cutoff: dt.date
    next_cutoff: dt.date
    events: tuple[Event, ...] = ()
    news: tuple[NewsItem, ...] = ()
    new_members: tuple[NewMember, ...] = ()
    categories: tuple[Category, ...] = ()
    listings: tuple[Listing, ...] = ()
    contact_list: tuple[ContactEntry, ...] = ()
    show_contact_list: bool = True
    impressum: str = ""
    privacy_notice: str = ""

    def __post_init__(self) -> None:
        _freeze(self, "events", "news", "new_members", "categories", "listings", "contact_list")
        if not 1 <= self.month <= 12:
            raise ValueError("month must be 1..12")

    @property
    def info(self) -> EditionInfo:
        """The edition's number, month and cut-off dates (what the inserts need)."""
        return EditionInfo(self.number, self.year, self.month, self.cutoff, self.next_cutoff)


@dataclass(frozen=True)
class StatementLine:
    """One posting on a member's account.

    `minutes` is signed: positive is money in (Eingang, the member provided a service), negative
    is out (Ausgang). `balance_after` is the account balance after this posting.
    """

    booking_date: dt.date
    text: str
    minutes: int
    balance_after: int
    service_date: dt.date | None = None
    partner: str | None = None


@dataclass(frozen=True)
class Statement:
    """A member's account statement for a period (since the previous edition).

    The balances must agree: each line's `balance_after` is the previous balance plus its
    minutes, and `closing_balance` is the last balance. A mismatch raises ValueError, because a
    wrong statement must not be mailed.
    """

    period_start: dt.date
    period_end: dt.date
    opening_balance: int
    closing_balance: int
    lines: tuple[StatementLine, ...] = ()

    def __post_init__(self) -> None:
        _freeze(self, "lines")
        balance = self.opening_balance
        for index, line in enumerate(self.lines):
            balance += line.minutes
            if line.balance_after != balance:
                raise ValueError(
                    f"statement line {index + 1}: balance after is {line.balance_after} min, "
                    f"expected {balance} min"
                )
        if balance != self.closing_balance:
            raise ValueError(f"closing balance is {self.closing_balance} min, the lines give {balance} min")


@dataclass(frozen=True)
class VoucherPayer:
    """The member pre-printed on a voucher as Leistungsnehmer (the one who pays)."""

    member_number: str
    name: str


@dataclass(frozen=True)
class VoucherSheet:
    """A run of pre-numbered vouchers (3 per page), blank or with a pre-printed payer.

    The numbers are printed as given (as text and as Code128); the application registers which
    numbers went to whom.
    """

    numbers: tuple[str, ...]
    payer: VoucherPayer | None = None

    def __post_init__(self) -> None:
        _freeze(self, "numbers")


@dataclass(frozen=True)
class Limits:
    """The limits in force for an account: the lowest and the highest balance it may reach.

    Integer minutes; None means no limit on that side. The insert prints them with what the member
    could still pay and receive at the end of the statement.
    """

    min_balance: int | None = None
    max_balance: int | None = None


@dataclass(frozen=True)
class PaperMember:
    """A member who gets the paper by post, with their personal insert.

    `address` are the lines for the envelope window exactly as they are to be printed (name line
    included), e.g. ("Frau", "Erika Mustermann", "Lindenweg 5", "12345 Musterstadt").
    `listings` are the member's own live listings (shown with expiry date and a renewal slip);
    `voucher_numbers` the pre-numbered vouchers issued with this insert; `limits` the limits in
    force for the member's account (None: not printed).
    """

    member_number: str
    name: str
    address: tuple[str, ...]
    large_print: bool = False
    statement: Statement | None = None
    listings: tuple[Listing, ...] = ()
    voucher_numbers: tuple[str, ...] = ()
    limits: Limits | None = None

    def __post_init__(self) -> None:
        _freeze(self, "address", "listings", "voucher_numbers")

    @property
    def vouchers(self) -> VoucherSheet:
        """The member's vouchers, with the member pre-printed as payer."""
        return VoucherSheet(self.voucher_numbers, VoucherPayer(self.member_number, self.name))


def sorted_categories(categories: Iterable[Category]) -> list[Category]:
    """Categories in ring order (position, then name for equal positions)."""
    return sorted(categories, key=lambda category: (category.position, category.name))
