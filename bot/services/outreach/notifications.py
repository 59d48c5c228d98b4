"""Messages to people other than the one in the turn: staff, or an applicant, each in their
own language, through the outbox with a deduplication key."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import false, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import ChannelIdentity, User
from bot.delivery import ANNOUNCEMENT_PRIORITY, enqueue
from bot.i18n import Catalogs
from bot.services.outreach.audience import once_per_person
from bot.services.people.users import used_last_first
from conversations.messages import Reply
from conversations.ports import Translator

Render = Callable[[Translator], Reply]


class Notifier:
    """The `Notifications` port; `queued` holds the outbox ids to send after the commit."""

    def __init__(
        self,
        session: AsyncSession,
        *,
        catalogs: Catalogs,
        admins: frozenset[str],
        now: datetime,
        about_user_id: int | None = None,
    ) -> None:
        """`about_user_id`: the person in the turn, whom notices to staff are about."""
        self.session = session
        self.about_user_id = about_user_id
        self.catalogs = catalogs
        self.admins = admins
        self.now = now
        self.queued: list[int] = []

    async def to_staff(self, key: str, render: Render) -> None:
        admin_match = [
            (ChannelIdentity.channel == address.split(":", 1)[0])
            & (ChannelIdentity.external_id == address.split(":", 1)[1])
            for address in self.admins
        ]
        # Admins are found by the address they are named by, and reached, like everyone, at
        # the one they wrote from last.
        admins = select(ChannelIdentity.user_id).where(or_(false(), *admin_match))
        rows = await self.session.execute(
            select(User.id, User.locale, ChannelIdentity.channel, ChannelIdentity.external_id)
            .join(ChannelIdentity)
            .where(or_(User.is_staff.is_(True), User.id.in_(admins)))
            .order_by(User.id, *used_last_first())
        )
        for user_id, locale, channel, external_id in once_per_person(rows):
            await self._queue(
                user_id, locale, channel, external_id, key, render, about=self.about_user_id
            )

    async def to_user(
        self,
        user_id: int,
        key: str,
        render: Render,
        *,
        expires_at: datetime | None = None,
        bulk: bool = False,
    ) -> None:
        rows = await self.session.execute(
            select(User.locale, ChannelIdentity.channel, ChannelIdentity.external_id)
            .join(ChannelIdentity)
            .where(User.id == user_id)
            .order_by(*used_last_first())
            .limit(1)  # one copy, to the messenger they used last
        )
        for locale, channel, external_id in rows:
            await self._queue(
                user_id,
                locale,
                channel,
                external_id,
                key,
                render,
                expires_at=expires_at,
                priority=ANNOUNCEMENT_PRIORITY if bulk else 0,
            )

    async def _queue(
        self,
        user_id: int,
        locale: str,
        channel: str,
        external_id: str,
        key: str,
        render: Render,
        *,
        expires_at: datetime | None = None,
        priority: int = 0,
        about: int | None = None,
    ) -> None:
        row_id = await enqueue(
            self.session,
            channel=channel,
            address=external_id,
            reply=render(self.catalogs.translator(locale)),
            dedup_key=f"{key}:to:{user_id}",
            now=self.now,
            user_id=user_id,
            about_user_id=about if about != user_id else None,
            expires_at=expires_at,
            priority=priority,
        )
        if row_id is not None:
            self.queued.append(row_id)
