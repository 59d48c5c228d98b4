"""The real python-telegram-bot Application against the loopback fake of the Bot API."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.app import App
from bot.settings import Settings
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
    """`python -m bot run` in this process: start, stop, start again on the same database."""

    def __init__(self, settings: Settings, fake: FakeBotApi) -> None:
        self.settings = settings
        self.fake = fake
        self.clock = ShiftedClock()
        self.app: App | None = None
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> App:
        self.app = App(self.settings, clock=self.clock)
        await self.app.migrate()
        self._stop = asyncio.Event()
        polls = self.fake.polls
        self._task = asyncio.create_task(self.app.run_telegram(self._stop))
        await self.fake.wait_until(
            lambda: self.fake.polls > polls or (self._task is not None and self._task.done())
        )
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


Step = Callable[[], Awaitable[None]]
