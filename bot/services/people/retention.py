"""Retention: what is no longer needed is deleted after the configured number of days (README,
"Privacy"): sign-ups never finished, applications never sent, people the bot cannot reach any
more, questions to the office solved or closed long ago, and the outbox's copies of messages
long since handled. Each run is one audit entry with
counts only."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Delete, delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Application, Conversation, OutboxMessage, Question, User
from bot.delivery import CANCELLED, EXPIRED, FAILED, SENT, UNREACHABLE
from bot.services.people import audit
from bot.services.people.users import erase
from conversations.office.ports import Status
from conversations.people.ports import Retention

ACTOR = "scheduler"
# A question's thread is over once the person solved it or staff closed it.
ENDED = (Status.SOLVED, Status.CLOSED)
# Outbox rows that will never be sent again: their only use left is to keep a message once.
HANDLED = (SENT, FAILED, UNREACHABLE, CANCELLED, EXPIRED)


@dataclass(frozen=True)
class RetentionRun:
    """How many of each were deleted in one run."""

    unfinished_signups: int
    unreachable_people: int
    drafts: int
    outbox_rows: int
    questions: int = 0


async def apply_retention(
    session: AsyncSession, *, retention: Retention, now: datetime
) -> RetentionRun:
    """Delete what is past its days, in the caller's transaction, and record the run."""
    unfinished = await _unfinished_signups(
        session, before=now - timedelta(days=retention.unfinished_signup_days)
    )
    unreachable = await _unreachable(
        session, before=now - timedelta(days=retention.unreachable_days)
    )
    people = sorted(set(unfinished) | set(unreachable))
    if people:
        await erase(session, people)
    drafts = await _delete(
        session,
        delete(Application).where(
            Application.status == "draft",
            Application.submitted_at.is_(None),
            Application.updated_at < now - timedelta(days=retention.draft_days),
        ),
    )
    outbox_rows = await _delete(
        session,
        delete(OutboxMessage).where(
            OutboxMessage.status.in_(HANDLED),
            OutboxMessage.created_at < now - timedelta(days=retention.outbox_days),
        ),
    )
    # The thread's messages and the staff's copies of its notice go with it (ON DELETE CASCADE).
    questions = await _delete(
        session,
        delete(Question).where(
            Question.status.in_(ENDED),
            Question.closed_at < now - timedelta(days=retention.questions_days),
        ),
    )
    run = RetentionRun(
        unfinished_signups=len(unfinished),
        unreachable_people=len(set(unreachable) - set(unfinished)),
        drafts=drafts,
        outbox_rows=outbox_rows,
        questions=questions,
    )
    audit.record(
        session,
        actor=ACTOR,
        action="retention.run",
        at=now,
        details={**asdict(run), **asdict(retention)},
    )
    return run


async def _unfinished_signups(session: AsyncSession, *, before: datetime) -> list[int]:
    """Who never agreed to the privacy notice and has not written since `before` (with what they
    had answered before it); staff added on the command line wait for their first message."""
    last_seen = func.coalesce(
        select(Conversation.updated_at).where(Conversation.user_id == User.id).scalar_subquery(),
        User.created_at,
    )
    return list(
        (
            await session.scalars(
                select(User.id).where(User.consented_at.is_(None), _not_staff(), last_seen < before)
            )
        ).all()
    )


async def _unreachable(session: AsyncSession, *, before: datetime) -> list[int]:
    """Who has not been reachable since `before` (the messenger refused: blocked, account gone)
    and has not written since; staff are removed by an admin, not by time."""
    return list(
        (
            await session.scalars(select(User.id).where(User.unreachable_at < before, _not_staff()))
        ).all()
    )


def _not_staff() -> ColumnElement[bool]:
    return or_(User.is_staff.is_(False), User.is_staff.is_(None))


async def _delete(session: AsyncSession, statement: Delete) -> int:
    """How many rows the DELETE removed."""
    result = await session.execute(statement)
    return int(result.rowcount)  # type: ignore[attr-defined]
