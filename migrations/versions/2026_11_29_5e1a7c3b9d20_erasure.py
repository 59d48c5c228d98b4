"""Erasure: outbox rows know whom they are about, so they go when that person erases their data.

Revision ID: 5e1a7c3b9d20
Revises: dce623c1afa2
Create Date: 2026-11-29 16:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5e1a7c3b9d20"
down_revision: str | None = "dce623c1afa2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "about_user_id",
                sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                nullable=True,
            )
        )
        batch_op.create_index(batch_op.f("ix_outbox_about_user_id"), ["about_user_id"])
        batch_op.create_foreign_key(
            batch_op.f("fk_outbox_about_user_id_users"),
            "users",
            ["about_user_id"],
            ["id"],
            ondelete="CASCADE",
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_outbox_about_user_id_users"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_outbox_about_user_id"))
        batch_op.drop_column("about_user_id")
