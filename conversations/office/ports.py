"""What the office desk's flows ask of `bot/services/office/`: questions a person asks the
district office (/ask), the staff who take and answer them, and the copies staff got."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from conversations.messages import Attachment, InboundKind, Reply
from conversations.ports import Role, Translator


class Status(StrEnum):
    OPEN = "open"  # nobody has taken it yet
    TAKEN = "taken"  # a staff member took it, and the person waits for (more of) an answer
    ANSWERED = "answered"  # staff answered; the person may reply or say it is solved
    SOLVED = "solved"  # the person said it is solved
    CLOSED = "closed"  # staff closed it, with or without an answer


# A question counts towards a person's limit, and can be answered, while in one of these.
ACTIVE = frozenset({Status.OPEN, Status.TAKEN, Status.ANSWERED})
# Waiting for staff: listed by /questions, and late once past the promised time.
WAITING = frozenset({Status.OPEN, Status.TAKEN})


class CloseReason(StrEnum):
    SOLVED = "solved"  # by the person
    ANSWERED = "answered"  # answered elsewhere (by phone, at the office)
    DUPLICATE = "duplicate"
    OTHER = "other"


class FileKind(StrEnum):
    PHOTO = "photo"
    DOCUMENT = "document"
    VOICE = "voice"


def sent_as(kind: InboundKind, attachment: Attachment | None) -> Attachment | None:
    """The file with the kind it was sent as (a photo, a voice note), where the channel did not
    say it, so that it goes on to the other side as the same kind."""
    if attachment is None or attachment.kind is not None:
        return attachment
    kinds = {InboundKind.PHOTO: FileKind.PHOTO, InboundKind.VOICE: FileKind.VOICE}
    return replace(attachment, kind=str(kinds.get(kind, FileKind.DOCUMENT)))


@dataclass(frozen=True)
class ThreadMessage:
    from_staff: bool
    text: str | None
    attachment: Attachment | None
    created_at: datetime


@dataclass(frozen=True)
class QuestionView:
    id: int
    reference: str
    status: Status
    user_id: int
    asker_name: str | None
    asker_role: Role | None
    region_name: str | None
    locale: str
    created_at: datetime
    taken_by_id: int | None
    taken_by_name: str | None
    first_answer_at: datetime | None
    closed_reason: CloseReason | None
    overdue: bool  # still waiting for staff after the promised working days
    messages: Sequence[ThreadMessage]

    @property
    def question(self) -> ThreadMessage:
        return self.messages[0]

    @property
    def files(self) -> list[Attachment]:
        """The files the person sent with the question (not those of replies)."""
        return [m.attachment for m in self.messages if m.attachment and not m.from_staff]


class TakeOutcome(StrEnum):
    TAKEN = "taken"  # by the one asking now
    ALREADY_YOURS = "already_yours"
    TAKEN_BY_OTHER = "taken_by_other"
    NOT_OPEN = "not_open"  # answered, solved or closed meanwhile


Render = Callable[[Translator], Reply]


class QuestionDesk(Protocol):
    """Bound to the person acting in the turn; staff-only methods check the stored role."""

    @property
    def answer_days(self) -> int:
        """Working days within which staff promise an answer."""
        ...

    @property
    def max_open(self) -> int:
        """How many questions one person may have waiting at once."""
        ...

    async def open_count(self) -> int:
        """The acting person's questions that are not solved or closed."""
        ...

    async def ask(
        self, *, text: str | None, files: Sequence[Attachment], channel: str
    ) -> QuestionView: ...

    async def find(self, question_id: int) -> QuestionView | None:
        """The question, for staff, or for the person who asked it; None for anyone else."""
        ...

    async def waiting(self) -> Sequence[QuestionView]:
        """Staff: questions waiting for staff, oldest first."""
        ...

    async def take(self, question_id: int) -> tuple[TakeOutcome, QuestionView | None]:
        """Staff: assign it to the one acting; of two at once, one wins."""
        ...

    async def answer(
        self, question_id: int, *, text: str | None, attachment: Attachment | None, channel: str
    ) -> QuestionView | None:
        """Staff: an answer (taking the question if nobody has); None when it is over."""
        ...

    async def reply(
        self, question_id: int, *, text: str | None, attachment: Attachment | None, channel: str
    ) -> QuestionView | None:
        """The person: more to an answered question; it waits for staff again."""
        ...

    async def solve(self, question_id: int) -> QuestionView | None:
        """The person: it is solved; None when it was not theirs or is over."""
        ...

    async def close(self, question_id: int, reason: CloseReason) -> QuestionView | None:
        """Staff: close it with a reason; None when it was over already."""
        ...

    async def to_staff(
        self, question: QuestionView, render: Render, files: Sequence[Render]
    ) -> None:
        """The notice of a new question to the staff on duty (of its region where staff have
        regions, else all), one copy each kept to edit, and its files after it."""
        ...

    async def to_handler(
        self, question: QuestionView, render: Render, files: Sequence[Render]
    ) -> None:
        """A reply of the person: to the staff member who took it, else as `to_staff`."""
        ...

    async def edit_copies(self, question: QuestionView, render: Render) -> None:
        """Every staff copy of the notice, edited in place (who took it, answered, closed)."""
        ...


# What the office learns from its questions (/stats, the export, the library): the figures, and
# an answered question turned into a keyword of a topic or a topic draft.
@dataclass(frozen=True)
class QuestionCounts:
    """The questions of one group: how many were asked, how many answered, and the median
    wall-clock time from asking to the first answer (nights, weekends and holidays included)."""

    key: str | None  # the region's name or the language's code; None: no region, or all
    asked: int
    answered: int
    median_hours: float | None  # None: none answered yet


@dataclass(frozen=True)
class QuestionFigures:
    """Of the questions still stored (solved and closed ones go after their retention)."""

    total: QuestionCounts
    regions: Sequence[QuestionCounts]
    languages: Sequence[QuestionCounts]


@dataclass(frozen=True)
class TopicDraft:
    """An unpublished topic made from an answered question, as a topic file for staff to finish
    and send back (the import publishes it)."""

    topic: str
    locale: str
    file_name: str
    content: bytes


class LessonRuleError(Exception):
    """not_staff, not_found (no such question or topic), not_answered."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class QuestionLessons(Protocol):
    async def figures(self) -> QuestionFigures:
        """Staff: questions asked and answered, in all, per region and per language."""
        ...

    async def add_keyword(self, question_id: int, topic: str) -> str:
        """Staff: the question's words added to the topic's keywords in the question's language
        (else the language newcomers are shown instead); returns the keyword added."""
        ...

    async def draft_topic(self, question_id: int, locale: str) -> TopicDraft:
        """Staff: a new, unpublished topic in `locale` from the question and its answers."""
        ...
