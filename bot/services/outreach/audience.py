"""Who an announcement or a survey reaches: role, regions and languages, muted people left out."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import ChannelIdentity, Region, User
from bot.services.people.users import used_last_first
from conversations.outreach.ports import Audience


def audience_json(audience: Audience) -> dict[str, Any]:
    return {
        "roles": list(audience.roles),
        "regions": list(audience.regions),
        "languages": list(audience.languages),
    }


def audience_of(data: dict[str, Any]) -> Audience:
    return Audience(
        roles=tuple(data.get("roles", ())),
        regions=tuple(data.get("regions", ())),
        languages=tuple(data.get("languages", ())),
    )


async def recipients(
    session: AsyncSession, audience: Audience, *, include_muted: bool = False
) -> Sequence[tuple[int, str, str, str]]:
    """(user id, locale, channel, address) of everyone the audience names, once per person
    (on the messenger they wrote from last); an empty filter means everyone."""
    query = (
        select(User.id, User.locale, ChannelIdentity.channel, ChannelIdentity.external_id)
        .join(ChannelIdentity, ChannelIdentity.user_id == User.id)
        .where(User.consented_at.is_not(None))
        .order_by(User.id, *used_last_first())
    )
    if audience.roles:
        query = query.where(User.role.in_(list(audience.roles)))
    if audience.regions:
        query = query.join(Region, Region.id == User.region_id).where(
            Region.key.in_(list(audience.regions))
        )
    if audience.languages:
        query = query.where(User.locale.in_(list(audience.languages)))
    if not include_muted:
        query = query.where(User.announcements_muted.is_(False))
    return once_per_person((await session.execute(query)).all())


Address = tuple[int, str, str, str]  # user id, locale, channel, external id


def once_per_person(rows: Iterable[Any]) -> list[Address]:
    """The first address of each person: with the rows in `used_last_first` order, the
    messenger they wrote from last."""
    first: dict[int, Address] = {}
    for user_id, locale, channel, external_id in rows:
        first.setdefault(user_id, (user_id, locale, channel, external_id))
    return list(first.values())
