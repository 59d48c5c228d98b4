"""A person chatting while a big announcement goes out under Telegram's 30 messages a second
(the fake answers 429 beyond it): their reply times against idle, and the announcement's own
delivery: its rate against what the replies and their share leave of the allowance, nobody
missed, nobody twice.
"""

from __future__ import annotations

import asyncio
import itertools
import statistics
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from bench.people import CHATTERS, audience
from bench.processes import STAFF
from bench.table import Figure, Target
from bot.settings import Settings
from tests.e2e.telegram_fake import FakeBotApi

ALLOWANCE = 30  # messages a second, as Telegram allows a bot overall
TEXT = "Sprachcafé am Freitag um 18 Uhr im Rathaus"
ASK_EVERY = 0.25  # seconds: the chatters take turns asking /help, each every 12.5 s
IDLE_SECONDS = 8.0  # before and again after the announcement
SETTLE_SECONDS = 3.0  # after it: neither phase, as replies it held up may still be going out
BLOCKED_EVERY = 20  # 5% of the audience have blocked the bot
IDLE, BUSY = "idle", "announcement"


@dataclass
class Chat:
    """The chatters' questions: when each was sent and in which phase (None: not counted)."""

    fake: FakeBotApi
    since: int  # requests before this index belong to earlier measurements
    phase: str | None = None
    asked: list[tuple[int, float, str | None]] = field(default_factory=list)

    async def ask(self, stop: asyncio.Event) -> None:
        begun = time.monotonic()
        for number in itertools.count():
            if stop.is_set():
                return
            chat = CHATTERS[number % len(CHATTERS)]
            self.asked.append((chat, time.monotonic(), self.phase))
            self.fake.send_text(chat, "/help")
            await asyncio.sleep(max(0.0, begun + (number + 1) * ASK_EVERY - time.monotonic()))

    def answers(self) -> dict[int, list[float]]:
        times: dict[int, list[float]] = {chat: [] for chat in CHATTERS}
        for request in self.fake.requests[self.since :]:
            chat = request.params.get("chat_id")
            if request.method == "sendMessage" and request.status == 200 and chat in times:
                times[chat].append(request.time)
        return times

    def unanswered(self) -> int:
        return len(self.asked) - sum(map(len, self.answers().values()))

    def reply_times(self) -> dict[str, list[float]]:
        """Milliseconds from each question to its answer (a chatter's n-th answer is to their
        n-th question), by phase."""
        answers = self.answers()
        counts: Counter[int] = Counter()
        times: dict[str, list[float]] = {IDLE: [], BUSY: []}
        for chat, at, phase in self.asked:
            number = counts[chat]
            counts[chat] += 1
            if phase is not None and number < len(answers[chat]):
                times[phase].append((answers[chat][number] - at) * 1000)
        return times


async def press(fake: FakeBotApi, chat: int, label: str, *, timeout: float = 60) -> None:
    """Press `label` on the latest message that offers it; wait until the press is answered
    and the buttons are gone (replies to a chatter may delay the next question)."""
    await fake.wait_until(
        lambda: any(label in m.button_labels() for m in fake.messages(chat)), timeout=timeout
    )
    message = next(m for m in reversed(fake.messages(chat)) if label in m.button_labels())
    fake.press_button(chat, message.message_id, label=label)
    await fake.wait_until(
        lambda: not fake.unanswered_callbacks() and label not in message.button_labels(),
        timeout=timeout,
    )


async def say(fake: FakeBotApi, chat: int, text: str, *, answer: str) -> None:
    count = len(fake.messages(chat))
    fake.send_text(chat, text)
    await fake.wait_until(
        lambda: any(answer in m.plain_text for m in fake.messages(chat)[count:]), timeout=60
    )


async def onboard_staff(fake: FakeBotApi) -> None:
    fake.add_user(STAFF, first_name="Petra", language_code="en")
    await say(fake, STAFF, "/start", answer="Gemeinsam")
    for label in ("English", "I work for the district office", "Parchim", "I agree"):
        await press(fake, STAFF, label)


async def compose(fake: FakeBotApi) -> None:
    """The announcement up to its last button, "Yes, send"."""
    await say(fake, STAFF, "/broadcast", answer="Whom should it reach?")
    for label in ("Newcomers", "Parchim", "Done", "Done"):
        await press(fake, STAFF, label)
    await fake.wait_until(lambda: "write the announcement" in fake.messages(STAFF)[-1].plain_text)
    await say(fake, STAFF, TEXT, answer="Add a version")
    for label in ("Done", "Continue", "Send"):
        await press(fake, STAFF, label)
    await fake.wait_until(lambda: "Yes, send" in fake.messages(STAFF)[-1].button_labels())


