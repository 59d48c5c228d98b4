"""Surveys in several languages: the question and the answers in German plus optional versions.

Existing surveys become German-only: no versions, German as the fallback.

Revision ID: a3c5e7f9b1d2
Revises: 9d4b2f6e8a31
Create Date: 2026-11-29 19:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a3c5e7f9b1d2"
down_revision: str | None = "9d4b2f6e8a31"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("surveys", schema=None) as batch_op:
        batch_op.add_column(sa.Column("versions", sa.JSON(), server_default="{}", nullable=False))
        batch_op.add_column(
            sa.Column("fallback", sa.String(length=8), server_default="de", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("surveys", schema=None) as batch_op:
        batch_op.drop_column("fallback")
        batch_op.drop_column("versions")
