"""The office desk: voucher batches and lines, fee exemptions and runs, the audit log, ring rules.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21 12:23:02.192657
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ring_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('object_type', sa.String(length=30), nullable=False),
    sa.Column('object_id', sa.String(length=40), nullable=True),
    sa.Column('summary', sa.String(length=500), nullable=False),
    sa.Column('before', sa.Text(), nullable=True),
    sa.Column('after', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['ring_id'], ['ring.id'], name=op.f('fk_audit_event_ring_id_ring')),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_audit_event_user_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_event'))
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index('ix_audit_event_ring_id_at', ['ring_id', 'at'], unique=False)

    op.create_table('fee_exemption',
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=300), nullable=False),
    sa.Column('since', sa.Date(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['app_user.id'], name=op.f('fk_fee_exemption_created_by_id_app_user')),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_fee_exemption_member_id_member')),
    sa.PrimaryKeyConstraint('member_id', name=op.f('pk_fee_exemption'))
    )
    op.create_table('fee_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ring_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('run_at', sa.DateTime(), nullable=False),
    sa.Column('operator_id', sa.Integer(), nullable=True),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('booked', sa.Integer(), nullable=False),
    sa.Column('skipped', sa.Integer(), nullable=False),
    sa.Column('overridden', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['operator_id'], ['app_user.id'], name=op.f('fk_fee_run_operator_id_app_user')),
    sa.ForeignKeyConstraint(['ring_id'], ['ring.id'], name=op.f('fk_fee_run_ring_id_ring')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fee_run'))
    )
    with op.batch_alter_table('fee_run', schema=None) as batch_op:
        batch_op.create_index('ix_fee_run_ring_id_period', ['ring_id', 'period'], unique=False)

    op.create_table('voucher_batch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ring_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=True),
    sa.Column('expected_count', sa.Integer(), nullable=True),
    sa.Column('expected_minutes', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('approved_at', sa.DateTime(), nullable=True),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('posted_at', sa.DateTime(), nullable=True),
    sa.Column('posted_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("source IN ('keyboard', 'import')", name=op.f('ck_voucher_batch_source')),
    sa.CheckConstraint("status IN ('open', 'approved', 'posted', 'discarded')", name=op.f('ck_voucher_batch_status')),
    sa.ForeignKeyConstraint(['approved_by_id'], ['app_user.id'], name=op.f('fk_voucher_batch_approved_by_id_app_user')),
    sa.ForeignKeyConstraint(['created_by_id'], ['app_user.id'], name=op.f('fk_voucher_batch_created_by_id_app_user')),
    sa.ForeignKeyConstraint(['posted_by_id'], ['app_user.id'], name=op.f('fk_voucher_batch_posted_by_id_app_user')),
    sa.ForeignKeyConstraint(['ring_id'], ['ring.id'], name=op.f('fk_voucher_batch_ring_id_ring')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_voucher_batch'))
    )
    with op.batch_alter_table('voucher_batch', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_voucher_batch_ring_id'), ['ring_id'], unique=False)

    op.create_table('voucher_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('voucher_number', sa.String(length=40), nullable=False),
    sa.Column('service_date', sa.String(length=20), nullable=False),
    sa.Column('payer_number', sa.String(length=20), nullable=False),
    sa.Column('payee_number', sa.String(length=20), nullable=False),
    sa.Column('amount', sa.String(length=20), nullable=False),
    sa.Column('memo', sa.String(length=500), nullable=False),
    sa.Column('old_confirmed', sa.Boolean(), nullable=False),
    sa.Column('entered_at', sa.DateTime(), nullable=False),
    sa.Column('entered_by_id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['batch_id'], ['voucher_batch.id'], name=op.f('fk_voucher_line_batch_id_voucher_batch')),
    sa.ForeignKeyConstraint(['entered_by_id'], ['app_user.id'], name=op.f('fk_voucher_line_entered_by_id_app_user')),
    sa.ForeignKeyConstraint(['entry_id'], ['journal_entry.id'], name=op.f('fk_voucher_line_entry_id_journal_entry')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_voucher_line')),
    sa.UniqueConstraint('batch_id', 'position', name=op.f('uq_voucher_line_batch_id_position'))
    )
    with op.batch_alter_table('voucher_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_voucher_line_batch_id'), ['batch_id'], unique=False)

    with op.batch_alter_table('ring_settings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('submission_days', sa.Integer(), nullable=False, server_default='56'))
        batch_op.add_column(sa.Column('require_batch_approval', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('fee_minutes', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('fee_policy', sa.String(length=10), nullable=False, server_default='skip'))
        batch_op.add_column(sa.Column('warn_min_balance', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('warn_max_balance', sa.Integer(), nullable=True))
        batch_op.create_check_constraint(
            op.f('ck_ring_settings_submission_days'), 'submission_days BETWEEN 1 AND 366'
        )
        batch_op.create_check_constraint(op.f('ck_ring_settings_fee_minutes'), 'fee_minutes BETWEEN 0 AND 600')
        batch_op.create_check_constraint(
            op.f('ck_ring_settings_fee_policy'), "fee_policy IN ('override', 'skip')"
        )



def downgrade() -> None:
    with op.batch_alter_table('ring_settings', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_ring_settings_fee_policy'), type_='check')
        batch_op.drop_constraint(op.f('ck_ring_settings_fee_minutes'), type_='check')
        batch_op.drop_constraint(op.f('ck_ring_settings_submission_days'), type_='check')
        batch_op.drop_column('warn_max_balance')
        batch_op.drop_column('warn_min_balance')
        batch_op.drop_column('fee_policy')
        batch_op.drop_column('fee_minutes')
        batch_op.drop_column('require_batch_approval')
        batch_op.drop_column('submission_days')

    with op.batch_alter_table('voucher_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_voucher_line_batch_id'))

    op.drop_table('voucher_line')
    with op.batch_alter_table('voucher_batch', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_voucher_batch_ring_id'))

    op.drop_table('voucher_batch')
    with op.batch_alter_table('fee_run', schema=None) as batch_op:
        batch_op.drop_index('ix_fee_run_ring_id_period')

    op.drop_table('fee_run')
    op.drop_table('fee_exemption')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_event_ring_id_at')

    op.drop_table('audit_event')
