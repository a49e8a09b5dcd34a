"""The Marktzeitung: editions with their dates, news, printed listings and files; voucher number ranges.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21 12:36:26.475402
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('edition',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ring_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('month', sa.Integer(), nullable=False),
    sa.Column('cutoff', sa.Date(), nullable=False),
    sa.Column('next_cutoff', sa.Date(), nullable=False),
    sa.Column('show_contact_list', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('generated_at', sa.DateTime(), nullable=True),
    sa.Column('generated_by_id', sa.Integer(), nullable=True),
    sa.Column('print_run', sa.Integer(), nullable=True),
    sa.Column('large_print_run', sa.Integer(), nullable=True),
    sa.CheckConstraint("status IN ('draft', 'generated')", name=op.f('ck_edition_status')),
    sa.CheckConstraint('month BETWEEN 1 AND 12', name=op.f('ck_edition_month')),
    sa.CheckConstraint('next_cutoff > cutoff', name=op.f('ck_edition_cutoffs_ordered')),
    sa.ForeignKeyConstraint(['created_by_id'], ['app_user.id'], name=op.f('fk_edition_created_by_id_app_user')),
    sa.ForeignKeyConstraint(['generated_by_id'], ['app_user.id'], name=op.f('fk_edition_generated_by_id_app_user')),
    sa.ForeignKeyConstraint(['ring_id'], ['ring.id'], name=op.f('fk_edition_ring_id_ring')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_edition')),
    sa.UniqueConstraint('ring_id', 'number', name=op.f('uq_edition_ring_id_number')),
    sa.UniqueConstraint('ring_id', 'year', 'month', name=op.f('uq_edition_ring_id_year_month'))
    )
    op.create_table('edition_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('edition_id', sa.Integer(), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('time', sa.String(length=5), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=True),
    sa.Column('text', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['edition_id'], ['edition.id'], name=op.f('fk_edition_event_edition_id_edition')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_edition_event'))
    )
    with op.batch_alter_table('edition_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_edition_event_edition_id'), ['edition_id'], unique=False)

    op.create_table('edition_file',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('edition_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('pages', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("name IN ('marktzeitung.pdf', 'grossdruck.pdf', 'kontaktliste.pdf', 'beilagen.pdf', 'belege.pdf')", name=op.f('ck_edition_file_name')),
    sa.ForeignKeyConstraint(['edition_id'], ['edition.id'], name=op.f('fk_edition_file_edition_id_edition')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_edition_file')),
    sa.UniqueConstraint('edition_id', 'name', name=op.f('uq_edition_file_edition_id_name'))
    )
    op.create_table('edition_listing',
    sa.Column('edition_id', sa.Integer(), nullable=False),
    sa.Column('listing_id', sa.Integer(), nullable=False),
    sa.Column('marker', sa.String(length=12), nullable=True),
    sa.ForeignKeyConstraint(['edition_id'], ['edition.id'], name=op.f('fk_edition_listing_edition_id_edition')),
    sa.ForeignKeyConstraint(['listing_id'], ['listing.id'], name=op.f('fk_edition_listing_listing_id_listing')),
    sa.PrimaryKeyConstraint('edition_id', 'listing_id', name=op.f('pk_edition_listing'))
    )
    op.create_table('edition_news',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('edition_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['edition_id'], ['edition.id'], name=op.f('fk_edition_news_edition_id_edition')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_edition_news'))
    )
    with op.batch_alter_table('edition_news', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_edition_news_edition_id'), ['edition_id'], unique=False)

    op.create_table('voucher_range',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ring_id', sa.Integer(), nullable=False),
    sa.Column('first', sa.Integer(), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('edition_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('issued_at', sa.DateTime(), nullable=False),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('first > 0 AND last >= first', name=op.f('ck_voucher_range_range_ordered')),
    sa.ForeignKeyConstraint(['edition_id'], ['edition.id'], name=op.f('fk_voucher_range_edition_id_edition')),
    sa.ForeignKeyConstraint(['issued_by_id'], ['app_user.id'], name=op.f('fk_voucher_range_issued_by_id_app_user')),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_voucher_range_member_id_member')),
    sa.ForeignKeyConstraint(['ring_id'], ['ring.id'], name=op.f('fk_voucher_range_ring_id_ring')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_voucher_range'))
    )
    with op.batch_alter_table('voucher_range', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_voucher_range_ring_id'), ['ring_id'], unique=False)


    # Rings founded before this revision get the two new sequences.
    for counter in ("voucher", "edition"):
        op.execute(
            f"INSERT INTO ring_counter (ring_id, name, value) SELECT id, '{counter}', 0 FROM ring "
            f"WHERE id NOT IN (SELECT ring_id FROM ring_counter WHERE name = '{counter}')"
        )


def downgrade() -> None:
    with op.batch_alter_table('voucher_range', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_voucher_range_ring_id'))

    op.drop_table('voucher_range')
    with op.batch_alter_table('edition_news', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_edition_news_edition_id'))

    op.drop_table('edition_news')
    op.drop_table('edition_listing')
    op.drop_table('edition_file')
    with op.batch_alter_table('edition_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_edition_event_edition_id'))

    op.drop_table('edition_event')
    op.drop_table('edition')
