"""All tables of the application. The ledger's tables come first (ledger.models); the application
adds its own to the same metadata, which Alembic migrates.

The ledger's ``journal_entry.operator_id`` holds an ``app_user.id``; the ledger owns that table
and knows nothing of logins, so that column carries no foreign key.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ledger.models import Account, Base, UTCDateTime, check_in

metadata = Base.metadata

NAME_DISPLAYS = ("full", "first_initial", "number")
MEMBER_STATUSES = ("active", "suspended", "left")
ROLES = ("member", "office", "admin")
CONTACT_FIELDS = ("phone", "email", "address")
CONSENT_CHANNELS = ("online", "print")
CONSENT_SOURCES = ("online", "paper_form", "office", "helper", "import")
LISTING_KINDS = ("offer", "request")
REQUEST_STATUSES = ("open", "accepted", "declined", "auto_accepted", "cancelled", "failed")


class RingSettings(Base):
    """How a ring counts, where its office is, and its rules beyond the ledger."""

    __tablename__ = "ring_settings"

    ring_id: Mapped[int] = mapped_column(ForeignKey("ring.id"), primary_key=True)
    unit_singular: Mapped[str] = mapped_column(String(30), default="Stunde")
    unit_plural: Mapped[str] = mapped_column(String(30), default="Stunden")
    unit_symbol: Mapped[str] = mapped_column(String(12), default="Std.")
    # 1 for hours; 20 for "Talente" worth 3 minutes each. Always a divisor of 60.
    units_per_hour: Mapped[int] = mapped_column(Integer, default=1)
    step_minutes: Mapped[int] = mapped_column(Integer, default=15)
    office_address: Mapped[str] = mapped_column(Text, default="")
    office_phone: Mapped[str] = mapped_column(String(40), default="")
    office_email: Mapped[str] = mapped_column(String(200), default="")
    office_hours: Mapped[str] = mapped_column(String(300), default="", info={"lines": True})
    # Days after which an unanswered payment request is accepted; NULL: never.
    auto_accept_days: Mapped[int | None] = mapped_column(Integer, default=14)
    listing_months: Mapped[int] = mapped_column(Integer, default=3)
    # Vouchers older than this many days need the clerk's explicit confirmation.
    submission_days: Mapped[int] = mapped_column(Integer, default=56)
    # A second office user must approve a voucher batch before it is posted.
    require_batch_approval: Mapped[bool] = mapped_column(Boolean, default=False)
    # Whether a voucher (Beleg) must carry a text; without one it is booked as "Beleg <Nr.>".
    voucher_memo_required: Mapped[bool] = mapped_column(Boolean, default=False)
    # Monthly account fee per active member (0: none), and what happens at a limit.
    fee_minutes: Mapped[int] = mapped_column(Integer, default=0)
    fee_policy: Mapped[str] = mapped_column(String(10), default="skip")
    # Soft limits: the office is warned about members beyond these (NULL: no warning).
    warn_min_balance: Mapped[int | None] = mapped_column(Integer)
    warn_max_balance: Mapped[int | None] = mapped_column(Integer)
    # The ring's short name in addresses and commands (``--ring lindenau``); unique per instance.
    slug: Mapped[str | None] = mapped_column(String(40), unique=True)
    # Whether the member home shows the short statistics (members, hours exchanged this year).
    public_statistics: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (
        CheckConstraint(
            "units_per_hour IN (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30, 60)", name="units_per_hour"
        ),
        CheckConstraint("step_minutes BETWEEN 1 AND 240", name="step_minutes"),
        CheckConstraint("auto_accept_days IS NULL OR auto_accept_days BETWEEN 1 AND 365", name="auto_accept"),
        CheckConstraint("listing_months BETWEEN 1 AND 24", name="listing_months"),
        CheckConstraint("submission_days BETWEEN 1 AND 366", name="submission_days"),
        CheckConstraint("fee_minutes BETWEEN 0 AND 600", name="fee_minutes"),
        CheckConstraint("fee_policy IN ('override', 'skip')", name="fee_policy"),
    )


class RingCounter(Base):
    """Sequential numbers per ring (members, offers, requests): taken under a row lock, never reused."""

    __tablename__ = "ring_counter"

    ring_id: Mapped[int] = mapped_column(ForeignKey("ring.id"), primary_key=True)
    name: Mapped[str] = mapped_column(String(20), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)


class Member(Base):
    """A person in a ring. Numbers are per ring and never reused; each member has one hour account."""

    __tablename__ = "member"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ring_id: Mapped[int] = mapped_column(ForeignKey("ring.id"))
    number: Mapped[int] = mapped_column(Integer)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), unique=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    name_display: Mapped[str] = mapped_column(String(20), default="first_initial")
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(200))
    street: Mapped[str | None] = mapped_column(String(200))
    postal_code: Mapped[str | None] = mapped_column(String(10))
    city: Mapped[str | None] = mapped_column(String(100))
    district: Mapped[str | None] = mapped_column(String(100))
    paper_member: Mapped[bool] = mapped_column(Boolean, default=False)
    large_print: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(20), default="active")
    joined_on: Mapped[dt.date] = mapped_column(Date)
    suspended_on: Mapped[dt.date | None] = mapped_column(Date)
    left_on: Mapped[dt.date | None] = mapped_column(Date)
    erased_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())

    account: Mapped[Account] = relationship(lazy="joined")
    consents: Mapped[list[Consent]] = relationship(back_populates="member", lazy="selectin")
    user: Mapped[User | None] = relationship(back_populates="member", foreign_keys="User.member_id")

    __table_args__ = (
        UniqueConstraint("ring_id", "number"),
        CheckConstraint(check_in("name_display", NAME_DISPLAYS), name="name_display"),
        CheckConstraint(check_in("status", MEMBER_STATUSES), name="status"),
        CheckConstraint("number > 0", name="number_positive"),
        Index("ix_member_ring_id_last_name", "ring_id", "last_name"),
    )

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def erased(self) -> bool:
        return self.erased_at is not None


class Consent(Base):
    """The current consent for one contact field on one channel (online display, print)."""

    __tablename__ = "consent"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    field: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(10))
    granted: Mapped[bool] = mapped_column(Boolean)
    changed_on: Mapped[dt.date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(20))

    member: Mapped[Member] = relationship(back_populates="consents")

    __table_args__ = (
        UniqueConstraint("member_id", "field", "channel"),
        CheckConstraint(check_in("field", CONTACT_FIELDS), name="field"),
        CheckConstraint(check_in("channel", CONSENT_CHANNELS), name="channel"),
        CheckConstraint(check_in("source", CONSENT_SOURCES), name="source"),
    )


class ConsentChange(Base):
    """Every change of a consent, kept: a printed paper honours the state at its cut-off."""

    __tablename__ = "consent_change"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)
    field: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(10))
    granted: Mapped[bool] = mapped_column(Boolean)
    changed_on: Mapped[dt.date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(20))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))

    __table_args__ = (
        CheckConstraint(check_in("field", CONTACT_FIELDS), name="field"),
        CheckConstraint(check_in("channel", CONSENT_CHANNELS), name="channel"),
        CheckConstraint(check_in("source", CONSENT_SOURCES), name="source"),
    )


class User(Base):
    """A login. Paper members have none; office staff and helpers may or may not be members.

    It answers what Flask-Login asks of a user (``is_authenticated``, ``is_active``,
    ``is_anonymous``, ``get_id``) without the models depending on Flask."""

    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ring_id: Mapped[int] = mapped_column(ForeignKey("ring.id"))
    username: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(10), default="member")
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    locale: Mapped[str | None] = mapped_column(String(5))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    password_changed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    member: Mapped[Member | None] = relationship(back_populates="user", foreign_keys=[member_id])

    __table_args__ = (CheckConstraint(check_in("role", ROLES), name="role"),)

    is_authenticated = True
    is_anonymous = False
    # The login session this request runs in (``logins.user_of_session``): not stored here.
    session_id = None  # int
    session_key = None  # "id:secret"

    def get_id(self) -> str:
        """What the session cookie carries: the login session's id and secret, never the login's."""
        if self.session_key is None:
            raise RuntimeError("a login is signed in through logins.sign_in, which opens a session")
        return self.session_key

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_office(self) -> bool:
        return self.role in ("office", "admin")

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


SESSION_END_REASONS = ("logout", "ended", "password_changed", "password_set", "deactivated")


class SetupLink(Base):
    """A one-time link printed on the console: to found the first ring of an empty instance
    ("instance"), or to set the first password of a ring's admin ("password"). Only the
    secret's hash is kept; a link is used once and expires."""

    __tablename__ = "setup_link"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    purpose: Mapped[str] = mapped_column(String(10))
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (CheckConstraint("purpose IN ('instance', 'password')", name="purpose"),)


