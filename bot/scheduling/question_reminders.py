"""Questions to the office waiting longer than promised are brought to staff again once a working
day, at the start of working hours (after downtime: at the first scan within them), and the
person hears once that the answer takes longer. A question that came in while the office was
closed (a Friday evening) is brought once at the next opening too, unless someone took it.
The day a question was last brought to staff is stored on it, and every message has its own
outbox key, so the scan may run as often as it likes.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial

from sqlalchemy import false, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import ChannelIdentity, Question, User
from bot.db.session import Database
from bot.i18n import Catalogs
from bot.scheduling.working_time import WorkingTime
from bot.services.outreach.notifications import Notifier
from bot.settings import Settings
from conversations.office.ports import WAITING
from conversations.office.reminders import WaitingQuestion, staff_reminder, taking_longer
from conversations.ports import Clock


async def remind_questions(
    *, database: Database, catalogs: Catalogs, settings: Settings, clock: Clock
) -> list[int]:
    """Queue today's reminders that are not out yet; returns the new outbox ids."""
    now = clock.now()
    office = WorkingTime.of(settings)
    if not office.is_working_time(now):
        return []
    today = now.astimezone(settings.tz).date()
    promised = settings.ask_answer_days
    async with database.transaction() as session:
        due = await questions_to_bring(session, office=office, promised=promised, now=now)
        if not due:
            return []
        notifier = Notifier(session, catalogs=catalogs, admins=settings.admins, now=now)
        staff = await staff_ids(session, admins=settings.admins)
        reminders: dict[int, list[WaitingQuestion]] = {}
        for question, late in due:
            question.reminded_on = today
            reference = question.reference or ""
            # The one who took it, while they are staff; else everyone who could take it.
            handlers = [question.taken_by] if question.taken_by in staff else sorted(staff)
            for staff_id in handlers:
                reminders.setdefault(staff_id, []).append(
                    WaitingQuestion(
                        id=question.id,
                        reference=reference,
                        asked_at=question.created_at,
                        late=late,
                        yours=staff_id == question.taken_by,
                    )
                )
            if late and question.late_notice_at is None:
                question.late_notice_at = now
                await notifier.to_user(
                    question.user_id,
                    f"question:{question.id}:late",
                    partial(taking_longer, reference=reference, promised_days=promised),
                )
        for staff_id, questions in reminders.items():
            # A question is in one scan a day (`reminded_on`), so its id names this scan's
            # message to this staff member (`:to:<id>` is added to the key).
            await notifier.to_user(
                staff_id,
                f"questions:reminder:{today.isoformat()}:{questions[0].id}",
                partial(staff_reminder, questions=questions, now=now),
            )
        return notifier.queued


async def questions_to_bring(
    session: AsyncSession, *, office: WorkingTime, promised: int, now: datetime
) -> list[tuple[Question, bool]]:
    """(question, late) for each never-answered question not yet brought to staff today that
    is past the promise, or came in while the office was closed and nobody took since; oldest
    first, locked so that a second scan at once waits and then finds them done."""
    today = now.astimezone(office.tz).date()
    rows = await session.scalars(
        select(Question)
        .where(
            Question.status.in_([status.value for status in WAITING]),
            Question.first_answer_at.is_(None),
            or_(Question.reminded_on.is_(None), Question.reminded_on < today),
        )
        .order_by(Question.created_at, Question.id)
        .with_for_update()
    )
    due: list[tuple[Question, bool]] = []
    for question in rows:
        if office.is_overdue(question.created_at, promised, now):
            due.append((question, True))
        elif (
            question.reminded_on is None
            and question.taken_by is None
            and not office.is_working_time(question.created_at)
        ):
            due.append((question, False))
    return due


async def staff_ids(session: AsyncSession, *, admins: frozenset[str]) -> set[int]:
    """Staff, and the administrators named by address in the settings."""
    admin_match = [
        (ChannelIdentity.channel == address.split(":", 1)[0])
        & (ChannelIdentity.external_id == address.split(":", 1)[1])
        for address in admins
    ]
    admin_ids = select(ChannelIdentity.user_id).where(or_(false(), *admin_match))
    rows = await session.scalars(
        select(User.id).where(or_(User.is_staff.is_(True), User.id.in_(admin_ids)))
    )
    return set(rows)
