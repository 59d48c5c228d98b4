"""An announcement to thousands: "Send" is answered at once, the recipients' rows are written a
batch per short transaction, never with more parameters than a database takes, and everyone gets
it exactly once, also when the process is killed between two batches."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest
from sqlalchemy import func, select, text, update

from bot.app import App
from bot.channels.memory import MemoryChannel
from bot.db.models import Broadcast, OutboxMessage
from bot.scheduling import broadcast_queue
from bot.scheduling.broadcast_queue import BroadcastQueue
from bot.scheduling.progress import report_broadcasts
from bot.services.outreach.broadcast_rows import BATCH, FIRST_BATCH
from tests.bot.transactions import many_people as _many_people
from tests.bot.transactions import recording
from tests.chat import Chat
from tests.conftest import FakeClock
from tests.conversations.grants.test_review import staff_member

TEXT = "Sprachcafé am Freitag"


async def many_people(app: App, count: int) -> list[str]:
    return await _many_people(app.database, count, now=app.clock.now())


async def announce(staff: Chat) -> None:
    """Everything up to the last question: "Send the announcement to … people now?"."""
    await staff.send("/broadcast")
    await staff.press("Everyone")
    await staff.press("Done")
    await staff.press("Done")
    await staff.send(TEXT)
    await staff.press("Done")
    await staff.press("Continue")  # the summary
    await staff.press("Send")


async def rows_per_person(app: App) -> Counter[str]:
    async with app.database.transaction() as session:
        addresses = await session.scalars(
            select(OutboxMessage.address).where(OutboxMessage.dedup_key.like("broadcast:%:to:%"))
        )
        return Counter(addresses)


async def queue_all(app: App) -> None:
    while await app.queue_broadcasts():
        pass


async def test_send_writes_the_rows_in_small_transactions(app: App) -> None:
    staff = await staff_member(app)
    people = await many_people(app, 3000)
    await announce(staff)

    with recording(app.database) as send:
        await staff.press("Yes, send")
    assert "is on its way to 3,001 people" in staff.text  # the staff member is one of them
    # The turn wrote the first few rows only, in one statement.
    [turn] = send.writing
    assert turn.outbox_rows <= FIRST_BATCH + 5  # and the replies of the turn

    with recording(app.database) as queue:
        await queue_all(app)
    assert len(queue.writing) >= (3001 - FIRST_BATCH) // BATCH
    assert all(t.outbox_rows <= BATCH for t in queue.writing)
    assert all(t.statements <= 10 for t in queue.transactions)
    received = await rows_per_person(app)
    assert received == Counter({address: 1 for address in [*people, "admin"]})


async def test_the_report_waits_for_the_rows_not_written_yet(app: App) -> None:
    staff = await staff_member(app)
    await many_people(app, FIRST_BATCH + 100)
    await announce(staff)
    await staff.press("Yes, send")
    await app.dispatcher.dispatch_due()
    await app.dispatcher.send_now(await report_broadcasts_now(app))
    [report] = [r for r in staff.channel.take("admin") if "Announcement" in r.text]
    assert "sending" in report.text and f"of {FIRST_BATCH + 101}" in report.text
    assert "Waiting: 101" in report.text  # the rows not written yet wait too
    assert "Stop sending" in [c.label for row in report.choices for c in row]

    await queue_all(app)
    await app.dispatcher.dispatch_due()
    await app.dispatcher.send_now(await report_broadcasts_now(app))
    [done] = staff.channel.edited["admin"].values()
    assert "done" in done.text and f"Sent: {FIRST_BATCH + 101} of {FIRST_BATCH + 101}" in done.text


async def report_broadcasts_now(app: App) -> list[int]:
    return await report_broadcasts(
        database=app.database, catalogs=app.catalogs, settings=app.settings, clock=app.clock
    )


async def test_stopped_while_queueing_no_more_rows_are_written(app: App) -> None:
    staff = await staff_member(app)
    await many_people(app, FIRST_BATCH + 300)
    await announce(staff)
    await staff.press("Yes, send")
    await staff.press_data(f"bcstop:{await last_broadcast(app)}")  # the button under the report
    await queue_all(app)
    assert sum((await rows_per_person(app)).values()) == FIRST_BATCH


async def last_broadcast(app: App) -> int:
    async with app.database.transaction() as session:
        return int(await session.scalar(select(func.max(Broadcast.id))) or 0)


async def test_killed_between_batches_everyone_gets_it_exactly_once(
    app: App, clock: FakeClock, settings
) -> None:  # type: ignore[no-untyped-def]
    channel = app.dispatcher.channels["memory"]
    assert isinstance(channel, MemoryChannel)
    staff = await staff_member(app)
    people = await many_people(app, FIRST_BATCH + 250)
    app.broadcast_queue = BroadcastQueue(batch=100)
    await announce(staff)
    await staff.press("Yes, send")
    await app.broadcast_queue.run(app.database, max_batches=1)
    await app.dispatcher.dispatch_due()
    assert len(await rows_per_person(app)) == FIRST_BATCH + 100
    got = {address: [r.text for r in channel.take(address)] for address in people}
    await app.close()  # killed: the next batches were never written

    restarted = App(settings, clock=clock)
    restarted.dispatcher.add_channel(channel)
    restarted.broadcast_queue = BroadcastQueue(batch=100)
    try:
        await queue_all(restarted)
        await restarted.dispatcher.dispatch_due()
        assert set((await rows_per_person(restarted)).values()) == {1}
    finally:
        await restarted.close()
    for address in people:
        got[address] += [r.text for r in channel.take(address)]
    assert got == {address: [TEXT] for address in people}


async def test_postgresql_batches_side_by_side_wait_for_a_stop_and_write_nothing_after_it(
    app: App,
) -> None:
    """On PostgreSQL batches are written side by side, each sharing the announcement's row: a
    stop that holds it (to cancel what is not sent) keeps them waiting, and once it committed
    they write nothing."""
    if app.database.engine.dialect.name != "postgresql":
        return
    staff = await staff_member(app)
    await many_people(app, FIRST_BATCH + 300)
    app.broadcast_queue = BroadcastQueue(batch=100)
    await announce(staff)
    await staff.press("Yes, send")
    broadcast_id = await last_broadcast(app)
    async with app.database.transaction() as session:  # a stop, from its lock to its commit
        await session.get(Broadcast, broadcast_id, with_for_update=True)
        queueing = asyncio.create_task(queue_all(app))
        await asyncio.sleep(0.5)
        assert not queueing.done()  # the batches wait for the stop
        await session.execute(
            update(Broadcast).where(Broadcast.id == broadcast_id).values(status="stopped")
        )
    await asyncio.wait_for(queueing, timeout=10)
    assert sum((await rows_per_person(app)).values()) == FIRST_BATCH
    async with app.database.transaction() as session:
        assert await session.scalar(select(Broadcast.status)) == "stopped"


async def test_no_statement_binds_more_parameters_than_a_database_takes(app: App) -> None:
    staff = await staff_member(app)
    people = await many_people(app, 40_000)
    await announce(staff)
    with recording(app.database) as sending:
        await staff.press("Yes, send")
        await queue_all(app)
    assert sending.most_parameters <= 10_000
    assert len(await rows_per_person(app)) == len(people) + 1


async def test_postgresql_plans_claims_by_the_outbox_as_it_now_is(app: App) -> None:
    """After thousands of rows at once PostgreSQL's statistics are brought up to date, so that
    the claim is planned for a large outbox rather than for the near-empty one of before."""
    if app.database.engine.dialect.name != "postgresql":
        return
    staff = await staff_member(app)
    await many_people(app, 1500)
    await announce(staff)
    await staff.press("Yes, send")
    estimate = text("SELECT reltuples FROM pg_class WHERE relname = 'outbox'")
    async with app.database.engine.connect() as connection:
        await connection.execute(text("ANALYZE outbox"))  # as it is now: the first batch only
        await connection.commit()
        assert await connection.scalar(estimate) < 1000
    await queue_all(app)
    async with app.database.engine.connect() as connection:
        assert await connection.scalar(estimate) >= 1000


async def test_with_nothing_queueing_the_queue_looks_seldom_and_at_once_after_send(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The scheduler ticks twice a second; a look that finds nothing is a transaction, so it
    looks every few seconds, but at the next tick after a "Send" of this process."""
    staff = await staff_member(app)
    people = await many_people(app, FIRST_BATCH + 10)
    moment = [1000.0]
    monkeypatch.setattr(broadcast_queue.time, "monotonic", lambda: moment[0])

    with recording(app.database) as idle:
        for _ in range(9):  # ticks of 0.5 s
            await app.queue_broadcasts()
            moment[0] += 0.5
    # Over 4 s, at the first tick and every LOOK_EVERY_SECONDS (2 s) after it, the last time
    # at the last tick; not at every tick.
    assert broadcast_queue.LOOK_EVERY_SECONDS == 2.0
    assert len(idle.transactions) == 3

    await announce(staff)
    await staff.press("Yes, send")
    assert await app.queue_broadcasts() > 0  # the next tick, 0.5 s after the last look
    assert await rows_per_person(app) == Counter({address: 1 for address in [*people, "admin"]})