class LoginSession(Base):
    """A signed-in browser: the cookie carries its id and a secret kept here only as a hash, so
    signing out, a new password or a deactivated login ends it on the server, whatever a copied
    cookie says. It lasts a fixed time from signing in; reading a page writes nothing."""

    __tablename__ = "login_session"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    # What the browser said it is ("Firefox auf Linux"), so people recognise their sessions.
    client: Mapped[str] = mapped_column(String(80), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    end_reason: Mapped[str | None] = mapped_column(String(20))

    __table_args__ = (
        CheckConstraint(
            "end_reason IS NULL OR " + check_in("end_reason", SESSION_END_REASONS), name="end_reason"
        ),
    )


class SignInFailure(Base):
    """A failed sign-in, kept a day to slow down guessing: by login name and by client (a keyed
    hash of the address, never the address itself). Shared by every server process."""

    __tablename__ = "sign_in_failure"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    username: Mapped[str] = mapped_column(String(80), index=True)
    client: Mapped[str] = mapped_column(String(64), index=True)


JOB_RUN_STATUSES = ("running", "ok", "failed", "skipped")


class VerifyResult(Base):
    """The last verify of a ring's books: what the office home shows (it never scans the book on
    a page view). Written by the scheduled verify, ``tauschring ledger verify`` and the office's
    "check now"."""

    __tablename__ = "verify_result"

    ring_id: Mapped[int] = mapped_column(ForeignKey("ring.id"), primary_key=True)
    checked_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    ok: Mapped[bool] = mapped_column(Boolean)
    accounts: Mapped[int] = mapped_column(Integer)
    entries: Mapped[int] = mapped_column(Integer)
    total_balance: Mapped[int] = mapped_column(Integer)
    # The violations as JSON: [{"check": ..., "detail": ...}], the first 100.
    violations: Mapped[str] = mapped_column(Text, default="[]")
    violation_count: Mapped[int] = mapped_column(Integer, default=0)
    source: Mapped[str] = mapped_column(String(10))


class JobRun(Base):
    """One run of a scheduled job for one slot of its schedule (``accept_due_requests`` at
    2026-12-01T10:05, ``backup`` on 2026-12-01). The row is the claim: whichever process inserts
    it first runs the job, every other process finds the unique (job, slot) taken and does
    nothing, so a job runs once per slot however many processes serve. Instance-wide work, not a
    ring's: it names no member, only counts and ids in ``detail``."""

    __tablename__ = "job_run"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job: Mapped[str] = mapped_column(String(40))
    slot: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(10))
    # Who runs it ("host:pid") and since when; a run that stays "running" past its lease was
    # lost with its process and may be taken over by a conditional update.
    runner: Mapped[str] = mapped_column(String(80))
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    detail: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (
        UniqueConstraint("job", "slot"),
        Index("ix_job_run_job_started_at", "job", "started_at"),
        CheckConstraint(check_in("status", JOB_RUN_STATUSES), name="status"),
    )


