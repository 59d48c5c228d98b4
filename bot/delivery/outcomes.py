"""What became of a row: sent, failed (with a note where a file could not be sent), to be
tried again after a pause (holding the rest of its chat, and announcements on flood control),
or unreachable (the person blocked the bot, or left the messenger)."""

from __future__ import annotations

import asyncio
import html
import logging
import uuid
from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.channels.base import (
    DeliveryError,
    RetryLater,
)
from bot.db.models import OutboxMessage, User
from bot.db.session import Database
from bot.delivery.claims import Claims
from bot.delivery.outbox import (
    ANNOUNCEMENT_PRIORITY,
    CLAIMED,
    FAILED,
    MAX_ATTEMPTS,
    OUTBOX,
    PENDING,
    SENDING,
    SENT,
    UNREACHABLE,
    Claimed,
    backoff,
    enqueue,
)
from bot.i18n import Catalogs
from bot.logs import who
from bot.monitoring import metrics
from conversations.messages import Reply
from conversations.ports import Clock

log = logging.getLogger(__name__)


_RECORD_SENT = (
    update(OUTBOX)
    .where(
        OUTBOX.c.id == bindparam("row_id"),
        OUTBOX.c.claim_token == bindparam("row_token"),
    )
    .values(
        status=SENT,
        last_error=None,
        lease_until=None,
        sent_at=bindparam("row_sent_at", type_=OutboxMessage.sent_at.type),
        external_message_id=bindparam("row_message_id"),
    )
)


_FORGET_SENT = delete(OUTBOX).where(
    OUTBOX.c.id == bindparam("row_id"),
    OUTBOX.c.claim_token == bindparam("row_token"),
)


