"""Survey recipients: who was asked, so that they can answer whatever they change afterwards.

Revision ID: e16d79c0aed7
Revises: 4eea9bb327fd
Create Date: 2026-11-25 03:17:21.455063
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e16d79c0aed7"
down_revision: str | None = "4eea9bb327fd"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    recipients = op.create_table(
        "survey_recipients",
        sa.Column(
            "survey_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["surveys.id"],
            name=op.f("fk_survey_recipients_survey_id_surveys"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_survey_recipients_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("survey_id", "user_id", name=op.f("pk_survey_recipients")),
    )
    with op.batch_alter_table("survey_recipients", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_survey_recipients_user_id"), ["user_id"], unique=False)
    # Surveys sent before this revision: their questions in the outbox, keyed
    # `survey:<id>:ask:to:<user id>`, still say who was asked.
    bind = op.get_bind()
    surveys = set(bind.scalars(sa.text("SELECT id FROM surveys")))
    users = set(bind.scalars(sa.text("SELECT id FROM users")))
    keys = bind.scalars(
        sa.text("SELECT dedup_key FROM outbox WHERE dedup_key LIKE 'survey:%:ask:to:%'")
    )
    asked: set[tuple[int, int]] = set()
    for key in keys:
        parts = key.split(":")
        if len(parts) == 5 and parts[1].isdigit() and parts[4].isdigit():
            asked.add((int(parts[1]), int(parts[4])))
    op.bulk_insert(
        recipients,
        [
            {"survey_id": survey_id, "user_id": user_id}
            for survey_id, user_id in sorted(asked)
            if survey_id in surveys and user_id in users
        ],
    )


def downgrade() -> None:
    with op.batch_alter_table("survey_recipients", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_survey_recipients_user_id"))

    op.drop_table("survey_recipients")
