"""The command menus Telegram shows, per language and for staff chats."""

from __future__ import annotations

import logging
from typing import Any

from telegram import (
    BotCommand,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
)
from telegram.error import (
    TelegramError,
)
from telegram.ext import Application

from bot.channels.telegram.updates import NAME
from bot.logs import who

log = logging.getLogger(__name__)


class Menus:
    """Telegram's command menus."""

    application: Application[Any, Any, Any, Any, Any, Any]

    async def publish_menus(self, menus: dict[str, list[tuple[str, str]]], *, default: str) -> None:
        """The localized command menus for everyone. Only in private chats: in a group the bot
        answers only commands addressed to it by name."""
        bot = self.application.bot
        private = BotCommandScopeAllPrivateChats()
        try:
            await bot.set_my_commands(_commands(menus[default]), scope=private)
            for locale, entries in menus.items():
                await bot.set_my_commands(_commands(entries), scope=private, language_code=locale)
        except TelegramError as error:
            log.warning("command menus not published: %s", error)

    async def set_chat_menu(self, chat_id: int, entries: list[tuple[str, str]]) -> bool:
        """One chat's own menu (a staff member's); False when Telegram would not take it."""
        try:
            await self.application.bot.set_my_commands(
                _commands(entries), scope=BotCommandScopeChat(chat_id)
            )
        except TelegramError as error:  # e.g. a chat that never wrote to the bot
            log.info("no command menu for %s: %s", who(NAME, chat_id), error.message)
            return False
        return True

    async def remove_chat_menu(self, chat_id: int) -> None:
        """Back to the menu for everyone in this chat."""
        try:
            await self.application.bot.delete_my_commands(scope=BotCommandScopeChat(chat_id))
        except TelegramError as error:
            log.info("no command menu to remove for %s: %s", who(NAME, chat_id), error.message)


def _commands(entries: list[tuple[str, str]]) -> list[BotCommand]:
    return [BotCommand(name, description) for name, description in entries]
