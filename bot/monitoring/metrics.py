"""What `/metrics` shows. Counters and the turn histogram are incremented where things happen;
the figures that live in the database (depths of inbox and outbox, people, questions,
applications) are read at scrape time, with a few aggregate queries (`read_figures`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from prometheus_client import Counter, Histogram
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Application, InboxMessage, OutboxMessage, Question, Region, User
from bot.delivery.outbox import ANNOUNCEMENT_PRIORITY, PENDING, SENDING

INBOX_WAITING = "pending"  # bot.inbox_rows.PENDING (bot.inbox counts its turns here)

TURNS = Counter(
    "gemeinsam_turns",
    "Messages received and handled (handled), tried again after a failure (retried), or given "
    "up with an apology (failed)",
    ["outcome"],
)
TURN_SECONDS = Histogram(
    "gemeinsam_turn_duration_seconds",
    "Time of one handled turn, from taking its inbox row to the commit",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
MESSAGES = Counter(
    "gemeinsam_messages",
    "Outbox rows by what became of an attempt to send them: sent, refused (for good), retried, "
    "held (flood control), failed (given up after retries), unreachable (blocked the bot)",
    ["channel", "outcome"],
)
JOB_RUNS = Counter("gemeinsam_job_runs", "Scheduler job runs", ["job"])
JOB_FAILURES = Counter("gemeinsam_job_failures", "Scheduler job runs that failed", ["job"])


@dataclass
class Figures:
    """The database's figures at one moment."""

    inbox: dict[str, int] = field(default_factory=dict)  # by status
    outbox: dict[tuple[str, str], int] = field(default_factory=dict)  # by status, priority
    reply_wait_seconds: float = 0.0
    people: dict[tuple[str, str], int] = field(default_factory=dict)  # by role, region
    questions: dict[str, int] = field(default_factory=dict)  # by status
    applications: dict[str, int] = field(default_factory=dict)  # by status


async def read_figures(session: AsyncSession, *, now: datetime) -> Figures:
    figures = Figures(reply_wait_seconds=await reply_wait(session, now=now))
    for status, count in await session.execute(
        select(InboxMessage.status, func.count()).group_by(InboxMessage.status)
    ):
        figures.inbox[status] = count
    for status, priority, count in await session.execute(
        select(OutboxMessage.status, OutboxMessage.priority, func.count()).group_by(
            OutboxMessage.status, OutboxMessage.priority
        )
    ):
        kind = "announcement" if priority >= ANNOUNCEMENT_PRIORITY else "reply"
        figures.outbox[(status, kind)] = figures.outbox.get((status, kind), 0) + count
    for is_staff, role, region, count in await session.execute(
        select(User.is_staff, User.role, Region.key, func.count())
        .select_from(User)
        .outerjoin(Region, Region.id == User.region_id)
        .group_by(User.is_staff, User.role, Region.key)
    ):
        key = ("staff" if is_staff else role or "none", region or "none")
        figures.people[key] = figures.people.get(key, 0) + count
    for status, count in await session.execute(
        select(Question.status, func.count()).group_by(Question.status)
    ):
        figures.questions[status] = count
    for status, count in await session.execute(
        select(Application.status, func.count()).group_by(Application.status)
    ):
        figures.applications[status] = count
    return figures


async def reply_wait(session: AsyncSession, *, now: datetime) -> float:
    """How long the person who waits longest has waited, in seconds: for the turn of a message
    they sent, or for a reply (not an announcement) to go out."""
    received = await session.scalar(
        select(func.min(InboxMessage.received_at)).where(InboxMessage.status == INBOX_WAITING)
    )
    queued = await session.scalar(
        select(func.min(OutboxMessage.created_at)).where(
            OutboxMessage.status.in_((PENDING, SENDING)),
            OutboxMessage.priority < ANNOUNCEMENT_PRIORITY,
        )
    )
    oldest = min((moment for moment in (received, queued) if moment is not None), default=None)
    return max((now - oldest).total_seconds(), 0.0) if oldest is not None else 0.0
