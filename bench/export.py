"""/export of 10,000 applications by the real bot over HTTP: the time from the command to the
last document at the fake Bot API (the median of a few exports), and how much larger the process
stays after them."""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select

from bench.people import BATCH
from bench.processes import STAFF, real_bot, resident_kib
from bench.table import Figure, Target
from bot.app import App
from bot.db.models import (
    Application,
    CostItem,
    Decision,
    FundingRound,
    GrantReport,
    Region,
    ReportFile,
)
from bot.settings import Settings
from tests.database_copies import scratch_postgresql
from tests.e2e.telegram_fake import FakeBotApi
from tests.e2e.test_grants_telegram import onboard, say

APPLICATIONS = 10_000
# One export is decided by whatever else the machine does at that second: the median of a few,
# with a pause between them (the staff member reads the first before asking again).
EXPORTS = 3
PAUSE_SECONDS = 1.0
SETTLE_SECONDS = 3.0  # after the last document, before the memory is read again
CATEGORIES = ("travel", "moderation", "rooms", "materials", "other")
STATUSES = ("submitted", "approved", "approved", "rejected", "changes_requested")
DESCRIPTION = (
    "Ein wöchentliches Sprachcafé im Gemeindehaus: Ehrenamtliche und Neuzugewanderte üben "
    "gemeinsam Deutsch, tauschen sich über Schule, Ämter und Arbeit aus und planen Ausflüge. "
)


def application(number: int, *, round_id: int, regions: list[int], now: datetime) -> dict[str, Any]:
    status = STATUSES[number % len(STATUSES)]
    decided = status != "submitted"
    starts = date(now.year, 1 + number % 12, 1 + number % 28)
    return {
        "round_id": round_id,
        "reference": f"MP-{now.year}-{number:05d}",
        "status": status,
        "applicant_name": f"Person {number}",
        "organisation": f"Initiative {number % 300}" if number % 3 else None,
        "contact": f"person{number}@example.org",
        "region_id": regions[number % len(regions)],
        "title": f"Sprachcafé {number}",
        "description": DESCRIPTION,
        "topics": ["language", "participation"][: 1 + number % 2],
        "volunteers_expected": 3 + number % 10,
        "newcomers_expected": 10 + number % 30,
        "starts_on": starts,
        "ends_on": starts + timedelta(days=60),
        "confirmed_at": now,
        "submitted_at": now - timedelta(days=number % 90),
        "decided_at": now if decided else None,
        "approved_cents": 80_000 if status == "approved" else None,
        "decision_reason": "Passt zum Programm." if decided else None,
        "report_due_on": starts + timedelta(days=120) if status == "approved" else None,
        "created_at": now,
        "updated_at": now,
    }


