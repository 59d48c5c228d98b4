"""Grants: funding rounds, applications with their cost items and decisions, reports and
receipts."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.db.base import Base, Id, UtcDateTime
from conversations import limits


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
    applicant_name: Mapped[str | None] = mapped_column(String(limits.PERSON_NAME.size))
    organisation: Mapped[str | None] = mapped_column(String(limits.ORGANISATION.size))
    contact: Mapped[str | None] = mapped_column(String(limits.CONTACT.size))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id", ondelete="SET NULL"))
    title: Mapped[str | None] = mapped_column(String(limits.PROJECT_TITLE.size))
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
    report_due_on: Mapped[date | None] = mapped_column(Date, index=True)
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
    description: Mapped[str] = mapped_column(String(limits.COST_ITEM.size))
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
    name: Mapped[str | None] = mapped_column(String(limits.RECEIPT_NAME.size))
    mime_type: Mapped[str | None] = mapped_column(String(100))
    size: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
