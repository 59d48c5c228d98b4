"""Claiming outbox rows to send: due, in order per chat, replies before announcements, with
`FOR UPDATE SKIP LOCKED` and a lease so that several processes never take the same row, and
announcements held back by flood control and paced per channel."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, and_, case, exists, func, or_, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.channels.base import (
    Channel,
)
from bot.db.models import OutboxMessage
from bot.db.session import Database
from bot.delivery.outbox import ANNOUNCEMENT_PRIORITY, EXPIRED, PENDING, SENDING
from bot.delivery.pace import Pace
from conversations.ports import Clock

log = logging.getLogger(__name__)


class Claims:
    def __init__(
        self,
        database: Database,
        channels: Mapping[str, Channel],
        clock: Clock,
        *,
        batch_size: int,
        lease: timedelta,
    ) -> None:
        self.database = database
        self.channels = channels  # the dispatcher's, as channels are added
        self.clock = clock
        self.batch_size = batch_size
        self.lease = lease
        self.held: dict[str, datetime] = {}  # channel -> announcements held until, after a 429
        self.paces: dict[str, Pace] = {}  # channels whose announcements go at a set rate

    def hold(self, channel: str, until: datetime) -> None:
        """Flood control: this channel's announcements wait until then; replies go on."""
        self.held[channel] = max(self.held.get(channel, until), until)

    async def claim(
        self, ids: Iterable[int] | None = None, *, chat: tuple[str, str] | None = None
    ) -> list[OutboxMessage]:
        async with self.database.transaction() as session:
            return await self.claim_in(session, ids, chat=chat)

    async def claim_in(
        self,
        session: AsyncSession,
        ids: Iterable[int] | None = None,
        *,
        chat: tuple[str, str] | None = None,
    ) -> list[OutboxMessage]:
        now = self.clock.now()
        token = str(uuid.uuid4())
        earlier = aliased(OutboxMessage)
        waiting = or_(
            and_(OutboxMessage.status == PENDING, OutboxMessage.next_attempt_at <= now),
            and_(OutboxMessage.status == SENDING, OutboxMessage.lease_until <= now),
        )
        in_time = or_(OutboxMessage.expires_at.is_(None), OutboxMessage.expires_at > now)
        claimable = and_(waiting, in_time)
        held = [channel for channel, until in self.held.items() if until > now]
        if held:
            claimable = and_(
                claimable,
                or_(
                    OutboxMessage.channel.not_in(held),
                    OutboxMessage.priority < ANNOUNCEMENT_PRIORITY,
                ),
            )
        # Per chat, in order: nothing may overtake an earlier row that is in flight or waiting.
        blocked = exists().where(
            earlier.channel == OutboxMessage.channel,
            earlier.address == OutboxMessage.address,
            earlier.id < OutboxMessage.id,
            or_(
                and_(earlier.status == SENDING, earlier.lease_until > now),
                and_(earlier.status == PENDING, earlier.next_attempt_at > now),
            ),
        )
        claimable = and_(claimable, ~blocked, OutboxMessage.channel.in_(list(self.channels)))
        if ids is not None:
            claimable = and_(claimable, OutboxMessage.id.in_(list(ids)))
        if chat is not None:
            claimable = and_(
                claimable, OutboxMessage.channel == chat[0], OutboxMessage.address == chat[1]
            )
        bulk = OutboxMessage.priority >= ANNOUNCEMENT_PRIORITY
        unpaced = (
            and_(claimable, ~and_(OutboxMessage.channel.in_(list(self.paces)), bulk))
            if self.paces
            else claimable
        )
        chosen = [self._candidates(unpaced, self.batch_size)]
        # Tokens are taken before the first await, so that claims at the same moment share
        # them; what a claim does not use goes back.
        budgets = {channel: pace.reserve() for channel, pace in self.paces.items()}
        used = dict.fromkeys(budgets, 0)
        try:
            chosen += [
                self._candidates(and_(claimable, OutboxMessage.channel == channel, bulk), budget)
                for channel, budget in budgets.items()
                if budget > 0
            ]
            expire = and_(waiting, ~in_time) if ids is None and chat is None else None
            kept = await self._claim_chosen(session, chosen, token, now, expire=expire)
            for row in kept:
                if row.channel in used and row.priority >= ANNOUNCEMENT_PRIORITY:
                    used[row.channel] += 1
            return kept
        finally:
            for channel, budget in budgets.items():
                self.paces[channel].give_back(budget - used[channel])

    async def _claim_chosen(
        self,
        session: AsyncSession,
        chosen: list[Select[Any]],
        token: str,
        now: datetime,
        *,
        expire: Any,
    ) -> list[OutboxMessage]:
        """Claim the chosen rows under `token` (first marking as expired what `expire` names),
        keeping each chat in order."""
        if expire is not None:
            await session.execute(
                update(OutboxMessage)
                .where(expire)
                .values(status=EXPIRED, claim_token=None, lease_until=None)
            )
        await session.execute(
            update(OutboxMessage)
            .where(or_(*(OutboxMessage.id.in_(c.scalar_subquery()) for c in chosen)))
            .values(**self.claimed_by(token, now))
            .execution_options(synchronize_session=False)
        )
        claimed = list(
            (
                await session.scalars(
                    select(OutboxMessage)
                    .where(OutboxMessage.claim_token == token)
                    .order_by(OutboxMessage.id)
                )
            ).all()
        )
        return await self._keep_chat_order(session, claimed, token)

    def _candidates(self, where: Any, limit: int) -> Select[Any]:
        return (
            select(OutboxMessage.id)
            .where(where)
            .order_by(OutboxMessage.priority, OutboxMessage.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )

    def claimed_by(self, token: str, now: datetime) -> dict[str, Any]:
        """What claiming a row writes: it is on its way, under this token, for one lease."""
        return {
            "status": SENDING,
            "claim_token": token,
            "lease_until": now + self.lease,
            "attempts": OutboxMessage.attempts + 1,
        }

    async def _keep_chat_order(
        self, session: AsyncSession, claimed: list[OutboxMessage], token: str
    ) -> list[OutboxMessage]:
        """Give back the rows of a chat that has an earlier unsent row in another claim (or in
        none): another process is sending that chat, and the earliest claim goes first."""
        if not claimed:
            return claimed
        chats = {(row.channel, row.address) for row in claimed}
        # A reply may overtake announcements that merely wait (for the pace, say): only one
        # already on its way elsewhere holds it.
        waiting_announcement = and_(
            OutboxMessage.status == PENDING, OutboxMessage.priority >= ANNOUNCEMENT_PRIORITY
        )
        foreign = await session.execute(
            select(
                OutboxMessage.channel,
                OutboxMessage.address,
                func.min(OutboxMessage.id),
                func.min(case((waiting_announcement, None), else_=OutboxMessage.id)),
            )
            .where(
                tuple_(OutboxMessage.channel, OutboxMessage.address).in_(list(chats)),
                OutboxMessage.status.in_([PENDING, SENDING]),
                or_(OutboxMessage.claim_token.is_(None), OutboxMessage.claim_token != token),
            )
            .group_by(OutboxMessage.channel, OutboxMessage.address)
        )
        first_foreign = {
            (channel, address): (first, first_for_replies)
            for channel, address, first, first_for_replies in foreign
        }

        def in_order(row: OutboxMessage) -> bool:
            first, first_for_replies = first_foreign.get((row.channel, row.address), (None, None))
            before = first_for_replies if row.priority < ANNOUNCEMENT_PRIORITY else first
            return before is None or row.id < before

        kept = [row for row in claimed if in_order(row)]
        returned = [row.id for row in claimed if row not in kept]
        if returned:
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(returned))
                .values(
                    status=PENDING,
                    claim_token=None,
                    lease_until=None,
                    attempts=OutboxMessage.attempts - 1,
                )
            )
        return kept
