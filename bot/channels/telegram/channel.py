"""Telegram through python-telegram-bot: updates become inbox entries, `Reply` becomes HTML.

The channel fetches updates itself (long polling with PTB's `Bot`, or a webhook server) and
confirms them to Telegram only once the inbox has committed them; PTB parses the updates and
sends through its `Bot` with the AIORateLimiter (without its own retries: flood control is the
outbox's job).
"""

from __future__ import annotations

import asyncio
import importlib.util
import sys
from typing import Any

from telegram.ext import AIORateLimiter, Application

from bot.channels.telegram.menus import Menus
from bot.channels.telegram.sending import Sending
from bot.channels.telegram.updates import NAME, POLL_TIMEOUT_SECONDS, Updates

# httpcore imports sniffio (optional) a few times for every request to learn which async library
# runs; where it is not installed, each of those imports searched the whole sys.path again (a
# twentieth of the bot's CPU per message). Known missing, it is not searched for again.
if importlib.util.find_spec("sniffio") is None:
    sys.modules.setdefault("sniffio", None)  # type: ignore[arg-type]


def file_url_for(base_url: str) -> str:
    """The Bot API file URL that belongs to a `…/bot` base URL."""
    return base_url[: -len("bot")] + "file/bot" if base_url.endswith("/bot") else base_url


def build_application(
    token: str,
    base_url: str | None = None,
    *,
    per_second: float = 30,
    group_per_minute: float = 20,
) -> Application[Any, Any, Any, Any, Any, Any]:
    """The bot, its HTTP clients and the rate limiter (without its own retries: flood control is
    the outbox's job, and the outbox keeps below the limits, so this one is a safety net).
    Updates are fetched by the channel itself, which confirms them only once the inbox holds
    them, so the application has no updater."""
    limiter = AIORateLimiter(
        overall_max_rate=per_second,
        overall_time_period=1,
        group_max_rate=group_per_minute,
        group_time_period=60,
        max_retries=0,
    )
    builder = Application.builder().token(token).rate_limiter(limiter)
    builder = builder.updater(None).get_updates_read_timeout(POLL_TIMEOUT_SECONDS + 5)
    if base_url:
        builder = builder.base_url(base_url).base_file_url(file_url_for(base_url))
    return builder.build()


class TelegramChannel(Updates, Sending, Menus):
    name = NAME

    def __init__(self, application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        self.application = application
        self._acknowledging: set[asyncio.Task[None]] = set()
