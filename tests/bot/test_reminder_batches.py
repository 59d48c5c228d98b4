"""Report reminders for thousands of people are queued a batch per short transaction, once each,
however often the scan runs."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, insert, select, update

from bot.app import App
from bot.db.models import Application, ChannelIdentity, FundingRound, OutboxMessage
from bot.scheduling.reminders import (
    REMINDER_BATCH,
    remind_reports,
    reminded_due_dates,
    reminder_windows,
)
from tests.bot.transactions import many_people, recording

PEOPLE = 6000


async def overdue_reports(app: App, count: int) -> None:
    """`count` people, each with an approved application whose report is a week overdue."""
    await many_people(app.database, count, now=app.clock.now())
    due = app.clock.now().astimezone(app.settings.tz).date() - timedelta(days=8)
    async with app.database.transaction() as session:
        round_id = await session.scalar(select(FundingRound.id).limit(1))
        user_ids = list(
            await session.scalars(
                select(ChannelIdentity.user_id)
                .where(ChannelIdentity.external_id.like("m%"))
                .order_by(ChannelIdentity.user_id)
            )
        )
        for start in range(0, len(user_ids), 1000):
            await session.execute(
                insert(Application).values(
                    [
                        {
                            "round_id": round_id,
                            "user_id": user_id,
                            "reference": f"MP-2026-{user_id:05d}",
                            "status": "approved",
                            "title": "Sprachcafé",
                            "report_due_on": due,
                            "created_at": app.clock.now(),
                            "updated_at": app.clock.now(),
                        }
                        for user_id in user_ids[start : start + 1000]
                    ]
                )
            )


async def remind(app: App) -> list[int]:
    return await remind_reports(
        database=app.database, catalogs=app.catalogs, settings=app.settings, clock=app.clock
    )


async def reminders(app: App) -> int:
    async with app.database.transaction() as session:
        return int(
            await session.scalar(
                select(func.count()).where(OutboxMessage.dedup_key.like("application:%:report:%"))
            )
            or 0
        )


async def test_reminders_for_thousands_are_queued_in_small_transactions(app: App) -> None:
    await overdue_reports(app, PEOPLE)
    with recording(app.database) as scan:
        await remind(app)
    assert await reminders(app) == PEOPLE  # one each; no staff yet to tell
    assert len(scan.writing) >= PEOPLE // REMINDER_BATCH
    assert all(t.outbox_rows <= REMINDER_BATCH for t in scan.transactions)
    assert all(t.statements <= 10 for t in scan.transactions)
    assert scan.most_parameters <= 10_000

    await remind(app)  # the next scan, five seconds later
    assert await reminders(app) == PEOPLE


async def test_reports_due_on_different_days_are_each_reminded_once(app: App) -> None:
    """Batches follow the due dates, not the ids: with due dates that alternate from one
    application to the next across many batches, every report hears what its date calls for,
    once."""
    count = 3 * REMINDER_BATCH + 7
    await overdue_reports(app, count)
    today = app.clock.now().astimezone(app.settings.tz).date()
    days = (-8, 3, 0, -15)  # due a week ago, in three days, today, two weeks ago
    async with app.database.transaction() as session:
        ids = list(await session.scalars(select(Application.id).order_by(Application.id)))
        for start, day in enumerate(days):
            await session.execute(
                update(Application)
                .where(Application.id.in_(ids[start :: len(days)]))
                .values(report_due_on=today + timedelta(days=day))
            )
    with recording(app.database) as scan:
        await remind(app)
    await remind(app)
    async with app.database.transaction() as session:
        keys = list(
            await session.scalars(
                select(OutboxMessage.dedup_key).where(
                    OutboxMessage.dedup_key.like("application:%:report:%")
                )
            )
        )
    expected = {"overdue1": -8, "14d": 3, "due": 0, "overdue2": -15}
    assert sorted(key.partition(":to:")[0] for key in keys) == sorted(
        f"application:{application_id}:report:{kind}"
        for n, application_id in enumerate(ids)
        for kind, day in expected.items()
        if day == days[n % len(days)]
    )
    assert len(scan.writing) >= count // REMINDER_BATCH


async def test_reports_due_in_months_are_not_read_by_the_scan(app: App) -> None:
    """The scan every few seconds costs the reports due around today, not every approved
    project: a thousand due in half a year take one transaction and bring no reminder."""
    await overdue_reports(app, 1000)
    later = app.clock.now().astimezone(app.settings.tz).date() + timedelta(days=180)
    async with app.database.transaction() as session:
        await session.execute(update(Application).values(report_due_on=later))
    with recording(app.database) as scan:
        assert await remind(app) == []
    assert len(scan.transactions) == 1
    assert await reminders(app) == 0


def test_the_due_dates_read_are_exactly_those_with_something_to_say() -> None:
    today = date(2027, 3, 10)
    staff_told_within = timedelta(days=28)
    earliest, latest = reminded_due_dates(today, staff_told_within)
    for offset in range(-120, 120):
        due = today + timedelta(days=offset)
        says = any(first <= today < until for _, first, until in reminder_windows(due)) or (
            due < today <= due + staff_told_within
        )
        assert says == (earliest <= due <= latest), due
    assert reminded_due_dates(today, timedelta(days=90))[0] == today - timedelta(days=90)
