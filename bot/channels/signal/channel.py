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
import contextlib
import itertools
import json
import logging
from collections.abc import Awaitable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import httpx
from httpx_sse import SSEError, aconnect_sse

from bot.channels.base import (
    GROUP,
    InboxEntry,
    Receiver,
    Rejected,
    RetryLater,
    TemporaryFailure,
    Unreachable,
)
from bot.channels.numbered import ShownChoicesStore, choice_lines, read_line, shown_by
from bot.channels.signal_text import join, split, styled
from bot.channels.spool import Spool
from conversations.messages import Attachment, Inbound, InboundKind, Reply
from conversations.ports import Clock

log = logging.getLogger(__name__)

NAME = "signal"
GROUP_PREFIX = "group:"  # an address that is a Signal group, by its id
CALL_TIMEOUT = httpx.Timeout(60.0, connect=5.0)  # a send with attachments can take a while
KEEPALIVE_TIMEOUT = 60.0  # the daemon writes a keep-alive every 15 s: silence means it is gone
MAX_PAUSE_SECONDS = 60.0
DEFAULT_RETRY_SECONDS = 60.0  # a rate limit without a time to wait

# signal-cli's own JSON-RPC error codes (SignalJsonRpcCommandHandler), and JSON-RPC's.
USER_ERROR, IO_ERROR, UNTRUSTED_KEY, RATE_LIMITED, CAPTCHA_REJECTED = -1, -3, -4, -5, -6
INVALID_REQUEST, INVALID_PARAMS, INTERNAL_ERROR = -32600, -32602, -32603


class SignalError(Exception):
    """A JSON-RPC error object from the daemon."""

    def __init__(self, code: int, message: str, data: Any = None) -> None:
        super().__init__(f"{message} ({code})")
        self.code, self.message, self.data = code, message, data

    def results(self) -> list[dict[str, Any]]:
        """The per-recipient results of a send that failed for every recipient."""
        response = self.data.get("response") if isinstance(self.data, dict) else None
        results = response.get("results") if isinstance(response, dict) else None
        return [r for r in results or [] if isinstance(r, dict)]


class DaemonUnavailable(Exception):
    """The daemon could not be reached, or answered with something that is not JSON-RPC."""


