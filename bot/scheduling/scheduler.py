"""APScheduler 3 (AsyncIOScheduler), owned by the app: the outbox, reminders and housekeeping.

Jobs run shielded and are awaited on shutdown, so a stop never cancels a job in the middle of a
database transaction.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.db.health import DatabaseHealth, is_outage
from bot.db.session import Database
from bot.delivery import Dispatcher
from bot.monitoring import metrics
from bot.scheduling import jobs
from bot.scheduling.lease import SchedulerLease
from conversations.people.ports import Retention
from conversations.ports import Clock

DISPATCH_EVERY_SECONDS = 2
REMIND_EVERY_SECONDS = 5  # reminders and broadcast reports: cheap scans
ALERTS_EVERY_SECONDS = 60  # administrators hear of trouble within a minute
# Announcements' rows, a batch per transaction: soon after "Send" (while nothing is queueing, a
# look is one short transaction that reads the announcements, a handful of rows).
QUEUE_EVERY_SECONDS = 0.5
CLEAN_UP_AT = {"hour": 2, "minute": 30}  # UTC, once a day, in the quiet of the night
Job = Callable[[], Awaitable[object]]


class JobGuard:
    """Runs each job as its own task that a scheduler shutdown cannot cancel, and waits for the
    running ones when the app stops. A job that fails because the database is away is told to
    the database's health (one line for the whole outage), not logged every few seconds."""

    def __init__(self, health: DatabaseHealth | None = None) -> None:
        self.health = health
        self.running: set[asyncio.Task[object]] = set()
        self.stopping = False
        # Per job: failures in a row for a reason of its own (not the database away), since
        # this process started; a job is in it once it ran. The alerts read it.
        self.failures: dict[str, int] = {}

    def guarded(self, job: Job, name: str | None = None) -> Job:
        """`name`: the job in the metrics and alerts (by default the function's name)."""
        label: str = name or getattr(job, "__name__", None) or "job"

        async def run() -> None:
            if self.stopping:
                return
            task: asyncio.Task[object] = asyncio.ensure_future(job())
            self.running.add(task)
            task.add_done_callback(self.running.discard)
            metrics.JOB_RUNS.labels(label).inc()
            try:
                await asyncio.shield(task)
            except Exception as error:
                metrics.JOB_FAILURES.labels(label).inc()
                if self.health is None or not is_outage(error):
                    self.failures[label] = self.failures.get(label, 0) + 1
                    raise
                # Only a write says that the database is back: a job that merely read (nothing
                # was due) says nothing, as a full disk or a read-only file still reads.
                self.health.failed(error)
            else:
                self.failures[label] = 0

        return run

    async def drain(self, *, timeout: float = 30) -> None:
        self.stopping = True
        if self.running:
            await asyncio.wait(set(self.running), timeout=timeout)


def build_scheduler(
    *,
    database: Database,
    dispatcher: Dispatcher,
    clock: Clock,
    reminders: Job,
    guard: JobGuard,
    queue: Job | None = None,
    retention: Retention | None = None,
    alerts: Job | None = None,
    lease: SchedulerLease | None = None,
) -> AsyncIOScheduler:
    """The jobs; with a `lease` (several processes on one PostgreSQL) they run only in the
    process that holds it, which renews it here."""
    scheduler = AsyncIOScheduler(
        timezone=UTC, job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 60}
    )
    if lease is not None and lease.shared:
        scheduler.add_job(
            guard.guarded(lease.renew, "lease"), "interval", seconds=lease.renew_every, id="lease"
        )

    def once(job: Job, name: str) -> Job:
        return guard.guarded(job if lease is None else lease.only_holder(job), name)

    keep_going = None if lease is None else (lambda: lease.held)
    scheduler.add_job(
        once(lambda: dispatcher.dispatch_due(keep_going=keep_going), "outbox"),
        "interval",
        seconds=DISPATCH_EVERY_SECONDS,
        id="outbox",
    )
    scheduler.add_job(
        once(reminders, "reminders"),
        "interval",
        seconds=REMIND_EVERY_SECONDS,
        id="reminders",
        next_run_time=datetime.now(UTC),
    )
    if queue is not None:
        scheduler.add_job(
            once(queue, "broadcast-queue"),
            "interval",
            seconds=QUEUE_EVERY_SECONDS,
            id="broadcast-queue",
        )
    if alerts is not None:
        scheduler.add_job(
            once(alerts, "alerts"), "interval", seconds=ALERTS_EVERY_SECONDS, id="alerts"
        )
    scheduler.add_job(
        once(lambda: jobs.clean_up(database, clock, retention), "clean-up"),
        "cron",
        id="clean-up",
        **CLEAN_UP_AT,
    )
    return scheduler
