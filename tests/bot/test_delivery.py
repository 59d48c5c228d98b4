"""The outbox and its dispatcher: order, flood control, back-off, unreachable people, no doubles."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.channels.base import Rejected, RetryLater, TemporaryFailure, Unreachable
from bot.channels.memory import MemoryChannel
from bot.db.models import OutboxMessage, User
from bot.db.session import Database
from bot.delivery import ANNOUNCEMENT_PRIORITY, Dispatcher, enqueue
from conversations.messages import Attachment, Reply
from tests.conftest import FakeClock


async def queue(
    database: Database,
    clock: FakeClock,
    *texts: str,
    address: str = "a",
    user_id: int | None = None,
) -> list[int]:
    async with database.transaction() as session:
        return await queue_in(session, clock, *texts, address=address, user_id=user_id)


async def queue_in(
    session: AsyncSession,
    clock: FakeClock,
    *texts: str,
    address: str = "a",
    user_id: int | None = None,
) -> list[int]:
    ids = []
    for text in texts:
        row_id = await enqueue(
            session,
            channel="memory",
            address=address,
            reply=Reply(text=text),
            dedup_key=f"{address}:{text}",
            now=clock.now(),
            user_id=user_id,
        )
        assert row_id is not None
        ids.append(row_id)
    return ids


async def statuses(database: Database) -> dict[str, str]:
    async with database.transaction() as session:
        rows = await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        return {row.payload["text"]: row.status for row in rows}


@pytest.fixture
def channel() -> MemoryChannel:
    return MemoryChannel()


@pytest.fixture
def dispatcher(database: Database, channel: MemoryChannel, clock: FakeClock) -> Dispatcher:
    return Dispatcher(database, {"memory": channel}, clock)


async def test_a_deduplication_key_is_queued_once(database: Database, clock: FakeClock) -> None:
    await queue(database, clock, "hello")
    async with database.transaction() as session:
        again = await enqueue(
            session,
            channel="memory",
            address="a",
            reply=Reply(text="other"),
            dedup_key="a:hello",
            now=clock.now(),
        )
    assert again is None
    assert await statuses(database) == {"hello": "pending"}


async def test_rows_are_sent_in_order_per_chat(
    database: Database, clock: FakeClock, dispatcher: Dispatcher, channel: MemoryChannel
) -> None:
    await queue(database, clock, "1", "2", "3", address="a")
    await queue(database, clock, "x", "y", address="b")
    assert await dispatcher.dispatch_due() == 5
    assert [r.text for r in channel.sent["a"]] == ["1", "2", "3"]
    assert [r.text for r in channel.sent["b"]] == ["x", "y"]
    assert set((await statuses(database)).values()) == {"sent"}
    assert await dispatcher.dispatch_due() == 0


async def test_flood_control_delays_the_chat_without_losing_or_reordering(
    database: Database, clock: FakeClock, dispatcher: Dispatcher, channel: MemoryChannel
) -> None:
    await queue(database, clock, "1", "2", "3")
    channel.fail_next("a", RetryLater(30))
    await dispatcher.dispatch_due()
    assert channel.sent["a"] == []
    assert await statuses(database) == {"1": "pending", "2": "pending", "3": "pending"}

    clock.advance(seconds=29)
    assert await dispatcher.dispatch_due() == 0
    clock.advance(seconds=2)
    await dispatcher.dispatch_due()
    assert [r.text for r in channel.sent["a"]] == ["1", "2", "3"]


async def test_flood_control_during_an_announcement_slows_it_down_but_not_the_replies(
    database: Database, clock: FakeClock, dispatcher: Dispatcher, channel: MemoryChannel
) -> None:
    async def announce(address: str) -> None:
        async with database.transaction() as session:
            await enqueue(
                session,
                channel="memory",
                address=address,
                reply=Reply(text="news"),
                dedup_key=f"news:{address}",
                now=clock.now(),
                priority=ANNOUNCEMENT_PRIORITY,
            )

    await announce("a")
    await announce("b")
    await queue(database, clock, "answer", address="c")
    channel.fail_next("a", RetryLater(5))
    one_at_a_time = Dispatcher(database, {"memory": channel}, clock, batch_size=1)
    await one_at_a_time.dispatch_due()
    assert (channel.sent["a"], channel.sent["b"], len(channel.sent["c"])) == ([], [], 1)
    clock.advance(seconds=5)
    await one_at_a_time.dispatch_due()
    assert [len(channel.sent[address]) for address in "abc"] == [1, 1, 1]


async def test_a_database_failure_while_sending_at_once_leaves_the_rows_to_the_dispatcher(
    database: Database, clock: FakeClock, dispatcher: Dispatcher, channel: MemoryChannel
) -> None:
    ids = await queue(database, clock, "1")
    claim = dispatcher.claims.claim_in

    async def deadlock(*args: object, **kwargs: object) -> list[OutboxMessage]:
        raise RuntimeError("deadlock detected")

    dispatcher.claims.claim_in = deadlock  # type: ignore[method-assign]
    await dispatcher.send_now(ids)  # the turn that wrote the row does not fail
    dispatcher.claims.claim_in = claim  # type: ignore[method-assign]
    assert await dispatcher.dispatch_due() == 1
    assert [r.text for r in channel.sent["a"]] == ["1"]


async def test_a_failure_in_the_middle_holds_the_rest_of_the_chat(
    database: Database, clock: FakeClock, dispatcher: Dispatcher, channel: MemoryChannel
) -> None:
    await queue(database, clock, "1", "2", "3")
    channel.fail_next("a", TemporaryFailure("Bad Gateway"))
    await dispatcher.dispatch_due()
    assert await statuses(database) == {"1": "pending", "2": "pending", "3": "pending"}
    clock.advance(seconds=5)
    await dispatcher.dispatch_due()
    assert [r.text for r in channel.sent["a"]] == ["1", "2", "3"]


async def test_temporary_failures_back_off_and_finally_give_up(
    database: Database, clock: FakeClock, dispatcher: Dispatcher, channel: MemoryChannel
) -> None:
    await queue(database, clock, "1")
    channel.fail_next("a", *[TemporaryFailure("timed out")] * 20)
    waits = []
    for _ in range(12):
        await dispatcher.dispatch_due()
        async with database.transaction() as session:
            row = await session.scalar(select(OutboxMessage))
            assert row is not None
        waits.append(row.next_attempt_at - clock.now())
        clock.advance(seconds=(row.next_attempt_at - clock.now()).total_seconds() + 1)
    assert waits[0] == timedelta(seconds=2) and waits[1] == timedelta(seconds=4)
    assert max(waits) <= timedelta(minutes=30)
    assert row.status == "failed" and row.last_error == "timed out"


async def test_blocked_people_are_marked_unreachable_and_never_retried(
    database: Database, clock: FakeClock, dispatcher: Dispatcher, channel: MemoryChannel
) -> None:
    async with database.transaction() as session:
        user = User(locale="de", created_at=clock.now())
        session.add(user)
        await session.flush()
        user_id = user.id
    await queue(database, clock, "1", "2", user_id=user_id)
    channel.fail_next("a", Unreachable("Forbidden: bot was blocked by the user"))
    await dispatcher.dispatch_due()
    clock.advance(hours=1)
    assert await dispatcher.dispatch_due() == 0
    assert await statuses(database) == {"1": "unreachable", "2": "unreachable"}
    async with database.transaction() as session:
        blocked = await session.get(User, user_id)
        assert blocked is not None and blocked.unreachable_at == clock.now() - timedelta(hours=1)

    # What is queued for them later is not even tried, until they write to us again.
    await queue(database, clock, "3", user_id=user_id)
    assert await dispatcher.dispatch_due() == 0
    assert channel.sent["a"] == []
    async with database.transaction() as session:
        back = await session.get(User, user_id)
        assert back is not None
        back.unreachable_at = None
    await queue(database, clock, "4", user_id=user_id)
    assert await dispatcher.dispatch_due() == 1
    assert [r.text for r in channel.sent["a"]] == ["4"]
    assert (await statuses(database))["3"] == "unreachable"


async def test_a_message_past_its_expiry_is_not_sent_late(
    database: Database, clock: FakeClock, dispatcher: Dispatcher, channel: MemoryChannel
) -> None:
    async with database.transaction() as session:
        for text, minutes in (("soon", 5), ("later", 60), ("open", None)):
            await enqueue(
                session,
                channel="memory",
                address="a",
                reply=Reply(text=text),
                dedup_key=text,
                now=clock.now(),
                expires_at=clock.now() + timedelta(minutes=minutes) if minutes else None,
            )
    channel.fail_next("a", TemporaryFailure("Bad Gateway"))
    await dispatcher.dispatch_due()
    clock.advance(minutes=10)
    await dispatcher.dispatch_due()
    assert [r.text for r in channel.sent["a"]] == ["later", "open"]
    assert await statuses(database) == {"soon": "expired", "later": "sent", "open": "sent"}


async def test_a_rejected_message_is_not_retried_and_does_not_block_the_next(
    database: Database, clock: FakeClock, dispatcher: Dispatcher, channel: MemoryChannel
) -> None:
    await queue(database, clock, "bad", "good")
    channel.fail_next("a", Rejected("Bad Request: can't parse entities"))
    await dispatcher.dispatch_due()
    assert await statuses(database) == {"bad": "failed", "good": "sent"}


async def test_a_row_claimed_by_a_process_that_died_is_sent_after_its_lease(
    database: Database, clock: FakeClock, channel: MemoryChannel
) -> None:
    await queue(database, clock, "1")
    crashed = Dispatcher(database, {"memory": channel}, clock)
    assert len(await crashed.claims.claim()) == 1  # claimed, then the process died
    survivor = Dispatcher(database, {"memory": channel}, clock)
    assert await survivor.dispatch_due() == 0
    clock.advance(minutes=3)
    assert await survivor.dispatch_due() == 1
    assert [r.text for r in channel.sent["a"]] == ["1"]


async def test_long_messages_resume_after_the_parts_already_sent(
    database: Database, clock: FakeClock, dispatcher: Dispatcher
) -> None:
    class Halfway(MemoryChannel):
        skips: list[int] = []

        async def send(self, address: str, reply: Reply, *, skip_parts: int = 0) -> str | None:
            self.skips.append(skip_parts)
            if len(self.skips) == 1:
                raise RetryLater(1, parts_sent=2)
            return await super().send(address, reply, skip_parts=skip_parts)

    channel = Halfway()
    dispatcher.add_channel(channel)
    await queue(database, clock, "long")
    await dispatcher.dispatch_due()
    clock.advance(seconds=2)
    await dispatcher.dispatch_due()
    assert channel.skips == [0, 2]


async def test_concurrent_dispatchers_never_send_a_row_twice(
    database: Database, clock: FakeClock
) -> None:
    channel = MemoryChannel()
    texts = [f"m{i}" for i in range(60)]
    for address in ("a", "b", "c", "d"):
        await queue(database, clock, *texts, address=address)
    workers = [Dispatcher(database, {"memory": channel}, clock, batch_size=7) for _ in range(4)]
    await asyncio.gather(*(worker.dispatch_due() for worker in workers))
    for address in ("a", "b", "c", "d"):
        assert [r.text for r in channel.sent[address]] == texts


class SlowChannel(MemoryChannel):
    """A channel whose first send takes a while, as Telegram does now and then."""

    def __init__(self) -> None:
        super().__init__()
        self.slow = asyncio.Event()

    async def send(self, address: str, reply: Reply, *, skip_parts: int = 0) -> str | None:
        if reply.text == "first":
            await self.slow.wait()
        return await super().send(address, reply, skip_parts=skip_parts)


async def test_a_reply_behind_one_on_its_way_follows_it_at_once(
    database: Database, clock: FakeClock
) -> None:
    """The second answer of a chat cannot overtake the first, still on its way: it is sent right
    after it, not at the dispatcher's next round."""
    channel = SlowChannel()
    dispatcher = Dispatcher(database, {"memory": channel}, clock)
    [first] = await queue(database, clock, "first")
    sending = asyncio.create_task(dispatcher.send_now([first]))
    await asyncio.sleep(0.05)
    [second] = await queue(database, clock, "second")
    await dispatcher.send_now([second])  # skipped: the first is on its way
    assert channel.sent["a"] == []
    channel.slow.set()
    await sending
    assert [reply.text for reply in channel.take("a")] == ["first", "second"]
    assert await statuses(database) == {"first": "sent", "second": "sent"}


