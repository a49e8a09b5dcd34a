"""Tables of the hour book: rings, accounts, journal entries, postings, idempotency records.

Amounts are integer minutes. Journal entries and postings are append-only: no code path
updates or deletes them, and database triggers refuse it as well.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    event,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_N_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ACCOUNT_KINDS = ("member", "community", "fees", "opening", "clearing")
SYSTEM_ACCOUNT_KINDS = ("community", "fees", "opening", "clearing")
ENTRY_KINDS = ("transfer", "fee", "settlement", "opening", "reversal", "adjustment")
CHANNELS = ("web", "api", "office", "voucher", "import", "system")

MEMO_MAX = 500
LABEL_MAX = 100
KEY_MAX = 200
VOUCHER_MAX = 40
REASON_MAX = 500


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Stores aware datetimes as naive UTC and gives them back aware (SQLite drops the zone)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; pass an aware datetime (UTC)")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value: dt.datetime | None, dialect) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC)


def check_in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Ring(Base):
    """A Tauschring: the tenant. Its accounts form one closed book."""

    __tablename__ = "ring"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # Ring-wide limits in minutes; NULL means no limit on that side.
    default_min_balance: Mapped[int | None] = mapped_column(Integer)
    default_max_balance: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())

    accounts: Mapped[list[Account]] = relationship(back_populates="ring", lazy="raise_on_sql")

    __table_args__ = (
        CheckConstraint(
            "default_min_balance IS NULL OR default_max_balance IS NULL "
            "OR default_min_balance <= default_max_balance",
            name="default_limits_ordered",
        ),
        CheckConstraint("default_min_balance IS NULL OR default_min_balance <= 0", name="floor_not_positive"),
        CheckConstraint(
            "default_max_balance IS NULL OR default_max_balance >= 0", name="ceiling_not_negative"
        ),
    )


class Account(Base):
    """An hour account: one per member, plus the ring's system accounts."""

    __tablename__ = "account"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ring_id: Mapped[int] = mapped_column(ForeignKey("ring.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    label: Mapped[str] = mapped_column(String(LABEL_MAX))
    # Cached balance in minutes, written in the transaction that writes the postings.
    balance: Mapped[int] = mapped_column(Integer, default=0)
    # False for system accounts: they take whatever the book needs.
    limited: Mapped[bool] = mapped_column(Boolean)
    # Per-account overrides of the ring's limits; NULL means "the ring's default".
    min_balance: Mapped[int | None] = mapped_column(Integer)
    max_balance: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # booked_at of the account's latest posting. A new posting is never dated before it, so
    # the order of an account's postings by time is the order of its balance_after chain.
    last_booked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    ring: Mapped[Ring] = relationship(back_populates="accounts", lazy="raise_on_sql")

    __table_args__ = (
        CheckConstraint(check_in("kind", ACCOUNT_KINDS), name="kind"),
        CheckConstraint(
            "min_balance IS NULL OR max_balance IS NULL OR min_balance <= max_balance",
            name="limits_ordered",
        ),
        CheckConstraint("min_balance IS NULL OR min_balance <= 0", name="floor_not_positive"),
        CheckConstraint("max_balance IS NULL OR max_balance >= 0", name="ceiling_not_negative"),
        CheckConstraint("closed_at IS NULL OR balance = 0", name="closed_at_zero"),
        CheckConstraint("kind = 'member' OR NOT limited", name="system_unlimited"),
        Index(
            "uq_account_ring_id_system_kind",
            "ring_id",
            "kind",
            unique=True,
            sqlite_where=text("kind <> 'member'"),
            postgresql_where=text("kind <> 'member'"),
        ),
    )


class JournalEntry(Base):
    """One booking: a header and two or more postings that sum to zero."""

    __tablename__ = "journal_entry"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ring_id: Mapped[int] = mapped_column(ForeignKey("ring.id"))
    kind: Mapped[str] = mapped_column(String(20))
    memo: Mapped[str] = mapped_column(String(MEMO_MAX))
    service_date: Mapped[dt.date] = mapped_column(Date)
    booked_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    # The login that keyed the entry; the application owns that table, so no foreign key here.
    operator_id: Mapped[int | None] = mapped_column(Integer)
    # The member (by account) an office clerk or helper acted for.
    on_behalf_of_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    channel: Mapped[str] = mapped_column(String(10))
    idempotency_key: Mapped[str | None] = mapped_column(String(KEY_MAX))
    voucher_number: Mapped[str | None] = mapped_column(String(VOUCHER_MAX))
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("journal_entry.id"), unique=True)
    # Set when the office booked past a limit on purpose.
    override_reason: Mapped[str | None] = mapped_column(String(REASON_MAX))
    # The voucher batch that posted this entry (application table, no foreign key here).
    batch_id: Mapped[int | None] = mapped_column(Integer)

    postings: Mapped[list[Posting]] = relationship(
        back_populates="entry", order_by="Posting.id", lazy="raise_on_sql"
    )

    __table_args__ = (
        CheckConstraint(check_in("kind", ENTRY_KINDS), name="kind"),
        CheckConstraint(check_in("channel", CHANNELS), name="channel"),
        CheckConstraint("(kind = 'reversal') = (reverses_id IS NOT NULL)", name="reversal_has_link"),
        UniqueConstraint("ring_id", "voucher_number"),
        UniqueConstraint("ring_id", "idempotency_key"),
        Index("ix_journal_entry_ring_id_booked_at", "ring_id", "booked_at"),
    )


class Posting(Base):
    """One leg of an entry: a signed amount on one account and that account's balance after it."""

    __tablename__ = "posting"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("journal_entry.id"))
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    amount: Mapped[int] = mapped_column(Integer)
    balance_after: Mapped[int] = mapped_column(Integer)
    # Copied from the entry so a statement for a period is one index range.
    booked_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    # The limit in force that this posting was checked against (floor when paying, ceiling
    # when receiving); NULL when the side had no limit. Lets verify prove limits were held.
    limit_checked: Mapped[int | None] = mapped_column(Integer)

    entry: Mapped[JournalEntry] = relationship(back_populates="postings", lazy="raise_on_sql")

    __table_args__ = (
        CheckConstraint("amount <> 0", name="amount_not_zero"),
        UniqueConstraint("entry_id", "account_id"),
        Index("ix_posting_account_id_booked_at_id", "account_id", "booked_at", "id"),
    )


