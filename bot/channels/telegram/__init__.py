"""Telegram through python-telegram-bot: the channel (`channel`), its updates (`updates`), its
replies (`sending`) and its command menus (`menus`)."""

from bot.channels.telegram.channel import TelegramChannel, build_application, file_url_for
from bot.channels.telegram.updates import NAME

__all__ = ["NAME", "TelegramChannel", "build_application", "file_url_for"]
