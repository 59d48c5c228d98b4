"""Outbox rows claimed by priority: replies first, then announcements, each in order.

Revision ID: d6f8b0c2e4a5
Revises: c5e7a9b1d3f4
Create Date: 2026-11-29 21:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "d6f8b0c2e4a5"
down_revision: str | None = "c5e7a9b1d3f4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # `priority` exists since the broadcasts; what was missing is an index that serves the
    # claim's order (status, priority, id) without sorting every waiting row.
    op.create_index("ix_outbox_claim", "outbox", ["status", "priority", "id"])


def downgrade() -> None:
    op.drop_index("ix_outbox_claim", table_name="outbox")