class SignalChannel:
    name = NAME

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
        self.client = httpx.AsyncClient(base_url=url, timeout=CALL_TIMEOUT)
        self._ids = itertools.count(1)
        self._connected: bool | None = None  # None: not tried yet
        self._pause = 1.0  # before the next try to reconnect; from 1 s after each connection
        self.spool = Spool(spool)
        self._wake = asyncio.Event()  # something waits in the spool

    @property
    def private_link(self) -> str:
        """Where a person starts a private chat with the bot."""
        return f"https://signal.me/#p/{self.account}"

    async def close(self) -> None:
        await self.client.aclose()

    # --- JSON-RPC ------------------------------------------------------------------------

    async def call(self, method: str, params: dict[str, Any] | None = None) -> Any:
        """One JSON-RPC call; its result, or SignalError with the daemon's error object."""
        request: dict[str, Any] = {"jsonrpc": "2.0", "method": method, "id": next(self._ids)}
        if params:
            request["params"] = params
        try:
            response = await self.client.post("/api/v1/rpc", json=request)
        except httpx.HTTPError as error:
            raise DaemonUnavailable(f"{type(error).__name__}: {error}") from error
        if response.status_code != 200:
            raise DaemonUnavailable(f"HTTP {response.status_code} from {self.url}")
        try:
            answer = response.json()
        except ValueError as error:
            raise DaemonUnavailable(f"not JSON from {self.url}") from error
        if not isinstance(answer, dict):
            raise DaemonUnavailable(f"not a JSON-RPC answer from {self.url}")
        failure = answer.get("error")
        if isinstance(failure, dict):
            raise SignalError(
                int(failure.get("code", INTERNAL_ERROR)),
                str(failure.get("message", "")),
                failure.get("data"),
            )
        return answer.get("result")

    async def check(self) -> bool:
        """The daemon answers (`GET /api/v1/check`)."""
        try:
            response = await self.client.get("/api/v1/check", timeout=5)
        except httpx.HTTPError:
            return False
        return response.status_code == 200

    # --- inbound -------------------------------------------------------------------------

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
                if stop.is_set() or await _stopped_within(stop, self._pause):
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
                event = await _unless_stopped(anext(events, None), stop)
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
                entries = receiver.admit(await self.entries(_event(data)))
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
                await _unless_stopped(self._wake.wait(), stop)
                continue
            data, entries = self.spool.first()
            try:
                if entries is None:
                    entries = receiver.admit(await self.entries(_event(data)))
                    self.spool.admitted(entries)
                await receiver.store(entries)
            except Exception as error:
                if await _stopped_within(stop, receiver.pause_after(error)):
                    return
                continue
            self.spool.drop_first()

    async def entries(self, event: dict[str, Any]) -> list[InboxEntry]:
        """What the inbox keeps of an event: a person's message; not receipts, typing
        notices, sync messages, reactions or the bot's own messages."""
        envelope = event.get("envelope") if isinstance(event, dict) else None
        message = envelope.get("dataMessage") if isinstance(envelope, dict) else None
        if not isinstance(envelope, dict) or not isinstance(message, dict):
            return []
        number = _text(envelope.get("sourceNumber"))
        sender = _text(envelope.get("sourceUuid")) or number or _text(envelope.get("source"))
        if not sender or self.account in (sender, number):
            return []
        sent_at = message.get("timestamp") or envelope.get("timestamp")
        key = f"{NAME}:{sender}:{sent_at}"
        group = message.get("groupInfo")
        if isinstance(group, dict) and _text(group.get("groupId")):
            return self._group_entry(str(group["groupId"]), sent_at)
        text = _text(message.get("message")) or ""
        name = _text(envelope.get("sourceName"))
        alias = number if number and number != sender else None
        attachments = [a for a in message.get("attachments") or [] if isinstance(a, dict)]
        if attachments:
            return [
                InboxEntry(
                    Inbound(
                        channel=NAME,
                        external_id=sender,
                        kind=_kind(attachment),
                        update_key=f"{key}:{index}",
                        text=text if index == 0 else "",
                        attachment=_attachment(sender, attachment),
                        display_name=name,
                        numbered=True,
                        alias=alias,
                    )
                )
                for index, attachment in enumerate(attachments)
            ]
        if not text:
            if message.get("sticker"):
                kind = InboundKind.STICKER
            elif message.get("contacts"):
                kind = InboundKind.CONTACT
            else:  # a reaction, a deleted message, a poll: nothing to answer
                return []
            inbound = Inbound(
                NAME, sender, kind, update_key=key, display_name=name, numbered=True, alias=alias
            )
            return [InboxEntry(inbound)]
        shown = await self.choices.recall(sender)
        inbound = read_line(NAME, sender, text, shown, update_key=key, display_name=name)
        return [InboxEntry(replace(inbound, alias=alias))]

    def _group_entry(self, group_id: str, sent_at: object) -> list[InboxEntry]:
        """A message in a group: one short note a day per group, pointing to a private chat."""
        try:
            day = datetime.fromtimestamp(int(str(sent_at)) / 1000, UTC).date()
        except (TypeError, ValueError, OverflowError, OSError):
            day = self.clock.now().date()
        inbound = Inbound(
            channel=NAME,
            external_id=GROUP_PREFIX + group_id,
            kind=InboundKind.COMMAND,
            update_key=f"{NAME}:group:{group_id}:{day.isoformat()}",
            command="start",
        )
        return [InboxEntry(inbound, GROUP, bot_username=self.account, bot_link=self.private_link)]

    # --- outbound ------------------------------------------------------------------------

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
                log.warning("Signal: the choices shown to %s were not kept: %s", address, error)
        return timestamp

    async def _send(self, params: dict[str, Any], *, sent: int) -> Any:
        """One `send`, with signal-cli's failures as the outbox knows them."""
        try:
            return await self.call("send", params)
        except DaemonUnavailable as error:
            raise TemporaryFailure(str(error), parts_sent=sent) from error
        except SignalError as error:
            raise _delivery_error(error, sent) from error

    async def _attachments(self, reply: Reply) -> list[str]:
        """Files as data URIs: the bot's own, or one a person sent (a receipt, sent on)."""
        files: list[str] = []
        if reply.forward is not None:
            try:
                content = await self.fetch(reply.forward)
            except (SignalError, DaemonUnavailable, ValueError) as error:
                raise TemporaryFailure(f"file {reply.forward.file_ref}: {error}") from error
            files.append(
                _data_uri(
                    content,
                    reply.forward.mime_type or "application/octet-stream",
                    reply.forward.name,
                )
            )
        if reply.document is not None:
            document = reply.document
            files.append(_data_uri(document.content, document.mime_type, document.name))
        return files

    async def fetch(self, attachment: Attachment) -> bytes:
        """A file a person sent, from the daemon (which downloaded it when it arrived)."""
        sender, _, attachment_id = attachment.file_ref.rpartition("/")
        result = await self.call("getAttachment", {"id": attachment_id, "recipient": sender})
        data = result.get("data") if isinstance(result, dict) else None
        if not isinstance(data, str):
            raise ValueError(f"no data for attachment {attachment_id}")
        return base64.b64decode(data)