class IdempotencyRecord(Base):
    """The first outcome of a request with an idempotency key: an entry, or a refusal."""

    __tablename__ = "idempotency_record"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ring_id: Mapped[int] = mapped_column(ForeignKey("ring.id"))
    key: Mapped[str] = mapped_column(String(KEY_MAX))
    request_hash: Mapped[str] = mapped_column(String(64))
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("journal_entry.id"))
    refusal_code: Mapped[str | None] = mapped_column(String(60))
    refusal_detail: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        UniqueConstraint("ring_id", "key"),
        CheckConstraint("(entry_id IS NULL) <> (refusal_code IS NULL)", name="one_outcome"),
    )


CLOSING_KINDS = ("month", "year")


class Closing(Base):
    """A closed period (a month or a year): every account's balance at its end and a fingerprint
    of the entries it covers. While a closing is active (not reopened), nothing is booked with a
    service date up to its end. Only the reopening columns are ever written after the insert.
    """

    __tablename__ = "closing"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ring_id: Mapped[int] = mapped_column(ForeignKey("ring.id"))
    kind: Mapped[str] = mapped_column(String(10))
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    # First service date the fingerprint covers: a month closing continues the chain of the
    # month closings before it (NULL: from the beginning of the book); a year closing its year.
    covers_from: Mapped[dt.date | None] = mapped_column(Date)
    entry_count: Mapped[int] = mapped_column(Integer)
    # Sum of the positive postings of the covered entries (minutes moved).
    moved: Mapped[int] = mapped_column(Integer)
    # SHA-256 over the covered entries (for month closings chained to the previous one).
    fingerprint: Mapped[str] = mapped_column(String(64))
    closed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    # The login that closed (application table, no foreign key here); NULL for the console.
    closed_by_id: Mapped[int | None] = mapped_column(Integer)
    reopened_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    reopened_by_id: Mapped[int | None] = mapped_column(Integer)
    reopen_reason: Mapped[str | None] = mapped_column(String(REASON_MAX))

    __table_args__ = (
        CheckConstraint(check_in("kind", CLOSING_KINDS), name="kind"),
        CheckConstraint("period_start <= period_end", name="period_ordered"),
        CheckConstraint("(reopened_at IS NULL) = (reopen_reason IS NULL)", name="reopen_has_reason"),
        Index("ix_closing_ring_id_period_end", "ring_id", "period_end"),
    )


class ClosingBalance(Base):
    """An account's balance at the end of a closed period (entries by service date)."""

    __tablename__ = "closing_balance"

    closing_id: Mapped[int] = mapped_column(ForeignKey("closing.id"), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), primary_key=True)
    balance: Mapped[int] = mapped_column(Integer)


# Append-only, enforced by the database as well: a bug or a hand-typed UPDATE cannot rewrite
# the books. The same statements are in the Alembic migration.
APPEND_ONLY_TABLES = ("journal_entry", "posting")

SQLITE_APPEND_ONLY = [
    f"CREATE TRIGGER trg_{table}_no_{op.lower()} BEFORE {op} ON {table} "
    f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
    for table in APPEND_ONLY_TABLES
    for op in ("UPDATE", "DELETE")
]

POSTGRESQL_APPEND_ONLY = [
    "CREATE FUNCTION ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN RAISE EXCEPTION USING MESSAGE = TG_TABLE_NAME || ' is append-only'; END $$",
    *(
        f"CREATE TRIGGER trg_{table}_no_{op.lower()} BEFORE {op} ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION ledger_append_only()"
        for table in APPEND_ONLY_TABLES
        for op in ("UPDATE", "DELETE")
    ),
]

POSTGRESQL_DROP_APPEND_ONLY = [
    *(
        f"DROP TRIGGER IF EXISTS trg_{table}_no_{op.lower()} ON {table}"
        for table in APPEND_ONLY_TABLES
        for op in ("UPDATE", "DELETE")
    ),
    "DROP FUNCTION IF EXISTS ledger_append_only()",
]


@event.listens_for(Posting.__table__, "after_create")
def _install_append_only_triggers(target, connection, **kw) -> None:
    # Posting is created after journal_entry (it depends on it), so both tables exist here.
    statements = {
        "sqlite": SQLITE_APPEND_ONLY,
        "postgresql": POSTGRESQL_APPEND_ONLY,
    }.get(connection.dialect.name, [])
    for statement in statements:
        connection.exec_driver_sql(statement)


@event.listens_for(Base.metadata, "before_drop")
def _drop_append_only_triggers(target, connection, **kw) -> None:
    if connection.dialect.name == "postgresql":
        for statement in POSTGRESQL_DROP_APPEND_ONLY:
            connection.exec_driver_sql(statement)
