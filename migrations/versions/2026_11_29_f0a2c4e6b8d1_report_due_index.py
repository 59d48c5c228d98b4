"""Applications found by their report's due date: the reminder scan reads only the reports due
around today, not every approved project.

Revision ID: f0a2c4e6b8d1
Revises: e7f9a1c3d5b7
Create Date: 2026-11-29 23:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "f0a2c4e6b8d1"
down_revision: str | None = "e7f9a1c3d5b7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_applications_report_due_on", "applications", ["report_due_on"])


def downgrade() -> None:
    op.drop_index("ix_applications_report_due_on", table_name="applications")
