"""What the people flows ask of `bot/services/people/`: settings, privacy, staff, /link."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Protocol

from conversations.ports import RegionView, Role


@dataclass(frozen=True)
class StaffMember:
    address: str
    display_name: str | None
    is_admin: bool


# What a funding record kept after its applicant erased their data holds instead of their name,
# organisation and contact; staff views show it translated.
ERASED = "[deleted]"


@dataclass(frozen=True)
class ApplicationData:
    """One of the person's applications, as /mydata shows and exports it."""

    reference: str | None  # None: a draft never submitted (deleted with the person's data)
    status: str
    title: str | None
    applicant_name: str | None
    organisation: str | None
    contact: str | None
    region_name: str | None
    description: str | None
    total_cents: int
    approved_cents: int | None
    starts_on: date | None
    ends_on: date | None
    created_at: datetime
    submitted_at: datetime | None
    decided_at: datetime | None
    report_status: str | None = None
    report_summary: str | None = None
    receipts: int = 0

    @property
    def is_funding_record(self) -> bool:
        """Submitted once: kept, without name and contact, when the person erases their data."""
        return self.reference is not None


@dataclass(frozen=True)
class MeetingAnswerData:
    meeting_title: str
    starts_at: datetime
    answer: str  # yes, waiting, maybe, no
    guests: int
    updated_at: datetime


@dataclass(frozen=True)
class SurveyAnswerData:
    question: str
    answer: str  # the option chosen or the text written
    answered_at: datetime


@dataclass(frozen=True)
class Erasure:
    """What erasing a person deleted and what it kept, for the message that says so."""

    addresses: Sequence[str]
    drafts: int
    meeting_answers: int
    survey_answers: int
    messages: int
    kept_records: Sequence[str]  # references of the funding records kept without name and contact
    questions: int = 0  # questions to the office, deleted with their answers


@dataclass(frozen=True)
class QuestionMessageData:
    """One message of a question to the office: the person's or an answer of the staff."""

    from_staff: bool
    text: str | None
    file_kind: str | None  # photo, document, voice: the messenger's copy, referred to by id
    file_name: str | None
    created_at: datetime


@dataclass(frozen=True)
class QuestionData:
    """One of the person's questions to the office (/ask), with its whole thread."""

    reference: str
    status: str  # open, taken, answered, solved, closed
    region_name: str | None
    locale: str
    created_at: datetime
    taken: bool  # a staff member took it (who is not said: staff names are not the person's)
    first_answer_at: datetime | None
    closed_at: datetime | None
    messages: Sequence[QuestionMessageData] = ()


@dataclass(frozen=True)
class PersonalData:
    """Everything stored about one person, for /mydata and its file."""

    locale: str
    role: Role | None
    region_name: str | None
    display_name: str | None
    addresses: Sequence[str]
    created_at: datetime
    consented_at: datetime | None
    is_staff: bool
    open_conversation: str | None
    messages_queued: int
    applications: Sequence[ApplicationData] = ()
    meeting_answers: Sequence[MeetingAnswerData] = ()
    survey_answers: Sequence[SurveyAnswerData] = ()
    group_regions: Sequence[str] = ()
    privacy_version: str | None = None  # the version of the notice the person last agreed to
    muted: bool = False
    questions: Sequence[QuestionData] = ()


@dataclass(frozen=True)
class Contact:
    """Who answers for the data, as configured: a name, a postal address, an e-mail address."""

    name: str
    address: str
    email: str


@dataclass(frozen=True)
class Retention:
    """Days after which what is no longer needed is deleted (by the scheduler, once a day)."""

    unfinished_signup_days: int = 7
    draft_days: int = 90
    unreachable_days: int = 180
    outbox_days: int = 30
    questions_days: int = 180  # a question to the office, after it was closed or solved


@dataclass(frozen=True)
class PrivacyTerms:
    """What the privacy notice names: the controller, its data-protection officer, the retention."""

    controller: Contact
    dpo: Contact
    retention: Retention


@dataclass(frozen=True)
class LinkCodeView:
    """A one-time code that joins a second messenger to this person (`/link`)."""

    code: str
    expires_at: datetime


class LinkResult(StrEnum):
    JOINED = "joined"  # the other messenger's profile joined this one
    MOVED = "moved"  # this messenger joined the other's profile (set up there)
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    SAME = "same"  # the code was shown in this very messenger


class Users(Protocol):
    async def set_locale(self, user_id: int, locale: str) -> None: ...

    async def complete_onboarding(
        self, user_id: int, *, role: Role, region_key: str | None, display_name: str | None
    ) -> None: ...

    async def set_region(self, user_id: int, region_key: str | None) -> None: ...

    async def set_muted(self, user_id: int, muted: bool) -> None: ...

    async def regions(self) -> Sequence[RegionView]: ...

    async def personal_data(self, user_id: int) -> PersonalData: ...

    def privacy_terms(self) -> PrivacyTerms: ...

    async def accept_privacy(self, user_id: int, version: str) -> None:
        """The person agreed to the privacy notice of this version, now."""
        ...

    async def delete(self, user_id: int) -> Erasure:
        """Erase the person: all but their submitted applications, kept without name and
        contact as funding records."""
        ...

    async def staff_members(self) -> Sequence[StaffMember]: ...

    async def link_code(self, user_id: int) -> LinkCodeView: ...

    async def link_with(self, user_id: int, code: str) -> LinkResult: ...
