"""Answers to invitations: yes, maybe or no, with guests against the capacity and a waiting
list whose first in line moves up when a place becomes free; the calendar file.

Every answer is recorded with the meeting's row locked, so that answers and the waiting list stay
consistent when many people press at once."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from bot.db.models import (
    Meeting,
    Rsvp,
)
from bot.services.meetings.calendar import meeting_ics
from bot.services.meetings.records import MeetingRecords
from conversations.meetings.ports import (
    MeetingRuleError,
    RsvpOutcome,
)
from conversations.messages import Document

ANSWERS = ("yes", "maybe", "no")
MAX_GUESTS = 5


class Invitations(MeetingRecords):
    """The answering part of the `Meetings` port."""

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

    async def answered(self, meeting_id: int, answers: Sequence[str]) -> Sequence[int]:
        rows = await self.session.scalars(
            select(Rsvp.user_id)
            .where(Rsvp.meeting_id == meeting_id, Rsvp.answer.in_(list(answers)))
            .order_by(Rsvp.id)
        )
        return list(rows.all())
