"""Moving in: staged imports of members, listings and opening balances, the references that make a
second import of the same file change nothing, and consents recorded from an imported file.

Revision ID: 0009
Revises: 0007
Create Date: 2026-12-01 23:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0007'
branch_labels = None
depends_on = None

OLD_SOURCES = "source IN ('online', 'paper_form', 'office', 'helper')"
NEW_SOURCES = "source IN ('online', 'paper_form', 'office', 'helper', 'import')"


def upgrade() -> None:
    op.create_table('import_batch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ring_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('format', sa.String(length=20), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('mapping', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('posted_at', sa.DateTime(), nullable=True),
    sa.Column('posted_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("kind IN ('members', 'listings', 'balances')", name=op.f('ck_import_batch_kind')),
    sa.CheckConstraint(
        "format IN ('template', 'cyclos', 'timeoverflow')", name=op.f('ck_import_batch_format')
    ),
    sa.CheckConstraint("status IN ('open', 'posted', 'discarded')", name=op.f('ck_import_batch_status')),
    sa.ForeignKeyConstraint(
        ['created_by_id'], ['app_user.id'], name=op.f('fk_import_batch_created_by_id_app_user')
    ),
    sa.ForeignKeyConstraint(
        ['posted_by_id'], ['app_user.id'], name=op.f('fk_import_batch_posted_by_id_app_user')
    ),
    sa.ForeignKeyConstraint(['ring_id'], ['ring.id'], name=op.f('fk_import_batch_ring_id_ring')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_batch'))
    )
    with op.batch_alter_table('import_batch', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_import_batch_ring_id'), ['ring_id'], unique=False)

    op.create_table('import_reference',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ring_id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('external_id', sa.String(length=200), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('listing_id', sa.Integer(), nullable=True),
    sa.Column('entry_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint(
        "source IN ('template', 'cyclos', 'timeoverflow')", name=op.f('ck_import_reference_source')
    ),
    sa.CheckConstraint("kind IN ('member', 'listing', 'balance')", name=op.f('ck_import_reference_kind')),
    sa.ForeignKeyConstraint(
        ['batch_id'], ['import_batch.id'], name=op.f('fk_import_reference_batch_id_import_batch')
    ),
    sa.ForeignKeyConstraint(
        ['entry_id'], ['journal_entry.id'], name=op.f('fk_import_reference_entry_id_journal_entry')
    ),
    sa.ForeignKeyConstraint(['listing_id'], ['listing.id'], name=op.f('fk_import_reference_listing_id_listing')),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_import_reference_member_id_member')),
    sa.ForeignKeyConstraint(['ring_id'], ['ring.id'], name=op.f('fk_import_reference_ring_id_ring')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_reference')),
    sa.UniqueConstraint(
        'ring_id', 'source', 'kind', 'external_id',
        name=op.f('uq_import_reference_ring_id_source_kind_external_id'),
    )
    )
    with op.batch_alter_table('import_reference', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_import_reference_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_import_reference_member_id'), ['member_id'], unique=False)

    for table in ("consent", "consent_change"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f"ck_{table}_source"), type_="check")
            batch_op.create_check_constraint(op.f(f"ck_{table}_source"), NEW_SOURCES)


def downgrade() -> None:
    for table in ("consent", "consent_change"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f"ck_{table}_source"), type_="check")
            batch_op.create_check_constraint(op.f(f"ck_{table}_source"), OLD_SOURCES)
    with op.batch_alter_table('import_reference', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_import_reference_member_id'))
        batch_op.drop_index(batch_op.f('ix_import_reference_batch_id'))
    op.drop_table('import_reference')
    with op.batch_alter_table('import_batch', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_import_batch_ring_id'))
    op.drop_table('import_batch')
