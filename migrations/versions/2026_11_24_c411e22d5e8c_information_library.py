"""Information for newcomers: articles per topic and language, local contacts per region.

Revision ID: c411e22d5e8c
Revises: ff6f5c618a39
Create Date: 2026-11-24 23:23:50.225616
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db.base

revision: str = "c411e22d5e8c"
down_revision: str | None = "ff6f5c618a39"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "info_articles",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("topic", sa.String(length=60), nullable=False),
        sa.Column("locale", sa.String(length=8), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("reviewed_on", sa.Date(), nullable=False),
        sa.Column("updated_at", bot.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_info_articles")),
    )
    with op.batch_alter_table("info_articles", schema=None) as batch_op:
        batch_op.create_index("uq_info_articles_topic_locale", ["topic", "locale"], unique=True)

    op.create_table(
        "local_contacts",
        sa.Column(
            "region_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("updated_at", bot.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["region_id"],
            ["regions.id"],
            name=op.f("fk_local_contacts_region_id_regions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("region_id", name=op.f("pk_local_contacts")),
    )


def downgrade() -> None:
    op.drop_table("local_contacts")
    with op.batch_alter_table("info_articles", schema=None) as batch_op:
        batch_op.drop_index("uq_info_articles_topic_locale")

    op.drop_table("info_articles")
