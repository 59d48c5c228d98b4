"""Replies first: a reply goes ahead of every announcement row that waits, also the sender's
own; announcements take what replies leave of the allowance, and are never starved by a share
of it; sent rows are recorded together, claims are one statement built once."""

from __future__ import annotations

import asyncio
import time

import pytest
from sqlalchemy import select

from bot.channels.memory import MemoryChannel
from bot.db.models import OutboxMessage
from bot.db.session import Database
from bot.delivery import ANNOUNCEMENT_PRIORITY, SENT, Dispatcher, Pace, enqueue
from conversations.messages import Reply
from tests.bot.transactions import recording
from tests.conftest import FakeClock

ANNOUNCED = 500


class OrderedChannel(MemoryChannel):
    """Remembers the order of everything sent, across chats."""

    def __init__(self) -> None:
        super().__init__()
        self.order: list[tuple[str, str]] = []

    async def send(self, address: str, reply: Reply, *, skip_parts: int = 0) -> str | None:
        self.order.append((address, reply.text or ""))
        await asyncio.sleep(0)
        return await super().send(address, reply, skip_parts=skip_parts)


async def queue(
    database: Database, clock: FakeClock, address: str, text: str, *, priority: int = 0
) -> int:
    async with database.transaction() as session:
        row = await enqueue(
            session,
            channel="memory",
            address=address,
            reply=Reply(text=text),
            dedup_key=f"{address}:{text}",
            now=clock.now(),
            priority=priority,
        )
    assert row is not None
    return row


async def announce(database: Database, clock: FakeClock, *extra: str) -> None:
    async with database.transaction() as session:
        for address in [*extra, *(f"p{n}" for n in range(ANNOUNCED))]:
            await enqueue(
                session,
                channel="memory",
                address=address,
                reply=Reply(text="news"),
                dedup_key=f"news:{address}",
                now=clock.now(),
                priority=ANNOUNCEMENT_PRIORITY,
            )


def announcements(channel: OrderedChannel) -> int:
    return sum(1 for _, text in channel.order if text == "news")


@pytest.fixture
def channel() -> OrderedChannel:
    return OrderedChannel()


@pytest.fixture
def dispatcher(database: Database, channel: OrderedChannel, clock: FakeClock) -> Dispatcher:
    dispatcher = Dispatcher(database, {"memory": channel}, clock)
    dispatcher.allowance("memory", per_second=1000, reply_share=0.2)
    return dispatcher


async def test_a_reply_goes_before_the_announcement_rows_that_wait(
    database: Database, clock: FakeClock, dispatcher: Dispatcher, channel: OrderedChannel
) -> None:
    await announce(database, clock)
    sending = asyncio.create_task(dispatcher.dispatch_due())
    while announcements(channel) < 50:
        await asyncio.sleep(0.001)
    asked_at = announcements(channel)
    await dispatcher.send_now([await queue(database, clock, "alice", "answer")])
    answered_at = channel.order.index(("alice", "answer"))
    await sending
    # Only what was claimed when she asked went before her answer, not the hundreds waiting.
    assert answered_at - asked_at < 2 * dispatcher.claims.paces["memory"].bulk.capacity + 5
    assert announcements(channel) == ANNOUNCED
    assert sorted(address for address, text in channel.order if text == "news") == sorted(
        f"p{n}" for n in range(ANNOUNCED)
    )


async def test_the_senders_reply_goes_before_their_announcement_and_the_rest(
    database: Database, clock: FakeClock, dispatcher: Dispatcher, channel: OrderedChannel
) -> None:
    """The sender is in the audience and sees a progress report edited: their answer waits for
    neither, nor for the announcement rows claimed when they asked."""
    await announce(database, clock, "staff")
    sending = asyncio.create_task(dispatcher.dispatch_due())
    while announcements(channel) < 50:
        await asyncio.sleep(0.001)
    asked_at = len(channel.order)
    progress = await queue(database, clock, "staff", "50 of 501 sent")
    reply = await queue(database, clock, "staff", "answer")
    await asyncio.gather(dispatcher.send_now([progress]), dispatcher.send_now([reply]))
    # Where the reply's claim met the progress row not yet claimed, the reply waits behind it
    # (one chat, in order) and the running dispatch sends it next, ahead of the announcement.
    for _ in range(5000):
        if ("staff", "answer") in channel.order:
            break
        await asyncio.sleep(0.001)
    answered_at = channel.order.index(("staff", "answer"))
    await sending
    assert answered_at - asked_at < 2 * dispatcher.claims.paces["memory"].bulk.capacity + 5
    assert [text for _, text in channel.order if _ == "staff"] == [
        "news",
        "50 of 501 sent",
        "answer",
    ]


