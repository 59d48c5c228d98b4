"""The announcement itself, measured from outside the real bot: seconds from "Yes, send" until
every recipient's outbox row is written, and meanwhile the longest time anyone else could not
write (SQLite: a probe's own connection tries a write every ~10 ms and is never made to wait;
PostgreSQL: the oldest write transaction of the bot seen in pg_stat_activity every ~10 ms)."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path

from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bench.announcement import compose, onboard_staff, press
from bench.engines import on_each
from bench.people import introduce, seed
from bench.processes import STAFF, real_bot
from bench.table import Figure, Target
from bot.db.models import Broadcast, OutboxMessage
from bot.db.session import Database
from tests.e2e.telegram_fake import FakeBotApi

# The 50,000 people: queueing them takes seconds (unlike sending, half an hour).
SIZE = int(os.environ.get("BENCH_QUEUEING") or 50000)
EVERY = 0.01  # seconds between the probe's tries
AFTER = 1.0  # seconds the probe goes on after the rows are written


# Run as a process of its own, so that the bench's own work (the fake Bot API) never delays it.
PROBE = """
import os, sqlite3, sys, time
path, stop = sys.argv[1], sys.argv[2]
connection = sqlite3.connect(path, timeout=0, isolation_level=None)
connection.execute("PRAGMA busy_timeout = 0")
longest, refused_at = 0.0, None
while not os.path.exists(stop):
    try:
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("ROLLBACK")
    except sqlite3.OperationalError:
        refused_at = refused_at or time.monotonic()
    else:
        if refused_at is not None:
            longest, refused_at = max(longest, time.monotonic() - refused_at), None
    time.sleep(%s)
print(longest)
"""


class SqliteProbe:
    """A process that writes nothing but takes SQLite's write lock (BEGIN IMMEDIATE, ROLLBACK)
    with no busy timeout: the longest time from a refusal to the next success."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.stop = Path(path).with_suffix(".stop")
        self.longest = 0.0
        self._process: asyncio.subprocess.Process | None = None

    async def __aenter__(self) -> SqliteProbe:
        self._process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            PROBE % EVERY,
            self.path,
            str(self.stop),
            stdout=asyncio.subprocess.PIPE,
        )
        return self

    async def __aexit__(self, *_: object) -> None:
        assert self._process is not None
        self.stop.touch()
        output, _ = await self._process.communicate()
        self.longest = float(output)


OPEN_WRITES = text(
    "SELECT coalesce(max(extract(epoch FROM clock_timestamp() - xact_start)), 0)"
    " FROM pg_stat_activity WHERE datname = current_database()"
    " AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()"
)


class PostgresqlProbe:
    """The age of the oldest transaction that wrote (holds a transaction id), every ~10 ms."""

    def __init__(self, url: str) -> None:
        self.database = Database(url)
        self.longest = 0.0
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        async with self.database.engine.connect() as connection:
            while not self._stop.is_set():
                age = float(await connection.scalar(OPEN_WRITES) or 0)
                await connection.rollback()
                self.longest = max(self.longest, age)
                await asyncio.sleep(EVERY)

    async def __aenter__(self) -> PostgresqlProbe:
        self._task = asyncio.create_task(self._run())
        return self

    async def __aexit__(self, *_: object) -> None:
        self._stop.set()
        assert self._task is not None
        await self._task
        await self.database.dispose()


async def queued(engine: AsyncEngine, *, timeout: float) -> tuple[float, int]:
    """Wait until the announcement is no longer being queued: when, and its rows. Read on a
    plain connection, which on SQLite takes no write lock (the bot's own connections do)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        async with engine.connect() as connection:
            status = await connection.scalar(
                select(Broadcast.status).order_by(Broadcast.id.desc()).limit(1)
            )
            if status is not None and status != "queueing":
                at = time.monotonic()
                rows = await connection.scalar(
                    select(func.count()).where(OutboxMessage.dedup_key.like("broadcast:%:to:%"))
                )
                return at, int(rows or 0)
        await asyncio.sleep(0.02)
    raise TimeoutError("the announcement was not queued in time")


async def measure(database_url: str, directory: Path, *, size: int, suffix: str) -> list[Figure]:
    await seed(database_url, audience_size=size)
    url = make_url(database_url)
    probe: SqliteProbe | PostgresqlProbe = (
        SqliteProbe(str(url.database))
        if url.get_backend_name() == "sqlite"
        else PostgresqlProbe(database_url)
    )
    watcher = create_async_engine(database_url)
    try:
        async with FakeBotApi() as fake:
            introduce(fake, audience_size=size)
            async with real_bot(fake, database_url, directory / "bot.log"):
                await onboard_staff(fake)
                await compose(fake)
                async with probe:
                    sent = time.monotonic()
                    await press(fake, STAFF, "Yes, send", timeout=size / 10 + 60)
                    at, rows = await queued(watcher, timeout=size / 100 + 120)
                    await asyncio.sleep(AFTER)
    finally:
        await watcher.dispose()
    assert rows == size, f"{rows} rows for {size} people"
    return [
        Figure(f"announcement to {size:,} queued{suffix} (s)", at - sent, None, Target(5)),
        Figure(
            f"longest write lock-out while queueing{suffix} (ms)",
            probe.longest * 1000,
            None,
            Target(100),
        ),
    ]


async def announcement_lockout(engines: list[tuple[str, str | None]]) -> list[Figure]:
    return await on_each(
        engines, lambda url, directory, suffix: measure(url, directory, size=SIZE, suffix=suffix)
    )
