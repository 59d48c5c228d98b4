"""An announcement through a crash: the real bot is killed (SIGKILL) when about half of the
recipients have it, and started again; 5% of them have blocked the bot. Counted at the fake Bot
API: nobody who can be reached goes without it, nobody gets it twice. Also shown: how many
messages the fake had accepted while the database still had them as not sent at the kill,
the window in which a message can go out twice (the Bot API has no idempotency key)."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from pathlib import Path

from sqlalchemy import select

from bench.announcement import BLOCKED_EVERY, Delivery, compose, onboard_staff, press
from bench.engines import on_each
from bench.people import audience, introduce, seed
from bench.processes import STAFF, real_bot
from bench.table import Figure
from bot.db.models import OutboxMessage
from bot.db.session import Database
from bot.delivery import SENT
from tests.e2e.telegram_fake import FakeBotApi

SIZE = int(os.environ.get("BENCH_ANNOUNCEMENT") or 2000)
LEASE_SECONDS = 30  # the dispatcher's: rows the killed process had claimed wait this long


async def unrecorded(database_url: str, chats: set[int]) -> int:
    """Announcement rows to these chats (which the fake accepted) not recorded as sent."""
    database = Database(database_url)
    try:
        async with database.transaction() as session:
            rows = await session.execute(
                select(OutboxMessage.address, OutboxMessage.status).where(
                    OutboxMessage.dedup_key.like("broadcast:%:to:%")
                )
            )
            return sum(1 for address, status in rows if int(address) in chats and status != SENT)
    finally:
        await database.dispose()


async def delivered(delivery: Delivery, reachable: list[int], *, until: float) -> None:
    while time.monotonic() < until:
        delivery.update()
        if all(delivery.received[chat] for chat in reachable):
            return
        await asyncio.sleep(0.5)


async def measure(database_url: str, directory: Path, *, size: int, suffix: str) -> list[Figure]:
    await seed(database_url, audience_size=size)
    reachable = [chat for chat in audience(size) if chat % BLOCKED_EVERY]
    log = directory / "bot.log"
    async with FakeBotApi() as fake:
        introduce(fake, audience_size=size)
        for blocked in audience(size)[::BLOCKED_EVERY]:
            fake.block_bot(blocked)
        async with real_bot(fake, database_url, log) as pid:
            await onboard_staff(fake)
            await compose(fake)
            delivery = Delivery(fake, size)
            await press(fake, STAFF, "Yes, send", timeout=size / 10 + 60)
            deadline = time.monotonic() + size / 10 + 120
            while len(delivery.received) < len(reachable) // 2:
                assert time.monotonic() < deadline, "half the announcement was not delivered"
                await asyncio.sleep(0.05)
                delivery.update()
            os.kill(pid, signal.SIGKILL)
        delivery.update()
        accepted = set(delivery.received)
        window = await unrecorded(database_url, accepted)
        async with real_bot(fake, database_url, log):
            await delivered(delivery, reachable, until=time.monotonic() + size / 10 + 180)
            await asyncio.sleep(LEASE_SECONDS / 10)  # a message sent twice may come late
            delivery.update()
    return [
        *delivery.lost_and_twice(reachable, f"after kill -9 halfway, of {size:,}:{suffix}"),
        Figure(f"sent but not recorded at the kill{suffix}", window),
    ]


async def announcement_restart(engines: list[tuple[str, str | None]]) -> list[Figure]:
    return await on_each(
        engines, lambda url, directory, suffix: measure(url, directory, size=SIZE, suffix=suffix)
    )