class Clockwork:
    def __init__(self) -> None:
        self.at = 1000.0

    def __call__(self) -> float:
        return self.at


@pytest.mark.parametrize(
    ("replies_per_second", "bulk_per_second", "reply_delay"),
    # none; within their share (20 %): they never wait; more: bulk takes what is left but one
    # place, and a reply waits at most a moment
    [(0, 24, 0.0), (5, 24, 0.0), (10, 19, 0.5)],
)
def test_announcements_take_what_replies_leave_of_the_allowance(
    monkeypatch: pytest.MonkeyPatch,
    replies_per_second: int,
    bulk_per_second: int,
    reply_delay: float,
) -> None:
    clock = Clockwork()
    monkeypatch.setattr("bot.delivery.pace.time.monotonic", clock)
    pace = Pace(30, reply_share=0.2)
    assert pace.window is not None
    sent: list[float] = []
    waiting: list[float] = []  # replies written, not yet sent
    claimed = 0  # bulk rows claimed, waiting for their place
    longest = 0.0
    bulk = 0
    for _ in range(100 * 60):  # a minute in steps of 10 ms
        clock.at += 0.01
        if replies_per_second and round(clock.at * 100) % (100 // replies_per_second) == 0:
            waiting.append(clock.at)
        while waiting and pace.window.wait(clock.at, reply=True) == 0:
            longest = max(longest, clock.at - waiting.pop(0))
            pace.window.add(reply=True).done()
            sent.append(clock.at)
        while claimed and not waiting and pace.window.wait(clock.at, reply=False) == 0:
            pace.window.add(reply=False).done()
            sent.append(clock.at)
            claimed -= 1
            bulk += 1
        if not claimed:  # the dispatcher claims again once the rows it holds are sent
            claimed = pace.reserve()
    assert bulk_per_second * 60 * 0.97 <= bulk <= bulk_per_second * 60 + pace.bulk.capacity
    assert longest <= reply_delay + 1e-9
    # What Telegram counts: never more than 30 in any second.
    every = max(1, len(sent) // 500)
    assert max(sum(1 for at in sent if end - 1 < at <= end) for end in sent[::every]) <= 30


async def test_a_reply_goes_ahead_of_waiting_announcements_when_the_window_is_full() -> None:
    pace = Pace(30, reply_share=0.2)
    assert pace.window is not None
    for _ in range(24):
        pace.window.add(reply=False).done()
    assert pace.window.room(time.monotonic(), reply=False) == 0  # six places left for replies
    for _ in range(6):
        place = await pace.take(reply=True)  # at once: there is room
        assert place is not None
        place.done()
    order: list[str] = []

    async def send(kind: str) -> None:
        place = await pace.take(reply=kind == "reply")
        assert place is not None
        place.done()
        order.append(kind)

    announcement = asyncio.create_task(send("announcement"))
    await asyncio.sleep(0)
    reply = asyncio.create_task(send("reply"))
    await asyncio.sleep(0.1)
    assert order == []  # the window is full until its second has passed
    await asyncio.wait_for(asyncio.gather(announcement, reply), timeout=30)
    assert order == ["reply", "announcement"]


async def test_rows_sent_in_one_pass_are_recorded_together(
    database: Database, clock: FakeClock, channel: OrderedChannel
) -> None:
    dispatcher = Dispatcher(database, {"memory": channel}, clock)
    for n in range(200):
        await queue(database, clock, f"c{n}", "hello")
    with recording(database) as recorded:
        assert await dispatcher.dispatch_due() == 200
    # Two claims (the second finds nothing) and the records; not one transaction per row.
    assert len(recorded.transactions) < 200 / 4
    async with database.transaction() as session:
        statuses = set((await session.scalars(select(OutboxMessage.status))).all())
    assert statuses == {SENT}


async def test_a_claim_is_one_statement_built_once(
    database: Database, clock: FakeClock, dispatcher: Dispatcher
) -> None:
    for n in range(3):
        await queue(database, clock, "a", f"m{n}")
    await dispatcher.dispatch_due()  # marks what expired, once in a while
    with recording(database) as recorded:
        for n in range(3):
            await dispatcher.send_now([await queue(database, clock, "b", f"n{n}")])
    statements = dispatcher.claims._statements.copy()
    for n in range(3):
        await dispatcher.send_now([await queue(database, clock, "c", f"o{n}")])
    assert dispatcher.claims._statements == statements
    claims = [t for t in recorded.transactions if t.statements and t.outbox_rows == 0]
    # per claim: the update that returns the rows and the check of each chat's order
    assert all(t.statements <= 2 for t in claims)
