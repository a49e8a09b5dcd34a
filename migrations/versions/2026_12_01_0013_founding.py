"""Founding a ring: a ring's slug (its short name in addresses and commands) and the one-time
setup links printed on the console.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 22:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ring_settings") as batch:
        batch.add_column(sa.Column("slug", sa.String(length=40), nullable=True))
        batch.create_unique_constraint(op.f("uq_ring_settings_slug"), ["slug"])
    # Rings founded before: "ring-<id>" until an admin or operator names them.
    op.execute("UPDATE ring_settings SET slug = 'ring-' || ring_id WHERE slug IS NULL")
    op.create_table(
        "setup_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=10), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("purpose IN ('instance', 'password')", name=op.f("ck_setup_link_purpose")),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], name=op.f("fk_setup_link_user_id_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_setup_link")),
        sa.UniqueConstraint("secret_hash", name=op.f("uq_setup_link_secret_hash")),
    )
    op.create_index(op.f("ix_setup_link_user_id"), "setup_link", ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_setup_link_user_id"), table_name="setup_link")
    op.drop_table("setup_link")
    with op.batch_alter_table("ring_settings") as batch:
        batch.drop_constraint(op.f("uq_ring_settings_slug"), type_="unique")
        batch.drop_column("slug")
