"""Announcements: one outbox row per recipient, in their language, with a key so that nobody
gets one twice however often sending is resumed; a progress report the sender sees edited."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Broadcast, OutboxMessage
from bot.delivery import ANNOUNCEMENT_PRIORITY, CANCELLED, PENDING, SENDING, cancel_unsent, enqueue
from bot.services.desk import Desk
from bot.services.outreach.audience import audience_json, recipients
from bot.services.people import audit
from conversations.messages import Reply
from conversations.outreach.ports import Audience, BroadcastView, SurveyRuleError


def row_key(broadcast_id: int) -> str:
    return f"broadcast:{broadcast_id}:to:"


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
    return BroadcastView(
        id=broadcast.id,
        status=broadcast.status,
        total=broadcast.total,
        sent=counts["sent"],
        waiting=counts[PENDING] + counts[SENDING],
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

    refusal = SurveyRuleError

    async def count(self, audience: Audience) -> dict[str, int]:
        """How many people the audience reaches, per language."""
        self._staff_only()
        return dict(Counter(locale for _, locale, _, _ in await recipients(self.session, audience)))

    async def send(self, audience: Audience, texts: dict[str, str], fallback: str) -> BroadcastView:
        self._staff_only()
        people = await recipients(self.session, audience)
        broadcast = Broadcast(
            created_by=self.actor_user_id,
            audience=audience_json(audience),
            texts=texts,
            fallback=fallback,
            status="sending",
            total=len(people),
            report_channel=self.channel,
            report_address=self.address,
            created_at=self.now,
        )
        self.session.add(broadcast)
        await self.session.flush()
        for user_id, locale, channel, address in people:
            text = texts.get(locale) or texts.get(fallback) or texts["de"]
            row = await enqueue(
                self.session,
                channel=channel,
                address=address,
                reply=Reply(text=text),
                dedup_key=f"{row_key(broadcast.id)}{user_id}",
                now=self.now,
                user_id=user_id,
                priority=ANNOUNCEMENT_PRIORITY,
            )
            if row is not None:
                self.queued.append(row)
        audit.record(
            self.session,
            actor=f"user:{self.actor_user_id}",
            action="broadcast.send",
            subject=f"broadcast:{broadcast.id}",
            at=self.now,
            details={"audience": audience_json(audience), "total": len(people)},
        )
        await self.session.flush()
        return await broadcast_view(self.session, broadcast)

    async def stop(self, broadcast_id: int) -> BroadcastView:
        self._staff_only()
        broadcast = await self.session.get(Broadcast, broadcast_id)
        if broadcast is None:
            raise SurveyRuleError("not_found")
        if broadcast.status == "sending":
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
