"""Who came to a meeting: the list staff tick off, its spreadsheet, and the figures per region.

Staff only; `MeetingDesk` hands the `Meetings` port's attendance questions to this.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from sqlalchemy import func, select

from bot.db.models import Meeting, MeetingRegion, Region, Rsvp, User
from bot.services.desk import Desk
from bot.services.spreadsheet import csv_file
from conversations.meetings.ports import AttendanceFigures, Attendee, MeetingRuleError


class MeetingAttendance(Desk):
    """Attendance for one person acting in one turn."""

    refusal = MeetingRuleError

    async def attendees(self, meeting_id: int) -> Sequence[Attendee]:
        self._staff_only()
        rows = await self.session.execute(
            select(Rsvp, User.display_name)
            .join(User, User.id == Rsvp.user_id)
            .where(Rsvp.meeting_id == meeting_id)
            .order_by(Rsvp.answer.desc(), Rsvp.id)
        )
        return [
            Attendee(
                user_id=rsvp.user_id,
                name=name or "–",
                answer=rsvp.answer,
                guests=rsvp.guests,
                attended=rsvp.attended,
            )
            for rsvp, name in rows
        ]

    async def mark_attended(self, meeting_id: int, user_id: int, attended: bool) -> None:
        self._staff_only()
        rsvp = await self.session.scalar(
            select(Rsvp).where(Rsvp.meeting_id == meeting_id, Rsvp.user_id == user_id)
        )
        if rsvp is None:
            raise MeetingRuleError("not_found")
        rsvp.attended = attended
        await self.session.flush()

    async def attendance_csv(self, meeting_id: int) -> bytes:
        meeting = await self.session.get(Meeting, meeting_id)
        if meeting is None:
            raise MeetingRuleError("not_found")
        start = meeting.starts_at.astimezone(self.tz).strftime("%d.%m.%Y %H:%M")
        return csv_file(
            ["Treffen", "Beginn", "Name", "Antwort", "Gäste", "Anwesend"],
            [
                [
                    meeting.title,
                    start,
                    attendee.name,
                    attendee.answer,
                    attendee.guests,
                    {True: "ja", False: "nein", None: ""}[attendee.attended],
                ]
                for attendee in await self.attendees(meeting_id)
            ],
        )

    async def attendance(self) -> Sequence[AttendanceFigures]:
        """Per region and month of the past year's meetings: how many, how many said yes, how
        many came."""
        self._staff_only()
        said_yes = (
            select(func.count())
            .where(Rsvp.meeting_id == Meeting.id, Rsvp.answer == "yes")
            .scalar_subquery()
        )
        came = (
            select(func.count())
            .where(Rsvp.meeting_id == Meeting.id, Rsvp.attended.is_(True))
            .scalar_subquery()
        )
        # One SELECT however many meetings: the answers are counted beside each meeting.
        rows = await self.session.execute(
            select(Region.name, Meeting.starts_at, said_yes, came)
            .join(MeetingRegion, MeetingRegion.region_id == Region.id)
            .join(Meeting, Meeting.id == MeetingRegion.meeting_id)
            .where(
                Meeting.status == "published",
                Meeting.starts_at <= self.now,
                Meeting.starts_at > self.now - timedelta(days=365),
            )
            .order_by(Region.position, Meeting.starts_at)
        )
        figures: dict[tuple[str, date], list[int]] = {}
        for region, starts_at, yes, attended in rows.all():
            month = starts_at.astimezone(self.tz).date().replace(day=1)
            entry = figures.setdefault((region, month), [0, 0, 0])
            entry[0] += 1
            entry[1] += yes
            entry[2] += attended
        return [
            AttendanceFigures(region, month, *counts) for (region, month), counts in figures.items()
        ]
