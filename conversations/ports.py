"""What flows may ask of the world. `bot/services/` implements these protocols."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Protocol


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


class Translator(Protocol):
    """Translations and locale-aware formatting for one person's language."""

    @property
    def locale(self) -> str: ...

    def gettext(self, message: str) -> str: ...

    def ngettext(self, singular: str, plural: str, n: int) -> str: ...

    def format_date(self, value: date | datetime) -> str: ...

    def format_datetime(self, value: datetime) -> str: ...

    def format_money(self, cents: int) -> str: ...

    def format_number(self, value: int) -> str: ...

    def parse_amount(self, text: str) -> int: ...


class Users(Protocol):
    async def set_locale(self, user_id: int, locale: str) -> None: ...

    async def complete_onboarding(
        self, user_id: int, *, role: Role, region_key: str | None, display_name: str | None
    ) -> None: ...

    async def set_region(self, user_id: int, region_key: str | None) -> None: ...

    async def regions(self) -> Sequence[RegionView]: ...

    async def personal_data(self, user_id: int) -> PersonalData: ...

    async def delete(self, user_id: int) -> None: ...

    async def staff_members(self) -> Sequence[StaffMember]: ...


class Clock(Protocol):
    def now(self) -> datetime: ...


@dataclass(frozen=True)
class Ports:
    users: Users
    clock: Clock
    translator: Callable[[str], Translator]
