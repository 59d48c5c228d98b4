"""The scheduler's reminder scan (every few seconds) costs what is due, not what is stored: one
scan with 1,000 due meeting reminders (the yeses to a meeting in two hours) among 1,000 and
among 100,000 rows that are not due yet (yeses to later meetings, approved projects whose report
is due in months), in process on a database of its own."""

from __future__ import annotations

import gc
import tempfile
import time
from contextlib import AsyncExitStack
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, func, insert, select

from bench.table import Figure, Target
from bot.app import App
from bot.db.models import (
    Application,
    ChannelIdentity,
    FundingRound,
    Meeting,
    OutboxMessage,
    Rsvp,
    User,
)
from bot.memory import freeze_startup_objects
from bot.scheduling.progress import report_broadcasts
from bot.scheduling.question_reminders import remind_questions
from bot.scheduling.reminders import remind_meetings, remind_reports
from bot.services.ports import FixedClock
from bot.settings import Settings
from tests.database_copies import scratch_postgresql

DUE = 1000  # people who said yes to the meeting in two hours
FUTURE = (1000, 100_000)  # rows not due yet, half yeses to later meetings, half projects
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # a Tuesday, 10:00 in Germany: reports remind
# Scans of each database, in turns; the fastest of each is its cost: this shared machine's other
# work only ever adds (the scans of one database spread from 107 to 288 ms in one run, so that
# medians of eleven swung the ratio from 0.56 to 1.26 between runs).
SCANS = 15
BATCH = 1000


async def _people(app: App) -> list[int]:
    async with app.database.transaction() as session:
        ids = list(
            await session.scalars(
                insert(User).returning(User.id, sort_by_parameter_order=True),
                [{"locale": "de", "consented_at": NOW, "created_at": NOW}] * DUE,
            )
        )
        await session.execute(
            insert(ChannelIdentity),
            [
                {"user_id": i, "channel": "memory", "external_id": f"r{i}", "created_at": NOW}
                for i in ids
            ],
        )
    return ids


async def _meeting(app: App, starts_at: datetime, people: list[int]) -> None:
    async with app.database.transaction() as session:
        meeting = Meeting(
            title="Vernetzungstreffen",
            starts_at=starts_at,
            duration_minutes=90,
            status="published",
            created_at=NOW - timedelta(days=7),
            updated_at=NOW - timedelta(days=7),
        )
        session.add(meeting)
        await session.flush()
        await session.execute(
            insert(Rsvp),
            [
                {"meeting_id": meeting.id, "user_id": i, "answer": "yes", "updated_at": NOW}
                for i in people
            ],
        )


async def _projects(app: App, count: int, people: list[int]) -> None:
    async with app.database.transaction() as session:
        funding = FundingRound(
            name="2027",
            pot_cents=10**9,
            cap_cents=10**6,
            opens_on=date(2026, 1, 1),
            closes_on=date(2026, 12, 31),
            categories=[],
            created_at=NOW,
        )
        session.add(funding)
        await session.flush()
        round_id = funding.id
    row = {
        "round_id": round_id,
        "status": "approved",
        "title": "Nähcafé",
        "report_due_on": (NOW + timedelta(days=180)).date(),
        "created_at": NOW,
        "updated_at": NOW,
    }
    for start in range(0, count, BATCH):
        part = range(start, min(count, start + BATCH))
        async with app.database.transaction() as session:
            await session.execute(
                insert(Application), [{**row, "user_id": people[i % DUE]} for i in part]
            )


async def seed(app: App, future: int) -> None:
    await app.migrate()
    people = await _people(app)
    await _meeting(app, NOW + timedelta(minutes=90), people)
    later = future // 2
    for start in range(0, later, DUE):
        await _meeting(app, NOW + timedelta(days=30 + start // DUE), people[: later - start])
    await _projects(app, future - later, people)


async def scan(app: App) -> float:
    """One scan finding the 1,000 reminders due (their rows are deleted again first), in
    seconds."""
    async with app.database.transaction() as session:
        await session.execute(delete(OutboxMessage))
    started = time.perf_counter()
    for remind in (remind_reports, remind_meetings, report_broadcasts, remind_questions):
        await remind(
            database=app.database, catalogs=app.catalogs, settings=app.settings, clock=app.clock
        )
    seconds = time.perf_counter() - started
    async with app.database.transaction() as session:
        queued = await session.scalar(select(func.count()).select_from(OutboxMessage))
    assert queued == DUE, queued
    return seconds


async def scan_times(urls: list[str]) -> list[float]:
    """The fastest scan on each database (one per count in FUTURE), taken in turns, one scan
    on each before the next on any."""
    apps = [App(replace(Settings(), database_url=url), clock=FixedClock(NOW)) for url in urls]
    try:
        for app, future in zip(apps, FUTURE, strict=True):
            await seed(app, future)
        freeze_startup_objects()  # as the bot does once started: no full collection of them
        times: list[list[float]] = [[] for _ in apps]
        for _ in range(SCANS):
            for app, found in zip(apps, times, strict=True):
                found.append(await scan(app))
        return [min(found) for found in times]
    finally:
        gc.unfreeze()
        for app in apps:
            await app.close()


async def reminder_scan(engines: list[tuple[str, str | None]]) -> list[Figure]:
    figures = []
    for suffix, server in engines:
        async with AsyncExitStack() as stack:
            if server is None:
                directory = Path(stack.enter_context(tempfile.TemporaryDirectory()))
                urls = [f"sqlite+aiosqlite:///{directory / f'scan{n}.sqlite3'}" for n in FUTURE]
            else:
                urls = [await stack.enter_async_context(scratch_postgresql(server)) for _ in FUTURE]
            few, many = (seconds * 1000 for seconds in await scan_times(urls))
        figures.append(
            Figure(
                f"reminder scan, {DUE:,} due among {FUTURE[1]:,}{suffix} (ms)",
                many,
                few,
                Target(1.2, of="ratio"),
            )
        )
    return figures