def _delivery_error(error: SignalError, sent: int) -> Exception:
    results = error.results()
    kinds = {str(r.get("type")) for r in results}
    if error.code == RATE_LIMITED or "RATE_LIMIT_FAILURE" in kinds:
        waits = [r.get("retryAfterSeconds") for r in results]
        seconds = max((float(w) for w in waits if isinstance(w, int | float)), default=0.0)
        return RetryLater(seconds or DEFAULT_RETRY_SECONDS, parts_sent=sent)
    if "UNREGISTERED_FAILURE" in kinds:
        return Unreachable("not on Signal (any more)", parts_sent=sent)
    if error.code in (INVALID_REQUEST, INVALID_PARAMS) or (
        error.code == USER_ERROR and not results
    ):
        return Rejected(error.message, parts_sent=sent)
    if error.code == UNTRUSTED_KEY:
        log.error(
            "Signal: the safety number of a recipient changed; run the daemon with "
            "--trust-new-identities always, or trust it with signal-cli trust"
        )
    # A network failure, an untrusted key, a captcha to solve, a crash in the daemon: again.
    return TemporaryFailure(error.message, parts_sent=sent)


def _data_uri(content: bytes, mime_type: str, name: str | None) -> str:
    filename = f";filename={name.replace(';', '_').replace(',', '_')}" if name else ""
    return f"data:{mime_type}{filename};base64,{base64.b64encode(content).decode('ascii')}"


def _event(data: str) -> dict[str, Any]:
    """An event's JSON; what is not an object is nothing to store."""
    try:
        event = json.loads(data)
    except ValueError:
        log.warning("Signal: an event that is not JSON was left out: %.200r", data)
        return {}
    return event if isinstance(event, dict) else {}


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _kind(attachment: dict[str, Any]) -> InboundKind:
    content_type = str(attachment.get("contentType") or "")
    if content_type.startswith("image/"):
        return InboundKind.PHOTO
    if content_type.startswith("audio/"):
        return InboundKind.VOICE
    if content_type.startswith("video/"):
        return InboundKind.VIDEO
    return InboundKind.DOCUMENT


def _attachment(sender: str, attachment: dict[str, Any]) -> Attachment | None:
    attachment_id = _text(attachment.get("id"))
    if attachment_id is None:  # not downloaded (the daemon ignores attachments)
        return None
    size = attachment.get("size")
    return Attachment(
        file_ref=f"{sender}/{attachment_id}",
        name=_text(attachment.get("filename")),
        mime_type=_text(attachment.get("contentType")),
        size=size if isinstance(size, int) else None,
    )


T = TypeVar("T")


async def _unless_stopped(call: Awaitable[T], stop: asyncio.Event) -> T | None:
    """The call's result, or None when `stop` is set first (the call is then abandoned)."""
    task = asyncio.ensure_future(call)
    stopping = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({task, stopping}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopping.cancel()
    if not task.done():
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
        return None
    return task.result()


async def _stopped_within(stop: asyncio.Event, seconds: float) -> bool:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)
    return stop.is_set()
