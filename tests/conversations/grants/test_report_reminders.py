"""Report reminders over the whole life of a deadline, with the outbox clean-up running in
between: the volunteer hears of it five times at most, staff once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.app import App
from bot.scheduling.jobs import clean_up
from tests.conftest import FakeClock
from tests.conversations.grants.test_report import approved


async def test_every_reminder_once_and_staff_told_once_while_old_rows_are_cleaned_up(
    app: App, clock: FakeClock
) -> None:
    applicant, staff = await approved(app, "de", "v-de")  # report due on 13 Feb 2027
    volunteer_days, staff_days = [], []
    day = datetime(2027, 1, 1, 10, 0, tzinfo=UTC)
    while day < datetime(2027, 6, 1, tzinfo=UTC):
        clock._now = day
        await app.send_reminders()
        await clean_up(app.database, clock)
        if applicant.channel.take("v-de"):
            volunteer_days.append(day.date().isoformat())
        if staff.channel.take("admin"):
            staff_days.append(day.date().isoformat())
        day += timedelta(days=1)
    assert volunteer_days == [
        "2027-01-30",  # 14 days before
        "2027-02-13",  # on the day
        "2027-02-20",  # a week overdue
        "2027-02-27",
        "2027-03-06",  # and never a fourth time
    ]
    assert staff_days == ["2027-02-14"]
