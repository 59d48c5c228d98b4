"""The jobs: each one a scan of the database, safe to run twice and after any downtime."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete

from bot.db.models import OutboxMessage, ProcessedUpdate
from bot.db.session import Database
from bot.delivery import FAILED, SENT, UNREACHABLE
from conversations.ports import Clock

UPDATE_KEYS_KEPT = timedelta(days=14)
DELIVERED_KEPT = timedelta(days=30)


async def clean_up(database: Database, clock: Clock) -> None:
    """Forget update keys no channel redelivers any more, and messages long since delivered."""
    now = clock.now()
    async with database.transaction() as session:
        await session.execute(
            delete(ProcessedUpdate).where(ProcessedUpdate.processed_at < now - UPDATE_KEYS_KEPT)
        )
        await session.execute(
            delete(OutboxMessage).where(
                OutboxMessage.status.in_([SENT, FAILED, UNREACHABLE]),
                OutboxMessage.created_at < now - DELIVERED_KEPT,
            )
        )
