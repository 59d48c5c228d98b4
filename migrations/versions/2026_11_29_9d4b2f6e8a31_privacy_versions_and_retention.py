"""Privacy notice versions: which version each person accepted, and when. People who accepted
before notices had versions keep NULL, so they are asked again at their next message.

Revision ID: 9d4b2f6e8a31
Revises: 5e1a7c3b9d20
Create Date: 2026-11-29 18:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db.base

revision: str = "9d4b2f6e8a31"
down_revision: str | None = "5e1a7c3b9d20"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("privacy_version", sa.String(length=20), nullable=True))
        batch_op.add_column(
            sa.Column("privacy_accepted_at", bot.db.base.UtcDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("privacy_accepted_at")
        batch_op.drop_column("privacy_version")
