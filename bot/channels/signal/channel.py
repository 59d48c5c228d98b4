"""Signal through a signal-cli daemon in HTTP mode: JSON-RPC 2.0 calls at `/api/v1/rpc`, incoming
messages as server-sent events at `/api/v1/events`.

The daemon runs with `--receive-mode on-connection`, so that what people send while the bot is
not connected waits on Signal's server. The daemon hands an event over once: each is stored in the
inbox before the stream is read on, and while the database cannot take them, events go to a spool
file in order, so that even a process killed meanwhile loses nothing.
Signal has no buttons: choices are numbered lines (see `numbered`), bold and italics are
signal-cli's text styles, files go as attachments.
"""

from __future__ import annotations

import asyncio
import base64
import logging
from pathlib import Path
from typing import Any

import httpx
from httpx_sse import SSEError, aconnect_sse

from bot.channels.base import (
    InboxEntry,
    Receiver,
    TemporaryFailure,
)
from bot.channels.numbered import ShownChoicesStore, choice_lines, shown_by
from bot.channels.signal.daemon import (
    CALL_TIMEOUT,
    DaemonUnavailable,
    SignalDaemon,
    SignalError,
    data_uri,
    delivery_error,
)
from bot.channels.signal.envelopes import GROUP_PREFIX, NAME, Envelopes, event_of
from bot.channels.signal.text import join, split, styled
from bot.channels.spool import Spool
from bot.channels.stopping import stopped_within, unless_stopped
from bot.logs import who
from conversations.messages import Attachment, Reply
from conversations.ports import Clock

log = logging.getLogger(__name__)


KEEPALIVE_TIMEOUT = 60.0  # the daemon writes a keep-alive every 15 s: silence means it is gone
MAX_PAUSE_SECONDS = 60.0


