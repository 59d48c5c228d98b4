"""The jobs: each one a scan of the database, safe to run twice and after any downtime."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import and_, delete, func, or_, select

from bot.db.models import Conversation, InboxMessage, OutboxMessage, ProcessedUpdate, User
from bot.db.session import Database
from bot.delivery import CANCELLED, EXPIRED, FAILED, SENT, UNREACHABLE
from bot.inbox import DONE
from bot.inbox import FAILED as FAILED_INBOX
from bot.services.people.users import erase
from conversations.ports import Clock

UPDATE_KEYS_KEPT = timedelta(days=14)
# Handled inbox rows keep only their update key (Telegram redelivers for 24 hours); one that
# failed keeps the message a little longer, for whoever looks into why.
INBOX_KEPT = timedelta(days=2)
FAILED_INBOX_KEPT = timedelta(days=14)
DELIVERED_KEPT = timedelta(days=30)
UNFINISHED_SIGN_UP_KEPT = timedelta(days=7)  # as the privacy notice's decline message says


async def clean_up(database: Database, clock: Clock) -> None:
    """Forget update keys no channel redelivers any more, handled inbox rows, messages long since
    delivered, and
    people who did not accept the privacy notice and have not written for a week (with what
    they had answered before it)."""
    now = clock.now()
    async with database.transaction() as session:
        await session.execute(
            delete(ProcessedUpdate).where(ProcessedUpdate.processed_at < now - UPDATE_KEYS_KEPT)
        )
        await session.execute(
            delete(InboxMessage).where(
                or_(
                    and_(InboxMessage.status == DONE, InboxMessage.received_at < now - INBOX_KEPT),
                    and_(
                        InboxMessage.status == FAILED_INBOX,
                        InboxMessage.received_at < now - FAILED_INBOX_KEPT,
                    ),
                )
            )
        )
        await session.execute(
            delete(OutboxMessage).where(
                OutboxMessage.status.in_([SENT, FAILED, UNREACHABLE, CANCELLED, EXPIRED]),
                OutboxMessage.created_at < now - DELIVERED_KEPT,
            )
        )
        last_seen = func.coalesce(
            select(Conversation.updated_at)
            .where(Conversation.user_id == User.id)
            .scalar_subquery(),
            User.created_at,
        )
        unfinished = select(User.id).where(
            User.consented_at.is_(None),
            or_(User.is_staff.is_(False), User.is_staff.is_(None)),
            last_seen < now - UNFINISHED_SIGN_UP_KEPT,
        )
        gone = list((await session.scalars(unfinished)).all())
        if gone:
            await erase(session, gone)
