"""Fairness: other people's reply time while one person floods 500 messages, as a ratio to their
quiet reply time in the same run, over HTTP against `python -m bot run` and the fake Bot API.
"""

from __future__ import annotations

import asyncio
import itertools
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from bot.settings import Settings
from tests.database_copies import scratch_postgresql
from tests.e2e.telegram_fake import FakeBotApi
from tests.e2e.test_process import bot_process as process_of_bot

FLOOD_SIZE = 500
FLOOD_SECONDS = 5.0  # the flood comes at 100 messages a second, faster than any person types
QUIET_SECONDS = 5.0
SETTLE_SECONDS = 1.0  # after a flood: neither phase, as what the flood left may still run
ROUNDS = 4  # quiet and flood alternate, so that both phases see the same machine
OTHERS = range(3001, 3025)  # people who ask /help in turn, one every ASK_EVERY seconds:
ASK_EVERY = 0.15  # each of them every 3.6 s, within their own flood limit of 20 a minute
FLOODERS = 4001  # a fresh one each round, so that each flood meets a full allowance
ANSWER_TIMEOUT = 120.0
RATIO = "flood/quiet reply p95 (×)"
QUIET, FLOOD = "quiet", "flood"


@dataclass(frozen=True)
class Asked:
    """One question: who asked, when, and in which phase (None: not counted)."""

    chat: int
    at: float  # monotonic, when the update was queued in the fake
    phase: str | None


@asynccontextmanager
async def bot_process(fake: FakeBotApi, database_url: str, log: Path) -> AsyncIterator[None]:
    """`python -m bot run` with the default flood limit, polling the fake."""
    defaults = Settings()
    async with process_of_bot(
        fake,
        database_url,
        log,
        FLOOD_MESSAGES_PER_MINUTE=str(defaults.flood_per_minute),
        FLOOD_BURST=str(defaults.flood_burst),
    ):
        yield


class Run:
    """One bench run: people ask all along; floods come and go."""

    def __init__(self, fake: FakeBotApi) -> None:
        self.fake = fake
        self.phase: str | None = None
        self.asked: list[Asked] = []

    async def ask(self, stop: asyncio.Event) -> None:
        """/help from the next person every ASK_EVERY seconds, on a fixed schedule."""
        begun = time.monotonic()
        for number in itertools.count():
            if stop.is_set():
                return
            chat = OTHERS[number % len(OTHERS)]
            self.asked.append(Asked(chat, time.monotonic(), self.phase))
            self.fake.send_text(chat, "/help")
            await asyncio.sleep(max(0.0, begun + (number + 1) * ASK_EVERY - time.monotonic()))

    async def flood(self, flooder: int) -> None:
        """FLOOD_SIZE messages, texts and commands, spread evenly over FLOOD_SECONDS."""
        begun = time.monotonic()
        ticks = int(FLOOD_SECONDS * 20)
        sent = 0
        for tick in range(1, ticks + 1):
            for number in range(sent, FLOOD_SIZE * tick // ticks):
                self.fake.send_text(flooder, "/help" if number % 3 == 0 else f"Hallo? {number}")
            sent = FLOOD_SIZE * tick // ticks
            await asyncio.sleep(max(0.0, begun + tick * FLOOD_SECONDS / ticks - time.monotonic()))

    def reply_times(self) -> dict[str, list[float]]:
        """Milliseconds from each question to its answer, by phase: a person's n-th answer
        belongs to their n-th question (each /help gets one, in order)."""
        answers: dict[int, list[float]] = {chat: [] for chat in OTHERS}
        for request in self.fake.requests:
            chat = request.params.get("chat_id")
            if request.method == "sendMessage" and request.status == 200 and chat in answers:
                answers[chat].append(request.time)
        counts = dict.fromkeys(OTHERS, 0)
        times: dict[str, list[float]] = {QUIET: [], FLOOD: []}
        for asked in self.asked:
            number = counts[asked.chat]
            counts[asked.chat] += 1
            if asked.phase is not None:
                times[asked.phase].append((answers[asked.chat][number] - asked.at) * 1000)
        return times

    def unanswered(self) -> int:
        """Questions still without an answer (below zero: answers nobody asked for)."""
        answered = sum(
            1
            for request in self.fake.requests
            if request.method == "sendMessage"
            and request.status == 200
            and request.params.get("chat_id") in OTHERS
        )
        return len(self.asked) - answered


async def measure(database_url: str, log: Path) -> dict[str, float]:
    """p95 reply times of the others, quiet and during floods, and their ratio."""
    async with FakeBotApi() as fake:
        for chat in OTHERS:
            fake.add_user(chat, first_name="Ole", language_code="de")
        for flooder in range(FLOODERS, FLOODERS + ROUNDS):
            fake.add_user(flooder, first_name="Fedir", language_code="uk")
        async with bot_process(fake, database_url, log):
            await fake.wait_until(lambda: fake.polls > 0, timeout=120)
            run = Run(fake)
            for chat in OTHERS:  # each person is known before the first measured question
                run.asked.append(Asked(chat, time.monotonic(), None))
                fake.send_text(chat, "/help")
            await fake.wait_until(lambda: run.unanswered() <= 0, timeout=ANSWER_TIMEOUT)
            stop = asyncio.Event()
            asking = asyncio.create_task(run.ask(stop))
            for number in range(ROUNDS):
                run.phase = QUIET
                await asyncio.sleep(QUIET_SECONDS)
                run.phase = FLOOD
                await run.flood(FLOODERS + number)
                run.phase = None
                await asyncio.sleep(SETTLE_SECONDS)
            stop.set()
            await asking
            await fake.wait_until(lambda: run.unanswered() <= 0, timeout=ANSWER_TIMEOUT)
    assert run.unanswered() == 0, "answers nobody asked for"
    times = run.reply_times()
    quiet = statistics.quantiles(times[QUIET], n=20)[-1]
    flood = statistics.quantiles(times[FLOOD], n=20)[-1]
    return {
        RATIO: flood / quiet,
        "reply p95 quiet (ms)": quiet,
        "reply p95 flood (ms)": flood,
        "reply median quiet (ms)": statistics.median(times[QUIET]),
        "reply median flood (ms)": statistics.median(times[FLOOD]),
    }


async def fairness(postgresql_server: str | None = None) -> dict[str, float]:
    """The figures on SQLite, or on a scratch database of that PostgreSQL server."""
    with tempfile.TemporaryDirectory() as directory:
        log = Path(directory) / "bot.log"
        try:
            if postgresql_server is None:
                url = f"sqlite+aiosqlite:///{Path(directory) / 'fairness.sqlite3'}"
                return await measure(url, log)
            async with scratch_postgresql(postgresql_server) as url:
                return await measure(url, log)
        except BaseException:
            if log.exists():
                print(log.read_text()[-5000:], file=sys.stderr)
            raise
