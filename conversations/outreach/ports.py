"""What the outreach flows ask of `bot/services/outreach/`: information, announcements, surveys."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol

from conversations.ports import RegionView, Translator
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

    async def article(self, topic: str, locale: str, *, contacts: bool = False) -> ArticleView:
        """The topic in `locale` or a fall-back; its lines that point at local contacts only
        where `contacts` says that there are some to show under it."""
        ...

    async def search(self, text: str, locale: str) -> Sequence[TopicView]: ...

    async def import_file(self, name: str, content: bytes) -> ArticleView: ...


# The topic of contacts that a region's articles all show, whatever their topic.
ALL_TOPICS = "*"


@dataclass(frozen=True)
class RegionContacts:
    """Which topics a region has local contacts for: topic keys, ALL_TOPICS among them when
    some are for every topic."""

    region: RegionView
    topics: frozenset[str]


class Contacts(Protocol):
    async def for_article(self, region_key: str | None, topic: str) -> Sequence[str]:
        """The texts to show under the topic's article: the region's for this topic, then
        those for every topic."""
        ...

    async def text(self, region_key: str, topic: str) -> str | None: ...

    async def save(self, region_key: str, topic: str, text: str) -> None: ...

    async def remove(self, region_key: str, topic: str) -> None: ...

    async def coverage(self) -> Sequence[RegionContacts]:
        """Every region, in order, with the topics it has contacts for."""
        ...


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
        self, audience: Audience, texts: dict[str, str], fallback: str, *, total: int | None = None
    ) -> BroadcastView:
        """`total`: the number of people the sender confirmed (else counted again)."""
        ...

    async def stop(self, broadcast_id: int) -> BroadcastView: ...


@dataclass(frozen=True)
class SurveyText:
    """A survey in one language: the options in the same order in every language."""

    question: str
    options: Sequence[str]


@dataclass(frozen=True)
class SurveyView:
    id: int
    question: str  # in German, like the options
    options: Sequence[str]
    closes_at: datetime
    total: int
    open: bool
    my_option: int | None = None
    my_text: str | None = None
    versions: Mapping[str, SurveyText] = field(default_factory=dict)  # other languages
    fallback: str = "de"  # the version for people whose language has none: "de" or "en"

    def version(self, locale: str, fallback: str | None = None) -> tuple[str, SurveyText]:
        """The language and text someone reading `locale` gets: their own version, else the
        fallback's (the survey's unless another is given), else the German one."""
        for code in (locale, fallback or self.fallback):
            if code == "de":
                break
            if code in self.versions:
                return code, self.versions[code]
        return "de", SurveyText(self.question, self.options)


@dataclass(frozen=True)
class SurveyResults:
    survey: SurveyView
    counts: Sequence[int]  # per option
    by_region: Sequence[tuple[str, Sequence[int]]]  # region name, counts per option
    texts: Sequence[str]  # free-text answers, for staff only
    answered: int


class Surveys(Protocol):
    async def create(
        self,
        question: str,
        options: Sequence[str],
        audience: Audience,
        closes_at: datetime,
        *,
        versions: Mapping[str, SurveyText] | None = None,
        fallback: str = "de",
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

    async def results_chart(self, survey_id: int, locale: str = "de") -> bytes:
        """The bar chart, its answers in `locale`'s version of the survey, else in German."""
        ...


class SurveyRuleError(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code
