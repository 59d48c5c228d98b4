"""Two bot processes in webhook mode behind one round-robin proxy on one PostgreSQL, sending an
announcement to 10,000 people while people chat with both: every row sent once, and the two
together within Telegram's allowance per bot token (the fake answers 429 beyond 30 a second),
as only the holder of the scheduler's lease sends announcements."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
import tempfile
import time
from asyncio.subprocess import Process
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

from bench.announcement import ALLOWANCE, Chat, Delivery
from bench.people import audience, introduce, seed
from bench.processes import STAFF
from bench.table import Figure, Target
from bot.db.models import Broadcast
from bot.db.session import Database
from tests.database_copies import scratch_postgresql
from tests.e2e.telegram_fake import FakeBotApi
from tests.e2e.test_process import bot_run
from tests.e2e.webhook_network import RoundRobinProxy, WebhookDelivery

AUDIENCE = 10_000
PROCESSES = 2
HOOK = "/telegram-hook"
TEXT = "Sprachcafé am Freitag um 18 Uhr im Rathaus"
STALLED_SECONDS = 60


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def webhooks_set(fake: FakeBotApi) -> int:
    return sum(1 for request in fake.requests if request.method == "setWebhook")


def serving(fake: FakeBotApi, process: Process, hooks: int) -> Callable[[], bool]:
    """The process set the webhook, so it listens (or it ended)."""
    return lambda: process.returncode is not None or webhooks_set(fake) > hooks


@asynccontextmanager
async def webhook_bots(
    fake: FakeBotApi, database_url: str, log: Path, ports: list[int]
) -> AsyncIterator[None]:
    """`python -m bot run` once per port, each serving the webhook there."""
    async with AsyncExitStack() as stack:
        for port in ports:
            hooks = webhooks_set(fake)
            env = {
                **os.environ,
                "TELEGRAM_BOT_TOKEN": fake.token,
                "TELEGRAM_API_BASE_URL": fake.base_url,
                "DATABASE_URL": database_url,
                "BOT_ADMINS": f"telegram:{STAFF}",
                "FLOOD_MESSAGES_PER_MINUTE": "6000",
                "FLOOD_BURST": "1000",
                "WEBHOOK_URL": f"https://bot.example.org{HOOK}",
                "WEBHOOK_LISTEN": "127.0.0.1",
                "WEBHOOK_PORT": str(port),
            }
            process = await stack.enter_async_context(bot_run(env, log))
            await fake.wait_until(serving(fake, process, hooks), timeout=120)
            assert process.returncode is None, "a bot process did not start"
        yield


async def announce(database_url: str) -> None:
    """The announcement to every newcomer as "Send" leaves it: its rows still to be written."""
    database = Database(database_url)
    try:
        async with database.transaction() as session:
            session.add(
                Broadcast(
                    audience={"roles": ["newcomer"]},
                    texts={"de": TEXT},
                    fallback="de",
                    status="queueing",
                    total=AUDIENCE,
                    report_channel="telegram",
                    report_address=str(STAFF),
                    created_at=datetime.now(UTC),
                )
            )
    finally:
        await database.dispose()


def peak_per_second(times: list[float]) -> int:
    """The most sends in any one second."""
    times = sorted(times)
    peak, start = 0, 0
    for end, at in enumerate(times):
        while at - times[start] >= 1.0:
            start += 1
        peak = max(peak, end - start + 1)
    return peak


async def measure(database_url: str, log: Path) -> list[Figure]:
    await seed(database_url, audience_size=AUDIENCE)
    ports = [free_port() for _ in range(PROCESSES)]
    async with FakeBotApi() as fake, RoundRobinProxy(ports) as proxy:
        introduce(fake, audience_size=AUDIENCE)
        fake.add_user(STAFF, first_name="Petra", language_code="en")
        async with (
            WebhookDelivery(fake, proxy.url(HOOK)),
            webhook_bots(fake, database_url, log, ports),
        ):
            fake.set_rate_limit(global_per_second=ALLOWANCE)
            chatting = Chat(fake, since=len(fake.requests))
            stop = asyncio.Event()
            asking = asyncio.create_task(chatting.ask(stop))
            delivery = Delivery(fake, AUDIENCE)
            started = time.monotonic()
            await announce(database_url)
            # Until everyone has it, or nothing more arrives for a minute (what is missing then
            # is lost); an hour at most.
            progress, deadline = started, started + 3600
            while time.monotonic() < min(deadline, progress + STALLED_SECONDS):
                reached = len(delivery.received)
                delivery.update()
                if len(delivery.received) == AUDIENCE:
                    break
                if len(delivery.received) > reached:
                    progress = time.monotonic()
                await asyncio.sleep(0.5)
            stop.set()
            await asking
            await asyncio.sleep(5)  # a row sent twice may come late
            delivery.update()
    first, last = min(delivery.times, default=started), max(delivery.times, default=started)
    window = max(last - first, 1e-9)
    sends = [
        request.time
        for request in fake.requests
        if request.method in ("sendMessage", "sendDocument") and request.status == 200
    ]
    during = [at for at in sends if first <= at <= last]
    refused = sum(1 for request in fake.requests if request.status == 429)
    return [
        *delivery.lost_and_twice(audience(AUDIENCE), "2 processes: announcement to 10,000"),
        Figure(
            "2 processes: sent in all (msg/s)",
            len(during) / window,
            ALLOWANCE,
            Target(1, of="ratio"),
        ),
        Figure("2 processes: most sent in one second", peak_per_second(during), ALLOWANCE),
        Figure("2 processes: 429 answers", refused, target=Target(AUDIENCE / 1000)),
        Figure("2 processes: updates to each (fewest)", min(proxy.forwarded[p] for p in ports)),
    ]


async def several_processes(postgresql_server: str | None) -> list[Figure]:
    """The figures, on a scratch database of that server; none without one (SQLite serves a
    single process)."""
    if postgresql_server is None:
        return []
    with tempfile.TemporaryDirectory() as name:
        log = Path(name) / "bots.log"
        try:
            async with scratch_postgresql(postgresql_server) as url:
                return await measure(url, log)
        except BaseException:
            if log.exists():
                print(log.read_text()[-5000:], file=sys.stderr)
            raise
