"""What a row carries without holding it: a file another channel holds (a receipt sent over
Signal, shown to staff on Telegram) goes as a copy of its bytes; a file made when it is sent (an
export) is made then, in a transaction that only reads, so that no outbox row holds megabytes
and no turn waits for the file."""

from __future__ import annotations

import mimetypes
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace

from sqlalchemy.ext.asyncio import AsyncSession

from bot.channels.base import Channel, Rejected, TemporaryFailure
from bot.db.session import Database
from bot.i18n import Catalogs
from conversations.messages import Document, Reply
from conversations.ports import Translator

# What makes a `MadeDocument`'s bytes, from a session that only reads, in the reader's language.
Maker = Callable[[AsyncSession, Translator], Awaitable[bytes]]


class Carrier:
    def __init__(
        self, database: Database, channels: Mapping[str, Channel], catalogs: Catalogs
    ) -> None:
        self.database = database
        self.channels = channels  # the dispatcher's, as channels are added
        self.catalogs = catalogs
        self.makers: dict[str, Maker] = {}  # by `MadeDocument.maker`

    async def carried(self, channel: str, reply: Reply) -> Reply:
        """The reply as `channel` sends it, with the bytes of its file."""
        if reply.made is not None:
            return await self._made(reply)
        held = reply.forward
        if held is None or held.channel in (None, channel):
            return reply
        source = self.channels.get(held.channel)
        if source is None:
            raise Rejected(f"the file is held by {held.channel}, which does not run here")
        try:
            content = await source.fetch(held)
        except Exception as error:
            raise TemporaryFailure(f"the file from {held.channel}: {error!r}") from error
        mime_type = held.mime_type or "application/octet-stream"
        name = held.name or "file" + (mimetypes.guess_extension(mime_type) or "")
        return replace(reply, forward=None, document=Document(name, mime_type, content))

    async def _made(self, reply: Reply) -> Reply:
        made = reply.made
        assert made is not None
        maker = self.makers.get(made.maker)
        if maker is None:
            raise Rejected(f"nothing here makes {made.maker}")
        async with self.database.reading() as session:
            content = await maker(session, self.catalogs.translator(made.locale))
        return replace(reply, made=None, document=Document(made.name, made.mime_type, content))
