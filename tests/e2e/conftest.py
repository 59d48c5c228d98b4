"""The real python-telegram-bot Application against the loopback fake of the Bot API."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.app import App
from bot.settings import Settings
from tests.e2e.signal_fake import FakeSignalDaemon
from tests.e2e.telegram_fake import FakeBotApi

ALICE = 1001  # a person who writes to the bot in a private chat


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as fake:
        fake.add_user(ALICE, first_name="Alia", language_code="ar")
        yield fake


@pytest.fixture
def telegram_settings(settings: Settings, fake: FakeBotApi) -> Settings:
    return replace(
        settings,
        telegram_token=fake.token,
        telegram_api_base_url=fake.base_url,
        admins=frozenset({"telegram:9000"}),
    )


class ShiftedClock:
    """Real time that runs on (so retries fall due), which a test can move ahead."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def jump_to(self, moment: datetime) -> None:
        self.offset = moment - datetime.now(UTC)


class RunningBot:
    """`python -m bot run` in this process: start, stop, start again on the same database.
    `fake` is the Bot API's fake (None: no Telegram), `daemon` the signal-cli daemon's."""

    def __init__(
        self,
        settings: Settings,
        fake: FakeBotApi | None,
        daemon: FakeSignalDaemon | None = None,
    ) -> None:
        self.settings = settings
        self.fake = fake
        self.daemon = daemon
        self.clock = ShiftedClock()
        self.app: App | None = None
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> App:
        self.app = App(self.settings, clock=self.clock)
        await self.app.migrate()
        self._stop = asyncio.Event()
        fake, daemon = self.fake, self.daemon
        polls = fake.polls if fake is not None else 0
        connections = daemon.connections if daemon is not None and daemon.up else 0
        self._task = asyncio.create_task(self.app.run_channels(self._stop))

        def started() -> bool:
            return (self._task is not None and self._task.done()) or (
                (fake is None or fake.polls > polls)
                and (daemon is None or not daemon.up or daemon.connections > connections)
            )

        if fake is not None:
            await fake.wait_until(started)
        elif daemon is not None:
            await daemon.wait_until(started)
        if self._task.done():
            self._task.result()
        return self.app

    async def stop(self) -> None:
        if self._task is not None:
            self._stop.set()
            await asyncio.wait_for(self._task, timeout=30)
            self._task = None
        if self.app is not None:
            await self.app.close()
            self.app = None


@pytest.fixture
async def bot(telegram_settings: Settings, fake: FakeBotApi) -> AsyncIterator[RunningBot]:
    running = RunningBot(telegram_settings, fake)
    await running.start()
    yield running
    await running.stop()


BOT_NUMBER = "+4915100000000"
SAMIRA = "5b3c1a2e-7f40-4c8e-9d21-0a6b7c8d9e01"  # a person who writes to the bot on Signal


@pytest.fixture
async def daemon() -> AsyncIterator[FakeSignalDaemon]:
    async with FakeSignalDaemon(BOT_NUMBER, keepalive_seconds=1) as daemon:
        daemon.add_person(SAMIRA, number="+4917612345678", name="Samira")
        yield daemon


@pytest.fixture
def signal_settings(settings: Settings, daemon: FakeSignalDaemon) -> Settings:
    return replace(
        settings,
        signal_account=daemon.account,
        signal_cli_url=daemon.url,
        admins=frozenset({"signal:+4915199999999"}),
    )


@pytest.fixture
async def signal_bot(
    signal_settings: Settings, daemon: FakeSignalDaemon
) -> AsyncIterator[RunningBot]:
    running = RunningBot(signal_settings, None, daemon)
    await running.start()
    yield running
    await running.stop()


Step = Callable[[], Awaitable[None]]
