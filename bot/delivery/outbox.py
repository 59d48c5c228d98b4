"""The outbox: every outgoing message is a row first, with a key that makes queueing it twice
harmless; rows waiting can be cancelled by key. Statuses and priorities of rows."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, exists, or_, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import OutboxMessage, User
from bot.db.session import insert
from conversations.messages import Reply

log = logging.getLogger(__name__)

PENDING, SENDING, SENT, FAILED, UNREACHABLE = "pending", "sending", "sent", "failed", "unreachable"
CANCELLED = "cancelled"  # a stopped broadcast's rows, or reminders of a changed meeting
EXPIRED = "expired"  # not sent before its `expires_at`: too late to make sense
ANNOUNCEMENT_PRIORITY = 10
MAX_ATTEMPTS = 12
MAX_BACKOFF = timedelta(minutes=30)


async def enqueue(
    session: AsyncSession,
    *,
    channel: str,
    address: str,
    reply: Reply,
    dedup_key: str,
    now: datetime,
    user_id: int | None = None,
    about_user_id: int | None = None,
    not_before: datetime | None = None,
    expires_at: datetime | None = None,
    priority: int = 0,
) -> int | None:
    """Add a message to the outbox; returns its id, or None if that key was queued before.
    A message to someone who blocked us is recorded as unreachable and never tried, until they
    write again. `about_user_id`: the person a message to someone else is about (it goes when
    they erase their data)."""
    status: Any = PENDING
    if user_id is not None:
        blocked_us = exists().where(User.id == user_id, User.unreachable_at.is_not(None))
        status = case((blocked_us, UNREACHABLE), else_=PENDING)
    values = {
        "dedup_key": dedup_key,
        "channel": channel,
        "address": address,
        "user_id": user_id,
        "about_user_id": about_user_id,
        "payload": reply.to_payload(),
        "priority": priority,
        "status": status,
        "attempts": 0,
        "next_attempt_at": not_before or now,
        "expires_at": expires_at,
        "created_at": now,
    }
    statement = (
        insert(session, OutboxMessage)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["dedup_key"])
        .returning(OutboxMessage.id)
    )
    return (await session.execute(statement)).scalar_one_or_none()


async def cancel_unsent(session: AsyncSession, *key_prefixes: str) -> None:
    """The rows whose key starts with one of these prefixes and that wait to be sent are not
    sent at all (a stopped announcement, reminders for a meeting's old time)."""
    await session.execute(
        update(OutboxMessage)
        .where(
            or_(*(OutboxMessage.dedup_key.startswith(prefix) for prefix in key_prefixes)),
            OutboxMessage.status == PENDING,
        )
        .values(status=CANCELLED)
    )


def backoff(attempts: int) -> timedelta:
    return min(timedelta(seconds=2 ** min(attempts, 12)), MAX_BACKOFF)
