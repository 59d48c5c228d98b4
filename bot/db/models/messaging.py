"""Messages on their way: the inbox, the outbox, the updates seen, each person's conversation
state, and the choices a person saw last where there are no buttons."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, Id, UtcDateTime


class Conversation(Base):
    """The open flow of one person: saved after every step, versioned against lost updates."""

    __tablename__ = "conversations"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    flow: Mapped[str | None] = mapped_column(String(40))
    step: Mapped[str | None] = mapped_column(String(40))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    version: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ProcessedUpdate(Base):
    """Keys of inbound updates already handled, so a redelivered update is answered once."""

    __tablename__ = "processed_updates"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    processed_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


class InboxMessage(Base):
    """Every message a person sends is a row before its channel confirms it to the source; turns
    take the rows in order per person and mark them done in their own transaction."""

    __tablename__ = "inbox"
    __table_args__ = (
        Index("ix_inbox_waiting", "status", "position", "id"),
        Index("ix_inbox_chat", "channel", "chat", "status", "id"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    update_key: Mapped[str] = mapped_column(String(100), unique=True)
    channel: Mapped[str] = mapped_column(String(20))
    chat: Mapped[str] = mapped_column(String(64))
    # `private` (a turn), `group` (a command in a group chat) or `flood` (the note to someone
    # who writes faster than the bot reads).
    route: Mapped[str] = mapped_column(String(10))
    # The neutral `Inbound`; emptied once the turn is done, as nothing needs it any more.
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # How many of this person's messages were waiting when it came: rows are taken by it first,
    # so one person's backlog never keeps everyone else waiting.
    position: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)


class OutboxMessage(Base):
    """Every outgoing message is a row first; the dispatcher sends it and records the outcome."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_due", "status", "next_attempt_at"),
        Index("ix_outbox_recipient", "channel", "address", "id"),
        Index("ix_outbox_claim", "status", "priority", "id"),
        Index(
            "ix_outbox_expires",
            "expires_at",
            sqlite_where=text("expires_at IS NOT NULL"),
            postgresql_where=text("expires_at IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    dedup_key: Mapped[str] = mapped_column(String(200), unique=True)
    channel: Mapped[str] = mapped_column(String(20))
    address: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    # The person a message to someone else is about (a notice to staff of their application):
    # it goes when they erase their data.
    about_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    # Replies go first (0), announcements after them (10), so a big broadcast never holds up
    # the answer to someone who is chatting.
    priority: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    status: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # A message that no longer makes sense after this moment (a reminder once the meeting has
    # begun) is not sent at all rather than late.
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    claim_token: Mapped[str | None] = mapped_column(String(36), index=True)
    last_error: Mapped[str | None] = mapped_column(Text)
    external_message_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class ShownChoices(Base):
    """The last list of choices a person saw on a channel without buttons, so that a number or
    a label they type then refers to it, across restarts."""

    __tablename__ = "shown_choices"

    channel: Mapped[str] = mapped_column(String(20), primary_key=True)
    address: Mapped[str] = mapped_column(String(64), primary_key=True)
    choices: Mapped[list[Any]] = mapped_column(JSON)  # [[label, data], ...]
    numbered: Mapped[bool] = mapped_column(Boolean)
    shown_at: Mapped[datetime] = mapped_column(UtcDateTime)
