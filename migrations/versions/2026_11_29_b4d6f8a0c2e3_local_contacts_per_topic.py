"""Local contacts per region and topic: a region's existing contacts apply to every topic ("*").

Revision ID: b4d6f8a0c2e3
Revises: a3c5e7f9b1d2
Create Date: 2026-11-29 19:11:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b4d6f8a0c2e3"
down_revision: str | None = "a3c5e7f9b1d2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("local_contacts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("topic", sa.String(length=60), nullable=False, server_default="*")
        )
        batch_op.drop_constraint("pk_local_contacts", type_="primary")
        batch_op.create_primary_key("pk_local_contacts", ["region_id", "topic"])
    with op.batch_alter_table("local_contacts", schema=None) as batch_op:
        batch_op.alter_column("topic", server_default=None)


def downgrade() -> None:
    # One text per region again: its contacts for every topic; those for one topic are dropped.
    op.execute("DELETE FROM local_contacts WHERE topic <> '*'")
    with op.batch_alter_table("local_contacts", schema=None) as batch_op:
        batch_op.drop_constraint("pk_local_contacts", type_="primary")
        batch_op.create_primary_key("pk_local_contacts", ["region_id"])
        batch_op.drop_column("topic")
