"""What a turn says about a message rather than in answer to it: the apology for a turn that
failed, the note to someone who floods, the pointer from a group chat to the private one; and
the record of the updates handled, so that one redelivered is answered once."""

from __future__ import annotations

import html
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import cast

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import ProcessedUpdate
from bot.delivery import enqueue
from bot.i18n import Catalogs
from bot.services.people import users
from bot.settings import Settings
from conversations.languages import match_language
from conversations.messages import Inbound, Reply

# Each update key once: a redelivered update finds its key and is not handled again.
_PROCESSED = cast(Table, ProcessedUpdate.__table__)
_RECORD_KEY = {
    "postgresql": postgresql.insert(_PROCESSED).on_conflict_do_nothing(index_elements=["key"]),
    "sqlite": sqlite.insert(_PROCESSED).on_conflict_do_nothing(index_elements=["key"]),
}


class Notices:
    """The part of `Turns` that speaks about messages; its caller's transaction."""

    settings: Settings
    catalogs: Catalogs

    async def apology(self, session: AsyncSession, inbound: Inbound, *, now: datetime) -> list[int]:
        """Tell the person that their message failed, in their language."""
        return await self._notice(
            session,
            inbound,
            lambda _: _(
                "Sorry, something went wrong on my side. Please try again; "
                "your earlier answers are kept."
            ),
            key=f"apology:{inbound.update_key or uuid.uuid4()}",
            now=now,
        )

    async def flood_note(
        self, session: AsyncSession, inbound: Inbound, *, now: datetime
    ) -> list[int]:
        """The one note to someone who writes faster than the bot reads."""
        return await self._notice(
            session,
            inbound,
            lambda _: _(
                "You are writing faster than I can read. I will answer again in a minute; "
                "please send your last message again then."
            ),
            key=f"reply:{inbound.update_key}:0",
            now=now,
        )

    async def _notice(
        self,
        session: AsyncSession,
        inbound: Inbound,
        text: Callable[[Callable[[str], str]], str],
        *,
        key: str,
        now: datetime,
    ) -> list[int]:
        """A message about the person's message rather than an answer to it, in their language
        (their app's, if they are not known yet)."""
        user = await users.find(session, channel=inbound.channel, external_id=inbound.external_id)
        locale = (
            user.locale
            if user
            else match_language(inbound.language_code, self.settings.default_locale)
        )
        row = await enqueue(
            session,
            channel=inbound.channel,
            address=inbound.external_id,
            reply=Reply(text(self.catalogs.translator(locale).gettext)),
            dedup_key=key,
            now=now,
            user_id=user.id if user else None,
        )
        return [row] if row is not None else []

    async def answer_group(
        self,
        session: AsyncSession,
        inbound: Inbound,
        *,
        bot_username: str,
        bot_link: str | None = None,
        now: datetime,
    ) -> list[int]:
        """A command in a group chat: point to the private chat, where conversations happen."""
        locale = match_language(inbound.language_code, self.settings.default_locale)
        _ = self.catalogs.translator(locale).gettext
        if bot_link is None:  # Telegram's
            bot_link, bot_username = f"https://t.me/{bot_username}", f"@{bot_username}"
        text = _("I work in private chats only. Please write to me directly: {link}").format(
            link=f'<a href="{html.escape(bot_link)}">{html.escape(bot_username)}</a>'
        )
        if inbound.update_key and not await first_time(session, inbound.update_key, now):
            return []
        row_id = await enqueue(
            session,
            channel=inbound.channel,
            address=inbound.external_id,
            reply=Reply(text=text),
            dedup_key=f"reply:{inbound.update_key}:0",
            now=now,
        )
        return [row_id] if row_id else []


async def first_time(session: AsyncSession, key: str, now: datetime) -> bool:
    """Record the update key; False if it was recorded before (a redelivered update)."""
    dialect = session.get_bind().dialect.name
    result = await session.execute(_RECORD_KEY[dialect], {"key": key, "processed_at": now})
    return bool(result.rowcount)  # type: ignore[attr-defined]
