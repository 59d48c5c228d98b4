"""The jobs: each one a scan of the database, safe to run twice and after any downtime."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import and_, delete, or_

from bot.db.models import InboxMessage, ProcessedUpdate
from bot.db.session import Database
from bot.inbox_rows import DONE
from bot.inbox_rows import FAILED as FAILED_INBOX
from bot.services.people.retention import RetentionRun, apply_retention
from conversations.people.ports import Retention
from conversations.ports import Clock

UPDATE_KEYS_KEPT = timedelta(days=14)
# Handled inbox rows keep only their update key (Telegram redelivers for 24 hours); one that
# failed keeps the message a little longer, for whoever looks into why.
INBOX_KEPT = timedelta(days=2)
FAILED_INBOX_KEPT = timedelta(days=14)


async def clean_up(
    database: Database, clock: Clock, retention: Retention | None = None
) -> RetentionRun:
    """Forget update keys no channel redelivers any more and handled inbox rows, and delete what
    is past its retention (`retention`: the configured days, else the defaults)."""
    now = clock.now()
    async with database.transaction() as session:
        await session.execute(
            delete(ProcessedUpdate).where(ProcessedUpdate.processed_at < now - UPDATE_KEYS_KEPT)
        )
        await session.execute(
            delete(InboxMessage).where(
                or_(
                    and_(InboxMessage.status == DONE, InboxMessage.received_at < now - INBOX_KEPT),
                    and_(
                        InboxMessage.status == FAILED_INBOX,
                        InboxMessage.received_at < now - FAILED_INBOX_KEPT,
                    ),
                )
            )
        )
        return await apply_retention(session, retention=retention or Retention(), now=now)
