"""The sender's view of a running broadcast: one message, edited as the rows are sent, ending
with the final report. A scan of the outbox, so it survives a restart like everything else."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select

from bot.db.models import Broadcast, OutboxMessage, User
from bot.db.session import Database
from bot.delivery import enqueue
from bot.i18n import Catalogs
from bot.services.outreach.broadcast_rows import QUEUEING
from bot.services.outreach.broadcasts import broadcast_view
from bot.settings import Settings
from conversations.outreach.broadcast import progress_reply
from conversations.ports import Clock


async def report_broadcasts(
    *, database: Database, catalogs: Catalogs, settings: Settings, clock: Clock
) -> list[int]:
    now = clock.now()
    queued: list[int] = []
    # Counted first on a snapshot that holds no lock: a count of an announcement's 50,000 rows
    # (30-80 ms) under the write lock kept its queueing and the dispatcher waiting. The counts
    # only move on: rows waiting then are waiting now or done, so a snapshot that finds none
    # waiting is final, and one that finds some leaves the report to the next round.
    async with database.reading() as session:
        running = await session.scalars(select(Broadcast).where(Broadcast.finished_at.is_(None)))
        views = {broadcast.id: await broadcast_view(session, broadcast) for broadcast in running}
    if not views:
        return queued
    async with database.transaction() as session:
        running = await session.scalars(
            select(Broadcast)
            .where(Broadcast.id.in_(list(views)), Broadcast.finished_at.is_(None))
            .with_for_update()
        )
        for broadcast in running.all():
            view = views[broadcast.id]
            if view.waiting == 0 and broadcast.status != QUEUEING:
                broadcast.finished_at = now
                if broadcast.status == "sending":
                    broadcast.status = "done"
            if broadcast.status != QUEUEING:  # stopped or done since the snapshot
                view = replace(view, status=broadcast.status)
            locale = (
                await session.scalar(select(User.locale).where(User.id == broadcast.created_by))
                or settings.default_locale
            )
            reply = progress_reply(catalogs.translator(locale), view)
            if reply.text == broadcast.report_text:
                continue
            first_key = f"broadcast:{broadcast.id}:report"
            message_id = await session.scalar(
                select(OutboxMessage.external_message_id).where(
                    OutboxMessage.dedup_key == first_key
                )
            )
            if broadcast.report_text is None:
                key = first_key
            elif message_id is None:
                if broadcast.finished_at is not None:
                    broadcast.finished_at = None  # report it once the first message is out
                continue  # the first report is not out yet: edit it next time
            else:
                broadcast.report_edits += 1
                key = f"{first_key}:{broadcast.report_edits}"
                reply = progress_reply(catalogs.translator(locale), view, edit_of=message_id)
            row = await enqueue(
                session,
                channel=broadcast.report_channel,
                address=broadcast.report_address,
                reply=reply,
                dedup_key=key,
                now=now,
                user_id=broadcast.created_by,
            )
            broadcast.report_text = reply.text
            if row is not None:
                queued.append(row)
    return queued
