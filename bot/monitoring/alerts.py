"""Alerts without Prometheus: when replies wait too long, messages could not be delivered, or a
scheduled job keeps failing, the administrators (BOT_ADMINS) get one message in the chat, and one
when it is over. Each opening and end is an entry in the audit log (`alert.open`, `alert.over`):
what is open survives a restart, and the entry's episode number names the messages' outbox keys,
so that a check run twice, or by two processes, tells nobody twice."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import false, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import AuditEntry, ChannelIdentity, OutboxMessage
from bot.db.session import Database
from bot.delivery import FAILED, Dispatcher
from bot.i18n import Catalogs
from bot.monitoring.metrics import reply_wait
from bot.scheduling.scheduler import JobGuard
from bot.services.outreach.notifications import Notifier
from bot.services.people import audit
from bot.settings import Settings
from conversations.messages import Reply
from conversations.ports import Clock, Translator

log = logging.getLogger(__name__)
FAILED_WINDOW = timedelta(hours=1)  # failed deliveries counted this far back
OPENED, OVER = "alert.open", "alert.over"
ACTOR = "monitoring"
Render = Callable[[Translator], Reply]


@dataclass(frozen=True)
class Condition:
    subject: str  # "reply-wait", "outbox-failed", "job:<name>"
    active: bool | None  # None: not known now (a job that has not run enough); left as it is
    opening: Render
    over: Render


class Alerts:
    def __init__(
        self,
        *,
        database: Database,
        catalogs: Catalogs,
        settings: Settings,
        clock: Clock,
        jobs: JobGuard,
        dispatcher: Dispatcher,
    ) -> None:
        self.database = database
        self.catalogs = catalogs
        self.settings = settings
        self.clock = clock
        self.jobs = jobs
        self.dispatcher = dispatcher

    async def check(self) -> None:
        """The scheduler's job: open and close alerts, and send what that says at once."""
        async with self.database.transaction() as session:
            ids = await self.check_in(session, now=self.clock.now())
        await self.dispatcher.send_now(ids)

    async def check_in(self, session: AsyncSession, *, now: datetime) -> list[int]:
        """In the caller's transaction; returns the outbox ids of the messages queued."""
        episodes = await _episodes(session)
        notifier = Notifier(session, catalogs=self.catalogs, admins=self.settings.admins, now=now)
        admins: list[int] | None = None
        for condition in await self.conditions(session, now=now):
            openings, is_open = episodes.get(condition.subject, (0, False))
            if condition.active and not is_open:
                episode, action, render = openings + 1, OPENED, condition.opening
            elif condition.active is False and is_open:
                episode, action, render = openings, OVER, condition.over
            else:
                continue
            if admins is None:
                admins = await admin_ids(session, self.settings.admins)
            audit.record(
                session,
                actor=ACTOR,
                action=action,
                subject=condition.subject,
                at=now,
                details={"episode": episode},
            )
            log.warning(
                "alert %s %s (episode %s): %s administrators told",
                condition.subject,
                "opened" if action == OPENED else "is over",
                episode,
                len(admins),
            )
            stage = "open" if action == OPENED else "over"
            for admin in admins:
                await notifier.to_user(
                    admin, f"alert:{condition.subject}:{episode}:{stage}", render
                )
        return notifier.queued

    async def conditions(self, session: AsyncSession, *, now: datetime) -> list[Condition]:
        limit = self.settings.alert_reply_wait_seconds
        waited = await reply_wait(session, now=now)
        failed = await session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(
                OutboxMessage.status == FAILED,
                # A failed row's next_attempt_at is when it failed.
                OutboxMessage.next_attempt_at >= now - FAILED_WINDOW,
            )
        )
        conditions = [
            Condition(
                "reply-wait",
                waited > limit,
                lambda t: Reply(
                    t.ngettext(
                        "⚠️ Replies are late: someone has been waiting for an answer for more "
                        "than {seconds} second.",
                        "⚠️ Replies are late: someone has been waiting for an answer for more "
                        "than {seconds} seconds.",
                        limit,
                    ).format(seconds=limit)
                ),
                lambda t: Reply(t.gettext("✅ Replies are on time again.")),
            ),
            Condition(
                "outbox-failed",
                bool(failed),
                lambda t: Reply(
                    t.ngettext(
                        "⚠️ {count} message could not be delivered in the last hour. The log "
                        "says why.",
                        "⚠️ {count} messages could not be delivered in the last hour. The log "
                        "says why.",
                        failed or 0,
                    ).format(count=failed)
                ),
                lambda t: Reply(t.gettext("✅ No message has failed to be delivered for an hour.")),
            ),
        ]
        threshold = self.settings.alert_job_failures
        for name, failures in sorted(self.jobs.failures.items()):
            conditions.append(_job_condition(name, failures, threshold))
        return conditions


def _job_condition(name: str, failures: int, threshold: int) -> Condition:
    job = f"<b>{name}</b>"
    return Condition(
        f"job:{name}",
        True if failures >= threshold else False if failures == 0 else None,
        lambda t: Reply(
            t.ngettext(
                "⚠️ The scheduled task {job} has failed {count} time in a row. The log says why.",
                "⚠️ The scheduled task {job} has failed {count} times in a row. The log says why.",
                failures,
            ).format(job=job, count=failures)
        ),
        lambda t: Reply(t.gettext("✅ The scheduled task {job} runs again.").format(job=job)),
    )


async def _episodes(session: AsyncSession) -> dict[str, tuple[int, bool]]:
    """Per alert: how many times it opened, and whether it is open now."""
    episodes: dict[str, tuple[int, bool]] = {}
    rows = await session.execute(
        select(AuditEntry.subject, AuditEntry.action)
        .where(AuditEntry.actor == ACTOR, AuditEntry.action.in_((OPENED, OVER)))
        .order_by(AuditEntry.id)
    )
    for subject, action in rows:
        openings, _ = episodes.get(subject or "", (0, False))
        opened = action == OPENED
        episodes[subject or ""] = (openings + opened, opened)
    return episodes


async def admin_ids(session: AsyncSession, admins: frozenset[str]) -> list[int]:
    """The administrators named in BOT_ADMINS who have written to the bot (only they can be
    reached); each is told once, at the messenger they used last."""
    match = [
        (ChannelIdentity.channel == address.split(":", 1)[0])
        & (ChannelIdentity.external_id == address.split(":", 1)[1])
        for address in admins
    ]
    rows = await session.scalars(
        select(ChannelIdentity.user_id).where(or_(false(), *match)).distinct()
    )
    return sorted(rows)
