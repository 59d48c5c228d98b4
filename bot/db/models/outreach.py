"""Outreach: information topics and local contacts, announcements, surveys and their answers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy import true as sql_true
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, Id, UtcDateTime
from conversations import limits


class InfoArticle(Base):
    """A topic for newcomers in one language, imported from `content/`."""

    __tablename__ = "info_articles"
    __table_args__ = (Index("uq_info_articles_topic_locale", "topic", "locale", unique=True),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    topic: Mapped[str] = mapped_column(String(60))
    locale: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(limits.TOPIC_TITLE.size))
    body: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer, default=0)
    reviewed_on: Mapped[date] = mapped_column(Date)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # A draft (from an answered question) is not shown until staff import the topic.
    published: Mapped[bool] = mapped_column(Boolean, default=True, server_default=sql_true())


class LocalContacts(Base):
    """Contacts in one region that staff keep up to date, shown under the articles of one topic,
    or of every topic where `topic` is "*"."""

    __tablename__ = "local_contacts"

    region_id: Mapped[int] = mapped_column(
        ForeignKey("regions.id", ondelete="CASCADE"), primary_key=True
    )
    topic: Mapped[str] = mapped_column(String(60), primary_key=True, default="*")
    text: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Broadcast(Base):
    """An announcement to an audience; each recipient's copy is an outbox row with its key."""

    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    audience: Mapped[dict[str, Any]] = mapped_column(JSON)
    texts: Mapped[dict[str, str]] = mapped_column(JSON)  # locale -> text; "de" always
    fallback: Mapped[str] = mapped_column(String(8), default="de")
    status: Mapped[str] = mapped_column(String(12), default="sending")
    total: Mapped[int] = mapped_column(Integer, default=0)
    report_channel: Mapped[str] = mapped_column(String(20))
    report_address: Mapped[str] = mapped_column(String(64))
    report_text: Mapped[str | None] = mapped_column(Text)
    report_edits: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Survey(Base):
    """A needs survey: a question with options or a free-text answer, open until it closes."""

    __tablename__ = "surveys"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    question: Mapped[str] = mapped_column(Text)
    options: Mapped[list[str]] = mapped_column(JSON)  # empty: a free-text answer
    # The question and options in other languages than German (above), the options in the same
    # order: locale -> {"question": ..., "options": [...]}. Answers are kept by option index.
    versions: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, server_default="{}")
    fallback: Mapped[str] = mapped_column(String(8), default="de", server_default="de")
    audience: Mapped[dict[str, Any]] = mapped_column(JSON)
    closes_at: Mapped[datetime] = mapped_column(UtcDateTime)
    total: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class SurveyAnswer(Base):
    __tablename__ = "survey_answers"

    survey_id: Mapped[int] = mapped_column(
        ForeignKey("surveys.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    option: Mapped[int | None] = mapped_column(Integer)
    text: Mapped[str | None] = mapped_column(Text)
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id", ondelete="SET NULL"))
    answered_at: Mapped[datetime] = mapped_column(UtcDateTime)


class SurveyRecipient(Base):
    """Someone a survey was sent to: they may answer, whatever they change or mute afterwards."""

    __tablename__ = "survey_recipients"

    survey_id: Mapped[int] = mapped_column(
        ForeignKey("surveys.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
