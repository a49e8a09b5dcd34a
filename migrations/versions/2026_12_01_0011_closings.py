"""The treasurer's year: closed periods with their balances, the office's records of reaching out
to members (activity care), and the ring's switch for the public short statistics.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 22:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "closing",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ring_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("covers_from", sa.Date(), nullable=True),
        sa.Column("entry_count", sa.Integer(), nullable=False),
        sa.Column("moved", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=False),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.Column("reopened_at", sa.DateTime(), nullable=True),
        sa.Column("reopened_by_id", sa.Integer(), nullable=True),
        sa.Column("reopen_reason", sa.String(length=500), nullable=True),
        sa.CheckConstraint("kind IN ('month', 'year')", name=op.f("ck_closing_kind")),
        sa.CheckConstraint("period_start <= period_end", name=op.f("ck_closing_period_ordered")),
        sa.CheckConstraint(
            "(reopened_at IS NULL) = (reopen_reason IS NULL)", name=op.f("ck_closing_reopen_has_reason")
        ),
        sa.ForeignKeyConstraint(["ring_id"], ["ring.id"], name=op.f("fk_closing_ring_id_ring")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_closing")),
    )
    op.create_index("ix_closing_ring_id_period_end", "closing", ["ring_id", "period_end"], unique=False)
    op.create_table(
        "closing_balance",
        sa.Column("closing_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("balance", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name=op.f("fk_closing_balance_account_id_account")
        ),
        sa.ForeignKeyConstraint(
            ["closing_id"], ["closing.id"], name=op.f("fk_closing_balance_closing_id_closing")
        ),
        sa.PrimaryKeyConstraint("closing_id", "account_id", name=op.f("pk_closing_balance")),
    )
    op.create_table(
        "outreach",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ring_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("reason IN ('inactive', 'beyond_limit')", name=op.f("ck_outreach_reason")),
        sa.CheckConstraint(
            "channel IN ('letter', 'phone', 'visit', 'email')", name=op.f("ck_outreach_channel")
        ),
        sa.ForeignKeyConstraint(["by_id"], ["app_user.id"], name=op.f("fk_outreach_by_id_app_user")),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"], name=op.f("fk_outreach_member_id_member")),
        sa.ForeignKeyConstraint(["ring_id"], ["ring.id"], name=op.f("fk_outreach_ring_id_ring")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outreach")),
    )
    op.create_index(op.f("ix_outreach_member_id"), "outreach", ["member_id"], unique=False)
    with op.batch_alter_table("ring_settings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("public_statistics", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("ring_settings", schema=None) as batch_op:
        batch_op.drop_column("public_statistics")
    op.drop_index(op.f("ix_outreach_member_id"), table_name="outreach")
    op.drop_table("outreach")
    op.drop_table("closing_balance")
    op.drop_index("ix_closing_ring_id_period_end", table_name="closing")
    op.drop_table("closing")