class MemberHelper(Base):
    """A helper (Betreuer) whose login may act for a member; every entry records who acted."""

    __tablename__ = "member_helper"

    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), primary_key=True)
    since: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class Category(Base):
    """A Rubrik, in the ring's order."""

    __tablename__ = "category"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ring_id: Mapped[int] = mapped_column(ForeignKey("ring.id"))
    name: Mapped[str] = mapped_column(String(60))
    position: Mapped[int] = mapped_column(Integer)

    __table_args__ = (UniqueConstraint("ring_id", "name"),)


class Listing(Base):
    """An offer (Angebot) or request (Gesuch), with a stable public number per kind."""

    __tablename__ = "listing"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ring_id: Mapped[int] = mapped_column(ForeignKey("ring.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    number: Mapped[int] = mapped_column(Integer)
    category_id: Mapped[int] = mapped_column(ForeignKey("category.id"))
    title: Mapped[str] = mapped_column(String(120))
    text: Mapped[str] = mapped_column(Text)
    district: Mapped[str | None] = mapped_column(String(100))
    availability: Mapped[str | None] = mapped_column(String(200))
    price_hint: Mapped[str | None] = mapped_column(String(200))
    print_in_paper: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    # The last change of content (title, text, ...): drives the GEÄNDERT marker in print.
    edited_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    renewed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    expires_on: Mapped[dt.date] = mapped_column(Date)
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # Lower-case words of title, text, category and district with umlauts folded, for search.
    search_text: Mapped[str] = mapped_column(Text, default="")

    member: Mapped[Member] = relationship(lazy="joined")
    category: Mapped[Category] = relationship(lazy="joined")

    __table_args__ = (
        UniqueConstraint("ring_id", "kind", "number"),
        CheckConstraint(check_in("kind", LISTING_KINDS), name="kind"),
        CheckConstraint("number > 0", name="number_positive"),
        Index("ix_listing_ring_id_kind_expires_on", "ring_id", "kind", "expires_on"),
    )

    @property
    def public_number(self) -> str:
        return f"{'A' if self.kind == 'offer' else 'G'}-{self.number:04d}"


class PaymentRequest(Base):
    """The provider asks the receiver to pay; the receiver accepts or declines, or time accepts it."""

    __tablename__ = "payment_request"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ring_id: Mapped[int] = mapped_column(ForeignKey("ring.id"))
    payee_id: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)
    payer_id: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)
    minutes: Mapped[int] = mapped_column(Integer)
    memo: Mapped[str] = mapped_column(String(500))
    service_date: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="open")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    answered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("journal_entry.id"))
    note: Mapped[str | None] = mapped_column(String(500))

    payee: Mapped[Member] = relationship(foreign_keys=[payee_id], lazy="joined")
    payer: Mapped[Member] = relationship(foreign_keys=[payer_id], lazy="joined")

    __table_args__ = (
        CheckConstraint(check_in("status", REQUEST_STATUSES), name="status"),
        CheckConstraint("minutes > 0", name="minutes_positive"),
        CheckConstraint("payer_id <> payee_id", name="two_members"),
        Index("ix_payment_request_status_created_at", "status", "created_at"),
    )


