"""Privacy and sessions: login sessions kept on the server, failed sign-ins counted in the
database, and the per-login session token they replace.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("client", sa.String(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("end_reason", sa.String(length=20), nullable=True),
        sa.CheckConstraint(
            "end_reason IS NULL OR end_reason IN "
            "('logout', 'ended', 'password_changed', 'password_set', 'deactivated')",
            name=op.f("ck_login_session_end_reason"),
        ),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], name=op.f("fk_login_session_user_id_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_session")),
    )
    op.create_index(op.f("ix_login_session_user_id"), "login_session", ["user_id"], unique=False)
    op.create_table(
        "sign_in_failure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_failure")),
    )
    op.create_index(op.f("ix_sign_in_failure_at"), "sign_in_failure", ["at"], unique=False)
    op.create_index(op.f("ix_sign_in_failure_client"), "sign_in_failure", ["client"], unique=False)
    op.create_index(op.f("ix_sign_in_failure_username"), "sign_in_failure", ["username"], unique=False)
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.drop_column("session_token")
    # Archived edition files: whose data each carries, and a removed file keeps its row. Files
    # generated before this revision recorded nobody (members_recorded false).
    with op.batch_alter_table("edition_file", schema=None) as batch_op:
        batch_op.alter_column("content", existing_type=sa.LargeBinary(), nullable=True)
        batch_op.add_column(sa.Column("members_recorded", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("removed_at", sa.DateTime(), nullable=True))
    op.create_table(
        "edition_file_member",
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["file_id"],
            ["edition_file.id"],
            name=op.f("fk_edition_file_member_file_id_edition_file"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["member.id"], name=op.f("fk_edition_file_member_member_id_member")
        ),
        sa.PrimaryKeyConstraint("file_id", "member_id", name=op.f("pk_edition_file_member")),
    )
    op.create_index(op.f("ix_edition_file_member_member_id"), "edition_file_member", ["member_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_edition_file_member_member_id"), table_name="edition_file_member")
    op.drop_table("edition_file_member")
    with op.batch_alter_table("edition_file", schema=None) as batch_op:
        batch_op.drop_column("removed_at")
        batch_op.drop_column("members_recorded")
        batch_op.alter_column("content", existing_type=sa.LargeBinary(), nullable=False)
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("session_token", sa.String(length=64), nullable=False, server_default="")
        )
    op.drop_index(op.f("ix_sign_in_failure_username"), table_name="sign_in_failure")
    op.drop_index(op.f("ix_sign_in_failure_client"), table_name="sign_in_failure")
    op.drop_index(op.f("ix_sign_in_failure_at"), table_name="sign_in_failure")
    op.drop_table("sign_in_failure")
    op.drop_index(op.f("ix_login_session_user_id"), table_name="login_session")
    op.drop_table("login_session")
