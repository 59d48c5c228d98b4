"""An announcement's outbox rows, a batch of people at a time in order of user id, the audience
read again for each batch: so that the rows of 50,000 people are written in many short
transactions (`bot/scheduling/broadcast_queue.py`), and the rows' keys make a batch written twice
harmless: a process that starts again goes through the audience from its start, skipping
whose rows are written."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Broadcast, ChannelIdentity, OutboxMessage, Region, User
from bot.delivery import ANNOUNCEMENT_PRIORITY, Message, enqueue_many
from bot.services.outreach.audience import audience_of, once_per_person
from bot.services.people.users import used_last_first
from conversations.messages import Reply
from conversations.outreach.ports import Audience

QUEUEING = "queueing"  # rows still being written; shown to people as "sending"
SENDING = "sending"
FIRST_BATCH = 200  # written by the "Send" turn itself and sent at once: a small audience at once
BATCH = 250  # people per transaction afterwards


def row_key(broadcast_id: int) -> str:
    return f"broadcast:{broadcast_id}:to:"


@dataclass(frozen=True)
class Batch:
    ids: list[int]  # the new outbox rows
    last_user_id: int  # where the next batch starts
    done: bool  # the audience is exhausted: every row is written


def audience_filter(audience: Audience) -> list[object]:
    """Who an announcement reaches, as conditions on `User` (and `Region`, when joined)."""
    conditions: list[object] = [
        User.consented_at.is_not(None),
        User.announcements_muted.is_(False),
    ]
    if audience.roles:
        conditions.append(User.role.in_(list(audience.roles)))
    if audience.languages:
        conditions.append(User.locale.in_(list(audience.languages)))
    if audience.regions:
        conditions.append(Region.key.in_(list(audience.regions)))
    return conditions


async def audience_size(session: AsyncSession, audience: Audience) -> dict[str, int]:
    """How many people with an address the audience reaches, per language: counted, not read."""
    query = (
        select(User.locale, func.count(func.distinct(User.id)))
        .join(ChannelIdentity, ChannelIdentity.user_id == User.id)
        .where(*audience_filter(audience))  # type: ignore[arg-type]
        .group_by(User.locale)
    )
    if audience.regions:
        query = query.join(Region, Region.id == User.region_id)
    return {locale: count for locale, count in (await session.execute(query)).all()}


async def queue_batch(
    session: AsyncSession, broadcast: Broadcast, *, after_user_id: int, limit: int
) -> Batch:
    """The rows of the next `limit` people of the audience after `after_user_id` (who were
    there when it was sent), in the caller's transaction."""
    audience = audience_of(broadcast.audience)
    people = (
        select(User.id)
        .where(
            *audience_filter(audience),  # type: ignore[arg-type]
            User.id > after_user_id,
            User.created_at <= broadcast.created_at,
        )
        .order_by(User.id)
        .limit(limit)
    )
    if audience.regions:
        people = people.join(Region, Region.id == User.region_id)
    user_ids = list(await session.scalars(people))
    if not user_ids:
        return Batch(ids=[], last_user_id=after_user_id, done=True)
    addresses = once_per_person(
        await session.execute(
            select(User.id, User.locale, ChannelIdentity.channel, ChannelIdentity.external_id)
            .join(ChannelIdentity, ChannelIdentity.user_id == User.id)
            .where(User.id.in_(user_ids))
            .order_by(User.id, *used_last_first())
        )
    )
    # Rows written before (by a process that died, or by the one that went before)
    keys = [f"{row_key(broadcast.id)}{user_id}" for user_id in user_ids]
    written = set(
        await session.scalars(
            select(OutboxMessage.user_id).where(OutboxMessage.dedup_key.in_(keys))
        )
    )
    texts, fallback = broadcast.texts, broadcast.fallback
    messages = [
        Message(
            channel=channel,
            address=address,
            reply=Reply(text=texts.get(locale) or texts.get(fallback) or texts["de"]),
            dedup_key=f"{row_key(broadcast.id)}{user_id}",
            user_id=user_id,
        )
        for user_id, locale, channel, address in addresses
        if user_id not in written
    ]
    ids = await enqueue_many(
        session, messages, now=broadcast.created_at, priority=ANNOUNCEMENT_PRIORITY
    )
    return Batch(ids=ids, last_user_id=user_ids[-1], done=len(user_ids) < limit)
