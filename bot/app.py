"""Wiring: settings → database → services → channels → scheduler. Everything starts here."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import signal
from datetime import datetime
from typing import Any
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.channels.console import ConsoleChannel
from bot.channels.telegram import TelegramChannel, build_application
from bot.clock import SystemClock
from bot.db import migrate
from bot.db.models import AuditEntry, ChannelIdentity, User
from bot.db.session import Database
from bot.delivery import Dispatcher
from bot.i18n import Catalogs
from bot.scheduling.progress import report_broadcasts
from bot.scheduling.reminders import remind_meetings, remind_reports
from bot.scheduling.scheduler import JobGuard, build_scheduler
from bot.services.funding_rounds import seed_default_round
from bot.services.info import import_missing_articles
from bot.services.regions import seed_regions
from bot.settings import Settings
from bot.turn import Turns
from conversations.commands import build_engine
from conversations.languages import LANGUAGE_CODES
from conversations.ports import Clock

log = logging.getLogger(__name__)


class App:
    def __init__(self, settings: Settings, *, clock: Clock | None = None) -> None:
        self.settings = settings
        self.clock = clock or SystemClock()
        self.database = Database(settings.database_url)
        self.catalogs = Catalogs(timezone=settings.timezone)
        self.engine = build_engine()
        self.dispatcher = Dispatcher(self.database, {}, self.clock)
        self.turns = Turns(
            database=self.database,
            engine=self.engine,
            catalogs=self.catalogs,
            settings=settings,
            clock=self.clock,
            dispatcher=self.dispatcher,
        )
        self.jobs = JobGuard()
        self.scheduler = build_scheduler(
            database=self.database,
            dispatcher=self.dispatcher,
            clock=self.clock,
            reminders=self.send_reminders,
            guard=self.jobs,
        )

    async def migrate(self) -> None:
        """Apply pending migrations and add the default data that is missing."""
        await migrate.upgrade(self.database)
        async with self.database.transaction() as session:
            await seed_defaults(session, now=self.clock.now(), tz=self.settings.tz)

    async def send_reminders(self) -> None:
        """The scheduler's reminder scan; what it queues is sent at once."""
        for remind in (remind_reports, remind_meetings, report_broadcasts):
            queued = await remind(
                database=self.database,
                catalogs=self.catalogs,
                settings=self.settings,
                clock=self.clock,
            )
            await self.dispatcher.send_now(queued)

    async def close(self) -> None:
        """Stop the jobs (letting a running one finish its transaction), then the database."""
        await self.jobs.drain()
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        await self.database.dispose()

    async def run_console(self) -> None:
        channel = ConsoleChannel()
        self.dispatcher.add_channel(channel)
        self.scheduler.start()
        await channel.repl(self.turns.handle)

    def telegram_channel(self) -> TelegramChannel:
        assert self.settings.telegram_token
        application = build_application(
            self.settings.telegram_token, self.settings.telegram_api_base_url
        )
        channel = TelegramChannel(
            application, on_inbound=self.turns.handle, on_group_command=self.turns.answer_group
        )
        self.dispatcher.add_channel(channel)
        return channel

    async def run_telegram(self, stop: asyncio.Event) -> None:
        token = self.settings.telegram_token
        assert token is not None
        channel = self.telegram_channel()
        application = channel.application
        await application.initialize()
        try:
            await self.publish_commands(channel)
            self.scheduler.start()
            await application.start()
            updater = application.updater
            assert updater is not None
            allowed = ["message", "callback_query"]
            if self.settings.webhook_url:
                path = urlparse(self.settings.webhook_url).path.strip("/")
                secret = hashlib.sha256(token.encode()).hexdigest()[:48]
                await updater.start_webhook(
                    listen=self.settings.webhook_listen,
                    port=self.settings.webhook_port,
                    url_path=path,
                    webhook_url=self.settings.webhook_url,
                    secret_token=secret,
                    allowed_updates=allowed,
                    bootstrap_retries=5,
                )
            else:
                await updater.start_polling(
                    allowed_updates=allowed, bootstrap_retries=5, timeout=25
                )
            log.info("Gemeinsam is running on Telegram as @%s", channel.bot_username)
            await stop.wait()
            await updater.stop()
            await application.stop()
        finally:
            await self.jobs.drain()
            if self.scheduler.running:
                self.scheduler.shutdown(wait=False)
            await application.shutdown()

    async def publish_commands(self, channel: TelegramChannel) -> None:
        everyone = {locale: self._command_menu(locale, staff=False) for locale in LANGUAGE_CODES}
        staff = {locale: self._command_menu(locale, staff=True) for locale in LANGUAGE_CODES}
        # Only for staff who have written to the bot: Telegram knows no chat with anyone else.
        admins = [a.split(":", 1)[1] for a in self.settings.admins if a.startswith("telegram:")]
        async with self.database.transaction() as session:
            rows = await session.execute(
                select(ChannelIdentity.external_id, User.locale)
                .join(User)
                .where(
                    ChannelIdentity.channel == "telegram",
                    User.consented_at.is_not(None),
                    or_(User.is_staff.is_(True), ChannelIdentity.external_id.in_(admins)),
                )
            )
            staff_chats = [(int(chat), locale) for chat, locale in rows]
            # Who was staff once and is not now gets the menu for everyone back.
            removed = await session.scalars(
                select(AuditEntry.subject).where(AuditEntry.action == "staff.remove").distinct()
            )
            current = {str(chat) for chat, _locale in staff_chats} | set(admins)
            chats = (subject.removeprefix("telegram:") for subject in removed if subject)
            former_staff_chats = [
                int(chat) for chat in chats if chat.lstrip("-").isdigit() and chat not in current
            ]
        await channel.publish_commands(
            everyone,
            default=self.settings.default_locale,
            staff_menus=staff,
            staff_chats=staff_chats,
            former_staff_chats=former_staff_chats,
        )

    def _command_menu(self, locale: str, *, staff: bool) -> list[tuple[str, str]]:
        _ = self.catalogs.translator(locale).gettext
        return [
            (command.name, _(command.description))
            for command in self.engine.commands.values()
            if command.listed and (staff or command.permission is None)
        ]


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
    """`python -m bot run`: migrate, then Telegram when a token is set, else the console."""
    app = App(settings)
    try:
        await app.migrate()
        if settings.telegram_token:
            stop = asyncio.Event()
            install_stop_signals(stop)
            await app.run_telegram(stop)
        else:
            await app.run_console()
    finally:
        await app.close()
