"""The last verify result of each ring, so the office home shows it without scanning the book.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 23:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "verify_result",
        sa.Column("ring_id", sa.Integer(), nullable=False),
        sa.Column("checked_at", sa.DateTime(), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("accounts", sa.Integer(), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.Column("total_balance", sa.Integer(), nullable=False),
        sa.Column("violations", sa.Text(), nullable=False),
        sa.Column("violation_count", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(["ring_id"], ["ring.id"], name=op.f("fk_verify_result_ring_id_ring")),
        sa.PrimaryKeyConstraint("ring_id", name=op.f("pk_verify_result")),
    )


def downgrade() -> None:
    op.drop_table("verify_result")