BATCH_STATUSES = ("open", "approved", "posted", "discarded")
BATCH_SOURCES = ("keyboard", "import")


class VoucherBatch(Base):
    """A stack of paper vouchers typed (or imported) by the office, posted in one transaction."""

    __tablename__ = "voucher_batch"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ring_id: Mapped[int] = mapped_column(ForeignKey("ring.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), default="open")
    source: Mapped[str] = mapped_column(String(10), default="keyboard")
    title: Mapped[str] = mapped_column(String(200), default="")
    filename: Mapped[str | None] = mapped_column(String(200))
    # What the clerk counted on the paper stack, to compare with the control totals.
    expected_count: Mapped[int | None] = mapped_column(Integer)
    expected_minutes: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    approved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    posted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    posted_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))

    lines: Mapped[list[VoucherLine]] = relationship(
        back_populates="batch", order_by="VoucherLine.position", cascade="all, delete-orphan"
    )

    __table_args__ = (
        CheckConstraint(check_in("status", BATCH_STATUSES), name="status"),
        CheckConstraint(check_in("source", BATCH_SOURCES), name="source"),
    )


class VoucherLine(Base):
    """One paper voucher as typed: the raw fields, checked again whenever the batch is shown."""

    __tablename__ = "voucher_line"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("voucher_batch.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    voucher_number: Mapped[str] = mapped_column(String(40), default="")
    service_date: Mapped[str] = mapped_column(String(20), default="")
    payer_number: Mapped[str] = mapped_column(String(20), default="")
    payee_number: Mapped[str] = mapped_column(String(20), default="")
    amount: Mapped[str] = mapped_column(String(20), default="")
    memo: Mapped[str] = mapped_column(String(500), default="")
    # The clerk confirmed a voucher older than the ring's submission period.
    old_confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    # The office books this voucher beyond a member's limit, for this reason (recorded on the entry).
    override_reason: Mapped[str | None] = mapped_column(String(300))
    entered_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    entered_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("journal_entry.id"))

    batch: Mapped[VoucherBatch] = relationship(back_populates="lines")

    __table_args__ = (UniqueConstraint("batch_id", "position"),)