class SignalChannel:
    name = NAME

    @property
    def private_link(self) -> str:
        return self.envelopes.private_link

    async def close(self) -> None:
        await self.daemon.close()

    async def call(self, method: str, params: dict[str, Any] | None = None) -> Any:
        return await self.daemon.call(method, params)

    async def entries(self, event: dict[str, Any]) -> list[InboxEntry]:
        return await self.envelopes.entries(event)

    def __init__(
        self,
        *,
        account: str,
        url: str,
        choices: ShownChoicesStore,
        clock: Clock,
        spool: Path = Path("data/signal-spool.jsonl"),
    ) -> None:
        self.account = account
        self.url = url
        self.choices = choices
        self.clock = clock
        self.daemon = SignalDaemon(url)
        self.client = self.daemon.client
        self.envelopes = Envelopes(account=account, choices=choices, clock=clock)
        self._connected: bool | None = None  # None: not tried yet
        self._pause = 1.0  # before the next try to reconnect; from 1 s after each connection
        self.spool = Spool(spool)
        self._wake = asyncio.Event()  # something waits in the spool

    async def listen(self, receiver: Receiver, stop: asyncio.Event) -> None:
        """Read the daemon's events until `stop`; reconnect with growing pauses when it goes
        away, with one log line when it goes and one when it is back."""
        self.spool.load()
        self._wake.set()
        draining = asyncio.create_task(self._drain(receiver, stop))
        try:
            while not stop.is_set():
                try:
                    await self._read_events(receiver, stop)
                except (httpx.HTTPError, SSEError, DaemonUnavailable) as error:
                    self._went_away(error)
                if stop.is_set() or await stopped_within(stop, self._pause):
                    return
                self._pause = min(self._pause * 2, MAX_PAUSE_SECONDS)
        finally:
            self._wake.set()
            await draining

    async def _read_events(self, receiver: Receiver, stop: asyncio.Event) -> None:
        timeout = httpx.Timeout(CALL_TIMEOUT.connect, read=KEEPALIVE_TIMEOUT)
        async with aconnect_sse(self.client, "GET", "/api/v1/events", timeout=timeout) as source:
            if source.response.status_code != 200:
                raise DaemonUnavailable(f"HTTP {source.response.status_code} for the events")
            self._came_back()
            events = source.aiter_sse()
            while True:
                event = await unless_stopped(anext(events, None), stop)
                if event is None:
                    if not stop.is_set():
                        raise DaemonUnavailable("the daemon closed the event stream")
                    return
                if event.event == "receive" and event.data:
                    await self._take(event.data, receiver)

    def _came_back(self) -> None:
        if self._connected is not True:
            log.info("Signal: connected to the signal-cli daemon at %s", self.url)
        self._connected = True
        self._pause = 1.0

    def _went_away(self, error: BaseException) -> None:
        if self._connected is not False:
            log.warning(
                "Signal: the signal-cli daemon at %s cannot be reached (%s); trying again",
                self.url,
                error,
            )
        self._connected = False

    async def _take(self, data: str, receiver: Receiver) -> None:
        """Store one event in the inbox before the next is read. While the database cannot
        take it, it and every event after it go to the spool, in order, and the stream is read
        on: the daemon forgets what it has handed over, so nothing may wait in memory only."""
        entries: list[InboxEntry] | None = None
        if not self.spool:
            try:
                entries = receiver.admit(await self.entries(event_of(data)))
                await receiver.store(entries)
                return
            except Exception as error:
                receiver.pause_after(error)
        self.spool.keep(data, entries)
        self._wake.set()

    async def _drain(self, receiver: Receiver, stop: asyncio.Event) -> None:
        """Store what waits in the spool, in order, as soon as the database takes it."""
        while not stop.is_set():
            if not self.spool:
                self._wake.clear()
                await unless_stopped(self._wake.wait(), stop)
                continue
            data, entries = self.spool.first()
            try:
                if entries is None:
                    entries = receiver.admit(await self.entries(event_of(data)))
                    self.spool.admitted(entries)
                await receiver.store(entries)
            except Exception as error:
                if await stopped_within(stop, receiver.pause_after(error)):
                    return
                continue
            self.spool.drop_first()

    async def send(self, address: str, reply: Reply, *, skip_parts: int = 0) -> str | None:
        """The reply as one or more messages: its text with styles and the choices as lines,
        split where Signal would fold it away; a file goes with the last part."""
        body = join(styled(reply.text), "\n".join(choice_lines(reply)))
        parts = split(body) if body.text.strip() else []
        attachments = await self._attachments(reply)
        target: dict[str, Any] = (
            {"groupId": address.removeprefix(GROUP_PREFIX)}
            if address.startswith(GROUP_PREFIX)
            else {"recipient": [address]}
        )
        if reply.edit_of is not None and parts:
            await self._send(
                {
                    **target,
                    "message": parts[0].text,
                    "textStyle": parts[0].text_styles(),
                    "editTimestamp": int(reply.edit_of),
                },
                sent=0,
            )
            return reply.edit_of
        messages = [
            {**target, "message": part.text, "textStyle": part.text_styles()} for part in parts
        ] or [dict(target)]
        if attachments:
            messages[-1]["attachments"] = attachments
        timestamp: str | None = None
        for index, message in enumerate(messages):
            if index < skip_parts:
                continue
            if reply.silent:
                message["noUrgent"] = True
            if not message.get("textStyle"):
                message.pop("textStyle", None)
            result = await self._send(message, sent=index - skip_parts)
            stamp = result.get("timestamp") if isinstance(result, dict) else None
            timestamp = str(stamp) if stamp is not None else timestamp
        shown = shown_by(reply)
        if shown is not None and not address.startswith(GROUP_PREFIX):
            try:
                await self.choices.remember(address, shown, now=self.clock.now())
            except Exception as error:  # sent is sent: a list not kept only costs a hint
                log.warning(
                    "Signal: the choices shown to %s were not kept: %s", who(NAME, address), error
                )
        return timestamp

    async def _send(self, params: dict[str, Any], *, sent: int) -> Any:
        """One `send`, with signal-cli's failures as the outbox knows them."""
        try:
            return await self.call("send", params)
        except DaemonUnavailable as error:
            raise TemporaryFailure(str(error), parts_sent=sent) from error
        except SignalError as error:
            raise delivery_error(error, sent) from error

    async def _attachments(self, reply: Reply) -> list[str]:
        """Files as data URIs: the bot's own, or one a person sent (a receipt, sent on)."""
        files: list[str] = []
        if reply.forward is not None:
            try:
                content = await self.fetch(reply.forward)
            except (SignalError, DaemonUnavailable, ValueError) as error:
                raise TemporaryFailure(f"file {reply.forward.file_ref}: {error}") from error
            files.append(
                data_uri(
                    content,
                    reply.forward.mime_type or "application/octet-stream",
                    reply.forward.name,
                )
            )
        if reply.document is not None:
            document = reply.document
            files.append(data_uri(document.content, document.mime_type, document.name))
        return files

    async def fetch(self, attachment: Attachment) -> bytes:
        """A file a person sent, from the daemon (which downloaded it when it arrived)."""
        sender, _, attachment_id = attachment.file_ref.rpartition("/")
        result = await self.call("getAttachment", {"id": attachment_id, "recipient": sender})
        data = result.get("data") if isinstance(result, dict) else None
        if not isinstance(data, str):
            raise ValueError(f"no data for attachment {attachment_id}")
        return base64.b64decode(data)
