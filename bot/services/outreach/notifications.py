"""Messages to people other than the one in the turn: staff, or an applicant, each in their
own language, through the outbox with a deduplication key."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import false, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import ChannelIdentity, User
from bot.delivery import ANNOUNCEMENT_PRIORITY, Message, enqueue, enqueue_many
from bot.i18n import Catalogs
from bot.services.outreach.audience import Address, once_per_person
from bot.services.people.users import used_last_first
from conversations.messages import Reply
from conversations.ports import Translator

Render = Callable[[Translator], Reply]
BULK_BATCH = 500  # bulk messages written per batch of statements
SENT_AT_ONCE = 200  # bulk rows handed to the channel right after the turn; the rest wait their turn


@dataclass(frozen=True)
class _Bulk:
    user_id: int
    key: str
    render: Render
    expires_at: datetime | None


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
        self._bulk: list[_Bulk] = []
        self._bulk_queued = 0
        self._rendered: dict[tuple[str, str], Reply] = {}
        self._staff: list[Address] | None = None

    async def to_staff(self, key: str, render: Render, *, bulk: bool = False) -> None:
        """`bulk`: one of many notices of a scan, written in batches as `to_user`'s."""
        admin_match = [
            (ChannelIdentity.channel == address.split(":", 1)[0])
            & (ChannelIdentity.external_id == address.split(":", 1)[1])
            for address in self.admins
        ]
        # Admins are found by the address they are named by, and reached, like everyone, at
        # the one they wrote from last.
        admins = select(ChannelIdentity.user_id).where(or_(false(), *admin_match))
        if self._staff is None:  # the same people for every notice of one transaction
            rows = await self.session.execute(
                select(User.id, User.locale, ChannelIdentity.channel, ChannelIdentity.external_id)
                .join(ChannelIdentity)
                .where(or_(User.is_staff.is_(True), User.id.in_(admins)))
                .order_by(User.id, *used_last_first())
            )
            self._staff = once_per_person(rows)
        for user_id, locale, channel, external_id in self._staff:
            if bulk:
                await self.to_user(user_id, key, render, bulk=True)
                continue
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
        """`bulk`: one of many (an invitation, a survey), written with the others a batch at a
        time (by `flush` at the latest), and queued behind replies."""
        if bulk:
            self._bulk.append(_Bulk(user_id, key, render, expires_at))
            if len(self._bulk) >= BULK_BATCH:
                await self.flush()
            return
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

    async def flush(self) -> None:
        """Write the bulk messages still held: a few statements for hundreds of people. A key
        stands for one message, so it is rendered once per language."""
        held, self._bulk = self._bulk, []
        if not held:
            return
        rows = await self.session.execute(
            select(User.id, User.locale, ChannelIdentity.channel, ChannelIdentity.external_id)
            .join(ChannelIdentity)
            .where(User.id.in_({message.user_id for message in held}))
            .order_by(User.id, *used_last_first())
        )
        addresses = {user_id: rest for user_id, *rest in once_per_person(rows)}
        messages = []
        for message in held:
            if message.user_id not in addresses:
                continue
            locale, channel, external_id = addresses[message.user_id]
            reply = self._rendered.get((message.key, locale))
            if reply is None:
                reply = message.render(self.catalogs.translator(locale))
                self._rendered[(message.key, locale)] = reply
            messages.append(
                Message(
                    channel=channel,
                    address=external_id,
                    reply=reply,
                    dedup_key=f"{message.key}:to:{message.user_id}",
                    user_id=message.user_id,
                    expires_at=message.expires_at,
                )
            )
        ids = await enqueue_many(
            self.session, messages, now=self.now, priority=ANNOUNCEMENT_PRIORITY
        )
        room = max(SENT_AT_ONCE - self._bulk_queued, 0)
        self.queued.extend(ids[:room])
        self._bulk_queued += min(len(ids), room)

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
