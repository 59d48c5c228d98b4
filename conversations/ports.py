"""What flows may ask of the world. `bot/services/` implements these protocols."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Protocol

from conversations.messages import Attachment, Document, Reply


class Role(StrEnum):
    """Whom a person is here as; stored, and used to choose menus and audiences."""

    VOLUNTEER = "volunteer"
    NEWCOMER = "newcomer"
    STAFF = "staff"


@dataclass(frozen=True)
class UserView:
    """A person as flows see them; `is_staff` and `is_admin` are read from the store each turn."""

    id: int
    locale: str
    role: Role | None = None
    region_key: str | None = None
    is_staff: bool = False
    is_admin: bool = False
    consented: bool = False
    display_name: str | None = None
    muted: bool = False

    @property
    def onboarded(self) -> bool:
        return self.consented and self.role is not None


@dataclass(frozen=True)
class RegionView:
    key: str
    name: str


@dataclass(frozen=True)
class StaffMember:
    address: str
    display_name: str | None
    is_admin: bool


@dataclass(frozen=True)
class PersonalData:
    """Everything stored about one person, for /mydata."""

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
    applications: int = 0


class Translator(Protocol):
    """Translations and locale-aware formatting for one person's language."""

    @property
    def locale(self) -> str: ...

    def gettext(self, message: str) -> str: ...

    def ngettext(self, singular: str, plural: str, n: int) -> str: ...

    def local_date(self, value: datetime) -> date: ...

    def format_date(self, value: date | datetime) -> str: ...

    def format_datetime(self, value: datetime) -> str: ...

    def format_month(self, value: date) -> str: ...

    def format_time(self, value: datetime) -> str: ...

    def parse_time(self, text: str) -> time: ...

    def to_utc(self, day: date, clock: time) -> datetime: ...

    def format_short_date(self, value: date) -> str: ...

    def format_money(self, cents: int) -> str: ...

    def format_number(self, value: int) -> str: ...

    def parse_amount(self, text: str) -> int: ...

    def parse_number(self, text: str) -> int: ...

    def parse_date(self, text: str) -> date: ...


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

    async def delete(self, user_id: int) -> None: ...

    async def staff_members(self) -> Sequence[StaffMember]: ...

    async def link_code(self, user_id: int) -> LinkCodeView: ...

    async def link_with(self, user_id: int, code: str) -> LinkResult: ...


class Clock(Protocol):
    def now(self) -> datetime: ...


@dataclass(frozen=True)
class RoundView:
    id: int
    name: str
    pot_cents: int
    cap_cents: int
    opens_on: date
    closes_on: date
    categories: Sequence[str]
    remaining_cents: int


@dataclass(frozen=True)
class CostItemView:
    id: int
    category: str
    description: str
    amount_cents: int


@dataclass(frozen=True)
class ApplicationView:
    id: int
    round: RoundView
    user_id: int | None
    reference: str | None
    status: str
    applicant_name: str | None
    organisation: str | None
    contact: str | None
    region_key: str | None
    region_name: str | None
    title: str | None
    description: str | None
    topics: Sequence[str]
    volunteers_expected: int | None
    newcomers_expected: int | None
    starts_on: date | None
    ends_on: date | None
    items: Sequence[CostItemView]
    submitted_at: datetime | None
    approved_cents: int | None
    decision_reason: str | None
    decisions: int = 0
    report_due_on: date | None = None

    @property
    def total_cents(self) -> int:
        return sum(item.amount_cents for item in self.items)


@dataclass(frozen=True)
class ReceiptView:
    name: str | None
    mime_type: str | None
    size: int | None


@dataclass(frozen=True)
class ReportView:
    application: ApplicationView
    status: str
    volunteers_reached: int | None
    newcomers_reached: int | None
    summary: str | None
    costs: dict[str, int]
    receipts: Sequence[ReceiptView]
    submissions: int
    staff_note: str | None

    @property
    def total_cents(self) -> int:
        return sum(self.costs.values())


@dataclass(frozen=True)
class RegionFigures:
    name: str
    projects: int
    approved_cents: int
    volunteers_planned: int
    newcomers_planned: int
    volunteers_reached: int = 0
    newcomers_reached: int = 0


@dataclass(frozen=True)
class RoundFigures:
    name: str
    pot_cents: int
    approved_cents: int
    remaining_cents: int
    by_status: dict[str, int]
    volunteers_planned: int
    newcomers_planned: int
    regions: Sequence[RegionFigures]
    reports_received: int = 0
    reports_overdue: int = 0
    volunteers_reached: int = 0
    newcomers_reached: int = 0


class GrantRuleError(Exception):
    """A grant rule refused the action; `code` says which, `params` carry the numbers."""

    def __init__(self, code: str, **params: int) -> None:
        super().__init__(code, params)
        self.code = code
        self.params = params


