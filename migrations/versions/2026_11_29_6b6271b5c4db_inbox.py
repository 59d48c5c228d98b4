"""The inbox: every message received is a row before its channel confirms it to the source.

Revision ID: 6b6271b5c4db
Revises: e16d79c0aed7
Create Date: 2026-11-29 10:25:30.357188
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db.base

revision: str = "6b6271b5c4db"
down_revision: str | None = "e16d79c0aed7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "inbox",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("update_key", sa.String(length=100), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("chat", sa.String(length=64), nullable=False),
        sa.Column("route", sa.String(length=10), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", bot.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("received_at", bot.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("done_at", bot.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbox")),
        sa.UniqueConstraint("update_key", name=op.f("uq_inbox_update_key")),
    )
    with op.batch_alter_table("inbox", schema=None) as batch_op:
        batch_op.create_index("ix_inbox_chat", ["channel", "chat", "status", "id"], unique=False)
        batch_op.create_index("ix_inbox_waiting", ["status", "position", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("inbox", schema=None) as batch_op:
        batch_op.drop_index("ix_inbox_waiting")
        batch_op.drop_index("ix_inbox_chat")
    op.drop_table("inbox")
