"""The scheduler's lease: one process at a time runs the scheduled jobs on PostgreSQL, another
takes over when the holder's lease ran out or it gave it up; on SQLite it is always held."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from bot.channels.memory import MemoryChannel
from bot.db.models import Lease
from bot.db.session import Database
from bot.delivery import Dispatcher
from bot.scheduling.lease import SchedulerLease
from bot.scheduling.scheduler import JobGuard, build_scheduler
from tests.bot.test_delivery import queue, statuses
from tests.conftest import FakeClock


async def holder(database: Database) -> str | None:
    async with database.transaction() as session:
        return await session.scalar(select(Lease.holder))


async def test_one_process_holds_the_lease_until_it_gives_it_up(database: Database) -> None:
    first, second = SchedulerLease(database), SchedulerLease(database)
    if not database.is_postgresql:
        assert await first.renew() and await second.renew()
        assert first.held and second.held  # one process on SQLite: nothing to share
        assert await holder(database) is None
        return
    assert await first.renew()
    assert not await second.renew()
    assert first.held and not second.held
    assert await first.renew()  # renewed by its holder
    assert await holder(database) == first.holder

    await first.release()
    assert not first.held
    assert await second.renew()
    assert await holder(database) == second.holder
    assert not await first.renew()


async def test_another_process_takes_over_a_lease_that_ran_out(database: Database) -> None:
    if not database.is_postgresql:
        pytest.skip("one process on SQLite")
    dead, survivor = SchedulerLease(database), SchedulerLease(database)
    assert await dead.renew()
    assert not await survivor.renew()
    async with database.transaction() as session:  # the holder died 30 s ago
        await session.execute(text("UPDATE leases SET until = now() - interval '1 second'"))
    assert await survivor.renew()
    assert await holder(database) == survivor.holder
    assert not await dead.renew()
    assert not dead.held


async def test_only_the_holder_runs_the_scheduled_jobs(
    database: Database, clock: FakeClock
) -> None:
    if not database.is_postgresql:
        pytest.skip("one process on SQLite")
    await queue(database, clock, "announcement")
    channel = MemoryChannel()
    holding, waiting = SchedulerLease(database), SchedulerLease(database)
    assert await holding.renew()
    scans: list[str] = []

    def scheduler_of(name: str, lease: SchedulerLease) -> Dispatcher:
        dispatcher = Dispatcher(database, {"memory": channel}, clock)

        async def remind() -> None:
            scans.append(name)

        scheduler = build_scheduler(
            database=database,
            dispatcher=dispatcher,
            clock=clock,
            reminders=remind,
            guard=JobGuard(),
            lease=lease,
        )
        jobs[name] = {job.id: job.func for job in scheduler.get_jobs()}
        return dispatcher

    jobs: dict[str, dict[str, object]] = {}
    scheduler_of("waiting", waiting)
    scheduler_of("holding", holding)
    for name in ("waiting", "holding"):
        for job in ("reminders", "outbox"):
            await jobs[name][job]()  # type: ignore[operator]
    assert scans == ["holding"]
    assert await statuses(database) == {"announcement": "sent"}
    assert [reply.text for reply in channel.sent["a"]] == ["announcement"]

    await holding.release()
    await jobs["waiting"]["lease"]()  # type: ignore[operator]
    await jobs["waiting"]["reminders"]()  # type: ignore[operator]
    await jobs["holding"]["reminders"]()  # type: ignore[operator]
    assert scans == ["holding", "waiting"]


async def test_a_dispatcher_that_lost_the_lease_stops_sending(
    database: Database, clock: FakeClock
) -> None:
    await queue(database, clock, "one", "two")
    dispatcher = Dispatcher(database, {"memory": MemoryChannel()}, clock)
    assert await dispatcher.dispatch_due(keep_going=lambda: False) == 0
    assert await statuses(database) == {"one": "pending", "two": "pending"}
    assert await dispatcher.dispatch_due(keep_going=lambda: True) == 2
