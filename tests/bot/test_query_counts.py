"""/stats, /export and an announcement's audience ask the database as many questions for 200
applications, meetings and people as for 10: none of them asks once a row."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import event, insert, select

from bot.db.models import (
    Application,
    CostItem,
    Decision,
    FundingRound,
    GrantReport,
    Meeting,
    MeetingRegion,
    Region,
    ReportFile,
    Rsvp,
    User,
)
from bot.db.session import Database
from bot.i18n import Catalogs
from bot.services.grants.applications import GrantDesk
from bot.services.grants.export.making import applications_files
from bot.services.meetings.planning import MeetingDesk
from bot.services.office.lessons import QuestionLessonsDesk
from bot.services.outreach.broadcasts import BroadcastDesk
from conversations.outreach.ports import Audience
from conversations.spreadsheets import APPLICATIONS_CSV
from tests.bot.transactions import many_people
from tests.conftest import FakeClock

TZ = ZoneInfo("Europe/Berlin")
SMALL, LARGE = 10, 200


@contextmanager
def counting(database: Database) -> Iterator[list[str]]:
    """The statements sent to the database meanwhile."""
    statements: list[str] = []

    def before(_connection: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    event.listen(database.engine.sync_engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(database.engine.sync_engine, "before_cursor_execute", before)


async def grow(database: Database, clock: FakeClock, *, first: int, last: int) -> None:
    """Applications `first`..`last`, each with two cost items and a decision, every other one
    approved with a report and a receipt; a past meeting each, with one person's yes; and as
    many people more who could be reached by an announcement."""
    now = clock.now()
    numbers = range(first, last + 1)
    await many_people(database, len(numbers), now=now, prefix=f"p{first}-")
    async with database.transaction() as session:
        round_id = await session.scalar(select(FundingRound.id))
        region = await session.scalar(select(Region.id).order_by(Region.id))
        people = list(await session.scalars(select(User.id).order_by(User.id.desc()).limit(1)))
        ids = await session.scalars(
            insert(Application).returning(Application.id, sort_by_parameter_order=True),
            [
                {
                    "round_id": round_id,
                    "reference": f"MP-2026-{n:05d}",
                    "status": "approved" if n % 2 else "rejected",
                    "applicant_name": f"Person {n}",
                    "region_id": region,
                    "title": f"Sprachcafé {n}",
                    "topics": ["language"],
                    "volunteers_expected": 3,
                    "newcomers_expected": 10,
                    "starts_on": date(2026, 3, 1),
                    "report_due_on": date(2026, 1, 1),
                    "submitted_at": now,
                    "decided_at": now,
                    "approved_cents": 50_000 if n % 2 else None,
                    "created_at": now,
                    "updated_at": now,
                }
                for n in numbers
            ],
        )
        applications = list(zip(numbers, ids.all(), strict=True))
        await session.execute(
            insert(CostItem),
            [
                {"application_id": id_, "category": "rooms", "description": "Saal", **amount}
                for _, id_ in applications
                for amount in ({"amount_cents": 30_000}, {"amount_cents": 20_000})
            ],
        )
        await session.execute(
            insert(Decision),
            [
                {"application_id": id_, "kind": "approve" if n % 2 else "reject", "at": now}
                for n, id_ in applications
            ],
        )
        reports = await session.scalars(
            insert(GrantReport).returning(GrantReport.id),
            [
                {
                    "application_id": id_,
                    "status": "submitted",
                    "volunteers_reached": 4,
                    "newcomers_reached": 12,
                    "costs": {"rooms": 50_000},
                    "created_at": now,
                    "updated_at": now,
                }
                for n, id_ in applications
                if n % 2
            ],
        )
        await session.execute(
            insert(ReportFile),
            [
                {"report_id": id_, "channel": "memory", "file_ref": f"f{id_}", "created_at": now}
                for id_ in reports.all()
            ],
        )
        meetings = await session.scalars(
            insert(Meeting).returning(Meeting.id),
            [
                {
                    "title": f"Treffen {n}",
                    "starts_at": now - timedelta(days=n % 300 + 1),
                    "duration_minutes": 90,
                    "status": "published",
                    "created_at": now,
                    "updated_at": now,
                }
                for n in numbers
            ],
        )
        meeting_ids = meetings.all()
        await session.execute(
            insert(MeetingRegion), [{"meeting_id": m, "region_id": region} for m in meeting_ids]
        )
        await session.execute(
            insert(Rsvp),
            [
                {
                    "meeting_id": m,
                    "user_id": people[0],
                    "answer": "yes",
                    "attended": True,
                    "updated_at": now,
                }
                for m in meeting_ids
            ],
        )


async def questions_asked(database: Database, ask: Callable[[], Awaitable[object]]) -> int:
    with counting(database) as statements:
        await ask()
    return len(statements)


async def test_stats_export_and_audience_ask_as_often_for_200_as_for_10(
    database: Database, clock: FakeClock
) -> None:
    async with database.transaction() as session:
        staff = User(locale="de", is_staff=True, created_at=clock.now())
        session.add(staff)
    desk = {"actor_user_id": staff.id, "actor_is_staff": True, "now": clock.now(), "tz": TZ}
    t = Catalogs().translator("de")

    async def stats() -> None:
        async with database.transaction() as session:
            figures = await GrantDesk(session, **desk).figures()
            attendance = await MeetingDesk(session, actor_role=None, **desk).attendance()
            await QuestionLessonsDesk(session, **desk).figures()
        assert figures and attendance

    tables: list[bytes] = []

    async def export() -> None:
        async with database.reading() as session:
            tables.append((await applications_files(session, t, tz=TZ))[APPLICATIONS_CSV])

    async def audience() -> None:
        async with database.transaction() as session:
            broadcasts = BroadcastDesk(session, channel="memory", address="staff", **desk)
            assert await broadcasts.count(Audience(roles=("newcomer",)))

    counted: dict[int, list[int]] = {}
    for first, last in ((1, SMALL), (SMALL + 1, LARGE)):
        await grow(database, clock, first=first, last=last)
        counted[last] = [await questions_asked(database, ask) for ask in (stats, export, audience)]
    assert counted[SMALL] == counted[LARGE]
    # A header, then a row for each of the two cost items of every application.
    assert [table.count(b"\r\n") for table in tables] == [1 + 2 * SMALL, 1 + 2 * LARGE]
