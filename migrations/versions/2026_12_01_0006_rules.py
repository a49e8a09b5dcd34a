"""Audit events name the member an action was for; consents can come from a helper.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 18:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

OLD_SOURCES = "source IN ('online', 'paper_form', 'office')"
NEW_SOURCES = "source IN ('online', 'paper_form', 'office', 'helper')"


def upgrade() -> None:
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("member_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_audit_event_member_id_member"), "member", ["member_id"], ["id"]
        )
        batch_op.create_index("ix_audit_event_member_id", ["member_id"], unique=False)
    for table in ("consent", "consent_change"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f"ck_{table}_source"), type_="check")
            batch_op.create_check_constraint(op.f(f"ck_{table}_source"), NEW_SOURCES)


def downgrade() -> None:
    for table in ("consent", "consent_change"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f"ck_{table}_source"), type_="check")
            batch_op.create_check_constraint(op.f(f"ck_{table}_source"), OLD_SOURCES)
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_event_member_id")
        batch_op.drop_constraint(batch_op.f("fk_audit_event_member_id_member"), type_="foreignkey")
        batch_op.drop_column("member_id")
