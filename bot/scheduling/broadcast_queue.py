"""The announcements still being queued: their rows written a batch at a time, each batch in a
transaction of its own, so that turns and other jobs get the database between batches (SQLite has
one writer) however large the audience. A process killed in the middle loses nothing (the next
one skips the rows written) and doubles nothing (the rows' keys)."""

from __future__ import annotations

from sqlalchemy import func, select, update

from bot.db.models import Broadcast, OutboxMessage
from bot.db.session import Database
from bot.delivery.outbox import refresh_outbox_statistics
from bot.services.outreach.broadcast_rows import (
    BATCH,
    QUEUEING,
    SENDING,
    queue_batch,
    row_key,
)

# Rows written in one run after which PostgreSQL's planner is told how large the outbox now is.
ANALYZE_AFTER = 1000


class BroadcastQueue:
    """The scheduler's side: writes the next batches of every announcement still queueing,
    each batch in its own short transaction. Remembers where each one stands; after a restart
    the batches already written are gone through quickly (their rows are skipped)."""

    def __init__(self, *, batch: int = BATCH) -> None:
        self.batch = batch
        self._after: dict[int, int] = {}

    async def run(self, database: Database, *, max_batches: int = 40) -> int:
        """Up to `max_batches` batches that write rows (the next run goes on; one whose rows
        are all written, after a restart, is not counted); returns the rows written."""
        written = await self._write(database, max_batches)
        if written >= ANALYZE_AFTER:
            await refresh_outbox_statistics(database)
        return written

    async def _write(self, database: Database, max_batches: int) -> int:
        written = batches = 0
        while batches < max_batches:
            async with database.transaction() as session:
                broadcast = await session.scalar(
                    select(Broadcast)
                    .where(Broadcast.status == QUEUEING)
                    .order_by(Broadcast.id)
                    .limit(1)
                    .with_for_update()
                )
                if broadcast is None:
                    return written
                after = self._after.get(broadcast.id, 0)
                batch = await queue_batch(session, broadcast, after_user_id=after, limit=self.batch)
                if batch.done:
                    broadcast.status = SENDING
                    self._after.pop(broadcast.id, None)
            if batch.done:
                await _count_recipients(database, broadcast.id)
            else:
                # Remembered once the batch is committed: a failed one is written again.
                self._after[broadcast.id] = batch.last_user_id
            written += len(batch.ids)
            batches += 1 if batch.ids else 0
        return written


async def _count_recipients(database: Database, broadcast_id: int) -> None:
    """Once every row is written: the announcement's total is its rows, counted on a snapshot
    that holds no lock (the total recorded at "Send" is the number the sender confirmed a turn
    earlier, as counting 50,000 people in the turn that queues them made it long). A process
    that dies before this leaves the confirmed number, which the report then shows."""
    async with database.reading() as session:
        rows = await session.scalar(
            select(func.count()).where(OutboxMessage.dedup_key.startswith(row_key(broadcast_id)))
        )
    async with database.transaction() as session:
        await session.execute(
            update(Broadcast).where(Broadcast.id == broadcast_id).values(total=rows or 0)
        )
