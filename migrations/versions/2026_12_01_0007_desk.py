"""The office desk: a voucher line may be booked beyond a limit with a reason; a ring decides
whether vouchers need a text.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 22:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('voucher_line', schema=None) as batch_op:
        batch_op.add_column(sa.Column('override_reason', sa.String(length=300), nullable=True))
    with op.batch_alter_table('ring_settings', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('voucher_memo_required', sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table('ring_settings', schema=None) as batch_op:
        batch_op.drop_column('voucher_memo_required')
    with op.batch_alter_table('voucher_line', schema=None) as batch_op:
        batch_op.drop_column('override_reason')
