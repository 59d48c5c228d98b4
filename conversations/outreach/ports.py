"""What the outreach flows ask of `bot/services/outreach/`: information, announcements, surveys."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from conversations.ports import Translator
from conversations.spreadsheets import Spreadsheet


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

    async def get(self, survey_id: int) -> SurveyView | None:
        """The survey as sent to the person acting; None when it was never sent to them."""
        ...

    async def answer(
        self, survey_id: int, *, option: int | None = None, text: str | None = None
    ) -> SurveyView: ...

    async def recent(self) -> Sequence[SurveyView]: ...

    async def results(self, survey_id: int) -> SurveyResults: ...

    async def results_spreadsheet(self, survey_id: int, t: Translator) -> Spreadsheet: ...

    async def results_chart(self, survey_id: int) -> bytes: ...


class SurveyRuleError(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code