IMPORT_KINDS = ("members", "listings", "balances")
IMPORT_FORMATS = ("template", "cyclos", "timeoverflow")
IMPORT_STATUSES = ("open", "posted", "discarded")
REFERENCE_KINDS = ("member", "listing", "balance")


class ImportBatch(Base):
    """A file brought along when a ring moves in (members, listings or opening balances), staged
    like a voucher batch: its lines are checked whenever it is shown, and nothing is written to
    the ring until the office takes it over."""

    __tablename__ = "import_batch"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ring_id: Mapped[int] = mapped_column(ForeignKey("ring.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    format: Mapped[str] = mapped_column(String(20))
    filename: Mapped[str] = mapped_column(String(200))
    # The file as uploaded: read again at every check (a mapping may have changed since).
    content: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    # Rubrik names of the file mapped to the ring's Rubriken: JSON {"name in the file": category id}.
    mapping: Mapped[str] = mapped_column(Text, default="{}")
    status: Mapped[str] = mapped_column(String(10), default="open")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    # None when the console imported it (the system acts there).
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    posted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    posted_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))

    __table_args__ = (
        CheckConstraint(check_in("kind", IMPORT_KINDS), name="kind"),
        CheckConstraint(check_in("format", IMPORT_FORMATS), name="format"),
        CheckConstraint(check_in("status", IMPORT_STATUSES), name="status"),
    )


class ImportReference(Base):
    """What an import made of one line of a file (a member, a listing, an opening balance), under
    the old system's own key (a login, a member number, an ad's id): a second import of the same
    file finds it and changes nothing. When a member's data are erased, the key is kept only as a
    hash (``members.erased_import_key``), so the old file cannot bring the person back."""

    __tablename__ = "import_reference"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ring_id: Mapped[int] = mapped_column(ForeignKey("ring.id"))
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batch.id"), index=True)
    source: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(10))
    external_id: Mapped[str] = mapped_column(String(200))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"), index=True)
    listing_id: Mapped[int | None] = mapped_column(ForeignKey("listing.id"))
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("journal_entry.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())

    member: Mapped[Member | None] = relationship(foreign_keys=[member_id])
    listing: Mapped[Listing | None] = relationship(foreign_keys=[listing_id])

    __table_args__ = (
        UniqueConstraint("ring_id", "source", "kind", "external_id"),
        CheckConstraint(check_in("source", IMPORT_FORMATS), name="source"),
        CheckConstraint(check_in("kind", REFERENCE_KINDS), name="kind"),
    )


class FeeExemption(Base):
    """A member who pays no account fee, and why."""

    __tablename__ = "fee_exemption"

    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), primary_key=True)
    reason: Mapped[str] = mapped_column(String(300))
    since: Mapped[dt.date] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))


