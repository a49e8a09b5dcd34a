"""The hour ledger: rings, accounts, journal entries, postings, idempotency records.

Revision ID: 0001
Revises:
Create Date: 2026-11-21 11:47:06.663514
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('ring',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('default_min_balance', sa.Integer(), nullable=True),
    sa.Column('default_max_balance', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('default_max_balance IS NULL OR default_max_balance >= 0', name=op.f('ck_ring_ceiling_not_negative')),
    sa.CheckConstraint('default_min_balance IS NULL OR default_max_balance IS NULL OR default_min_balance <= default_max_balance', name=op.f('ck_ring_default_limits_ordered')),
    sa.CheckConstraint('default_min_balance IS NULL OR default_min_balance <= 0', name=op.f('ck_ring_floor_not_positive')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ring'))
    )
    op.create_table('account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ring_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('label', sa.String(length=100), nullable=False),
    sa.Column('balance', sa.Integer(), nullable=False),
    sa.Column('limited', sa.Boolean(), nullable=False),
    sa.Column('min_balance', sa.Integer(), nullable=True),
    sa.Column('max_balance', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('last_booked_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("kind = 'member' OR NOT limited", name=op.f('ck_account_system_unlimited')),
    sa.CheckConstraint("kind IN ('member', 'community', 'fees', 'opening', 'clearing')", name=op.f('ck_account_kind')),
    sa.CheckConstraint('closed_at IS NULL OR balance = 0', name=op.f('ck_account_closed_at_zero')),
    sa.CheckConstraint('max_balance IS NULL OR max_balance >= 0', name=op.f('ck_account_ceiling_not_negative')),
    sa.CheckConstraint('min_balance IS NULL OR max_balance IS NULL OR min_balance <= max_balance', name=op.f('ck_account_limits_ordered')),
    sa.CheckConstraint('min_balance IS NULL OR min_balance <= 0', name=op.f('ck_account_floor_not_positive')),
    sa.ForeignKeyConstraint(['ring_id'], ['ring.id'], name=op.f('fk_account_ring_id_ring')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account'))
    )
    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_ring_id'), ['ring_id'], unique=False)
        batch_op.create_index('uq_account_ring_id_system_kind', ['ring_id', 'kind'], unique=True, sqlite_where=sa.text("kind <> 'member'"), postgresql_where=sa.text("kind <> 'member'"))

    op.create_table('journal_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ring_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('memo', sa.String(length=500), nullable=False),
    sa.Column('service_date', sa.Date(), nullable=False),
    sa.Column('booked_at', sa.DateTime(), nullable=False),
    sa.Column('operator_id', sa.Integer(), nullable=True),
    sa.Column('on_behalf_of_id', sa.Integer(), nullable=True),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('idempotency_key', sa.String(length=200), nullable=True),
    sa.Column('voucher_number', sa.String(length=40), nullable=True),
    sa.Column('reverses_id', sa.Integer(), nullable=True),
    sa.Column('override_reason', sa.String(length=500), nullable=True),
    sa.Column('batch_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("(kind = 'reversal') = (reverses_id IS NOT NULL)", name=op.f('ck_journal_entry_reversal_has_link')),
    sa.CheckConstraint("channel IN ('web', 'api', 'office', 'voucher', 'import', 'system')", name=op.f('ck_journal_entry_channel')),
    sa.CheckConstraint("kind IN ('transfer', 'fee', 'settlement', 'opening', 'reversal', 'adjustment')", name=op.f('ck_journal_entry_kind')),
    sa.ForeignKeyConstraint(['on_behalf_of_id'], ['account.id'], name=op.f('fk_journal_entry_on_behalf_of_id_account')),
    sa.ForeignKeyConstraint(['reverses_id'], ['journal_entry.id'], name=op.f('fk_journal_entry_reverses_id_journal_entry')),
    sa.ForeignKeyConstraint(['ring_id'], ['ring.id'], name=op.f('fk_journal_entry_ring_id_ring')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_journal_entry')),
    sa.UniqueConstraint('reverses_id', name=op.f('uq_journal_entry_reverses_id')),
    sa.UniqueConstraint('ring_id', 'idempotency_key', name=op.f('uq_journal_entry_ring_id_idempotency_key')),
    sa.UniqueConstraint('ring_id', 'voucher_number', name=op.f('uq_journal_entry_ring_id_voucher_number'))
    )
    with op.batch_alter_table('journal_entry', schema=None) as batch_op:
        batch_op.create_index('ix_journal_entry_ring_id_booked_at', ['ring_id', 'booked_at'], unique=False)

    op.create_table('idempotency_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ring_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('request_hash', sa.String(length=64), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=True),
    sa.Column('refusal_code', sa.String(length=60), nullable=True),
    sa.Column('refusal_detail', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('(entry_id IS NULL) <> (refusal_code IS NULL)', name=op.f('ck_idempotency_record_one_outcome')),
    sa.ForeignKeyConstraint(['entry_id'], ['journal_entry.id'], name=op.f('fk_idempotency_record_entry_id_journal_entry')),
    sa.ForeignKeyConstraint(['ring_id'], ['ring.id'], name=op.f('fk_idempotency_record_ring_id_ring')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idempotency_record')),
    sa.UniqueConstraint('ring_id', 'key', name=op.f('uq_idempotency_record_ring_id_key'))
    )
    op.create_table('posting',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('balance_after', sa.Integer(), nullable=False),
    sa.Column('booked_at', sa.DateTime(), nullable=False),
    sa.Column('limit_checked', sa.Integer(), nullable=True),
    sa.CheckConstraint('amount <> 0', name=op.f('ck_posting_amount_not_zero')),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_posting_account_id_account')),
    sa.ForeignKeyConstraint(['entry_id'], ['journal_entry.id'], name=op.f('fk_posting_entry_id_journal_entry')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_posting')),
    sa.UniqueConstraint('entry_id', 'account_id', name=op.f('uq_posting_entry_id_account_id'))
    )
    with op.batch_alter_table('posting', schema=None) as batch_op:
        batch_op.create_index('ix_posting_account_id_booked_at_id', ['account_id', 'booked_at', 'id'], unique=False)


    # Journal entries and postings are append-only; the database refuses UPDATE and DELETE.
    if op.get_bind().dialect.name == "sqlite":
        for table in ("journal_entry", "posting"):
            for action in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER trg_{table}_no_{action.lower()} BEFORE {action} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
                )
    elif op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION USING MESSAGE = TG_TABLE_NAME || ' is append-only'; END $$"
        )
        for table in ("journal_entry", "posting"):
            for action in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER trg_{table}_no_{action.lower()} BEFORE {action} ON {table} "
                    "FOR EACH ROW EXECUTE FUNCTION ledger_append_only()"
                )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in ("journal_entry", "posting"):
            for action in ("UPDATE", "DELETE"):
                op.execute(f"DROP TRIGGER IF EXISTS trg_{table}_no_{action.lower()} ON {table}")
        op.execute("DROP FUNCTION IF EXISTS ledger_append_only()")
    with op.batch_alter_table('posting', schema=None) as batch_op:
        batch_op.drop_index('ix_posting_account_id_booked_at_id')

    op.drop_table('posting')
    op.drop_table('idempotency_record')
    with op.batch_alter_table('journal_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_journal_entry_ring_id_booked_at')

    op.drop_table('journal_entry')
    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.drop_index('uq_account_ring_id_system_kind', sqlite_where=sa.text("kind <> 'member'"), postgresql_where=sa.text("kind <> 'member'"))
        batch_op.drop_index(batch_op.f('ix_account_ring_id'))

    op.drop_table('account')
    op.drop_table('ring')
