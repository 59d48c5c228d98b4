"""The scheduler's lease: of several bot processes on one PostgreSQL, one at a time runs the
scheduled jobs, the bulk sending among them, so that Telegram's allowance per bot token is
shared rather than multiplied and every scan runs once. The holder renews the lease every third
of its length; when it dies, another process takes over once the lease ran out, and one that
stops gives it up at once. SQLite serves one process: there the lease is always held.

Lease times are the database's (`now()`), so that the hosts' clocks need not agree; a holder
counts its lease from before it asked for it on its own monotonic clock, so that it believes
itself the holder no longer than the database does.
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TypeVar

from sqlalchemy import delete, func, or_
from sqlalchemy.dialects.postgresql import insert

from bot.db.models import Lease
from bot.db.session import Database

log = logging.getLogger(__name__)

SCHEDULER = "scheduler"
T = TypeVar("T")


def process_name() -> str:
    """Who holds a lease, as an operator reads it: host, process id, and a few letters that
    tell a restarted process with a reused id from the one before."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class SchedulerLease:
    def __init__(self, database: Database, *, seconds: float = 30.0, name: str = SCHEDULER) -> None:
        self.database = database
        self.seconds = seconds
        self.name = name
        self.holder = process_name()
        self.shared = database.is_postgresql
        self._held_until = 0.0  # monotonic; the lease is ours until then
        self._was_held = False
        self._told = False  # whether this process said who runs the jobs

    @property
    def renew_every(self) -> float:
        return self.seconds / 3

    @property
    def held(self) -> bool:
        return not self.shared or time.monotonic() < self._held_until

    async def renew(self) -> bool:
        """Take the lease if it is free or ran out, or extend ours; whether this process holds
        it now. A failure (the database away) leaves it to run out."""
        if not self.shared:
            return True
        asked = time.monotonic()
        claim = insert(Lease).values(
            name=self.name, holder=self.holder, until=func.now() + timedelta(seconds=self.seconds)
        )
        claim = claim.on_conflict_do_update(
            index_elements=[Lease.name],
            set_={"holder": claim.excluded.holder, "until": claim.excluded.until},
            where=or_(Lease.holder == self.holder, Lease.until < func.now()),
        )
        async with self.database.transaction() as session:
            holder = await session.scalar(claim.returning(Lease.holder))
        held: bool = holder == self.holder
        self._held_until = asked + self.seconds if held else 0.0
        if held and not self._was_held:
            log.info("scheduler lease taken by %s: this process runs the scheduled jobs", holder)
        elif self._was_held and not held:
            log.warning("scheduler lease lost by %s: another process runs the jobs", self.holder)
        elif not held and not self._told:
            log.info("scheduler lease held by another process: it runs the scheduled jobs")
        self._told = True
        self._was_held = held
        return held

    async def release(self) -> None:
        """At a stop, after the jobs finished: another process takes over at its next renewal
        instead of after the lease ran out."""
        if not self.shared or not self._was_held:
            return
        self._held_until = 0.0
        self._was_held = False
        try:
            async with self.database.transaction() as session:
                await session.execute(
                    delete(Lease).where(Lease.name == self.name, Lease.holder == self.holder)
                )
        except Exception as error:  # it runs out by itself
            log.warning("scheduler lease not given up (%s); it runs out", error)
            return
        log.info("scheduler lease given up by %s", self.holder)

    def only_holder(self, job: Callable[[], Awaitable[T]]) -> Callable[[], Awaitable[T | None]]:
        """The job, run only while this process holds the lease."""

        async def run() -> T | None:
            return await job() if self.held else None

        return run
