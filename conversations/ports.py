"""What every capability may ask of the world: the clock, translations, files, messages to
other people, and who is speaking. Each capability's own ports live in its package
(`conversations/grants/ports.py`, …); `bot/services/` implements them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Protocol

from conversations.messages import Attachment, Reply


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
    privacy_version: str | None = None  # of the privacy notice they agreed to last

    @property
    def onboarded(self) -> bool:
        return self.consented and self.role is not None


@dataclass(frozen=True)
class RegionView:
    key: str
    name: str


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

    def format_day(self, value: date) -> str:
        """A calendar day with its weekday, without the year ("Mi., 9. Dez.")."""
        ...

    def format_time(self, value: datetime) -> str: ...

    def parse_time(self, text: str) -> time: ...

    def to_utc(self, day: date, clock: time) -> datetime: ...

    def format_short_date(self, value: date) -> str: ...

    def format_age(self, value: timedelta) -> str:
        """How long ago, in the largest whole unit ("3 Tage", "2 hours")."""
        ...

    def language_name(self, code: str) -> str:
        """A language's name in this locale's words, for inside a sentence ("Ukrainisch")."""
        ...

    def format_money(self, cents: int) -> str: ...

    def format_number(self, value: int | float) -> str: ...

    def parse_amount(self, text: str) -> int: ...

    def parse_number(self, text: str) -> int: ...

    def parse_date(self, text: str) -> date: ...


class Clock(Protocol):
    def now(self) -> datetime: ...


class FileUnavailable(Exception):
    """The channel cannot hand over a file now (a network error, a file it no longer has)."""


class Files(Protocol):
    """The bytes of a file a person sent, fetched from their channel."""

    async def fetch(self, channel: str, attachment: Attachment) -> bytes:
        """FileUnavailable when the channel cannot fetch it now."""
        ...


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
