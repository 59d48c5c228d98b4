"""The `Users` port: what the people flows may change and see of a person, bound to one turn."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    Region,
    User,
)
from bot.services.meetings.groups import join_group
from bot.services.people import audit, linking
from bot.services.people.personal_data import personal_data
from bot.services.people.regions import list_regions
from bot.services.people.users import addresses, erase, staff_members
from conversations.people.ports import (
    Erasure,
    LinkCodeView,
    LinkResult,
    PersonalData,
    PrivacyTerms,
    StaffMember,
)
from conversations.ports import RegionView, Role


class UserDirectory:
    """The `Users` port for flows, bound to one turn's session."""

    def __init__(
        self,
        session: AsyncSession,
        *,
        admins: frozenset[str],
        now: datetime,
        actor: str,
        privacy: PrivacyTerms,
        update_key: str | None = None,
    ) -> None:
        """`update_key`: the update the turn handles (it goes too when the person erases
        their data)."""
        self.session = session
        self.admins = admins
        self.now = now
        self.actor = actor
        self.privacy = privacy
        self.update_key = update_key

    async def _user(self, user_id: int) -> User:
        user = await self.session.get(User, user_id)
        if user is None:
            raise LookupError(f"user {user_id} does not exist")
        return user

    async def _region_id(self, key: str | None) -> int | None:
        if key is None:
            return None
        region_id = await self.session.scalar(select(Region.id).where(Region.key == key))
        if region_id is None:
            raise LookupError(f"unknown region {key!r}")
        return region_id

    async def link_code(self, user_id: int) -> LinkCodeView:
        return await linking.new_code(self.session, user_id=user_id, now=self.now)

    async def link_with(self, user_id: int, code: str) -> LinkResult:
        return await linking.use_code(
            self.session, user_id=user_id, code=code, now=self.now, actor=self.actor
        )

    async def set_locale(self, user_id: int, locale: str) -> None:
        (await self._user(user_id)).locale = locale

    async def complete_onboarding(
        self, user_id: int, *, role: Role, region_key: str | None, display_name: str | None
    ) -> None:
        user = await self._user(user_id)
        if role is Role.STAFF and not (user.is_staff or await self._is_admin(user_id)):
            raise PermissionError("only staff can take the staff role")
        user.role = role.value
        user.region_id = await self._region_id(region_key)
        if user.region_id is not None:
            await join_group(self.session, user_id=user_id, region_id=user.region_id, now=self.now)
        user.display_name = (display_name or "").strip()[:200] or None
        user.consented_at = self.now

    async def _is_admin(self, user_id: int) -> bool:
        return bool(self.admins.intersection(await addresses(self.session, user_id)))

    async def set_region(self, user_id: int, region_key: str | None) -> None:
        user = await self._user(user_id)
        user.region_id = await self._region_id(region_key)
        if user.region_id is not None:
            await join_group(self.session, user_id=user_id, region_id=user.region_id, now=self.now)

    async def set_muted(self, user_id: int, muted: bool) -> None:
        (await self._user(user_id)).announcements_muted = muted

    async def regions(self) -> Sequence[RegionView]:
        return [RegionView(key=r.key, name=r.name) for r in await list_regions(self.session)]

    async def personal_data(self, user_id: int) -> PersonalData:
        return await personal_data(self.session, await self._user(user_id))

    async def delete(self, user_id: int) -> Erasure:
        """Erase the person (see `erase`); the audit log keeps that it happened, by a
        pseudonym."""
        audit.record(
            self.session,
            actor=self.actor,
            action="user.delete",
            at=self.now,
            subject=f"user:{user_id}",
        )
        return await erase(self.session, [user_id], update_key=self.update_key)

    def privacy_terms(self) -> PrivacyTerms:
        return self.privacy

    async def accept_privacy(self, user_id: int, version: str) -> None:
        user = await self._user(user_id)
        user.privacy_version = version
        user.privacy_accepted_at = self.now

    async def staff_members(self) -> Sequence[StaffMember]:
        return await staff_members(self.session, admins=self.admins)
