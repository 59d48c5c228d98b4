"""The regions' groups (Aktivgruppen): who is in which, and so invited to its meetings."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    GroupMembership,
    Region,
)
from bot.services.desk import Desk
from conversations.meetings.ports import (
    MeetingRuleError,
)


async def join_group(session: AsyncSession, *, user_id: int, region_id: int, now: datetime) -> None:
    if await session.get(GroupMembership, (user_id, region_id)) is None:
        session.add(GroupMembership(user_id=user_id, region_id=region_id, joined_at=now))
        await session.flush()


class Groups(Desk):
    """The groups part of the `Meetings` port."""

    async def groups(self) -> Sequence[str]:
        rows = await self.session.scalars(
            select(Region.key)
            .join(GroupMembership, GroupMembership.region_id == Region.id)
            .where(GroupMembership.user_id == self.actor_user_id)
            .order_by(Region.position)
        )
        return list(rows.all())

    async def set_group(self, region_key: str, member: bool) -> None:
        region_id = await self.session.scalar(select(Region.id).where(Region.key == region_key))
        if region_id is None:
            raise MeetingRuleError("not_found")
        if member:
            await join_group(
                self.session, user_id=self.actor_user_id, region_id=region_id, now=self.now
            )
        else:
            await self.session.execute(
                delete(GroupMembership).where(
                    GroupMembership.user_id == self.actor_user_id,
                    GroupMembership.region_id == region_id,
                )
            )
