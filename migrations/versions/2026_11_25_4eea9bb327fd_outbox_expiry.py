"""Outbox rows that expire: a reminder is not sent once its meeting has begun.

Revision ID: 4eea9bb327fd
Revises: 702962a77371
Create Date: 2026-11-25 03:14:55.120731
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db.base

revision: str = "4eea9bb327fd"
down_revision: str | None = "702962a77371"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("expires_at", bot.db.base.UtcDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("expires_at")
