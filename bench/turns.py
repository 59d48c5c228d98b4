"""Sequential turns, the real bot and the echo floor taking turns: CPU time per reply and the
time from a person's message to the reply reaching the Bot API, one message at a time."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

from bench.people import CHATTERS
from bench.processes import cpu_seconds
from tests.e2e.telegram_fake import FakeBotApi

ROUNDS = 5  # bot, floor, bot, floor, ...: both see the same machine
TURNS = 100  # per round and process
# One message at a time, and at most 20 a second: faster, the replies would wait for the 30 a
# second that Telegram allows a bot (and that the bot keeps to), which the floor does not.
SEND_EVERY = 0.05  # seconds
SETTLE_SECONDS = 0.3  # after the last reply, for what the process does once it has answered


@dataclass
class Turns:
    """What one process did over all its rounds."""

    cpu: float = 0.0  # seconds
    latencies: list[float] = field(default_factory=list)  # milliseconds
    idle_cpu: float = 0.0  # seconds, while the other process had its turns
    idle_seconds: float = 0.0

    @property
    def cpu_per_reply(self) -> float:
        return self.cpu / len(self.latencies) * 1000

    @property
    def idle_load(self) -> float:
        """Milliseconds of CPU a second with nothing to answer: polling, timers, jobs."""
        return self.idle_cpu / self.idle_seconds * 1000


async def answered(fake: FakeBotApi, chat: int, since: int) -> float:
    """When the first message to `chat` was accepted among the requests after index `since`."""
    while True:
        for request in fake.requests[since:]:
            if (
                request.method == "sendMessage"
                and request.status == 200
                and request.params.get("chat_id") == chat
            ):
                return request.time
        await asyncio.sleep(0.005)


async def one_round(fake: FakeBotApi, pid: int, turns: Turns, *, measured: bool = True) -> None:
    """TURNS messages, each sent once the one before is answered (and SEND_EVERY after it)."""
    started = cpu_seconds(pid)
    for number in range(TURNS if measured else len(CHATTERS)):
        chat = CHATTERS[number % len(CHATTERS)]
        since = len(fake.requests)
        sent = time.monotonic()
        fake.send_text(chat, "/help")
        reply = await asyncio.wait_for(answered(fake, chat, since), timeout=60)
        if measured:
            turns.latencies.append((reply - sent) * 1000)
        await asyncio.sleep(max(0.0, sent + SEND_EVERY - time.monotonic()))
    await asyncio.sleep(SETTLE_SECONDS)
    if measured:
        turns.cpu += cpu_seconds(pid) - started


async def interleaved(
    bot: tuple[FakeBotApi, int], floor: tuple[FakeBotApi, int]
) -> tuple[Turns, Turns]:
    """Each person writes once to both (warm-up), then the rounds alternate; meanwhile the
    other process idles."""
    measured = Turns(), Turns()
    for (fake, pid), turns in zip((bot, floor), measured, strict=True):
        await one_round(fake, pid, turns, measured=False)
    for _ in range(ROUNDS):
        for (fake, pid), turns, (_, other), idle in zip(
            (bot, floor), measured, (floor, bot), reversed(measured), strict=True
        ):
            began, idle_began = time.monotonic(), cpu_seconds(other)
            await one_round(fake, pid, turns)
            idle.idle_cpu += cpu_seconds(other) - idle_began
            idle.idle_seconds += time.monotonic() - began
    return measured