class Delivery:
    """Announcement messages as they reach the fake, counted per recipient; `times` also holds
    those refused because the person blocked the bot, as they take the allowance too (nobody
    knows who blocked the bot before trying)."""

    def __init__(self, fake: FakeBotApi, size: int) -> None:
        self.fake, self.seen = fake, len(fake.requests)
        self.recipients = set(audience(size))
        self.received: Counter[int] = Counter()
        self.times: list[float] = []

    def update(self) -> None:
        requests = self.fake.requests
        for request in requests[self.seen :]:
            chat = request.params.get("chat_id")
            if request.method != "sendMessage" or chat not in self.recipients:
                continue
            if request.status == 200:
                self.received[chat] += 1
            if request.status in (200, 403):
                self.times.append(request.time)
        self.seen = len(requests)

    def lost_and_twice(self, reachable: Iterable[int], name: str) -> list[Figure]:
        """Who never got it though they could be reached, and who got it more than once: both
        must be nobody."""
        return [
            Figure(
                f"{name} lost",
                sum(1 for recipient in reachable if not self.received[recipient]),
                target=Target(0),
            ),
            Figure(
                f"{name} twice",
                sum(1 for count in self.received.values() if count > 1),
                target=Target(0),
            ),
        ]

    def others_between(self, start: float, end: float) -> int:
        """Messages to anyone else (the replies) in that time."""
        return sum(
            1
            for request in self.fake.requests
            if request.method == "sendMessage"
            and request.status == 200
            and start <= request.time <= end
            and request.params.get("chat_id") not in self.recipients
        )


async def measure(fake: FakeBotApi, size: int, suffix: str) -> list[Figure]:
    reachable = [chat for chat in audience(size) if chat % BLOCKED_EVERY]
    for blocked in audience(size)[::BLOCKED_EVERY]:
        fake.block_bot(blocked)
    await onboard_staff(fake)
    fake.set_rate_limit(global_per_second=ALLOWANCE)
    chatting = Chat(fake, since=len(fake.requests))
    stop = asyncio.Event()
    asking = asyncio.create_task(chatting.ask(stop))
    chatting.phase = IDLE
    await asyncio.sleep(IDLE_SECONDS)
    chatting.phase = None
    await compose(fake)
    delivery = Delivery(fake, size)
    chatting.phase = BUSY
    sent = time.monotonic()
    await press(fake, STAFF, "Yes, send", timeout=size / 10 + 60)
    deadline = sent + size / (ALLOWANCE / 2) + 120
    while time.monotonic() < deadline:
        delivery.update()
        if all(delivery.received[recipient] for recipient in reachable):
            break
        await asyncio.sleep(0.5)
    chatting.phase = None
    await asyncio.sleep(SETTLE_SECONDS)
    chatting.phase = IDLE
    await asyncio.sleep(IDLE_SECONDS)
    stop.set()
    await asking
    await fake.wait_until(lambda: chatting.unanswered() <= 0, timeout=120)
    await asyncio.sleep(2)  # a message sent twice may come late
    delivery.update()

    times = chatting.reply_times()
    first, last = min(delivery.times, default=sent), max(delivery.times, default=sent)
    window = max(last - first, 1e-9)
    replies = delivery.others_between(first, last) / window
    # What the dispatcher may use for announcements: the allowance less the replies' share, or
    # less the replies and one place when they take more (bot/delivery/pace.py `Window`).
    share = round(ALLOWANCE * Settings().outbox_reply_share)
    limit = ALLOWANCE - (max(share, replies + 1) if share else replies)
    return [
        Figure(
            f"reply p95 during announcement{suffix} (ms)",
            statistics.quantiles(times[BUSY], n=20)[-1],
            statistics.quantiles(times[IDLE], n=20)[-1],
            Target(300, of="above"),
        ),
        Figure(
            f"reply p50 during announcement{suffix} (ms)",
            statistics.median(times[BUSY]),
            statistics.median(times[IDLE]),
        ),
        Figure(f"Send → first recipient{suffix} (s)", first - sent),
        Figure(
            f"announcement to {size:,}{suffix} (msg/s)",
            (len(delivery.times) - 1) / window,
            limit,
            Target(0.97, of="ratio", at_least=True),
        ),
        *delivery.lost_and_twice(reachable, f"announcement{suffix}"),
    ]
