"""Tables: people, channel identities, conversations, updates seen, regions, outbox, audit."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.db.base import Base, UtcDateTime

# BIGINT on PostgreSQL, INTEGER (the rowid alias) on SQLite.
Id = BigInteger().with_variant(Integer(), "sqlite")


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
    display_name: Mapped[str | None] = mapped_column(String(200))
    is_staff: Mapped[bool] = mapped_column(Boolean, default=False)
    consented_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
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


class ShownChoices(Base):
    """The last list of choices a person saw on a channel without buttons, so that a number or
    a label they type then refers to it, across restarts."""

    __tablename__ = "shown_choices"

    channel: Mapped[str] = mapped_column(String(20), primary_key=True)
    address: Mapped[str] = mapped_column(String(64), primary_key=True)
    choices: Mapped[list[Any]] = mapped_column(JSON)  # [[label, data], ...]
    numbered: Mapped[bool] = mapped_column(Boolean)
    shown_at: Mapped[datetime] = mapped_column(UtcDateTime)


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
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    dedup_key: Mapped[str] = mapped_column(String(200), unique=True)
    channel: Mapped[str] = mapped_column(String(20))
    address: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
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


class AuditEntry(Base):
    """Who did what: staff actions and changes to roles, kept without message contents."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(60))
    subject: Mapped[str | None] = mapped_column(String(120))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class FundingRound(Base):
    """A pot of money with its rules: a cap per application, a period, categories, a deadline."""

    __tablename__ = "funding_rounds"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    pot_cents: Mapped[int] = mapped_column(BigInteger)
    cap_cents: Mapped[int] = mapped_column(BigInteger)
    opens_on: Mapped[date] = mapped_column(Date)
    closes_on: Mapped[date] = mapped_column(Date)
    categories: Mapped[list[str]] = mapped_column(JSON)
    report_weeks: Mapped[int] = mapped_column(Integer, default=8)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Application(Base):
    """A micro-project application: a draft until submitted, then decided by staff."""

    __tablename__ = "applications"
    __table_args__ = (Index("ix_applications_round_status", "round_id", "status"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("funding_rounds.id"))
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    reference: Mapped[str | None] = mapped_column(String(20), unique=True)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    applicant_name: Mapped[str | None] = mapped_column(String(200))
    organisation: Mapped[str | None] = mapped_column(String(200))
    contact: Mapped[str | None] = mapped_column(String(200))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id", ondelete="SET NULL"))
    title: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    topics: Mapped[list[str]] = mapped_column(JSON, default=list)
    volunteers_expected: Mapped[int | None] = mapped_column(Integer)
    newcomers_expected: Mapped[int | None] = mapped_column(Integer)
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    confirmed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    approved_cents: Mapped[int | None] = mapped_column(BigInteger)
    decision_reason: Mapped[str | None] = mapped_column(Text)
    report_due_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)

    items: Mapped[list[CostItem]] = relationship(
        lazy="selectin", order_by="CostItem.id", cascade="all, delete-orphan"
    )


class CostItem(Base):
    __tablename__ = "cost_items"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    category: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(String(300))
    amount_cents: Mapped[int] = mapped_column(BigInteger)


class Decision(Base):
    """A staff decision on an application: approve (with the amount), reject, or ask for changes."""

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    staff_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(20))
    amount_cents: Mapped[int | None] = mapped_column(BigInteger)
    reason: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UtcDateTime)


class GrantReport(Base):
    """The report after a project: whom it reached, what happened, what it really cost."""

    __tablename__ = "grant_reports"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), unique=True
    )
    status: Mapped[str] = mapped_column(String(20), default="draft")
    volunteers_reached: Mapped[int | None] = mapped_column(Integer)
    newcomers_reached: Mapped[int | None] = mapped_column(Integer)
    summary: Mapped[str | None] = mapped_column(Text)
    costs: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)  # category -> cents
    staff_note: Mapped[str | None] = mapped_column(Text)
    submissions: Mapped[int] = mapped_column(Integer, default=0)
    submitted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)

    files: Mapped[list[ReportFile]] = relationship(
        lazy="selectin", order_by="ReportFile.id", cascade="all, delete-orphan"
    )


class ReportFile(Base):
    """A receipt: the channel's reference to the file, never the file itself."""

    __tablename__ = "report_files"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    report_id: Mapped[int] = mapped_column(
        ForeignKey("grant_reports.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[str] = mapped_column(String(20))
    file_ref: Mapped[str] = mapped_column(String(300))
    name: Mapped[str | None] = mapped_column(String(255))
    mime_type: Mapped[str | None] = mapped_column(String(100))
    size: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


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
    title: Mapped[str] = mapped_column(String(200))
    agenda: Mapped[str | None] = mapped_column(Text)
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    duration_minutes: Mapped[int] = mapped_column(Integer)
    place: Mapped[str | None] = mapped_column(String(300))
    online_link: Mapped[str | None] = mapped_column(String(300))
    capacity: Mapped[int | None] = mapped_column(Integer)
    languages: Mapped[str | None] = mapped_column(String(200))
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


class InfoArticle(Base):
    """A topic for newcomers in one language, imported from `content/`."""

    __tablename__ = "info_articles"
    __table_args__ = (Index("uq_info_articles_topic_locale", "topic", "locale", unique=True),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    topic: Mapped[str] = mapped_column(String(60))
    locale: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer, default=0)
    reviewed_on: Mapped[date] = mapped_column(Date)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class LocalContacts(Base):
    """The contacts of one region that staff keep up to date, shown under every article."""

    __tablename__ = "local_contacts"

    region_id: Mapped[int] = mapped_column(
        ForeignKey("regions.id", ondelete="CASCADE"), primary_key=True
    )
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
