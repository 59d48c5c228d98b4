"""APScheduler 3 (AsyncIOScheduler), owned by the app: the outbox and the housekeeping."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.db.session import Database
from bot.delivery import Dispatcher
from bot.scheduling import jobs
from conversations.ports import Clock

DISPATCH_EVERY_SECONDS = 2


def build_scheduler(
    *,
    database: Database,
    dispatcher: Dispatcher,
    clock: Clock,
    reminders: Callable[[], Awaitable[object]],
) -> AsyncIOScheduler:
    scheduler = _scheduler(database=database, dispatcher=dispatcher, clock=clock)
    scheduler.add_job(
        reminders, "interval", minutes=30, id="report-reminders", next_run_time=datetime.now(UTC)
    )
    return scheduler


def _scheduler(*, database: Database, dispatcher: Dispatcher, clock: Clock) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(
        timezone=UTC, job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 60}
    )
    scheduler.add_job(
        dispatcher.dispatch_due, "interval", seconds=DISPATCH_EVERY_SECONDS, id="outbox"
    )
    scheduler.add_job(jobs.clean_up, "interval", hours=6, args=[database, clock], id="clean-up")
    return scheduler