class FeeRun(Base):
    """A monthly fee run: who ran it when, what was booked and what was skipped."""

    __tablename__ = "fee_run"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ring_id: Mapped[int] = mapped_column(ForeignKey("ring.id"))
    period: Mapped[str] = mapped_column(String(7))
    run_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    minutes: Mapped[int] = mapped_column(Integer)
    booked: Mapped[int] = mapped_column(Integer)
    skipped: Mapped[int] = mapped_column(Integer)
    overridden: Mapped[int] = mapped_column(Integer)

    __table_args__ = (Index("ix_fee_run_ring_id_period", "ring_id", "period"),)


class AuditEvent(Base):
    """Every office and admin action: who, when, what, and the values before and after."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ring_id: Mapped[int] = mapped_column(ForeignKey("ring.id"))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    # The member the action was for (done by the office or a helper, or about them): both names.
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    action: Mapped[str] = mapped_column(String(40))
    object_type: Mapped[str] = mapped_column(String(30))
    object_id: Mapped[str | None] = mapped_column(String(40))
    summary: Mapped[str] = mapped_column(String(500))
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        Index("ix_audit_event_ring_id_at", "ring_id", "at"),
        Index("ix_audit_event_member_id", "member_id"),
    )


OUTREACH_REASONS = ("inactive", "beyond_limit")
OUTREACH_CHANNELS = ("letter", "phone", "visit", "email")
OUTREACH_NOTE_MAX = 500


class Outreach(Base):
    """The office reached out to a member (activity care): why, how, when, who, a short note.
    Personal data: erasure deletes these rows, the member's data export lists them."""

    __tablename__ = "outreach"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ring_id: Mapped[int] = mapped_column(ForeignKey("ring.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)
    reason: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(10))
    note: Mapped[str] = mapped_column(String(OUTREACH_NOTE_MAX), default="")
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))

    __table_args__ = (
        CheckConstraint(check_in("reason", OUTREACH_REASONS), name="reason"),
        CheckConstraint(check_in("channel", OUTREACH_CHANNELS), name="channel"),
    )


EDITION_STATUSES = ("draft", "generated")
EDITION_FILES = ("marktzeitung.pdf", "grossdruck.pdf", "kontaktliste.pdf", "beilagen.pdf", "belege.pdf")


class Edition(Base):
    """One monthly issue (Ausgabe) of the Marktzeitung, with its cut-off date and, once generated,
    its PDFs (the archive of past editions)."""

    __tablename__ = "edition"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ring_id: Mapped[int] = mapped_column(ForeignKey("ring.id"))
    number: Mapped[int] = mapped_column(Integer)
    year: Mapped[int] = mapped_column(Integer)
    month: Mapped[int] = mapped_column(Integer)
    cutoff: Mapped[dt.date] = mapped_column(Date)
    next_cutoff: Mapped[dt.date] = mapped_column(Date)
    show_contact_list: Mapped[bool] = mapped_column(Boolean, default=True)
    status: Mapped[str] = mapped_column(String(10), default="draft")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    generated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    generated_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    print_run: Mapped[int | None] = mapped_column(Integer)
    large_print_run: Mapped[int | None] = mapped_column(Integer)

    events: Mapped[list[EditionEvent]] = relationship(
        order_by="(EditionEvent.date, EditionEvent.id)", cascade="all, delete-orphan"
    )
    news: Mapped[list[EditionNews]] = relationship(
        order_by="EditionNews.position", cascade="all, delete-orphan"
    )

    __table_args__ = (
        UniqueConstraint("ring_id", "year", "month"),
        UniqueConstraint("ring_id", "number"),
        CheckConstraint(check_in("status", EDITION_STATUSES), name="status"),
        CheckConstraint("month BETWEEN 1 AND 12", name="month"),
        CheckConstraint("next_cutoff > cutoff", name="cutoffs_ordered"),
    )


