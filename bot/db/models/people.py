"""People: who they are, how each is reached on each messenger, regions, the audit log of
staff actions, and the codes that join two messengers."""

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
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.db.base import Base, Id, UtcDateTime
from conversations import limits


class Region(Base):
    __tablename__ = "regions"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    key: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(Integer, default=0)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    locale: Mapped[str] = mapped_column(String(8))
    role: Mapped[str | None] = mapped_column(String(20))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id", ondelete="SET NULL"))
    display_name: Mapped[str | None] = mapped_column(String(limits.DISPLAY_NAME.size))
    is_staff: Mapped[bool] = mapped_column(Boolean, default=False)
    consented_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # The privacy notice's version the person agreed to last, and when (None: not since notices
    # had versions); a newer notice is shown again before anything else.
    privacy_version: Mapped[str | None] = mapped_column(String(20))
    privacy_accepted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    unreachable_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    announcements_muted: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)

    region: Mapped[Region | None] = relationship(lazy="raise")
    identities: Mapped[list[ChannelIdentity]] = relationship(
        back_populates="user", lazy="raise", cascade="all, delete-orphan", passive_deletes=True
    )


class ChannelIdentity(Base):
    """How one person is reached on one channel: (`telegram`, chat id), (`console`, `local`)."""

    __tablename__ = "channel_identities"
    __table_args__ = (
        Index("uq_channel_identities_address", "channel", "external_id", unique=True),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(20))
    external_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # When the person last wrote from here: what is sent to them goes to the messenger they
    # used last, once, when they joined two (`/link`).
    last_seen_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    user: Mapped[User] = relationship(back_populates="identities", lazy="raise")

    @property
    def address(self) -> str:
        return f"{self.channel}:{self.external_id}"


class LinkCode(Base):
    """A short one-time code that joins a second messenger to a person's profile (`/link`)."""

    __tablename__ = "link_codes"

    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True, unique=True
    )
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)


class AuditEntry(Base):
    """Who did what: staff actions and changes to roles, kept without message contents."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(60))
    subject: Mapped[str | None] = mapped_column(String(120))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
