"""Wiring: settings → database → services → channels → scheduler. Everything starts here."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import signal
from collections.abc import Coroutine
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.channels.console import ConsoleChannel
from bot.channels.numbered import ShownChoicesStore
from bot.channels.signal import NAME as SIGNAL
from bot.channels.signal import SignalChannel
from bot.channels.telegram import TelegramChannel, build_application
from bot.clock import SystemClock
from bot.command_menus import CommandMenus
from bot.db import migrate
from bot.db.health import describe
from bot.db.session import Database, DatabaseUnusable
from bot.delivery import Dispatcher
from bot.flood import FloodGuard
from bot.i18n import Catalogs
from bot.inbox import Inbox
from bot.memory import freeze_startup_objects, give_back_big_blocks
from bot.monitoring.alerts import Alerts
from bot.monitoring.health import Health
from bot.monitoring.server import serve_metrics
from bot.scheduling.broadcast_queue import BroadcastQueue
from bot.scheduling.lease import SchedulerLease
from bot.scheduling.progress import report_broadcasts
from bot.scheduling.question_reminders import remind_questions
from bot.scheduling.reminders import remind_meetings, remind_reports
from bot.scheduling.scheduler import JobGuard, build_scheduler
from bot.services.grants.export.making import makers as export_makers
from bot.services.grants.funding_rounds import seed_default_round
from bot.services.outreach.topic_files import import_missing_articles
from bot.services.people.regions import seed_regions
from bot.settings import Settings
from bot.turn import Turns
from conversations.commands import build_engine
from conversations.ports import Clock

log = logging.getLogger(__name__)
MENUS_EVERY_SECONDS = 60  # how soon a staff change made on the command line reaches the menus
# Rows a reminder scan hands the dispatcher at once; the others it takes in its own rounds.
SENT_AT_ONCE = 200


class App:
    def __init__(self, settings: Settings, *, clock: Clock | None = None) -> None:
        self.settings = settings
        self.clock = clock or SystemClock()
        self.database = Database(
            settings.database_url, hide_parameters=not settings.log_personal_data
        )
        self.catalogs = Catalogs(timezone=settings.timezone)
        self.engine = build_engine()
        self.dispatcher = Dispatcher(
            self.database,
            {},
            self.clock,
            catalogs=self.catalogs,
            default_locale=settings.default_locale,
        )
        self.dispatcher.carrier.makers.update(export_makers(tz=settings.tz))
        self.broadcast_queue = BroadcastQueue()
        self.turns = Turns(
            database=self.database,
            engine=self.engine,
            catalogs=self.catalogs,
            settings=settings,
            clock=self.clock,
            dispatcher=self.dispatcher,
            queueing=self.broadcast_queue.soon,
        )
        self.inbox = Inbox(
            database=self.database,
            turns=self.turns,
            dispatcher=self.dispatcher,
            clock=self.clock,
            flood=(
                FloodGuard(per_minute=settings.flood_per_minute, burst=settings.flood_burst)
                if settings.flood_per_minute
                else None
            ),
        )
        self.jobs = JobGuard(self.database.health)
        # Several processes on one PostgreSQL: the scheduled jobs run in the one holding this.
        self.lease = SchedulerLease(self.database, seconds=settings.scheduler_lease_seconds)
        self._scheduler_stopped = False
        self.alerts = Alerts(
            database=self.database,
            catalogs=self.catalogs,
            settings=settings,
            clock=self.clock,
            jobs=self.jobs,
            dispatcher=self.dispatcher,
        )
        self.command_menus: CommandMenus | None = None  # on Telegram only
        self.scheduler = build_scheduler(
            database=self.database,
            dispatcher=self.dispatcher,
            clock=self.clock,
            reminders=self.send_reminders,
            guard=self.jobs,
            queue=self.queue_broadcasts,
            retention=settings.retention,
            alerts=self.alerts.check,
            lease=self.lease,
        )
        self.health = Health(self.database)

    async def migrate(self) -> None:
        """Apply pending migrations and add the default data that is missing; a database that
        cannot be reached or written stops here with one line that names DATABASE_URL."""
        self.database.check_usable()
        try:
            async with migrate.one_at_a_time(self.database):
                await migrate.upgrade(self.database)
                async with self.database.transaction() as session:
                    await seed_defaults(session, now=self.clock.now(), tz=self.settings.tz)
        except Exception as error:
            raise DatabaseUnusable(
                f"DATABASE_URL: cannot use {self.database.health.url}: {describe(error)}"
            ) from error
        await self.database.check_writable()

    async def send_reminders(self) -> None:
        """The scheduler's reminder scan; what it queues is sent at once."""
        for remind in (remind_reports, remind_meetings, report_broadcasts, remind_questions):
            queued = await remind(
                database=self.database,
                catalogs=self.catalogs,
                settings=self.settings,
                clock=self.clock,
            )
            await self.dispatcher.send_now(queued[:SENT_AT_ONCE])

    async def queue_broadcasts(self) -> int:
        """The next batches of the announcements still being queued; returns the rows written."""
        return await self.broadcast_queue.tick(self.database)

    async def close(self) -> None:
        """Stop the inbox workers and the jobs (letting each finish its transaction), then the
        database."""
        await self.inbox.stop()
        self.dispatcher.stop()
        await self.jobs.drain()
        self.stop_scheduler()
        await self.lease.release()
        await self.database.dispose()

    async def start_scheduler(self) -> None:
        """The lease first (where several processes may share the database), so that the
        holder's first scans run at once."""
        await self.jobs.guarded(self.lease.renew)()
        self.scheduler.start()

    def stop_scheduler(self) -> None:
        """Once: APScheduler's asyncio scheduler stops at the loop's next turn, so `running`
        still says yes right after `shutdown`, and a second one would fail."""
        if self.scheduler.running and not self._scheduler_stopped:
            self._scheduler_stopped = True
            self.scheduler.shutdown(wait=False)

    async def run_console(self) -> None:
        channel = ConsoleChannel()
        self.dispatcher.add_channel(channel)
        await self.start_scheduler()
        await channel.repl(self.turns.handle)

    def telegram_channel(self) -> TelegramChannel:
        assert self.settings.telegram_token
        application = build_application(
            self.settings.telegram_token,
            self.settings.telegram_api_base_url,
            per_second=self.settings.telegram_per_second,
            group_per_minute=self.settings.telegram_group_per_minute,
        )
        channel = TelegramChannel(application)
        self.dispatcher.add_channel(channel)
        self.dispatcher.allowance(
            channel.name,
            per_second=self.settings.telegram_per_second,
            reply_share=self.settings.outbox_reply_share,
            per_chat_per_second=self.settings.telegram_per_chat_per_second,
        )
        return channel

    def signal_channel(self) -> SignalChannel:
        assert self.settings.signal_account and self.settings.signal_cli_url
        channel = SignalChannel(
            account=self.settings.signal_account,
            url=self.settings.signal_cli_url,
            choices=ShownChoicesStore(self.database, SIGNAL),
            clock=self.clock,
            spool=self.settings.signal_spool,
        )
        self.dispatcher.add_channel(channel)
        self.dispatcher.pace(SIGNAL, per_minute=self.settings.signal_per_minute)
        return channel

    async def run_channels(self, stop: asyncio.Event) -> None:
        """Every configured messenger in this process, until `stop`: Telegram (polling or a
        webhook) when a token is set, Signal when its daemon is configured."""
        telegram = self.telegram_channel() if self.settings.telegram_token else None
        signal_ = self.signal_channel() if self.settings.signal_account else None
        metrics = serve_metrics(self.settings, self.health, self.database, self.clock)
        try:
            if telegram is not None:
                await telegram.application.initialize()
                await self._publish_menus(telegram)
            await self.start_scheduler()
            freeze_startup_objects()
            # The workers start first: what waited in the inbox through a restart goes first.
            self.inbox.start()
            receiving: list[Coroutine[Any, Any, None]] = []
            if telegram is not None:
                log.info("Gemeinsam is running on Telegram as @%s", telegram.bot_username)
                receiving.append(
                    self.health.watch("telegram", self._receive_telegram(telegram, stop))
                )
            if signal_ is not None:
                log.info("Gemeinsam is running on Signal (signal-cli at %s)", signal_.url)
                receiving.append(self.health.watch(SIGNAL, signal_.listen(self.inbox, stop)))
            await _all_until_one_fails(receiving, stop)
        finally:
            if metrics is not None:
                await metrics.stop()
            await self.inbox.stop()
            self.dispatcher.stop()
            await self.jobs.drain()
            self.stop_scheduler()
            await self.lease.release()
            if telegram is not None:
                await telegram.close()
                await telegram.application.shutdown()
            if signal_ is not None:
                await signal_.close()

    async def _publish_menus(self, channel: TelegramChannel) -> None:
        menus = CommandMenus(
            channel=channel,
            database=self.database,
            catalogs=self.catalogs,
            engine=self.engine,
            settings=self.settings,
        )
        self.command_menus = menus
        await menus.publish()
        self.scheduler.add_job(
            self.jobs.guarded(self.lease.only_holder(menus.sync_staff), "command-menus"),
            "interval",
            seconds=MENUS_EVERY_SECONDS,
            id="command-menus",
        )

    async def _receive_telegram(self, channel: TelegramChannel, stop: asyncio.Event) -> None:
        token = self.settings.telegram_token
        assert token is not None
        if self.settings.webhook_url:
            await channel.serve_webhook(
                self.inbox,
                stop,
                url=self.settings.webhook_url,
                listen=self.settings.webhook_listen,
                port=self.settings.webhook_port,
                secret=hashlib.sha256(token.encode()).hexdigest()[:48],
            )
        else:
            await channel.poll(self.inbox, stop)


async def _all_until_one_fails(
    receiving: list[Coroutine[Any, Any, None]], stop: asyncio.Event
) -> None:
    """Run the channels side by side; one that fails (a token Telegram refuses) stops all."""
    tasks = [asyncio.create_task(coroutine) for coroutine in receiving]
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
        for task in done:
            if task.exception() is not None:
                stop.set()
                await asyncio.gather(*tasks, return_exceptions=True)
                task.result()
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def seed_defaults(session: AsyncSession, *, now: datetime, tz: ZoneInfo) -> None:
    """The five regions, the first funding round and the information topics, where missing
    (texts staff have updated since are left as they are)."""
    await seed_regions(session)
    await seed_default_round(session, now=now, tz=tz)
    await import_missing_articles(session, now=now)


def install_stop_signals(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)


async def run(settings: Settings, **_: Any) -> None:
    """`python -m bot run`: migrate, then Telegram and Signal where configured, else the
    console."""
    give_back_big_blocks()
    app = App(settings)
    try:
        await app.migrate()
        if settings.telegram_token or settings.signal_account:
            stop = asyncio.Event()
            install_stop_signals(stop)
            await app.run_channels(stop)
        else:
            await app.run_console()
    finally:
        await app.close()
