"""What the meeting flows ask of `bot/services/meetings/`: planning, invitations, attendance."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol

from conversations.messages import Document


@dataclass(frozen=True)
class MeetingDraft:
    """What the /newmeeting wizard collected."""

    region_keys: Sequence[str]
    title: str
    agenda: str | None
    starts_at: datetime
    duration_minutes: int
    place: str | None
    online_link: str | None
    capacity: int | None
    languages: str | None
    rsvp_deadline: datetime | None
    newcomers_invited: bool


@dataclass(frozen=True)
class MeetingView:
    id: int
    title: str
    agenda: str | None
    starts_at: datetime
    duration_minutes: int
    place: str | None
    online_link: str | None
    capacity: int | None
    languages: str | None
    rsvp_deadline: datetime | None
    newcomers_invited: bool
    status: str
    sequence: int
    region_names: Sequence[str]
    yes: int = 0
    maybe: int = 0
    no: int = 0
    waiting: int = 0
    guests: int = 0
    my_answer: str | None = None
    my_guests: int = 0
    my_position: int | None = None  # on the waiting list
    cancel_reason: str | None = None

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)


@dataclass(frozen=True)
class Attendee:
    user_id: int
    name: str
    answer: str
    guests: int
    attended: bool | None


@dataclass(frozen=True)
class RsvpOutcome:
    meeting: MeetingView
    answer: str
    position: int | None
    promoted: Sequence[int]  # people who moved up from the waiting list


@dataclass(frozen=True)
class AttendanceFigures:
    region: str
    month: date
    meetings: int
    said_yes: int
    came: int


class MeetingRuleError(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class Meetings(Protocol):
    async def create(self, draft: MeetingDraft) -> MeetingView: ...

    async def get(self, meeting_id: int) -> MeetingView | None: ...

    async def invitees(self, meeting_id: int) -> Sequence[int]: ...

    async def upcoming(self) -> Sequence[MeetingView]: ...

    async def answer(
        self, meeting_id: int, answer: str, guests: int | None = None
    ) -> RsvpOutcome: ...

    async def calendar_file(self, meeting_id: int) -> Document: ...

    async def change(
        self,
        meeting_id: int,
        *,
        starts_at: datetime | None = None,
        place: str | None = None,
        cancel_reason: str | None = None,
    ) -> MeetingView: ...

    async def answered(self, meeting_id: int, answers: Sequence[str]) -> Sequence[int]: ...

    async def recent_and_upcoming(self) -> Sequence[MeetingView]: ...

    async def attendees(self, meeting_id: int) -> Sequence[Attendee]: ...

    async def mark_attended(self, meeting_id: int, user_id: int, attended: bool) -> None: ...

    async def attendance_csv(self, meeting_id: int) -> bytes: ...

    async def groups(self) -> Sequence[str]: ...

    async def attendance(self) -> Sequence[AttendanceFigures]: ...

    async def set_group(self, region_key: str, member: bool) -> None: ...
