"""What the people flows ask of `bot/services/people/`: settings, privacy, staff, /link."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from conversations.ports import RegionView, Role


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
