"""Network meetings: groups, invitations, RSVPs with capacity and a waiting list, changes.

Every answer is recorded with the meeting's row locked, so that answers and the waiting list stay
consistent when many people press at once. Who came is in `meeting_attendance`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    GroupMembership,
    Meeting,
    MeetingRegion,
    Region,
    Rsvp,
    User,
)
from bot.delivery import cancel_unsent
from bot.services.desk import Desk
from bot.services.meetings.attendance import MeetingAttendance
from bot.services.meetings.calendar import meeting_ics
from bot.services.people import audit
from conversations.meetings.ports import (
    AttendanceFigures,
    Attendee,
    MeetingDraft,
    MeetingRuleError,
    MeetingView,
    RsvpOutcome,
)
from conversations.messages import Document
from conversations.ports import Role

ANSWERS = ("yes", "maybe", "no")
MAX_GUESTS = 5


async def join_group(session: AsyncSession, *, user_id: int, region_id: int, now: datetime) -> None:
    if await session.get(GroupMembership, (user_id, region_id)) is None:
        session.add(GroupMembership(user_id=user_id, region_id=region_id, joined_at=now))
        await session.flush()


class MeetingDesk(Desk):
    """The `Meetings` port for one person acting in one turn."""

    refusal = MeetingRuleError

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

    async def _region_names(self, meeting_id: int) -> list[str]:
        rows = await self.session.scalars(
            select(Region.name)
            .join(MeetingRegion, MeetingRegion.region_id == Region.id)
            .where(MeetingRegion.meeting_id == meeting_id)
            .order_by(Region.position)
        )
        return list(rows.all())

    async def _view(self, meeting: Meeting) -> MeetingView:
        rsvps = (
            await self.session.scalars(
                select(Rsvp)
                .where(Rsvp.meeting_id == meeting.id)
                .order_by(Rsvp.waiting_since, Rsvp.id)
            )
        ).all()
        mine = next((r for r in rsvps if r.user_id == self.actor_user_id), None)
        waiting = [r for r in rsvps if r.answer == "waiting"]
        return MeetingView(
            id=meeting.id,
            title=meeting.title,
            agenda=meeting.agenda,
            starts_at=meeting.starts_at,
            duration_minutes=meeting.duration_minutes,
            place=meeting.place,
            online_link=meeting.online_link,
            capacity=meeting.capacity,
            languages=meeting.languages,
            rsvp_deadline=meeting.rsvp_deadline,
            newcomers_invited=meeting.newcomers_invited,
            status=meeting.status,
            sequence=meeting.sequence,
            region_names=await self._region_names(meeting.id),
            yes=sum(1 for r in rsvps if r.answer == "yes"),
            maybe=sum(1 for r in rsvps if r.answer == "maybe"),
            no=sum(1 for r in rsvps if r.answer == "no"),
            waiting=len(waiting),
            guests=sum(r.guests for r in rsvps if r.answer == "yes"),
            my_answer=mine.answer if mine else None,
            my_guests=mine.guests if mine else 0,
            my_position=waiting.index(mine) + 1 if mine in waiting else None,
            cancel_reason=meeting.cancel_reason,
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

    async def get(self, meeting_id: int) -> MeetingView | None:
        meeting = await self.session.get(Meeting, meeting_id)
        return await self._view(meeting) if meeting else None

    def _invited(self) -> ColumnElement[bool]:
        """Condition on (User, Meeting): a member of one of its regions, newcomers if asked."""
        member = (
            select(GroupMembership.user_id)
            .join(MeetingRegion, MeetingRegion.region_id == GroupMembership.region_id)
            .where(MeetingRegion.meeting_id == Meeting.id, GroupMembership.user_id == User.id)
            .exists()
        )
        return member & or_(User.role != Role.NEWCOMER.value, Meeting.newcomers_invited)

    async def invitees(self, meeting_id: int) -> Sequence[int]:
        rows = await self.session.scalars(
            select(User.id)
            .join(Meeting, Meeting.id == meeting_id)
            .where(self._invited(), User.consented_at.is_not(None))
            .order_by(User.id)
        )
        return list(rows.all())

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

    async def _locked(self, meeting_id: int) -> Meeting:
        meeting = await self.session.scalar(
            select(Meeting).where(Meeting.id == meeting_id).with_for_update()
        )
        if meeting is None:
            raise MeetingRuleError("not_found")
        return meeting

    async def answer(self, meeting_id: int, answer: str, guests: int | None = None) -> RsvpOutcome:
        """Record an answer; `guests` None keeps the number given before. A confirmed place is
        never lost by asking for more guests than there is room for."""
        if answer not in ANSWERS or (guests is not None and not 0 <= guests <= MAX_GUESTS):
            raise ValueError(f"bad answer {answer!r} with {guests} guests")
        meeting = await self._locked(meeting_id)
        if meeting.status == "cancelled":
            raise MeetingRuleError("cancelled")
        if meeting.starts_at <= self.now:
            raise MeetingRuleError("started")
        if meeting.rsvp_deadline is not None and self.now > meeting.rsvp_deadline:
            raise MeetingRuleError("deadline")
        rsvp = await self.session.scalar(
            select(Rsvp).where(Rsvp.meeting_id == meeting_id, Rsvp.user_id == self.actor_user_id)
        )
        # Someone who left the group since can still take back an answer, not give a new one.
        if self.actor_user_id not in await self.invitees(meeting_id) and (
            rsvp is None or answer != "no"
        ):
            raise MeetingRuleError("not_invited")
        before = rsvp.answer if rsvp is not None else None
        if rsvp is None:
            rsvp = Rsvp(
                meeting_id=meeting_id,
                user_id=self.actor_user_id,
                answer=answer,
                guests=0,
                updated_at=self.now,
            )
            self.session.add(rsvp)
        if answer == "yes":
            if guests is None:
                guests = rsvp.guests if before in ("yes", "waiting") else 0
            taken = await self._seats_taken(meeting_id, but=rsvp.id)
            if meeting.capacity is None or taken + 1 + guests <= meeting.capacity:
                rsvp.answer, rsvp.waiting_since = "yes", None
            elif before == "yes":
                raise MeetingRuleError("no_room_for_guests")
            else:
                if before != "waiting":
                    rsvp.waiting_since = self.now
                rsvp.answer = "waiting"
            rsvp.guests = guests
        else:
            rsvp.answer, rsvp.guests, rsvp.waiting_since = answer, 0, None
        rsvp.updated_at = self.now
        await self.session.flush()
        promoted = await self._promote_from_waitlist(meeting)
        view = await self._view(meeting)
        return RsvpOutcome(
            meeting=view, answer=rsvp.answer, position=view.my_position, promoted=promoted
        )

    async def _seats_taken(self, meeting_id: int, *, but: int | None = None) -> int:
        rows = (
            await self.session.scalars(
                select(Rsvp).where(Rsvp.meeting_id == meeting_id, Rsvp.answer == "yes")
            )
        ).all()
        return sum(1 + r.guests for r in rows if r.id != but)

    async def _promote_from_waitlist(self, meeting: Meeting) -> list[int]:
        """The first in line moves up while there is room for them (and their guests)."""
        if meeting.capacity is None:
            return []
        promoted = []
        taken = await self._seats_taken(meeting.id)
        waiting = (
            await self.session.scalars(
                select(Rsvp)
                .where(Rsvp.meeting_id == meeting.id, Rsvp.answer == "waiting")
                .order_by(Rsvp.waiting_since, Rsvp.id)
            )
        ).all()
        for rsvp in waiting:
            if taken + 1 + rsvp.guests > meeting.capacity:
                break
            rsvp.answer, rsvp.waiting_since, rsvp.updated_at = "yes", None, self.now
            taken += 1 + rsvp.guests
            promoted.append(rsvp.user_id)
        await self.session.flush()
        return promoted

    async def calendar_file(self, meeting_id: int) -> Document:
        meeting = await self.session.get(Meeting, meeting_id)
        if meeting is None:
            raise MeetingRuleError("not_found")
        content = meeting_ics(
            meeting, tz=self.tz, now=self.now, region_names=await self._region_names(meeting_id)
        )
        return Document(
            name=f"gemeinsam-meeting-{meeting_id}.ics", mime_type="text/calendar", content=content
        )

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

    async def answered(self, meeting_id: int, answers: Sequence[str]) -> Sequence[int]:
        rows = await self.session.scalars(
            select(Rsvp.user_id)
            .where(Rsvp.meeting_id == meeting_id, Rsvp.answer.in_(list(answers)))
            .order_by(Rsvp.id)
        )
        return list(rows.all())

    async def groups(self) -> Sequence[str]:
        rows = await self.session.scalars(
            select(Region.key)
            .join(GroupMembership, GroupMembership.region_id == Region.id)
            .where(GroupMembership.user_id == self.actor_user_id)
            .order_by(Region.position)
        )
        return list(rows.all())

    async def set_group(self, region_key: str, member: bool) -> None:
        region_id = await self.session.scalar(select(Region.id).where(Region.key == region_key))
        if region_id is None:
            raise MeetingRuleError("not_found")
        if member:
            await join_group(
                self.session, user_id=self.actor_user_id, region_id=region_id, now=self.now
            )
        else:
            await self.session.execute(
                delete(GroupMembership).where(
                    GroupMembership.user_id == self.actor_user_id,
                    GroupMembership.region_id == region_id,
                )
            )

    async def attendees(self, meeting_id: int) -> Sequence[Attendee]:
        return await self._attendance.attendees(meeting_id)

    async def mark_attended(self, meeting_id: int, user_id: int, attended: bool) -> None:
        await self._attendance.mark_attended(meeting_id, user_id, attended)

    async def attendance_csv(self, meeting_id: int) -> bytes:
        return await self._attendance.attendance_csv(meeting_id)

    async def attendance(self) -> Sequence[AttendanceFigures]:
        return await self._attendance.attendance()
