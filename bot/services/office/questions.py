"""The `QuestionDesk` port: questions asked, taken, answered, replied to, solved and closed.

Taking is a compare-and-set in the database (`UPDATE … WHERE status = 'open'`), so of two staff
pressing "Take it" at once exactly one wins, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Question, QuestionMessage, User
from bot.i18n import Catalogs
from bot.services.office import staff_copies
from bot.services.office.records import question_view
from bot.services.people import audit
from conversations.messages import Attachment
from conversations.office.ports import (
    ACTIVE,
    WAITING,
    CloseReason,
    FileKind,
    QuestionView,
    Render,
    Status,
    TakeOutcome,
)


class QuestionAccessError(PermissionError):
    """A staff method called by someone who is not staff (as stored now)."""


def file_kind(attachment: Attachment) -> str:
    """What a file goes on as: what the channel said, else what its type suggests."""
    if attachment.kind in set(FileKind):
        return attachment.kind
    mime = attachment.mime_type or ""
    if mime.startswith("audio/"):
        return FileKind.VOICE
    if mime.startswith("image/") and not attachment.name:
        return FileKind.PHOTO
    return FileKind.DOCUMENT


class QuestionOffice:
    def __init__(
        self,
        session: AsyncSession,
        *,
        actor_user_id: int,
        actor_is_staff: bool,
        now: datetime,
        tz: ZoneInfo,
        answer_days: int,
        max_open: int,
        is_overdue: Callable[[datetime], bool],
        admins: frozenset[str],
        catalogs: Catalogs,
        queued: list[int],
    ) -> None:
        """`queued`: where the outbox ids for other people go, to send after the commit."""
        self.session = session
        self.actor_user_id = actor_user_id
        self.actor_is_staff = actor_is_staff
        self.now = now
        self.tz = tz
        self._answer_days = answer_days
        self._max_open = max_open
        self.is_overdue = is_overdue
        self.admins = admins
        self.catalogs = catalogs
        self.queued = queued

    @property
    def answer_days(self) -> int:
        return self._answer_days

    @property
    def max_open(self) -> int:
        return self._max_open

    @property
    def actor(self) -> str:
        return f"user:{self.actor_user_id}"

    def _staff_only(self) -> None:
        if not self.actor_is_staff:
            raise QuestionAccessError("staff only")

    async def _view(self, question: Question) -> QuestionView:
        return await question_view(self.session, question, is_overdue=self.is_overdue)

    async def _load(self, question_id: int) -> Question | None:
        return await self.session.get(Question, question_id, populate_existing=True)

    async def open_count(self) -> int:
        count = await self.session.scalar(
            select(func.count())
            .select_from(Question)
            .where(Question.user_id == self.actor_user_id, Question.status.in_(ACTIVE))
        )
        return count or 0

    async def ask(
        self, *, text: str | None, files: Sequence[Attachment], channel: str
    ) -> QuestionView:
        asker = await self.session.get_one(User, self.actor_user_id)
        question = Question(
            user_id=asker.id,
            region_id=asker.region_id,
            locale=asker.locale,
            status=Status.OPEN,
            created_at=self.now,
            copy_edits=0,
        )
        self.session.add(question)
        await self.session.flush()
        # The year and the id: unique without a lock, however many ask at once.
        question.reference = f"F-{self.now.astimezone(self.tz).year}-{question.id:04d}"
        self._add_message(question, text=text, attachment=None, channel=channel, staff=False)
        for attachment in files:
            self._add_message(
                question, text=None, attachment=attachment, channel=channel, staff=False
            )
        await self.session.flush()
        return await self._view(question)

    def _add_message(
        self,
        question: Question,
        *,
        text: str | None,
        attachment: Attachment | None,
        channel: str,
        staff: bool,
    ) -> None:
        self.session.add(
            QuestionMessage(
                question_id=question.id,
                author_id=self.actor_user_id,
                from_staff=staff,
                text=text or None,
                channel=(attachment.channel or channel) if attachment else channel,
                file_ref=attachment.file_ref if attachment else None,
                file_name=attachment.name if attachment else None,
                mime_type=attachment.mime_type if attachment else None,
                file_kind=file_kind(attachment) if attachment else None,
                created_at=self.now,
            )
        )

    async def find(self, question_id: int) -> QuestionView | None:
        question = await self._load(question_id)
        if question is None:
            return None
        if not self.actor_is_staff and question.user_id != self.actor_user_id:
            return None
        return await self._view(question)

    async def waiting(self) -> Sequence[QuestionView]:
        self._staff_only()
        rows = await self.session.scalars(
            select(Question)
            .where(Question.status.in_(WAITING))
            .order_by(Question.created_at, Question.id)
        )
        return [await self._view(question) for question in rows]

    async def take(self, question_id: int) -> tuple[TakeOutcome, QuestionView | None]:
        self._staff_only()
        result = await self.session.execute(
            update(Question)
            .where(
                Question.id == question_id,
                Question.status == Status.OPEN,
                Question.taken_by.is_(None),
            )
            .values(status=Status.TAKEN, taken_by=self.actor_user_id, taken_at=self.now)
            .execution_options(synchronize_session=False)
        )
        question = await self._load(question_id)
        if question is None:
            return TakeOutcome.NOT_OPEN, None
        view = await self._view(question)
        assert isinstance(result, CursorResult)
        if result.rowcount == 1:
            audit.record(
                self.session,
                actor=self.actor,
                action="question.take",
                subject=question.reference,
                at=self.now,
            )
            return TakeOutcome.TAKEN, view
        if question.status not in WAITING:
            return TakeOutcome.NOT_OPEN, view
        if question.taken_by == self.actor_user_id:
            return TakeOutcome.ALREADY_YOURS, view
        return TakeOutcome.TAKEN_BY_OTHER, view

    async def answer(
        self, question_id: int, *, text: str | None, attachment: Attachment | None, channel: str
    ) -> QuestionView | None:
        self._staff_only()
        question = await self._load(question_id)
        if question is None or question.status not in ACTIVE:
            return None
        if question.taken_by is None:
            question.taken_by, question.taken_at = self.actor_user_id, self.now
        question.status = Status.ANSWERED
        question.first_answer_at = question.first_answer_at or self.now
        self._add_message(question, text=text, attachment=attachment, channel=channel, staff=True)
        audit.record(
            self.session,
            actor=self.actor,
            action="question.answer",
            subject=question.reference,
            at=self.now,
            details={"file": attachment is not None},
        )
        await self.session.flush()
        return await self._view(question)

    async def reply(
        self, question_id: int, *, text: str | None, attachment: Attachment | None, channel: str
    ) -> QuestionView | None:
        question = await self._load(question_id)
        if question is None or question.user_id != self.actor_user_id:
            return None
        if question.status not in ACTIVE:
            return None
        question.status = Status.TAKEN if question.taken_by else Status.OPEN
        self._add_message(question, text=text, attachment=attachment, channel=channel, staff=False)
        await self.session.flush()
        return await self._view(question)

    async def solve(self, question_id: int) -> QuestionView | None:
        question = await self._load(question_id)
        if question is None or question.user_id != self.actor_user_id:
            return None
        if question.status not in ACTIVE:
            return None
        question.status = Status.SOLVED
        question.closed_at, question.closed_reason = self.now, CloseReason.SOLVED
        await self.session.flush()
        return await self._view(question)

    async def close(self, question_id: int, reason: CloseReason) -> QuestionView | None:
        self._staff_only()
        question = await self._load(question_id)
        if question is None or question.status not in ACTIVE:
            return None
        question.status = Status.CLOSED
        question.closed_at, question.closed_reason = self.now, reason
        audit.record(
            self.session,
            actor=self.actor,
            action="question.close",
            subject=question.reference,
            at=self.now,
            details={"reason": str(reason)},
        )
        await self.session.flush()
        return await self._view(question)

    async def to_staff(
        self, question: QuestionView, render: Render, files: Sequence[Render]
    ) -> None:
        row = await self.session.get_one(Question, question.id)
        await staff_copies.send_copies(self.session, question, render, files, **self._delivery(row))

    async def to_handler(
        self, question: QuestionView, render: Render, files: Sequence[Render]
    ) -> None:
        row = await self.session.get_one(Question, question.id)
        await staff_copies.send_to_handler(
            self.session,
            question,
            render,
            files,
            key=f"question:{question.id}:message:{len(question.messages)}",
            **self._delivery(row),
        )

    async def edit_copies(self, question: QuestionView, render: Render) -> None:
        row = await self.session.get_one(Question, question.id)
        row.copy_edits += 1
        await staff_copies.edit_copies(
            self.session,
            question,
            render,
            edit=row.copy_edits,
            now=self.now,
            queued=self.queued,
            catalogs=self.catalogs,
        )

    def _delivery(self, row: Question) -> staff_copies.Delivery:
        return staff_copies.Delivery(
            now=self.now,
            queued=self.queued,
            admins=self.admins,
            catalogs=self.catalogs,
            region_id=row.region_id,
        )
