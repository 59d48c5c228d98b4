"""Outbox rows with an expiry found by it: the claim's periodic expiry reads only those (a few
reminders), not every row waiting (50,000 of an announcement).

Revision ID: 9e1f3a5c7b20
Revises: f0a2c4e6b8d1
Create Date: 2026-11-30 02:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "9e1f3a5c7b20"
down_revision: str | None = "f0a2c4e6b8d1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_outbox_expires",
        "outbox",
        ["expires_at"],
        sqlite_where=sa.text("expires_at IS NOT NULL"),
        postgresql_where=sa.text("expires_at IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_outbox_expires", table_name="outbox")
