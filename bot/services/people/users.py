"""People: finding them by channel address, their settings, roles, privacy (see and delete)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, bindparam, exists, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    ChannelIdentity,
    Region,
    User,
)
from bot.services.people import audit
from bot.services.people.erasure import erase as erase  # where the clean-up job finds it
from conversations.people.ports import StaffMember
from conversations.ports import Role, UserView


async def find_or_create(
    session: AsyncSession,
    *,
    channel: str,
    external_id: str,
    locale: str,
    now: datetime,
    alias: str | None = None,
    keep_alias: bool = False,
) -> User:
    """The person behind a channel address, created on first contact with only what is needed.
    `alias` is another address of theirs on the channel (a Signal number beside the UUID): it
    finds someone staff added by that address before they wrote, and is kept only where it is
    needed (`keep_alias`: an admin named by number)."""
    user = await find(session, channel=channel, external_id=external_id)
    if user is None and alias is not None:
        user = await find(session, channel=channel, external_id=alias)
        if user is not None:
            await _add_identity(session, user.id, channel, external_id, now)
    if user is None:
        try:
            async with session.begin_nested():
                user = User(locale=locale, created_at=now, is_staff=False)
                session.add(user)
                await session.flush()
                session.add(
                    ChannelIdentity(
                        user_id=user.id, channel=channel, external_id=external_id, created_at=now
                    )
                )
                await session.flush()
        except IntegrityError:  # the same person's other update created them a moment ago
            user = await find(session, channel=channel, external_id=external_id)
            if user is None:
                raise
    if alias is not None and keep_alias:
        await _add_identity(session, user.id, channel, alias, now)
    return user


async def _add_identity(
    session: AsyncSession, user_id: int, channel: str, external_id: str, now: datetime
) -> None:
    """One more address of this person, unless it is known already."""
    if await find(session, channel=channel, external_id=external_id) is not None:
        return
    try:
        async with session.begin_nested():
            session.add(
                ChannelIdentity(
                    user_id=user_id, channel=channel, external_id=external_id, created_at=now
                )
            )
            await session.flush()
    except IntegrityError:
        pass


# How exactly the time needs to be known, while the person stays on one messenger.
SEEN_EVERY = timedelta(minutes=5)


IDENTITIES = cast(Table, ChannelIdentity.__table__)  # the table, for Core statements
_OTHER = IDENTITIES.alias("other")
# The statements of every turn, built once (only their parameters change). Core, not ORM: an ORM
# UPDATE would also look for the rows it changed in the session.
_SEEN = (
    update(IDENTITIES)
    .where(
        IDENTITIES.c.channel == bindparam("seen_channel"),
        IDENTITIES.c.external_id == bindparam("seen_external_id"),
        or_(
            IDENTITIES.c.last_seen_at.is_(None),
            IDENTITIES.c.last_seen_at < bindparam("seen_before"),
            exists().where(  # the person wrote from another address since
                _OTHER.c.user_id == IDENTITIES.c.user_id,
                _OTHER.c.id != IDENTITIES.c.id,
                _OTHER.c.last_seen_at >= IDENTITIES.c.last_seen_at,
            ),
        ),
    )
    .values(last_seen_at=bindparam("seen_now", type_=IDENTITIES.c.last_seen_at.type))
)
_FIND = (
    select(User)
    .join(ChannelIdentity)
    .where(
        ChannelIdentity.channel == bindparam("find_channel"),
        ChannelIdentity.external_id == bindparam("find_external_id"),
    )
)
_ADDRESSES = (
    select(ChannelIdentity.channel, ChannelIdentity.external_id)
    .where(ChannelIdentity.user_id == bindparam("user_id"))
    .order_by(ChannelIdentity.id)
)
_REGION_KEY = select(Region.key).where(Region.id == bindparam("region_id"))


async def seen(session: AsyncSession, *, channel: str, external_id: str, now: datetime) -> None:
    """The person wrote from this address: what is sent to them goes here from now on."""
    await session.execute(
        _SEEN,
        {
            "seen_channel": channel,
            "seen_external_id": external_id,
            "seen_before": now - SEEN_EVERY,
            "seen_now": now,
        },
    )


def used_last_first(identity: Any = ChannelIdentity) -> tuple[Any, ...]:
    """An ORDER BY for a person's addresses: the one they wrote from last first (`identity`:
    an alias of `ChannelIdentity`, in a subquery)."""
    return (identity.last_seen_at.desc().nulls_last(), identity.id)


async def find(session: AsyncSession, *, channel: str, external_id: str) -> User | None:
    return await session.scalar(_FIND, {"find_channel": channel, "find_external_id": external_id})


async def addresses(session: AsyncSession, user_id: int) -> list[str]:
    rows = await session.execute(_ADDRESSES, {"user_id": user_id})
    return [f"{channel}:{external_id}" for channel, external_id in rows]


async def view(session: AsyncSession, user: User, *, admins: frozenset[str]) -> UserView:
    """The person as flows see them, with the permissions stored right now."""
    region_key = (
        await session.scalar(_REGION_KEY, {"region_id": user.region_id})
        if user.region_id is not None
        else None
    )
    is_admin = bool(admins.intersection(await addresses(session, user.id)))
    return user_view(user, region_key=region_key, is_admin=is_admin)


def user_view(user: User, *, region_key: str | None, is_admin: bool) -> UserView:
    return UserView(
        id=user.id,
        locale=user.locale,
        role=Role(user.role) if user.role else None,
        region_key=region_key,
        is_staff=user.is_staff or is_admin,
        is_admin=is_admin,
        consented=user.consented_at is not None,
        display_name=user.display_name,
        muted=user.announcements_muted,
        privacy_version=user.privacy_version,
    )


async def set_staff(
    session: AsyncSession,
    *,
    channel: str,
    external_id: str,
    staff: bool,
    actor: str,
    default_locale: str,
    now: datetime,
) -> User:
    """Make the person at this address staff (creating them if they never wrote), or not."""
    user = await find_or_create(
        session, channel=channel, external_id=external_id, locale=default_locale, now=now
    )
    user.is_staff = staff
    audit.record(
        session,
        actor=actor,
        action="staff.add" if staff else "staff.remove",
        subject=f"{channel}:{external_id}",
        at=now,
    )
    await session.flush()
    return user


async def staff_members(session: AsyncSession, *, admins: frozenset[str]) -> list[StaffMember]:
    rows = await session.execute(
        select(ChannelIdentity.channel, ChannelIdentity.external_id, User.display_name)
        .join(User)
        .where(User.is_staff.is_(True))
        .order_by(User.id)
    )
    members = {
        f"{channel}:{external_id}": StaffMember(
            address=f"{channel}:{external_id}",
            display_name=name,
            is_admin=f"{channel}:{external_id}" in admins,
        )
        for channel, external_id, name in rows
    }
    for address in sorted(admins - members.keys()):
        identity_user = await find(
            session, channel=address.split(":", 1)[0], external_id=address.split(":", 1)[1]
        )
        members[address] = StaffMember(
            address=address,
            display_name=identity_user.display_name if identity_user else None,
            is_admin=True,
        )
    return list(members.values())
