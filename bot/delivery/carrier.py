"""What a row carries without holding it: a file another channel holds (a receipt sent over
Signal, shown to staff on Telegram) goes as a copy of its bytes; a file made when it is sent (an
export) is made then, in a transaction that only reads, so that no outbox row holds megabytes
and no turn waits for the file. Files made in one pass (an export's workbook and CSV) are made
when the first of them is sent; the others wait here for their own rows, a short while."""

from __future__ import annotations

import mimetypes
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace

from sqlalchemy.ext.asyncio import AsyncSession

from bot.channels.base import Channel, Rejected, TemporaryFailure
from bot.db.session import Database
from bot.i18n import Catalogs
from bot.memory import give_back_freed
from conversations.messages import Document, Reply
from conversations.ports import Translator

# What makes a `MadeDocument`'s bytes, from a session that only reads, in the reader's language:
# by maker, its own and those of the documents made in the same pass.
Maker = Callable[[AsyncSession, Translator], Awaitable[Mapping[str, bytes]]]
# How long a file made with another one waits for its row (sent right after, in order per chat);
# one whose row comes later (it failed, the bot restarted) is made again.
KEPT_SECONDS = 60.0


class Carrier:
    def __init__(
        self, database: Database, channels: Mapping[str, Channel], catalogs: Catalogs
    ) -> None:
        self.database = database
        self.channels = channels  # the dispatcher's, as channels are added
        self.catalogs = catalogs
        self.makers: dict[str, Maker] = {}  # by `MadeDocument.maker`
        # Files made with another one, by maker and language, with when they were made.
        self._kept: dict[tuple[str, str], tuple[float, bytes]] = {}

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

    def sent(self) -> None:
        """A made file went out: once none waits here for its row, the memory of the files goes
        back (the HTTP client's request and response hold a file's bytes in reference cycles,
        until a full collection: measured, +21 MiB after /export of 10,000 applications)."""
        if not self._kept:
            give_back_freed()

    async def _made(self, reply: Reply) -> Reply:
        made = reply.made
        assert made is not None
        maker = self.makers.get(made.maker)
        if maker is None:
            raise Rejected(f"nothing here makes {made.maker}")
        now = time.monotonic()
        self._kept = {key: kept for key, kept in self._kept.items() if kept[0] > now - KEPT_SECONDS}
        kept = self._kept.pop((made.maker, made.locale), None)
        if kept is not None:
            content = kept[1]
        else:
            async with self.database.reading() as session:
                files = await maker(session, self.catalogs.translator(made.locale))
            content = files[made.maker]
            now = time.monotonic()
            for key, other in files.items():
                if key != made.maker:
                    self._kept[key, made.locale] = (now, other)
        return replace(reply, made=None, document=Document(made.name, made.mime_type, content))