async def test_a_reply_behind_one_that_went_out_before_its_turn_committed_follows_it(
    database: Database, clock: FakeClock
) -> None:
    """The first answer of a chat goes out while the turn that queued the second has not
    committed yet (on PostgreSQL, whose writers do not wait for each other): the second could
    not be claimed, and whoever sent the first could not see it. It is sent once its turn
    committed, not left for the dispatcher's next round (after a crash, the next process's)."""
    if database.is_sqlite:
        pytest.skip("SQLite has one writer: the first's outcome waits for the turn's commit")
    channel = SlowChannel()
    dispatcher = Dispatcher(database, {"memory": channel}, clock)
    [first] = await queue(database, clock, "first")
    sending = asyncio.create_task(dispatcher.send_now([first]))
    await asyncio.sleep(0.05)
    async with database.transaction() as session:  # the turn that answers a second time
        [second] = await queue_in(session, clock, "second")
        handover = await dispatcher.claim_now(session, [second])
        assert handover.rows == []  # the first is on its way
        channel.slow.set()
        await sending  # and has gone, before this turn committed
    await dispatcher.deliver(handover)
    assert [reply.text for reply in channel.take("a")] == ["first", "second"]
    assert await statuses(database) == {"first": "sent", "second": "sent"}


async def test_a_file_another_channel_holds_goes_as_a_copy_of_its_bytes(
    database: Database, clock: FakeClock
) -> None:
    """A receipt sent over Signal, shown to staff on Telegram (or the other way round)."""
    holder, sender = MemoryChannel("signal"), MemoryChannel("telegram")
    holder.files["uuid/abc.jpg"] = b"\xff\xd8receipt"
    dispatcher = Dispatcher(database, {"signal": holder, "telegram": sender}, clock)
    receipt = Attachment("uuid/abc.jpg", None, "image/jpeg", 9, channel="signal")
    async with database.transaction() as session:
        for channel in ("telegram", "signal"):
            await enqueue(
                session,
                channel=channel,
                address="staff",
                reply=Reply("Receipt 1", forward=receipt),
                dedup_key=f"receipt:{channel}",
                now=clock.now(),
            )
    await dispatcher.dispatch_due()
    [copy] = sender.take("staff")
    assert copy.forward is None and copy.document is not None
    assert (copy.document.content, copy.document.mime_type) == (b"\xff\xd8receipt", "image/jpeg")
    assert copy.document.name.endswith(".jpg")
    [forwarded] = holder.take("staff")  # where it is held: sent on by reference
    assert forwarded.forward == receipt and forwarded.document is None


async def test_a_file_held_by_a_channel_that_does_not_run_here_fails_with_a_note(
    database: Database, clock: FakeClock
) -> None:
    sender = MemoryChannel("telegram")
    dispatcher = Dispatcher(database, {"telegram": sender}, clock)
    receipt = Attachment("uuid/abc.pdf", "Quittung.pdf", "application/pdf", 9, channel="signal")
    async with database.transaction() as session:
        await enqueue(
            session,
            channel="telegram",
            address="staff",
            reply=Reply("Receipt 1", forward=receipt),
            dedup_key="receipt",
            now=clock.now(),
        )
    await dispatcher.dispatch_due()
    [note] = sender.take("staff")
    assert "Quittung.pdf" in note.text
    async with database.transaction() as session:
        status = await session.scalar(
            select(OutboxMessage.status).where(OutboxMessage.dedup_key == "receipt")
        )
    assert status == "failed"
