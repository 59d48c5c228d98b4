"""Claiming outbox rows to send: due, in order per chat, replies before announcements, with
`FOR UPDATE SKIP LOCKED` and a lease so that several processes never take the same row, and
announcements held back by flood control and paced per channel.

A claim is one `UPDATE … RETURNING` (and a check of the order per chat); its statement
(`bot/delivery/claim_statements.py`) is built once per shape and then only executed with new
parameters, and its rows come back as `Claimed`, not as ORM objects."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Executable
from sqlalchemy.ext.asyncio import AsyncSession

from bot.channels.base import Channel
from bot.db.session import Database
from bot.delivery.claim_statements import EXPIRE, FOREIGN, FOREIGN_ONE, GIVE_BACK, claim_statement
from bot.delivery.outbox import ANNOUNCEMENT_PRIORITY, OUTBOX, SENDING, Claimed
from bot.delivery.pace import Pace
from conversations.ports import Clock

log = logging.getLogger(__name__)
# Rows past their time are excluded from every claim; marking them as expired can wait a little.
EXPIRE_EVERY = timedelta(seconds=5)


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
        self._statements: dict[tuple[Any, ...], Executable] = {}
        self._expire_after = datetime.min.replace(tzinfo=clock.now().tzinfo)

    def hold(self, channel: str, until: datetime) -> None:
        """Flood control: this channel's announcements wait until then; replies go on."""
        self.held[channel] = max(self.held.get(channel, until), until)

    async def claim(
        self, ids: Iterable[int] | None = None, *, chat: tuple[str, str] | None = None
    ) -> list[Claimed]:
        async with self.database.transaction() as session:
            return await self.claim_in(session, ids, chat=chat)

    async def claim_in(
        self,
        session: AsyncSession,
        ids: Iterable[int] | None = None,
        *,
        chat: tuple[str, str] | None = None,
    ) -> list[Claimed]:
        now = self.clock.now()
        held = [channel for channel, until in self.held.items() if until > now]
        # Tokens are taken before the first await, so that claims at the same moment share
        # them; what a claim does not use goes back.
        budgets = {channel: pace.reserve() for channel, pace in self.paces.items()}
        used = dict.fromkeys(budgets, 0)
        paced = tuple(channel for channel, budget in budgets.items() if budget > 0)
        token = str(uuid.uuid4())
        params: dict[str, Any] = {
            "claim_now": now,
            "claim_lease_until": now + self.lease,
            "claim_token_value": token,
            "claim_limit": self.batch_size,
            **{f"claim_budget_{number}": budgets[channel] for number, channel in enumerate(paced)},
        }
        taken = ""
        if ids is not None:
            given = list(ids)
            if len(given) == 1:
                taken, params["claim_id"] = "one", given[0]
            else:
                taken, params["claim_ids"] = "several", given
        if chat is not None:
            params["claim_chat_channel"], params["claim_chat_address"] = chat
        shape = (
            tuple(self.channels),
            tuple(held),
            tuple(self.paces),
            paced,
            taken,
            chat is not None,
        )
        try:
            if ids is None and chat is None and now >= self._expire_after:
                self._expire_after = now + EXPIRE_EVERY
                await session.execute(EXPIRE, {"claim_now": now})
            statement = self._statements.get(shape)
            if statement is None:
                statement = self._statements[shape] = claim_statement(*shape)
            claimed = sorted(
                (Claimed(*row) for row in await session.execute(statement, params)),
                key=lambda row: row.id,
            )
            kept = await self._keep_chat_order(session, claimed, token)
            for row in kept:
                if row.channel in used and row.priority >= ANNOUNCEMENT_PRIORITY:
                    used[row.channel] += 1
            return kept
        finally:
            for channel, budget in budgets.items():
                pace = self.paces[channel]
                pace.give_back(budget - used[channel])
                if budget > 0:
                    pace.hungry = used[channel] == budget

    def bulk_wait(self) -> float | None:
        """Seconds until bulk rows that wait for their pace may be claimed; None if none wait."""
        waits = [pace.wait() for pace in self.paces.values() if pace.hungry]
        return min(waits) if waits else None

    def claimed_by(self, token: str, now: datetime) -> dict[str, Any]:
        """What claiming a row writes: it is on its way, under this token, for one lease."""
        return {
            "status": SENDING,
            "claim_token": token,
            "lease_until": now + self.lease,
            "attempts": OUTBOX.c.attempts + 1,
        }

    async def _keep_chat_order(
        self, session: AsyncSession, claimed: list[Claimed], token: str
    ) -> list[Claimed]:
        """Give back the rows of a chat that has an earlier unsent row in another claim (or in
        none): another process is sending that chat, and the earliest claim goes first."""
        if not claimed:
            return claimed
        chats = {(row.channel, row.address) for row in claimed}
        if len(chats) == 1:
            [(channel, address)] = chats
            statement = FOREIGN_ONE
            where: dict[str, Any] = {"order_channel": channel, "order_address": address}
        else:
            statement = FOREIGN
            where = {
                "order_channels": list({channel for channel, _ in chats}),
                "order_addresses": list({address for _, address in chats}),
            }
        foreign = await session.execute(statement, {**where, "order_token": token})
        first_foreign = {
            (channel, address): (first, first_for_replies)
            for channel, address, first, first_for_replies in foreign
        }

        def in_order(row: Claimed) -> bool:
            first, first_for_replies = first_foreign.get((row.channel, row.address), (None, None))
            before = first_for_replies if row.priority < ANNOUNCEMENT_PRIORITY else first
            return before is None or row.id < before

        kept = [row for row in claimed if in_order(row)]
        returned = [row.id for row in claimed if row not in kept]
        if returned:
            await session.execute(GIVE_BACK, {"order_returned": returned})
        return kept
