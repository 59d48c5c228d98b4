"""The announcements still being queued: their rows written a batch at a time (on PostgreSQL two
side by side), each batch in a transaction of its own, so that turns and other jobs get the
database between batches (SQLite has one writer) however large the audience. A process killed in
the middle loses nothing (the next one skips the rows written) and doubles nothing (the rows'
keys)."""

from __future__ import annotations

import asyncio
import time

from sqlalchemy import func, select, update

from bot.db.models import Broadcast, OutboxMessage
from bot.db.session import Database
from bot.delivery.outbox import refresh_outbox_statistics
from bot.services.outreach.broadcast_rows import (
    BATCH,
    QUEUEING,
    SENDING,
    next_people,
    row_key,
    write_rows,
)

# Rows written in one run after which PostgreSQL's planner is told how large the outbox now is,
# and again each time they doubled (an ANALYZE of the outbox costs 10-20 ms).
ANALYZE_AFTER = 1000
# A run goes on while rows remain, up to this; the scheduler's next tick goes on from there. (At
# 40 batches a run, 50,000 people waited for three ticks, ~1.5 s of the 5 s they may take.) A
# stop waits for the run (`JobGuard.drain`), so no longer than this.
RUN_SECONDS = 5.0
# With nothing queueing, the scheduler's tick (twice a second) looks for announcements this often:
# one that another process took, or one left by a process that stopped. After a "Send" in this
# process (`soon`) it looks at every tick for a while, as the turn commits after it said so.
LOOK_EVERY_SECONDS = 2.0
SOON_SECONDS = 10.0
# PostgreSQL: batches written side by side, each in its own transaction on its own connection
# (no writer waits for another's rows), so that one's round trips and the bot's work on it overlap
# the server's work on the other. 50,000 people were queued in 2.20 and 2.29 s one at a time,
# 1.90-2.13 s in four runs side by side (the bench's part, on 2 cores that were then all busy).
WRITERS = 2


class BroadcastQueue:
    """The scheduler's side: writes the next batches of every announcement still queueing,
    each batch in its own short transaction. Remembers where each one stands; after a restart
    the batches already written are gone through quickly (their rows are skipped)."""

    def __init__(self, *, batch: int = BATCH) -> None:
        self.batch = batch
        self._after: dict[int, int] = {}
        self._look_at = 0.0  # monotonic: the next look while nothing is known to queue
        self._eager_until = 0.0

    def soon(self) -> None:
        """A turn of this process queues an announcement: look for it at every tick."""
        self._eager_until = time.monotonic() + SOON_SECONDS

    async def tick(self, database: Database) -> int:
        """The scheduler's: `run` when an announcement may be queueing; returns the rows
        written. Twice a second a look that finds none (a transaction) was a third of the bot's
        CPU while nobody wrote."""
        now = time.monotonic()
        if now < self._look_at and now >= self._eager_until:
            return 0
        written = await self.run(database)
        # Rows were written: the next tick goes on (a run stops after RUN_SECONDS).
        self._look_at = 0.0 if written else time.monotonic() + LOOK_EVERY_SECONDS
        return written

    async def run(self, database: Database, *, max_batches: int | None = None) -> int:
        """Batches for up to `RUN_SECONDS`, or `max_batches` that write rows (the next run goes
        on; one whose rows are all written, after a restart, is not counted); returns the rows
        written."""
        written = batches = 0
        writers = 1 if database.is_sqlite else WRITERS
        analyzed_at = ANALYZE_AFTER
        deadline = time.monotonic() + RUN_SECONDS
        while (max_batches is None or batches < max_batches) and time.monotonic() < deadline:
            began = time.monotonic()
            wanted = writers if max_batches is None else min(writers, max_batches - batches)
            rows, wrote = await self._write_batches(database, wanted)
            if rows is None:
                break
            if database.is_sqlite:
                # One writer: a pause of half the batch's time, so that a process that tries
                # to write meanwhile (and may not wait for the lock) finds it free. Without, at
                # 50,000 people the longest time others found it taken was 143-164 ms, with
                # this 41-56 ms (2/3 of the time queueing: 3.3-3.5 s in all).
                await asyncio.sleep((time.monotonic() - began) / 2)
            written += rows
            batches += wrote if rows else 0
            if written >= analyzed_at:
                await refresh_outbox_statistics(database)
                analyzed_at = written * 2
        return written

    async def _write_batches(self, database: Database, count: int) -> tuple[int | None, int]:
        """The next `count` batches of the first announcement still queueing, side by side
        (SQLite's one writer takes them in turn): the rows written (None when none is queueing)
        and the batches."""
        async with database.reading() as session:
            broadcast = await session.scalar(
                select(Broadcast)
                .where(Broadcast.status == QUEUEING)
                .order_by(Broadcast.id)
                .limit(1)
            )
            if broadcast is None:
                return None, 0
            after = self._after.get(broadcast.id, 0)
            people = await next_people(
                session, broadcast, after_user_id=after, limit=self.batch * count
            )
        batches = [
            people[start : start + self.batch] for start in range(0, len(people), self.batch)
        ]
        async with asyncio.TaskGroup() as group:
            writing = [
                group.create_task(_write_range(database, broadcast.id, batch[0], batch[-1]))
                for batch in batches
            ]
        if len(people) < self.batch * count:
            await _sending(database, broadcast.id)
            self._after.pop(broadcast.id, None)
        else:
            # Remembered once the batches are committed: a failed one is written again.
            self._after[broadcast.id] = people[-1]
        return sum(task.result() for task in writing), len(batches)


async def _write_range(database: Database, broadcast_id: int, first: int, last: int) -> int:
    """One batch: the audience's rows from user id `first` to `last`, unless the announcement
    was stopped meanwhile. Its row is shared, so that batches go side by side while a stop
    (which locks it for an update) waits for them and they for a stop."""
    async with database.transaction() as session:
        broadcast = await session.scalar(
            select(Broadcast)
            .where(Broadcast.id == broadcast_id, Broadcast.status == QUEUEING)
            .with_for_update(read=True)
        )
        if broadcast is None:
            return 0
        return len(await write_rows(session, broadcast, first=first, last=last))


async def _sending(database: Database, broadcast_id: int) -> None:
    """Every row is written: the announcement is sending (unless stopped meanwhile), and its
    total is counted."""
    async with database.transaction() as session:
        result = await session.execute(
            update(Broadcast)
            .where(Broadcast.id == broadcast_id, Broadcast.status == QUEUEING)
            .values(status=SENDING)
        )
    if result.rowcount:  # type: ignore[attr-defined]
        await _count_recipients(database, broadcast_id)


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