class SentRows:
    """Rows sent are recorded together: whatever was sent while the last write ran goes in the
    next one (a group commit). Each sender waits for its row's record before its chat goes on,
    so a process that dies leaves at most one sent but unrecorded row per chat in flight."""

    def __init__(self, database: Database, clock: Clock) -> None:
        self.database = database
        self.clock = clock
        self._waiting: list[tuple[Claimed, str | None, asyncio.Future[None]]] = []
        self._writing: asyncio.Task[None] | None = None

    async def record(self, row: Claimed, message_id: str | None) -> None:
        recorded = asyncio.get_running_loop().create_future()
        self._waiting.append((row, message_id, recorded))
        if self._writing is None or self._writing.done():
            self._writing = asyncio.create_task(self._write())
        await recorded

    async def _write(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting, []
            failure: Exception | None = None
            try:
                await self._write_batch([(row, message_id) for row, message_id, _ in batch])
            except Exception as error:
                failure = error
            except BaseException:
                for _, _, recorded in batch:
                    recorded.cancel()
                raise
            for _, _, recorded in batch:
                if recorded.done():  # its sender was cancelled
                    continue
                if failure is None:
                    recorded.set_result(None)
                else:
                    recorded.set_exception(failure)

    async def _write_batch(self, batch: list[tuple[Claimed, str | None]]) -> None:
        now = self.clock.now()
        # An answer to no one known (the last one to someone who erased their data, a note in a
        # group): once sent, nothing keeps the address, so the row goes instead.
        forget = [
            row for row, _ in batch if row.user_id is None and row.dedup_key.startswith("reply:")
        ]
        kept = [(row, message_id) for row, message_id in batch if row not in forget]
        # Each statement is whole by itself (a row is recorded, or still claimed and sent again
        # after its lease), so none needs a transaction around it.
        async with self.database.autocommit() as connection:
            if kept:
                await connection.execute(
                    _RECORD_SENT,
                    [
                        {
                            "row_id": row.id,
                            "row_token": row.claim_token,
                            "row_sent_at": now,
                            "row_message_id": message_id,
                        }
                        for row, message_id in kept
                    ],
                )
            if forget:
                await connection.execute(
                    _FORGET_SENT,
                    [{"row_id": row.id, "row_token": row.claim_token} for row in forget],
                )


class Outcomes:
    """The outcome half of the dispatcher."""

    database: Database
    clock: Clock
    catalogs: Catalogs
    default_locale: str
    claims: Claims
    sent_rows: SentRows

    async def _finish(
        self,
        row: Claimed,
        status: str,
        *,
        error: str | None = None,
        message_id: str | None = None,
    ) -> Claimed | None:
        """Record the outcome. A file that failed for good is followed by a short text that
        says so, in the person's language: returned claimed, to be sent next in its chat."""
        if status == SENT:
            await self.sent_rows.record(row, message_id)
            metrics.MESSAGES.labels(row.channel, "sent").inc()
            return None
        metrics.MESSAGES.labels(row.channel, "refused").inc()
        now = self.clock.now()
        async with self.database.transaction() as session:
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == row.id, OutboxMessage.claim_token == row.claim_token)
                .values(
                    status=status,
                    last_error=error,
                    lease_until=None,
                    sent_at=now if status == SENT else None,
                    external_message_id=message_id,
                    next_attempt_at=now,  # of a failed row: when it failed (see alerts)
                )
            )
            if status == FAILED:
                return await self._file_not_sent(session, row, now)
        return None

    async def _file_not_sent(
        self, session: AsyncSession, row: Claimed, now: datetime
    ) -> Claimed | None:
        reply = Reply.from_payload(row.payload)
        attachment = reply.document or reply.forward or reply.made
        if attachment is None:
            return None
        locale = self.default_locale
        if row.user_id is not None:
            locale = await session.scalar(select(User.locale).where(User.id == row.user_id)) or (
                locale
            )
        _ = self.catalogs.translator(locale).gettext
        text = (
            _("Sorry, I could not send you the file {name}.").format(
                name=f"<b>{html.escape(attachment.name)}</b>"
            )
            if attachment.name
            else _("Sorry, I could not send you the file.")
        )
        note_id = await enqueue(
            session,
            channel=row.channel,
            address=row.address,
            reply=Reply(text),
            dedup_key=f"file-not-sent:{row.id}",
            now=now,
            user_id=row.user_id,
        )
        if note_id is None:
            return None
        note = await session.execute(
            update(OUTBOX)
            .where(OUTBOX.c.id == note_id)
            .values(**self.claims.claimed_by(str(uuid.uuid4()), now))
            .returning(*CLAIMED)
        )
        return Claimed(*note.one())

    async def _retry(self, row: Claimed, error: DeliveryError) -> None:
        now = self.clock.now()
        if isinstance(error, RetryLater):
            delay = timedelta(seconds=max(error.after, 1))
        else:
            delay = backoff(row.attempts)
        give_up = row.attempts >= MAX_ATTEMPTS and not isinstance(error, RetryLater)
        outcome = "held" if isinstance(error, RetryLater) else "failed" if give_up else "retried"
        metrics.MESSAGES.labels(row.channel, outcome).inc()
        log.warning(
            "outbox %s to %s: %s%s",
            row.id,
            who(row.channel, row.address),
            error.reason,
            " (giving up)" if give_up else f" (again in {delay})",
        )
        payload = dict(row.payload)
        payload["parts_sent"] = int(payload.get("parts_sent", 0)) + error.parts_sent
        async with self.database.transaction() as session:
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == row.id, OutboxMessage.claim_token == row.claim_token)
                .values(
                    status=FAILED if give_up else PENDING,
                    next_attempt_at=now if give_up else now + delay,  # failed: when it did
                    lease_until=None,
                    claim_token=None,
                    last_error=error.reason,
                    payload=payload,
                )
            )
            if isinstance(error, RetryLater):
                # Flood control: hold the rest of this chat's queue as well.
                await session.execute(
                    update(OutboxMessage)
                    .where(
                        OutboxMessage.channel == row.channel,
                        OutboxMessage.address == row.address,
                        OutboxMessage.status == PENDING,
                        OutboxMessage.id > row.id,
                    )
                    .values(next_attempt_at=now + delay)
                )
        if isinstance(error, RetryLater) and row.priority >= ANNOUNCEMENT_PRIORITY:
            # An announcement that ran into it slows down as a whole, not just in this chat,
            # while replies to people who are chatting go on. Held here rather than by updating
            # every waiting row, which concurrent 429s would do in clashing orders.
            self.claims.hold(row.channel, now + delay)

    async def _release(self, ids: list[int]) -> None:
        if not ids:
            return
        async with self.database.transaction() as session:
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(ids), OutboxMessage.status == SENDING)
                .values(
                    status=PENDING,
                    claim_token=None,
                    lease_until=None,
                    attempts=OutboxMessage.attempts - 1,
                )
            )

    async def _mark_unreachable(self, row: Claimed, error: DeliveryError) -> None:
        now = self.clock.now()
        log.info("%s is unreachable (%s)", who(row.channel, row.address), error.reason)
        metrics.MESSAGES.labels(row.channel, "unreachable").inc()
        async with self.database.transaction() as session:
            await session.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.channel == row.channel,
                    OutboxMessage.address == row.address,
                    OutboxMessage.status.in_([PENDING, SENDING]),
                )
                .values(status=UNREACHABLE, last_error=error.reason, lease_until=None)
            )
            if row.user_id is not None:
                await session.execute(
                    update(User).where(User.id == row.user_id).values(unreachable_at=now)
                )
