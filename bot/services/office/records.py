"""A question as flows see it, read from its rows."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Question, QuestionMessage, Region, User
from conversations.messages import Attachment
from conversations.office.ports import (
    WAITING,
    CloseReason,
    QuestionView,
    Status,
    ThreadMessage,
)
from conversations.ports import Role


def thread_message(row: QuestionMessage) -> ThreadMessage:
    attachment = (
        Attachment(
            file_ref=row.file_ref,
            name=row.file_name,
            mime_type=row.mime_type,
            channel=row.channel,
            kind=row.file_kind,
        )
        if row.file_ref
        else None
    )
    return ThreadMessage(row.from_staff, row.text, attachment, row.created_at)


async def question_view(
    session: AsyncSession, question: Question, *, is_overdue: Callable[[datetime], bool]
) -> QuestionView:
    """`is_overdue(asked_at)`: whether a question asked then and still waiting is late."""
    asker = await session.get_one(User, question.user_id)
    region = await session.get(Region, question.region_id) if question.region_id else None
    taker = await session.get(User, question.taken_by) if question.taken_by else None
    messages = await session.scalars(
        select(QuestionMessage)
        .where(QuestionMessage.question_id == question.id)
        .order_by(QuestionMessage.id)
    )
    status = Status(question.status)
    return QuestionView(
        id=question.id,
        reference=question.reference or "",
        status=status,
        user_id=question.user_id,
        asker_name=asker.display_name,
        asker_role=Role(asker.role) if asker.role else None,
        region_name=region.name if region else None,
        locale=question.locale,
        created_at=question.created_at,
        taken_by_id=question.taken_by,
        taken_by_name=(taker.display_name or f"#{taker.id}") if taker else None,
        first_answer_at=question.first_answer_at,
        closed_reason=CloseReason(question.closed_reason) if question.closed_reason else None,
        # The promise is of a first answer: a reply after it is not late at once.
        overdue=status in WAITING
        and question.first_answer_at is None
        and is_overdue(question.created_at),
        messages=[thread_message(row) for row in messages],
    )
