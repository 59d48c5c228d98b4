"""SQLite takes one writer at a time. In one process, writers wait for it here, first come first
served and short writes before long ones, rather than in SQLite's busy handler, which sleeps in
growing steps and lets a late writer overtake one that has waited for a second."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class WriterQueue:
    def __init__(self) -> None:
        self._busy = False
        self._owner: asyncio.Task[object] | None = None
        self._short: deque[asyncio.Future[None]] = deque()
        self._long: deque[asyncio.Future[None]] = deque()

    @asynccontextmanager
    async def turn(self, *, long: bool) -> AsyncIterator[None]:
        task = asyncio.current_task()
        if task is not None and task is self._owner:
            yield  # a transaction within one: SQLite's busy handler decides, as without a queue
            return
        await self._acquire(long)
        self._owner = task
        try:
            yield
        finally:
            self._owner = None
            self._release()

    async def _acquire(self, long: bool) -> None:
        if not self._busy and not self._short and not self._long:
            self._busy = True
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        (self._long if long else self._short).append(waiter)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():  # handed over as it was cancelled
                self._release()
            raise

    def _release(self) -> None:
        """Hand the database to the next short writer, else the next long one."""
        for waiting in (self._short, self._long):
            while waiting:
                waiter = waiting.popleft()
                if not waiter.done():
                    waiter.set_result(None)
                    return  # still busy: it is theirs now
        self._busy = False
