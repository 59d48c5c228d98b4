"""Announcements: one outbox row per recipient, in their language, with a key so that nobody
gets one twice however often sending is resumed; a progress report the sender sees edited."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Broadcast, OutboxMessage
from bot.delivery import CANCELLED, PENDING, SENDING, cancel_unsent
from bot.services.desk import Desk
from bot.services.outreach.audience import audience_json
from bot.services.outreach.broadcast_rows import (
    FIRST_BATCH,
    QUEUEING,
    audience_size,
    queue_batch,
    row_key,
)
from bot.services.people import audit
from conversations.outreach.ports import Audience, BroadcastView, SurveyRuleError


async def broadcast_view(session: AsyncSession, broadcast: Broadcast) -> BroadcastView:
    rows = (
        await session.execute(
            select(OutboxMessage.channel, OutboxMessage.status, func.count())
            .where(OutboxMessage.dedup_key.like(row_key(broadcast.id) + "%"))
            .group_by(OutboxMessage.channel, OutboxMessage.status)
        )
    ).all()
    counts: Counter[str] = Counter()
    sent: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for channel, status, count in rows:
        counts[status] += count
        total[channel] += count
        if status == "sent":
            sent[channel] += count
    waiting = counts[PENDING] + counts[SENDING]
    if broadcast.status == QUEUEING:  # the rows not written yet wait too
        finished = sum(counts.values()) - waiting
        waiting = max(waiting, broadcast.total - finished)
    return BroadcastView(
        id=broadcast.id,
        status="sending" if broadcast.status == QUEUEING else broadcast.status,
        total=broadcast.total,
        sent=counts["sent"],
        waiting=waiting,
        failed=counts["failed"],
        unreachable=counts["unreachable"],
        cancelled=counts[CANCELLED],
        messengers=tuple((channel, sent[channel], total[channel]) for channel in sorted(total)),
    )


class BroadcastDesk(Desk):
    """The `Broadcasts` port, for staff."""

    def __init__(
        self,
        session: AsyncSession,
        *,
        actor_user_id: int,
        actor_is_staff: bool,
        channel: str,
        address: str,
        now: datetime,
        tz: ZoneInfo,
    ) -> None:
        super().__init__(
            session, actor_user_id=actor_user_id, actor_is_staff=actor_is_staff, now=now, tz=tz
        )
        self.channel = channel  # where the sender reads the delivery report
        self.address = address
        self.queued: list[int] = []
        self.queueing = False  # an announcement of this turn waits for the rest of its rows
        # Counted once per turn: "Yes, send" counts for its question and again for the record,
        # each a scan of the audience while the turn holds the database.
        self._counts: dict[Audience, dict[str, int]] = {}

    refusal = SurveyRuleError

    async def count(self, audience: Audience) -> dict[str, int]:
        """How many people the audience reaches, per language."""
        self._staff_only()
        if audience not in self._counts:
            self._counts[audience] = await audience_size(self.session, audience)
        return self._counts[audience]

    async def send(
        self, audience: Audience, texts: dict[str, str], fallback: str, *, total: int | None = None
    ) -> BroadcastView:
        """The announcement is recorded with its audience; the rows of the first people are
        written here and sent at once, the others' by `bot/scheduling/broadcast_queue.py`, a
        batch per transaction, so that "Send" is answered at once whatever the audience."""
        self._staff_only()
        if total is None:
            total = sum((await self.count(audience)).values())
        broadcast = Broadcast(
            created_by=self.actor_user_id,
            audience=audience_json(audience),
            texts=texts,
            fallback=fallback,
            status=QUEUEING,
            total=total,
            report_channel=self.channel,
            report_address=self.address,
            created_at=self.now,
        )
        self.session.add(broadcast)
        await self.session.flush()
        first = await queue_batch(self.session, broadcast, after_user_id=0, limit=FIRST_BATCH)
        self.queued.extend(first.ids)
        if first.done:
            broadcast.status = "sending"
            broadcast.total = len(first.ids)  # all of them, as they are now
        else:
            self.queueing = True
        audit.record(
            self.session,
            actor=f"user:{self.actor_user_id}",
            action="broadcast.send",
            subject=f"broadcast:{broadcast.id}",
            at=self.now,
            details={"audience": audience_json(audience), "total": broadcast.total},
        )
        await self.session.flush()
        return await broadcast_view(self.session, broadcast)

    async def stop(self, broadcast_id: int) -> BroadcastView:
        self._staff_only()
        # Locked: a batch of its rows being written meanwhile is stopped as well.
        broadcast = await self.session.get(Broadcast, broadcast_id, with_for_update=True)
        if broadcast is None:
            raise SurveyRuleError("not_found")
        if broadcast.status in ("sending", QUEUEING):
            await cancel_unsent(self.session, row_key(broadcast_id))
            broadcast.status = "stopped"
            audit.record(
                self.session,
                actor=f"user:{self.actor_user_id}",
                action="broadcast.stop",
                subject=f"broadcast:{broadcast_id}",
                at=self.now,
            )
        return await broadcast_view(self.session, broadcast)