class Grants(Protocol):
    async def open_round(self) -> RoundView | None: ...

    async def editable_of(self, user_id: int) -> ApplicationView | None: ...

    async def start_draft(self, user_id: int, round_id: int) -> ApplicationView: ...

    async def get(self, application_id: int) -> ApplicationView | None: ...

    async def update(self, application_id: int, **fields: object) -> None: ...

    async def add_item(
        self, application_id: int, *, category: str, description: str, amount_cents: int
    ) -> ApplicationView: ...

    async def remove_item(self, application_id: int, item_id: int) -> ApplicationView: ...

    async def discard(self, application_id: int) -> None: ...

    async def submit(self, application_id: int) -> ApplicationView: ...

    async def of_user(self, user_id: int) -> Sequence[ApplicationView]: ...

    async def awaiting_decision(self) -> Sequence[ApplicationView]: ...

    async def decide(
        self,
        application_id: int,
        *,
        kind: str,
        amount_cents: int | None = None,
        reason: str | None = None,
    ) -> ApplicationView: ...

    async def figures(self) -> Sequence[RoundFigures]: ...

    async def export(self) -> bytes: ...


class Reports(Protocol):
    async def reportable_of(self, user_id: int) -> Sequence[ApplicationView]: ...

    async def report_of(self, application_id: int) -> ReportView | None: ...

    async def update_report(self, application_id: int, **fields: object) -> ReportView: ...

    async def add_receipt(
        self, application_id: int, *, channel: str, attachment: Attachment
    ) -> ReportView: ...

    async def submit_report(self, application_id: int) -> ReportView: ...

    async def reports_awaiting(self) -> Sequence[ReportView]: ...

    async def decide_report(
        self, application_id: int, *, accept: bool, note: str | None = None
    ) -> ReportView: ...

    async def receipts(self, application_id: int) -> Sequence[Attachment]: ...


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


@dataclass(frozen=True)
class TopicView:
    key: str
    title: str


@dataclass(frozen=True)
class ArticleView:
    topic: str
    locale: str  # the language it is in, which may be a fall-back
    title: str
    html: str
    reviewed_on: date


class InfoRuleError(Exception):
    """`code` names the rule; `detail` says, for a bad content file, the file, line and why."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(code, detail)
        self.code = code
        self.detail = detail


class Info(Protocol):
    async def topics(self, locale: str) -> Sequence[TopicView]: ...

    async def article(self, topic: str, locale: str) -> ArticleView: ...

    async def search(self, text: str, locale: str) -> Sequence[TopicView]: ...

    async def local_contacts(self, region_key: str | None) -> str | None: ...

    async def set_local_contacts(self, region_key: str, text: str) -> None: ...

    async def import_file(self, name: str, content: bytes) -> ArticleView: ...


class Files(Protocol):
    """The bytes of a file a person sent, fetched from their channel."""

    async def fetch(self, channel: str, attachment: Attachment) -> bytes: ...


@dataclass(frozen=True)
class Audience:
    """Empty means everyone: roles (volunteer, newcomer), region keys, language codes."""

    roles: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()


@dataclass(frozen=True)
class BroadcastView:
    id: int
    status: str
    total: int
    sent: int
    waiting: int
    failed: int
    unreachable: int
    cancelled: int
    # Per messenger: (name, sent, total), so that staff see who is reached where.
    messengers: tuple[tuple[str, int, int], ...] = ()


class Broadcasts(Protocol):
    async def count(self, audience: Audience) -> dict[str, int]: ...

    async def send(
        self, audience: Audience, texts: dict[str, str], fallback: str
    ) -> BroadcastView: ...

    async def stop(self, broadcast_id: int) -> BroadcastView: ...


@dataclass(frozen=True)
class SurveyView:
    id: int
    question: str
    options: Sequence[str]
    closes_at: datetime
    total: int
    open: bool
    my_option: int | None = None
    my_text: str | None = None


@dataclass(frozen=True)
class SurveyResults:
    survey: SurveyView
    counts: Sequence[int]  # per option
    by_region: Sequence[tuple[str, Sequence[int]]]  # region name, counts per option
    texts: Sequence[str]  # free-text answers, for staff only
    answered: int


class Surveys(Protocol):
    async def create(
        self, question: str, options: Sequence[str], audience: Audience, closes_at: datetime
    ) -> SurveyView: ...

    async def invitees(self, survey_id: int) -> Sequence[int]: ...

    async def get(self, survey_id: int) -> SurveyView | None: ...

    async def answer(
        self, survey_id: int, *, option: int | None = None, text: str | None = None
    ) -> SurveyView: ...

    async def recent(self) -> Sequence[SurveyView]: ...

    async def results(self, survey_id: int) -> SurveyResults: ...

    async def results_csv(self, survey_id: int) -> bytes: ...

    async def results_chart(self, survey_id: int) -> bytes: ...


class SurveyRuleError(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class Notifications(Protocol):
    """Messages to people other than the one in this turn, each in their own language."""

    async def to_staff(self, key: str, render: Callable[[Translator], Reply]) -> None: ...

    async def to_user(
        self,
        user_id: int,
        key: str,
        render: Callable[[Translator], Reply],
        *,
        expires_at: datetime | None = None,
        bulk: bool = False,
    ) -> None:
        """`expires_at`: not sent at all after this moment (a reminder once the meeting began);
        `bulk`: one of many (an invitation, a survey), queued behind replies to people chatting."""
        ...


@dataclass(frozen=True)
class Ports:
    users: Users
    clock: Clock
    translator: Callable[[str], Translator]
    grants: Grants
    reports: Reports
    meetings: Meetings
    info: Info
    files: Files
    broadcasts: Broadcasts
    surveys: Surveys
    notifications: Notifications
