"""Telegram's command menus: one per language for everyone in private chats, and one for each
staff member's chat in their language, kept in step with the stored roles while the bot runs
(staff added or removed on the command line, a language changed)."""

from __future__ import annotations

from sqlalchemy import or_, select

from bot.channels.telegram import TelegramChannel
from bot.db.models import AuditEntry, ChannelIdentity, User
from bot.db.session import Database
from bot.i18n import Catalogs
from bot.settings import Settings
from conversations.engine import Engine
from conversations.languages import LANGUAGE_CODES


class CommandMenus:
    def __init__(
        self,
        *,
        channel: TelegramChannel,
        database: Database,
        catalogs: Catalogs,
        engine: Engine,
        settings: Settings,
    ) -> None:
        self.channel = channel
        self.database = database
        self.catalogs = catalogs
        self.engine = engine
        self.settings = settings
        self._published: dict[int, str] = {}  # staff chat -> the language of the menu it has
        self._first_sync = True

    def menu(self, locale: str, *, staff: bool) -> list[tuple[str, str]]:
        _ = self.catalogs.translator(locale).gettext
        return [
            (command.name, _(command.description))
            for command in self.engine.commands.values()
            if command.listed and (staff or command.permission is None)
        ]

    async def publish(self) -> None:
        """At start: the menus for everyone, then every staff member's."""
        everyone = {locale: self.menu(locale, staff=False) for locale in LANGUAGE_CODES}
        await self.channel.publish_menus(everyone, default=self.settings.default_locale)
        await self.sync_staff()

    async def sync_staff(self) -> None:
        """Give staff chats the staff menu in their language and take it from who is staff no
        more; only what changed since the last time costs a request."""
        wanted, former = await self._staff_chats()
        for chat, locale in wanted.items():
            if self._published.get(chat) != locale and await self.channel.set_chat_menu(
                chat, self.menu(locale, staff=True)
            ):
                self._published[chat] = locale
        gone = set(self._published) - set(wanted)
        if self._first_sync:  # what an earlier run published is not known here
            gone |= former - set(wanted)
            self._first_sync = False
        for chat in gone:
            await self.channel.remove_chat_menu(chat)
            self._published.pop(chat, None)

    async def _staff_chats(self) -> tuple[dict[int, str], set[int]]:
        """Staff chats with their language (only staff who have written to the bot: Telegram
        knows no chat with anyone else), and the chats of people removed from staff."""
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
            wanted = {int(chat): locale for chat, locale in rows if _chat_id(chat)}
            removed = await session.scalars(
                select(AuditEntry.subject).where(AuditEntry.action == "staff.remove").distinct()
            )
            former = {
                int(chat)
                for chat in (subject.removeprefix("telegram:") for subject in removed if subject)
                if _chat_id(chat)
            }
        return wanted, former


def _chat_id(text: str) -> bool:
    return text.lstrip("-").isdigit()
