"""Questions to the office (/ask): the thread, its messages, and the staff copies of its notice.

Revision ID: c5e7a9b1d3f4
Revises: b4d6f8a0c2e3
Create Date: 2026-11-29 20:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db.base

revision: str = "c5e7a9b1d3f4"
down_revision: str | None = "b4d6f8a0c2e3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "questions",
        sa.Column("id", _ID, nullable=False),
        sa.Column("reference", sa.String(length=20), nullable=True),
        sa.Column("user_id", _ID, nullable=False),
        sa.Column("region_id", _ID, nullable=True),
        sa.Column("locale", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("taken_by", _ID, nullable=True),
        sa.Column("taken_at", bot.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("created_at", bot.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("first_answer_at", bot.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("closed_at", bot.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("closed_reason", sa.String(length=20), nullable=True),
        sa.Column("late_notice_at", bot.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("reminded_on", sa.Date(), nullable=True),
        sa.Column("copy_edits", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["region_id"],
            ["regions.id"],
            name=op.f("fk_questions_region_id_regions"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["taken_by"],
            ["users.id"],
            name=op.f("fk_questions_taken_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_questions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_questions")),
        sa.UniqueConstraint("reference", name=op.f("uq_questions_reference")),
    )
    with op.batch_alter_table("questions", schema=None) as batch_op:
        batch_op.create_index("ix_questions_status_created", ["status", "created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_questions_user_id"), ["user_id"], unique=False)

    op.create_table(
        "question_messages",
        sa.Column("id", _ID, nullable=False),
        sa.Column("question_id", _ID, nullable=False),
        sa.Column("author_id", _ID, nullable=True),
        sa.Column("from_staff", sa.Boolean(), nullable=False),
        sa.Column("text", sa.String(length=3500), nullable=True),
        sa.Column("channel", sa.String(length=20), nullable=True),
        sa.Column("file_ref", sa.String(length=300), nullable=True),
        sa.Column("file_name", sa.String(length=255), nullable=True),
        sa.Column("mime_type", sa.String(length=100), nullable=True),
        sa.Column("file_kind", sa.String(length=12), nullable=True),
        sa.Column("created_at", bot.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
            name=op.f("fk_question_messages_author_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["questions.id"],
            name=op.f("fk_question_messages_question_id_questions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_question_messages")),
    )
    with op.batch_alter_table("question_messages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_question_messages_author_id"), ["author_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_question_messages_question_id"), ["question_id"], unique=False
        )

    op.create_table(
        "question_copies",
        sa.Column("question_id", _ID, nullable=False),
        sa.Column("staff_id", _ID, nullable=False),
        sa.Column("dedup_key", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["questions.id"],
            name=op.f("fk_question_copies_question_id_questions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["users.id"],
            name=op.f("fk_question_copies_staff_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("question_id", "staff_id", name=op.f("pk_question_copies")),
    )
    # A topic drafted from an answered question waits unpublished until staff import it.
    with op.batch_alter_table("info_articles", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("published", sa.Boolean(), server_default=sa.true(), nullable=False)
        )


def downgrade() -> None:
    op.execute("DELETE FROM info_articles WHERE NOT published")
    with op.batch_alter_table("info_articles", schema=None) as batch_op:
        batch_op.drop_column("published")
    op.drop_table("question_copies")
    with op.batch_alter_table("question_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_question_messages_question_id"))
        batch_op.drop_index(batch_op.f("ix_question_messages_author_id"))
    op.drop_table("question_messages")
    with op.batch_alter_table("questions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_questions_user_id"))
        batch_op.drop_index("ix_questions_status_created")
    op.drop_table("questions")
