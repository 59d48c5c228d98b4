"""A meeting as the flows see it, who is invited to it, and its row locked for a change."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, or_, select

from bot.db.models import (
    GroupMembership,
    Meeting,
    MeetingRegion,
    Region,
    Rsvp,
    User,
)
from bot.services.desk import Desk
from conversations.meetings.ports import (
    MeetingRuleError,
    MeetingView,
)
from conversations.ports import Role


class MeetingRecords(Desk):
    """What every part of the `Meetings` port needs: views, invitees, the locked row."""

    refusal = MeetingRuleError

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

    async def _locked(self, meeting_id: int) -> Meeting:
        meeting = await self.session.scalar(
            select(Meeting).where(Meeting.id == meeting_id).with_for_update()
        )
        if meeting is None:
            raise MeetingRuleError("not_found")
        return meeting
