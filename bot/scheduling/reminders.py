"""Report reminders: 14 days before the deadline, on the day, and weekly while overdue (three
times at most); staff hear of overdue reports once. Each is an outbox row with its own key, so
it goes out once however often the scan runs; one whose time has passed is left out."""

from __future__ import annotations

from datetime import date, timedelta
from functools import partial

from sqlalchemy import ColumnElement, or_, select, true, tuple_

from bot.db.models import Application, GrantReport, Meeting
from bot.db.session import Database
from bot.i18n import Catalogs
from bot.services.meetings.planning import MeetingDesk
from bot.services.outreach.notifications import Notifier
from bot.settings import Settings
from conversations.grants.report import overdue_notice, reminder
from conversations.meetings.texts import reminder as meeting_reminder
from conversations.ports import Clock

DAYTIME = range(9, 20)  # local hours in which people are reminded
# Staff hear of an overdue report while the outbox still keeps the row whose key makes it once
# (RETAIN_OUTBOX_DAYS, at least 7), less this margin.
STAFF_TOLD_MARGIN = timedelta(days=2)
# Applications per transaction: a scan of thousands never holds the database longer than a turn.
REMINDER_BATCH = 200


def reminded_due_dates(today: date, staff_told_within: timedelta) -> tuple[date, date]:
    """The first and last due date a reminder or a notice to staff is for today: the scan
    reads only these applications, however many reports are due in months."""
    windows = reminder_windows(today)
    earliest_first = min(first for _, first, _ in windows) - today
    latest_until = max(until for _, _, until in windows) - today
    earliest = today - max(latest_until - timedelta(days=1), staff_told_within)
    return earliest, today - earliest_first


def reminder_windows(due: date) -> list[tuple[str, date, date]]:
    """(kind, first day, first day it no longer makes sense) for each reminder."""
    week = timedelta(days=7)
    return [
        ("14d", due - timedelta(days=14), due),
        ("due", due, due + week),
        ("overdue1", due + week, due + 2 * week),
        ("overdue2", due + 2 * week, due + 3 * week),
        ("overdue3", due + 3 * week, due + 4 * week),
    ]


async def remind_reports(
    *, database: Database, catalogs: Catalogs, settings: Settings, clock: Clock
) -> list[int]:
    """Queue the reminders that are due now; returns the new outbox ids."""
    now = clock.now()
    local = now.astimezone(settings.tz)
    if local.hour not in DAYTIME:
        return []
    today = local.date()
    staff_told_within = timedelta(days=settings.retention.outbox_days) - STAFF_TOLD_MARGIN
    earliest, latest = reminded_due_dates(today, staff_told_within)
    queued: list[int] = []
    # Applications are taken a batch at a time, each in a transaction of its own, in the order
    # of the due dates' index: the scan reads the few weeks it is for, however many are stored.
    after: ColumnElement[bool] = true()
    while True:
        async with database.transaction() as session:
            notifier = Notifier(session, catalogs=catalogs, admins=settings.admins, now=now)
            rows = await session.scalars(
                select(Application)
                .outerjoin(GrantReport, GrantReport.application_id == Application.id)
                .where(
                    after,
                    Application.status == "approved",
                    Application.report_due_on.between(earliest, latest),
                    Application.user_id.is_not(None),
                    or_(
                        GrantReport.id.is_(None),
                        GrantReport.status.in_(["draft", "more_requested"]),
                    ),
                )
                .order_by(Application.report_due_on, Application.id)
                .limit(REMINDER_BATCH)
            )
            applications = rows.all()
            for application in applications:
                due = application.report_due_on
                assert due is not None and application.user_id is not None
                reference, title = application.reference or "", application.title or ""
                for kind, first, until in reminder_windows(due):
                    if first <= today < until:
                        await notifier.to_user(
                            application.user_id,
                            f"application:{application.id}:report:{kind}",
                            partial(reminder, kind=kind, reference=reference, title=title, due=due),
                            bulk=True,
                        )
                if due < today <= due + staff_told_within:
                    await notifier.to_staff(
                        f"application:{application.id}:report:overdue",
                        partial(overdue_notice, reference=reference, title=title, due=due),
                        bulk=True,
                    )
            await notifier.flush()
            queued.extend(notifier.queued)
        if len(applications) < REMINDER_BATCH:
            return queued
        last = applications[-1]
        after = tuple_(Application.report_due_on, Application.id) > (last.report_due_on, last.id)


async def remind_meetings(
    *, database: Database, catalogs: Catalogs, settings: Settings, clock: Clock
) -> list[int]:
    """Reminders before each meeting to who said yes or maybe: once each, never after the
    start, and only those that still fit (a meeting made 10 hours ahead gets no 24-hour one)."""
    now = clock.now()
    hours = settings.meeting_reminder_hours
    async with database.transaction() as session:
        notifier = Notifier(session, catalogs=catalogs, admins=settings.admins, now=now)
        desk = MeetingDesk(
            session, actor_user_id=0, actor_is_staff=True, actor_role=None, now=now, tz=settings.tz
        )
        meetings = await session.scalars(
            select(Meeting)
            .where(
                Meeting.status == "published",
                Meeting.starts_at > now,
                Meeting.starts_at <= now + timedelta(hours=max(hours)),
            )
            .order_by(Meeting.starts_at)
        )
        for meeting in meetings.all():
            due = [h for h in hours if meeting.starts_at - timedelta(hours=h) <= now]
            if not due:
                continue
            closest = min(due)  # an earlier reminder whose time has passed is left out
            if meeting.created_at > meeting.starts_at - timedelta(hours=closest):
                continue
            view = await desk.get(meeting.id)
            assert view is not None
            # Sent late (after downtime, or a yes given since), it names the time really left.
            hours_left = max(1, round((meeting.starts_at - now) / timedelta(hours=1)))
            for user_id in await desk.answered(meeting.id, ["yes", "maybe"]):
                await notifier.to_user(
                    user_id,
                    f"meeting:{meeting.id}:reminder:{closest}h:{meeting.starts_at.timestamp():.0f}",
                    partial(meeting_reminder, meeting=view, hours=hours_left),
                    expires_at=meeting.starts_at,
                    bulk=True,
                )
        await notifier.flush()
        return notifier.queued
