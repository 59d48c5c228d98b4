"""Questions to the office (/ask): a thread between a person and the staff, its messages, and
the copies of its notice that staff got, which are edited in place when someone takes it."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.db.base import Base, Id, UtcDateTime
from conversations import limits


class Question(Base):
    """One question: open until a staff member takes it, answered, then solved by the person or
    closed by staff (with a reason: answered elsewhere, duplicate, other)."""

    __tablename__ = "questions"
    __table_args__ = (Index("ix_questions_status_created", "status", "created_at"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    # "F-2026-0042": the year and the id, so two questions at once never get the same one.
    reference: Mapped[str | None] = mapped_column(String(20), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id", ondelete="SET NULL"))
    locale: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(
        String(12), default="open"
    )  # open|taken|answered|solved|closed
    taken_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    taken_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    first_answer_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    closed_reason: Mapped[str | None] = mapped_column(String(20))  # solved|answered|duplicate|other
    # The person was told once that the answer takes longer than promised.
    late_notice_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # The working day staff were last reminded of it (once a working day at most).
    reminded_on: Mapped[date | None] = mapped_column(Date)
    # How often the staff copies were edited: each edit is an outbox row with its own key.
    copy_edits: Mapped[int] = mapped_column(Integer, default=0)

    messages: Mapped[list[QuestionMessage]] = relationship(
        lazy="raise", order_by="QuestionMessage.id", cascade="all, delete-orphan"
    )


class QuestionMessage(Base):
    """One message of the thread: the question, an answer, a reply; text and/or one file (the
    channel's reference to it, never the file itself)."""

    __tablename__ = "question_messages"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    from_staff: Mapped[bool] = mapped_column(Boolean, default=False)
    text: Mapped[str | None] = mapped_column(String(limits.QUESTION_ANSWER.size))
    channel: Mapped[str | None] = mapped_column(String(20))
    file_ref: Mapped[str | None] = mapped_column(String(300))
    file_name: Mapped[str | None] = mapped_column(String(limits.QUESTION_FILE_NAME.size))
    mime_type: Mapped[str | None] = mapped_column(String(100))
    file_kind: Mapped[str | None] = mapped_column(String(12))  # photo|document|voice
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class QuestionCopy(Base):
    """The notice of a question as one staff member got it: the outbox key of its first sending,
    whose message is edited in place (who took it, that it was answered or closed)."""

    __tablename__ = "question_copies"

    question_id: Mapped[int] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), primary_key=True
    )
    staff_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    dedup_key: Mapped[str] = mapped_column(String(200))
