"""Members, logins, helpers, consents, Rubriken, listings, payment requests, ring settings.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 12:06:56.123445
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('category',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ring_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['ring_id'], ['ring.id'], name=op.f('fk_category_ring_id_ring')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_category')),
    sa.UniqueConstraint('ring_id', 'name', name=op.f('uq_category_ring_id_name'))
    )
    op.create_table('ring_counter',
    sa.Column('ring_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=20), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['ring_id'], ['ring.id'], name=op.f('fk_ring_counter_ring_id_ring')),
    sa.PrimaryKeyConstraint('ring_id', 'name', name=op.f('pk_ring_counter'))
    )
    op.create_table('ring_settings',
    sa.Column('ring_id', sa.Integer(), nullable=False),
    sa.Column('unit_singular', sa.String(length=30), nullable=False),
    sa.Column('unit_plural', sa.String(length=30), nullable=False),
    sa.Column('unit_symbol', sa.String(length=12), nullable=False),
    sa.Column('units_per_hour', sa.Integer(), nullable=False),
    sa.Column('step_minutes', sa.Integer(), nullable=False),
    sa.Column('office_address', sa.Text(), nullable=False),
    sa.Column('office_phone', sa.String(length=40), nullable=False),
    sa.Column('office_email', sa.String(length=200), nullable=False),
    sa.Column('office_hours', sa.String(length=300), nullable=False),
    sa.Column('auto_accept_days', sa.Integer(), nullable=True),
    sa.Column('listing_months', sa.Integer(), nullable=False),
    sa.CheckConstraint('auto_accept_days IS NULL OR auto_accept_days BETWEEN 1 AND 365', name=op.f('ck_ring_settings_auto_accept')),
    sa.CheckConstraint('listing_months BETWEEN 1 AND 24', name=op.f('ck_ring_settings_listing_months')),
    sa.CheckConstraint('step_minutes BETWEEN 1 AND 240', name=op.f('ck_ring_settings_step_minutes')),
    sa.CheckConstraint('units_per_hour IN (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30, 60)', name=op.f('ck_ring_settings_units_per_hour')),
    sa.ForeignKeyConstraint(['ring_id'], ['ring.id'], name=op.f('fk_ring_settings_ring_id_ring')),
    sa.PrimaryKeyConstraint('ring_id', name=op.f('pk_ring_settings'))
    )
    op.create_table('member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ring_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('first_name', sa.String(length=100), nullable=False),
    sa.Column('last_name', sa.String(length=100), nullable=False),
    sa.Column('name_display', sa.String(length=20), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('email', sa.String(length=200), nullable=True),
    sa.Column('street', sa.String(length=200), nullable=True),
    sa.Column('postal_code', sa.String(length=10), nullable=True),
    sa.Column('city', sa.String(length=100), nullable=True),
    sa.Column('district', sa.String(length=100), nullable=True),
    sa.Column('paper_member', sa.Boolean(), nullable=False),
    sa.Column('large_print', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('joined_on', sa.Date(), nullable=False),
    sa.Column('suspended_on', sa.Date(), nullable=True),
    sa.Column('left_on', sa.Date(), nullable=True),
    sa.Column('erased_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("name_display IN ('full', 'first_initial', 'number')", name=op.f('ck_member_name_display')),
    sa.CheckConstraint("status IN ('active', 'suspended', 'left')", name=op.f('ck_member_status')),
    sa.CheckConstraint('number > 0', name=op.f('ck_member_number_positive')),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_member_account_id_account')),
    sa.ForeignKeyConstraint(['ring_id'], ['ring.id'], name=op.f('fk_member_ring_id_ring')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_member')),
    sa.UniqueConstraint('account_id', name=op.f('uq_member_account_id')),
    sa.UniqueConstraint('ring_id', 'number', name=op.f('uq_member_ring_id_number'))
    )
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.create_index('ix_member_ring_id_last_name', ['ring_id', 'last_name'], unique=False)

    op.create_table('app_user',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ring_id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=80), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('role', sa.String(length=10), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('display_name', sa.String(length=200), nullable=False),
    sa.Column('locale', sa.String(length=5), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_login_at', sa.DateTime(), nullable=True),
    sa.Column('password_changed_at', sa.DateTime(), nullable=True),
    sa.Column('session_token', sa.String(length=64), nullable=False),
    sa.CheckConstraint("role IN ('member', 'office', 'admin')", name=op.f('ck_app_user_role')),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_app_user_member_id_member')),
    sa.ForeignKeyConstraint(['ring_id'], ['ring.id'], name=op.f('fk_app_user_ring_id_ring')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_app_user')),
    sa.UniqueConstraint('member_id', name=op.f('uq_app_user_member_id')),
    sa.UniqueConstraint('username', name=op.f('uq_app_user_username'))
    )
    op.create_table('consent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('field', sa.String(length=20), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('granted', sa.Boolean(), nullable=False),
    sa.Column('changed_on', sa.Date(), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.CheckConstraint("channel IN ('online', 'print')", name=op.f('ck_consent_channel')),
    sa.CheckConstraint("field IN ('phone', 'email', 'address')", name=op.f('ck_consent_field')),
    sa.CheckConstraint("source IN ('online', 'paper_form', 'office')", name=op.f('ck_consent_source')),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_consent_member_id_member')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consent')),
    sa.UniqueConstraint('member_id', 'field', 'channel', name=op.f('uq_consent_member_id_field_channel'))
    )
    op.create_table('listing',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ring_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('district', sa.String(length=100), nullable=True),
    sa.Column('availability', sa.String(length=200), nullable=True),
    sa.Column('price_hint', sa.String(length=200), nullable=True),
    sa.Column('print_in_paper', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('edited_at', sa.DateTime(), nullable=True),
    sa.Column('renewed_at', sa.DateTime(), nullable=True),
    sa.Column('expires_on', sa.Date(), nullable=False),
    sa.Column('withdrawn_at', sa.DateTime(), nullable=True),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.CheckConstraint("kind IN ('offer', 'request')", name=op.f('ck_listing_kind')),
    sa.CheckConstraint('number > 0', name=op.f('ck_listing_number_positive')),
    sa.ForeignKeyConstraint(['category_id'], ['category.id'], name=op.f('fk_listing_category_id_category')),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_listing_member_id_member')),
    sa.ForeignKeyConstraint(['ring_id'], ['ring.id'], name=op.f('fk_listing_ring_id_ring')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_listing')),
    sa.UniqueConstraint('ring_id', 'kind', 'number', name=op.f('uq_listing_ring_id_kind_number'))
    )
    with op.batch_alter_table('listing', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_listing_member_id'), ['member_id'], unique=False)
        batch_op.create_index('ix_listing_ring_id_kind_expires_on', ['ring_id', 'kind', 'expires_on'], unique=False)

    op.create_table('consent_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('field', sa.String(length=20), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('granted', sa.Boolean(), nullable=False),
    sa.Column('changed_on', sa.Date(), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("channel IN ('online', 'print')", name=op.f('ck_consent_change_channel')),
    sa.CheckConstraint("field IN ('phone', 'email', 'address')", name=op.f('ck_consent_change_field')),
    sa.CheckConstraint("source IN ('online', 'paper_form', 'office')", name=op.f('ck_consent_change_source')),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_consent_change_member_id_member')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['app_user.id'], name=op.f('fk_consent_change_recorded_by_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consent_change'))
    )
    with op.batch_alter_table('consent_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consent_change_member_id'), ['member_id'], unique=False)

    op.create_table('member_helper',
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('since', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_member_helper_member_id_member')),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_member_helper_user_id_app_user')),
    sa.PrimaryKeyConstraint('member_id', 'user_id', name=op.f('pk_member_helper'))
    )
    op.create_table('payment_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ring_id', sa.Integer(), nullable=False),
    sa.Column('payee_id', sa.Integer(), nullable=False),
    sa.Column('payer_id', sa.Integer(), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('memo', sa.String(length=500), nullable=False),
    sa.Column('service_date', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('answered_at', sa.DateTime(), nullable=True),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.Column('entry_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.CheckConstraint("status IN ('open', 'accepted', 'declined', 'auto_accepted', 'cancelled', 'failed')", name=op.f('ck_payment_request_status')),
    sa.CheckConstraint('minutes > 0', name=op.f('ck_payment_request_minutes_positive')),
    sa.CheckConstraint('payer_id <> payee_id', name=op.f('ck_payment_request_two_members')),
    sa.ForeignKeyConstraint(['answered_by_id'], ['app_user.id'], name=op.f('fk_payment_request_answered_by_id_app_user')),
    sa.ForeignKeyConstraint(['created_by_id'], ['app_user.id'], name=op.f('fk_payment_request_created_by_id_app_user')),
    sa.ForeignKeyConstraint(['entry_id'], ['journal_entry.id'], name=op.f('fk_payment_request_entry_id_journal_entry')),
    sa.ForeignKeyConstraint(['payee_id'], ['member.id'], name=op.f('fk_payment_request_payee_id_member')),
    sa.ForeignKeyConstraint(['payer_id'], ['member.id'], name=op.f('fk_payment_request_payer_id_member')),
    sa.ForeignKeyConstraint(['ring_id'], ['ring.id'], name=op.f('fk_payment_request_ring_id_ring')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_request'))
    )
    with op.batch_alter_table('payment_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_request_payee_id'), ['payee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payment_request_payer_id'), ['payer_id'], unique=False)
        batch_op.create_index('ix_payment_request_status_created_at', ['status', 'created_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('payment_request', schema=None) as batch_op:
        batch_op.drop_index('ix_payment_request_status_created_at')
        batch_op.drop_index(batch_op.f('ix_payment_request_payer_id'))
        batch_op.drop_index(batch_op.f('ix_payment_request_payee_id'))

    op.drop_table('payment_request')
    op.drop_table('member_helper')
    with op.batch_alter_table('consent_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consent_change_member_id'))

    op.drop_table('consent_change')
    with op.batch_alter_table('listing', schema=None) as batch_op:
        batch_op.drop_index('ix_listing_ring_id_kind_expires_on')
        batch_op.drop_index(batch_op.f('ix_listing_member_id'))

    op.drop_table('listing')
    op.drop_table('consent')
    op.drop_table('app_user')
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.drop_index('ix_member_ring_id_last_name')

    op.drop_table('member')
    op.drop_table('ring_settings')
    op.drop_table('ring_counter')
    op.drop_table('category')
