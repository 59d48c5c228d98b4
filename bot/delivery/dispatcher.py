"""The dispatcher sends due outbox rows through their channels, in order per chat, honours flood
control, backs off on failures, never retries a person who blocked us, and records each outcome.

Rows are claimed (`claims.py`) with a lease, so several bot processes on one PostgreSQL never
send the same row twice, and a row claimed by a process that died is sent again once its lease
ran out. Replies go first: they never wait for a slot behind announcements, which are claimed a
few at a time, at the pace that replies leave them (`pace.py`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.channels.base import (
    Channel,
    DeliveryError,
    Rejected,
    Unreachable,
)
from bot.db.health import is_outage
from bot.db.models import OutboxMessage
from bot.db.session import Database
from bot.delivery.carrier import Carrier
from bot.delivery.claims import Claims
from bot.delivery.outbox import (
    ANNOUNCEMENT_PRIORITY,
    FAILED,
    PENDING,
    SENT,
    Claimed,
)
from bot.delivery.outcomes import Outcomes, SentRows
from bot.delivery.pace import Pace, Place
from bot.i18n import Catalogs
from bot.logs import OUTBOX, about
from conversations.messages import Reply
from conversations.ports import Clock

log = logging.getLogger(__name__)
# The rows of one `send_now` claimed at once: a turn's replies come first among them; the rest
# (a broadcast's thousands) are left to `dispatch_due`, and no statement has too many parameters.
SEND_NOW_AT_MOST = 1000
# One `dispatch_due` keeps sending paced announcements for this long before it returns.
DISPATCH_FOR_SECONDS = 60.0

Chat = tuple[str, str]  # (channel, address)


@dataclass(frozen=True, slots=True)
class Handover:
    """What `claim_now` did in a turn's transaction, for `deliver` after its commit: the rows it
    claimed, and the chats whose rows it could not claim because an earlier one of theirs was on
    its way."""

    rows: list[Claimed] = field(default_factory=list)
    behind: frozenset[Chat] = frozenset()


class Dispatcher(Outcomes):
    def __init__(
        self,
        database: Database,
        channels: Mapping[str, Channel],
        clock: Clock,
        *,
        batch_size: int = 100,
        lease: timedelta = timedelta(seconds=30),
        concurrency: int = 16,
        catalogs: Catalogs | None = None,
        default_locale: str = "de",
    ) -> None:
        self.database = database
        self.catalogs = catalogs or Catalogs()
        self.default_locale = default_locale
        self.channels = dict(channels)
        self.clock = clock
        self.batch_size = batch_size
        self.lease = lease
        # Announcements take a slot; replies have slots of their own, so that a person who is
        # chatting never waits behind them.
        self._slots = asyncio.Semaphore(concurrency)
        self._reply_slots = asyncio.Semaphore(concurrency)
        self.stopping = False
        self._last_sent: dict[Chat, float] = {}  # paced chats: when last written to
        # Chats this process is sending to right now, and those with rows that could not be
        # claimed behind them: sent as soon as the chat is free, not at the next round.
        self._sending: dict[Chat, int] = {}
        self._behind: set[Chat] = set()
        self.claims = Claims(database, self.channels, clock, batch_size=batch_size, lease=lease)
        self.sent_rows = SentRows(database, clock)
        self.carrier = Carrier(database, self.channels, self.catalogs)

    def pace(self, channel: str, *, per_minute: int) -> None:
        """Send announcements and reminders on `channel` at most this fast; replies to people
        who are chatting are not held back by it."""
        self.claims.paces[channel] = Pace.per_minute(per_minute)

    def allowance(
        self,
        channel: str,
        *,
        per_second: float,
        reply_share: float,
        per_chat_per_second: float | None = None,
    ) -> None:
        """Everything `channel` sends counts against `per_second` (Telegram's limit per bot
        token): replies go at once and may take `reply_share` of it and more; announcements and
        reminders take what replies leave, a few at a time, at most `per_chat_per_second` to a
        chat."""
        self.claims.paces[channel] = Pace(
            per_second, reply_share=reply_share, per_chat_per_second=per_chat_per_second
        )

    def stop(self) -> None:
        """`dispatch_due` returns instead of waiting for the pace (the process stops)."""
        self.stopping = True

    def add_channel(self, channel: Channel) -> None:
        self.channels[channel.name] = channel

    async def send_now(self, ids: Sequence[int]) -> None:
        """Send these rows at once (right after the turn that wrote them committed). A failure
        here is the dispatcher's to mend: the rows wait in the outbox, claimed or not, and are
        sent by `dispatch_due`; the turn that wrote them is done."""
        if not ids:
            return
        try:
            async with self.database.transaction() as session:
                handover = await self.claim_now(session, ids[:SEND_NOW_AT_MOST])
        except Exception as error:
            self._not_sent_at_once(error, len(ids))
            return
        await self.deliver(handover)

    async def dispatch_due(
        self,
        *,
        max_rounds: int = 1000,
        for_seconds: float = DISPATCH_FOR_SECONDS,
        keep_going: Callable[[], bool] | None = None,
    ) -> int:
        """Send every due row; the scheduler runs this every few seconds. Announcements that
        wait for their pace are sent as it allows, for up to `for_seconds`, and only while
        `keep_going` says yes (the process holds the scheduler's lease). Returns rows handled."""
        handled = 0
        until = time.monotonic() + for_seconds
        for _ in range(max_rounds):
            if keep_going is not None and not keep_going():
                break
            rows = await self.claims.claim()
            if rows:
                await self._deliver(rows)
                handled += len(rows)
                continue
            wait = self.claims.bulk_wait()
            if wait is None or self.stopping or time.monotonic() + wait > until:
                break
            await asyncio.sleep(wait)
        return handled

    async def claim_now(self, session: AsyncSession, ids: Sequence[int]) -> Handover:
        """Claim these rows in the transaction that wrote them, to hand them to `deliver` right
        after it committed: one transaction less for every reply."""
        if not ids:
            return Handover()
        ids = ids[:SEND_NOW_AT_MOST]
        rows = await self.claims.claim_in(session, ids)
        return Handover(rows, await self._left_behind(session, ids, rows))

    async def _left_behind(
        self, session: AsyncSession, ids: Sequence[int], claimed: list[Claimed]
    ) -> frozenset[Chat]:
        """The chats of rows that could not be claimed because an earlier row of theirs is on
        its way. Whichever comes last, that row's sending or this turn's commit, sends them."""
        if len(claimed) == len(ids):
            return frozenset()
        left = set(ids) - {row.id for row in claimed}
        chats = await session.execute(
            select(OutboxMessage.channel, OutboxMessage.address)
            .where(OutboxMessage.id.in_(left), OutboxMessage.status == PENDING)
            .distinct()
        )
        behind = frozenset((channel, address) for channel, address in chats)
        self._behind.update(chat for chat in behind if chat in self._sending)
        return behind

    async def deliver(self, handover: Handover) -> None:
        """Send what `claim_now` claimed, after its transaction committed, and the rows it left
        behind a row that has gone out since; as `send_now`, a failure is left to
        `dispatch_due`."""
        try:
            if handover.rows:
                await self._deliver(handover.rows)
            for chat in handover.behind:
                await self._follow(chat)
        except Exception as error:
            self._not_sent_at_once(error, len(handover.rows) + len(handover.behind))

    async def _follow(self, chat: Chat) -> None:
        """The rows of a chat that waited behind one of its rows: sent by the sender of that row
        when it is still on its way here, else now (from another process: claimed by nobody
        here, they wait for `dispatch_due`)."""
        if chat in self._sending:
            self._behind.add(chat)
            return
        self._behind.discard(chat)
        await self._deliver(await self.claims.claim(chat=chat))

    def _not_sent_at_once(self, error: Exception, count: int) -> None:
        if is_outage(error):
            self.database.health.failed(error)
        else:
            log.exception("sending %s outbox rows at once failed; the dispatcher takes them", count)

    async def _deliver(self, rows: list[Claimed]) -> None:
        by_chat: dict[Chat, list[Claimed]] = {}
        for row in rows:
            by_chat.setdefault((row.channel, row.address), []).append(row)
        if len(by_chat) == 1:  # a reply, say: sent in this task, before any task waiting to run
            [chat_rows] = by_chat.values()
            await self._deliver_chat(chat_rows)
            return
        await asyncio.gather(*(self._deliver_chat(chat_rows) for chat_rows in by_chat.values()))

    async def _deliver_chat(self, rows: list[Claimed]) -> None:
        chat = (rows[0].channel, rows[0].address)
        self._sending[chat] = self._sending.get(chat, 0) + 1
        delivered = False
        replies = any(row.priority < ANNOUNCEMENT_PRIORITY for row in rows)
        try:
            async with self._reply_slots if replies else self._slots:
                for position, row in enumerate(rows):
                    await self._keep_lease(rows[position:])
                    if not await self._deliver_row(row):
                        await self._release([r.id for r in rows[position + 1 :]])
                        break
                else:
                    delivered = True
        finally:
            self._sending[chat] -= 1
            if not self._sending[chat]:
                del self._sending[chat]
        if chat in self._behind and chat not in self._sending:
            self._behind.discard(chat)
            if delivered:  # else the chat waits (flood control, back-off): a later round
                await self._deliver(await self.claims.claim(chat=chat))

    async def _pace_row(self, row: Claimed) -> Place | None:
        """A row waits for its place in the channel's allowance (a reply only when the window
        is full); an announcement to a chat that was just written to waits for the chat's own
        limit first."""
        pace = self.claims.paces.get(row.channel)
        if pace is None:
            return None
        chat = (row.channel, row.address)
        last = self._last_sent.get(chat)
        if pace.chat_gap and row.priority >= ANNOUNCEMENT_PRIORITY and last is not None:
            await asyncio.sleep(max(0.0, last + pace.chat_gap - time.monotonic()))
        place = await pace.take(reply=row.priority < ANNOUNCEMENT_PRIORITY)
        if pace.chat_gap:
            now = time.monotonic()
            if len(self._last_sent) > 10_000:  # only the last second's chats matter
                self._last_sent = {
                    key: at for key, at in self._last_sent.items() if at > now - pace.chat_gap
                }
            self._last_sent[chat] = now
        return place

    async def _keep_lease(self, rows: list[Claimed]) -> None:
        """A short lease lets another process take over soon after this one died; it is renewed
        while the rows still wait here (for a slot, or behind a long message)."""
        now = self.clock.now()
        if rows[0].lease_until is not None and rows[0].lease_until - now > self.lease / 2:
            return
        lease_until = now + self.lease
        async with self.database.transaction() as session:
            await session.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.id.in_([r.id for r in rows]),
                    OutboxMessage.claim_token == rows[0].claim_token,
                )
                .values(lease_until=lease_until)
            )
        for row in rows:
            row.lease_until = lease_until

    async def _deliver_row(self, row: Claimed) -> bool:
        """Send one row and record the outcome; False when the rest of its chat must wait."""
        with about(OUTBOX, row.id):
            return await self._send_row(row)

    async def _send_row(self, row: Claimed) -> bool:
        channel = self.channels[row.channel]
        payload = row.payload
        try:
            reply = await self.carrier.carried(row.channel, Reply.from_payload(payload))
            # The place in the allowance is taken once the message is ready (a file made for
            # it may take a while), and counts from when the request was answered.
            place = await self._pace_row(row)
            try:
                message_id = await channel.send(
                    row.address, reply, skip_parts=int(payload.get("parts_sent", 0))
                )
            finally:
                if place is not None:
                    place.done()
        except Unreachable as error:
            await self._mark_unreachable(row, error)
            return False
        except Rejected as error:
            # Sending it again would change nothing: the person's later messages go on.
            log.error("outbox %s rejected by %s: %s", row.id, row.channel, error.reason)
            note = await self._finish(row, FAILED, error=error.reason)
            if note is not None:
                await self._deliver_row(note)
            return True
        except DeliveryError as error:
            await self._retry(row, error)
            return False
        except Exception as error:  # a bug in a channel must not stop the queue
            log.exception("outbox %s: unexpected error from %s", row.id, row.channel)
            await self._retry(row, DeliveryError(repr(error)))
            return False
        await self._finish(row, SENT, message_id=message_id)
        if "made" in payload:
            self.carrier.sent()
        return True
