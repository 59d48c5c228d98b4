"""Planning network meetings: creating, changing and cancelling them, and the lists staff and
people see. Answers to invitations are in `invitations`, the groups in `groups`, who came in
`attendance`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    Meeting,
    MeetingRegion,
    Region,
    User,
)
from bot.delivery import cancel_unsent
from bot.services.meetings.attendance import MeetingAttendance
from bot.services.meetings.groups import Groups
from bot.services.meetings.invitations import Invitations
from bot.services.people import audit
from conversations.meetings.ports import (
    AttendanceFigures,
    Attendee,
    MeetingDraft,
    MeetingRuleError,
    MeetingView,
)
from conversations.ports import Role


class MeetingDesk(Invitations, Groups):
    """The `Meetings` port for one person acting in one turn."""

    def __init__(
        self,
        session: AsyncSession,
        *,
        actor_user_id: int,
        actor_is_staff: bool,
        actor_role: Role | None,
        now: datetime,
        tz: ZoneInfo,
    ) -> None:
        super().__init__(
            session, actor_user_id=actor_user_id, actor_is_staff=actor_is_staff, now=now, tz=tz
        )
        self.actor_role = actor_role
        self._attendance = MeetingAttendance(
            session, actor_user_id=actor_user_id, actor_is_staff=actor_is_staff, now=now, tz=tz
        )

    async def create(self, draft: MeetingDraft) -> MeetingView:
        self._staff_only()
        if draft.starts_at <= self.now:
            raise MeetingRuleError("in_the_past")
        meeting = Meeting(
            title=draft.title,
            agenda=draft.agenda,
            starts_at=draft.starts_at,
            duration_minutes=draft.duration_minutes,
            place=draft.place,
            online_link=draft.online_link,
            capacity=draft.capacity,
            languages=draft.languages,
            rsvp_deadline=draft.rsvp_deadline,
            newcomers_invited=draft.newcomers_invited,
            status="published",
            sequence=0,
            created_by=self.actor_user_id,
            created_at=self.now,
            updated_at=self.now,
        )
        self.session.add(meeting)
        await self.session.flush()
        regions = (
            await self.session.scalars(
                select(Region.id).where(Region.key.in_(list(draft.region_keys)))
            )
        ).all()
        for region_id in regions:
            self.session.add(MeetingRegion(meeting_id=meeting.id, region_id=region_id))
        audit.record(
            self.session,
            actor=f"user:{self.actor_user_id}",
            action="meeting.publish",
            subject=f"meeting:{meeting.id}",
            at=self.now,
        )
        await self.session.flush()
        return await self._view(meeting)

    async def upcoming(self) -> Sequence[MeetingView]:
        query = (
            select(Meeting)
            .join(User, User.id == self.actor_user_id)
            .where(Meeting.status == "published", Meeting.starts_at > self.now)
            .order_by(Meeting.starts_at)
        )
        if not self.actor_is_staff:
            query = query.where(self._invited())
        return [await self._view(m) for m in (await self.session.scalars(query)).all()]

    async def recent_and_upcoming(self) -> Sequence[MeetingView]:
        self._staff_only()
        rows = await self.session.scalars(
            select(Meeting)
            .where(Meeting.starts_at > self.now - timedelta(days=60))
            .order_by(Meeting.starts_at)
        )
        return [await self._view(m) for m in rows.all()]

    async def change(
        self,
        meeting_id: int,
        *,
        starts_at: datetime | None = None,
        place: str | None = None,
        cancel_reason: str | None = None,
    ) -> MeetingView:
        self._staff_only()
        meeting = await self._locked(meeting_id)
        if meeting.status == "cancelled":
            raise MeetingRuleError("cancelled")
        if starts_at is not None:
            if starts_at <= self.now:
                raise MeetingRuleError("in_the_past")
            if meeting.rsvp_deadline is not None:  # the deadline keeps its distance to the start
                meeting.rsvp_deadline += starts_at - meeting.starts_at
            meeting.starts_at = starts_at
        if place is not None:
            if place.startswith(("https://", "http://")):
                meeting.online_link, meeting.place = place, None
            else:
                meeting.place, meeting.online_link = place, None
        if cancel_reason is not None:
            meeting.status, meeting.cancel_reason = "cancelled", cancel_reason
        if starts_at is not None or cancel_reason is not None:
            # Messages queued for the old time, or for a meeting now cancelled, are not sent.
            kinds = ["reminder"] if cancel_reason is None else ["reminder", "invite", "moved-up"]
            await cancel_unsent(self.session, *(f"meeting:{meeting_id}:{kind}:" for kind in kinds))
        meeting.sequence += 1
        meeting.updated_at = self.now
        audit.record(
            self.session,
            actor=f"user:{self.actor_user_id}",
            action="meeting.cancel" if cancel_reason else "meeting.change",
            subject=f"meeting:{meeting_id}",
            at=self.now,
            details={"reason": cancel_reason},
        )
        await self.session.flush()
        return await self._view(meeting)

    async def attendees(self, meeting_id: int) -> Sequence[Attendee]:
        return await self._attendance.attendees(meeting_id)

    async def mark_attended(self, meeting_id: int, user_id: int, attended: bool) -> None:
        await self._attendance.mark_attended(meeting_id, user_id, attended)

    async def attendance_csv(self, meeting_id: int) -> bytes:
        return await self._attendance.attendance_csv(meeting_id)

    async def attendance(self) -> Sequence[AttendanceFigures]:
        return await self._attendance.attendance()