class EditionEvent(Base):
    """A date in the paper's Termine section (Tauschtreffen, Sprechstunde, outings)."""

    __tablename__ = "edition_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("edition.id"), index=True)
    date: Mapped[dt.date] = mapped_column(Date)
    time: Mapped[str | None] = mapped_column(String(5))
    title: Mapped[str] = mapped_column(String(200))
    place: Mapped[str | None] = mapped_column(String(200))
    text: Mapped[str | None] = mapped_column(Text)


class EditionNews(Base):
    """An article of the section Aus dem Tauschring."""

    __tablename__ = "edition_news"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("edition.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)


class EditionListing(Base):
    """A listing as printed in an edition, with its marker: the next edition's markers come from here."""

    __tablename__ = "edition_listing"

    edition_id: Mapped[int] = mapped_column(ForeignKey("edition.id"), primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listing.id"), primary_key=True)
    marker: Mapped[str | None] = mapped_column(String(12))


class EditionFile(Base):
    """A generated PDF of an edition, kept for the archive and for downloading.

    Which members' data it carries is kept beside it (``EditionFileMember``), so that erasing a
    member removes exactly the archived files that name them; the row stays with ``removed_at``
    (what was printed cannot be recalled, the archive can). Files generated before that was
    recorded have ``members_recorded`` false and are judged by the member's time in the ring."""

    __tablename__ = "edition_file"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("edition.id"))
    name: Mapped[str] = mapped_column(String(40))
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    pages: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    members_recorded: Mapped[bool] = mapped_column(Boolean, default=True)
    removed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (
        UniqueConstraint("edition_id", "name"),
        CheckConstraint(check_in("name", EDITION_FILES), name="name"),
    )


class EditionFileMember(Base):
    """A member whose data an archived edition file carries (name, contact, address, listing)."""

    __tablename__ = "edition_file_member"

    file_id: Mapped[int] = mapped_column(ForeignKey("edition_file.id", ondelete="CASCADE"), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), primary_key=True, index=True)


class VoucherRange(Base):
    """Voucher numbers printed and handed out: to a paper member with the paper, or blank to the
    office. Voucher entry warns about a number that was never issued."""

    __tablename__ = "voucher_range"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ring_id: Mapped[int] = mapped_column(ForeignKey("ring.id"), index=True)
    first: Mapped[int] = mapped_column(Integer)
    last: Mapped[int] = mapped_column(Integer)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    edition_id: Mapped[int | None] = mapped_column(ForeignKey("edition.id"))
    note: Mapped[str] = mapped_column(String(200), default="")
    issued_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))

    __table_args__ = (CheckConstraint("first > 0 AND last >= first", name="range_ordered"),)


class ApiToken(Base):
    """A personal API token: stored as a hash, carrying exactly the rights of its owner."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    # The first characters, to recognise a token in the list; the rest only as a hash.
    prefix: Mapped[str] = mapped_column(String(12))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


__all__ = [
    "ApiToken",
    "AuditEvent",
    "Base",
    "Category",
    "Consent",
    "ConsentChange",
    "Edition",
    "EditionEvent",
    "EditionFile",
    "EditionFileMember",
    "EditionListing",
    "EditionNews",
    "FeeExemption",
    "FeeRun",
    "ImportBatch",
    "ImportReference",
    "JobRun",
    "Listing",
    "LoginSession",
    "Member",
    "MemberHelper",
    "PaymentRequest",
    "RingCounter",
    "RingSettings",
    "SignInFailure",
    "User",
    "VoucherBatch",
    "VoucherLine",
    "VoucherRange",
    "metadata",
]