async def seed(database_url: str, *, size: int = APPLICATIONS) -> None:
    """Migrate and write `size` submitted applications straight in, each with one to four cost
    items; the decided ones with their decision, every third approved one with its report and
    two receipts."""
    app = App(replace(Settings(), database_url=database_url))
    try:
        await app.migrate()
        now = datetime.now(UTC)
        async with app.database.transaction() as session:
            round_id = await session.scalar(select(FundingRound.id))
            regions = list(await session.scalars(select(Region.id).order_by(Region.id)))
        assert round_id is not None
        for start in range(1, size + 1, BATCH):
            numbers = range(start, min(start + BATCH, size + 1))
            rows = [application(n, round_id=round_id, regions=regions, now=now) for n in numbers]
            async with app.database.transaction() as session:
                ids = list(
                    await session.scalars(
                        insert(Application).returning(Application.id, sort_by_parameter_order=True),
                        rows,
                    )
                )
                items = [
                    {
                        "application_id": id_,
                        "category": CATEGORIES[(n + k) % len(CATEGORIES)],
                        "description": f"Posten {k + 1}",
                        "amount_cents": 10_000 * (k + 1),
                    }
                    for id_, n in zip(ids, numbers, strict=True)
                    for k in range(1 + n % 4)
                ]
                for part in range(0, len(items), BATCH):
                    await session.execute(insert(CostItem), items[part : part + BATCH])
                decided = [(i, r) for i, r in zip(ids, rows, strict=True) if r["decided_at"]]
                if decided:
                    await session.execute(
                        insert(Decision),
                        [
                            {
                                "application_id": id_,
                                "kind": {
                                    "approved": "approve",
                                    "rejected": "reject",
                                    "changes_requested": "changes",
                                }[row["status"]],
                                "amount_cents": row["approved_cents"],
                                "reason": row["decision_reason"],
                                "at": now,
                            }
                            for id_, row in decided
                        ],
                    )
                reported = [
                    i
                    for i, r, n in zip(ids, rows, numbers, strict=True)
                    if r["status"] == "approved" and n % 3 == 0
                ]
                if reported:
                    report_ids = list(
                        await session.scalars(
                            insert(GrantReport).returning(
                                GrantReport.id, sort_by_parameter_order=True
                            ),
                            [
                                {
                                    "application_id": id_,
                                    "status": "submitted",
                                    "volunteers_reached": 5,
                                    "newcomers_reached": 20,
                                    "summary": "Es kamen mehr Leute als gedacht.",
                                    "costs": {"rooms": 30_000, "materials": 20_000},
                                    "submissions": 1,
                                    "submitted_at": now,
                                    "created_at": now,
                                    "updated_at": now,
                                }
                                for id_ in reported
                            ],
                        )
                    )
                    await session.execute(
                        insert(ReportFile),
                        [
                            {
                                "report_id": report_id,
                                "channel": "telegram",
                                "file_ref": f"file-{report_id}-{k}",
                                "name": f"beleg-{k}.pdf",
                                "mime_type": "application/pdf",
                                "size": 120_000,
                                "created_at": now,
                            }
                            for report_id in report_ids
                            for k in range(2)
                        ],
                    )
    finally:
        await app.close()


def documents(fake: FakeBotApi, since: int) -> list[float]:
    """When each document since request number `since` reached the fake."""
    return [
        request.time
        for request in fake.requests[since:]
        if request.method == "sendDocument" and request.status == 200
    ]


async def export_once(fake: FakeBotApi) -> float:
    """Seconds from /export to the second of its documents at the fake."""
    since = len(fake.requests)
    asked = time.monotonic()
    fake.send_text(STAFF, "/export")
    await fake.wait_until(lambda: len(documents(fake, since)) >= 2, timeout=300)
    took = max(documents(fake, since)) - asked
    await asyncio.sleep(PAUSE_SECONDS)
    return took


async def measure(database_url: str, directory: Path, suffix: str) -> list[Figure]:
    await seed(database_url)
    async with FakeBotApi() as fake:
        fake.add_user(STAFF, first_name="Petra", language_code="en")
        async with real_bot(fake, database_url, directory / "bot.log") as pid:
            await onboard(fake, STAFF, "English", "I work for the district office")
            await say(fake, STAFF, "/help")  # one more turn: the process is warm
            await asyncio.sleep(1.0)
            before = resident_kib(pid)
            took = [await export_once(fake) for _ in range(EXPORTS)]
            await asyncio.sleep(SETTLE_SECONDS)
            after = resident_kib(pid)
    return [
        Figure(
            f"/export of {APPLICATIONS:,} applications{suffix}, median of {EXPORTS} (s)",
            statistics.median(took),
            None,
            Target(1),
        ),
        Figure(
            f"memory after /export{suffix} (MiB)",
            after / 1024,
            before / 1024,
            Target(10, of="above"),
        ),
    ]


async def export(postgresql_server: str | None = None) -> list[Figure]:
    """On SQLite, or (suffixed " PG") on a scratch database of that server."""
    with tempfile.TemporaryDirectory() as name:
        directory = Path(name)
        try:
            if postgresql_server is None:
                url = f"sqlite+aiosqlite:///{directory / 'bench.sqlite3'}"
                return await measure(url, directory, "")
            async with scratch_postgresql(postgresql_server) as url:
                return await measure(url, directory, " PG")
        except BaseException:
            if (directory / "bot.log").exists():
                print("--- bot.log", (directory / "bot.log").read_text()[-5000:], file=sys.stderr)
            raise
