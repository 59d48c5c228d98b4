"""Meetings: the regions' groups, the meetings and the regions they are for, and the answers
to invitations."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, Id, UtcDateTime
from conversations import limits


class GroupMembership(Base):
    """A person in a region's Aktivgruppe: invited to its network meetings."""

    __tablename__ = "group_memberships"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    region_id: Mapped[int] = mapped_column(
        ForeignKey("regions.id", ondelete="CASCADE"), primary_key=True
    )
    joined_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Meeting(Base):
    """A network meeting (Vernetzungstreffen) of one or more regions' groups."""

    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    title: Mapped[str] = mapped_column(String(limits.MEETING_TITLE.size))
    agenda: Mapped[str | None] = mapped_column(Text)
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    duration_minutes: Mapped[int] = mapped_column(Integer)
    place: Mapped[str | None] = mapped_column(String(limits.MEETING_PLACE.size))
    online_link: Mapped[str | None] = mapped_column(String(limits.MEETING_LINK.size))
    capacity: Mapped[int | None] = mapped_column(Integer)
    languages: Mapped[str | None] = mapped_column(String(limits.MEETING_LANGUAGES.size))
    rsvp_deadline: Mapped[datetime | None] = mapped_column(UtcDateTime)
    newcomers_invited: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class MeetingRegion(Base):
    __tablename__ = "meeting_regions"

    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True
    )
    region_id: Mapped[int] = mapped_column(
        ForeignKey("regions.id", ondelete="CASCADE"), primary_key=True
    )


class Rsvp(Base):
    """A person's answer to a meeting; a yes beyond the capacity waits in line."""

    __tablename__ = "rsvps"
    __table_args__ = (Index("uq_rsvps_meeting_user", "meeting_id", "user_id", unique=True),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    answer: Mapped[str] = mapped_column(String(10))  # yes, waiting, maybe, no
    guests: Mapped[int] = mapped_column(Integer, default=0)
    waiting_since: Mapped[datetime | None] = mapped_column(UtcDateTime)
    attended: Mapped[bool | None] = mapped_column(Boolean)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
