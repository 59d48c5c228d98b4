"""The person behind a message that arrives, as flows see them, in one statement: their row,
their region's key, whether an address of theirs is an admin's and whether this one's time of
last use is due (five statements before, at every turn)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import ChannelIdentity, Region, User
from bot.services.people.users import IDENTITIES, SEEN_EVERY, seen, user_view
from conversations.ports import UserView

_ANY = IDENTITIES.alias("any_address")
_OTHER = IDENTITIES.alias("other")
_IS_ADMIN = exists().where(
    _ANY.c.user_id == User.id,
    (_ANY.c.channel + ":" + _ANY.c.external_id).in_(bindparam("admins", expanding=True)),
)
# The condition of `users.seen`'s UPDATE, read here so that it runs only when it changes a row.
_SEEN_DUE = or_(
    ChannelIdentity.last_seen_at.is_(None),
    ChannelIdentity.last_seen_at < bindparam("seen_before"),
    exists().where(  # the person wrote from another address since
        _OTHER.c.user_id == ChannelIdentity.user_id,
        _OTHER.c.id != ChannelIdentity.id,
        _OTHER.c.last_seen_at >= ChannelIdentity.last_seen_at,
    ),
)
_ARRIVING = (
    select(User, Region.key, _IS_ADMIN.label("is_admin"), _SEEN_DUE.label("seen_due"))
    .join(ChannelIdentity, ChannelIdentity.user_id == User.id)
    .outerjoin(Region, Region.id == User.region_id)
    .where(
        ChannelIdentity.channel == bindparam("channel"),
        ChannelIdentity.external_id == bindparam("external_id"),
    )
)


async def arriving(
    session: AsyncSession,
    *,
    channel: str,
    external_id: str,
    now: datetime,
    admins: frozenset[str],
) -> tuple[User, UserView] | None:
    """The known person who wrote from this address, noted as seen there (`users.seen`); None
    for someone new, whom `users.find_or_create` makes."""
    row = (
        await session.execute(
            _ARRIVING,
            {
                "channel": channel,
                "external_id": external_id,
                "admins": sorted(admins),
                "seen_before": now - SEEN_EVERY,
            },
        )
    ).first()
    if row is None:
        return None
    user, region_key, is_admin, seen_due = row
    if seen_due:
        await seen(session, channel=channel, external_id=external_id, now=now)
    return user, user_view(user, region_key=region_key, is_admin=bool(is_admin))
