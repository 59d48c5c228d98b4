"""A loopback fake of the signal-cli HTTP daemon that answers like signal-cli and can misbehave.

It stands in for `signal-cli -a NUMBER daemon --http 127.0.0.1:PORT --receive-mode on-connection`
(signal-cli 0.14.6) and follows its sources (HttpServerHandler, JsonRpcReader,
SignalJsonRpcCommandHandler, SendCommand, JsonMessageEnvelope, …):

- `POST /api/v1/rpc` takes one JSON-RPC 2.0 request (or a batch) and answers 200 with the
  response, or 201 with an empty body when nothing is to be answered (notifications);
  `GET /api/v1/events` is a Server-Sent Events stream of `event:receive` with
  `{"envelope": {...}, "account": "+49..."}` and a `:` keep-alive line every 15 seconds;
  `GET /api/v1/check` answers 200. The Host header is checked as signal-cli does (421).
- On-connection receive mode: what "arrives from Signal's server" waits there while no events
  client is connected and goes to the first client that connects, in order; while clients are
  connected it goes out at once to all of them, and once written it is gone.
- `send` validates like SendCommand (recipients, data-URI attachments, `start:length:STYLE`
  text styles in UTF-16 code units) and fails like signal-cli when every recipient fails:
  -5 for rate limiting only, -4 for untrusted identities only, else -1, each with the per
  recipient results in `error.data.response`.

Where the fake is stricter than Signal (it refuses with -32602, which signal-cli never sends
for these): a text style that reaches past the end of the message (Signal would garble it), and
a text longer than `max_text_length` characters (default 2000; Signal clients show longer texts
only behind "Read more") or, if set, `max_text_bytes` UTF-8 bytes (signal-cli itself sends a
body over 2000 UTF-8 bytes as a trimmed body plus a long-text attachment, refusing nothing).

Not modelled: stickers, quotes beyond their parameter checks, edits, reactions, multi-account
mode, and every JSON-RPC method but send, sendTyping, sendReceipt, getAttachment and version
(the rest answer -32601 here, though signal-cli implements them).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
import math
import mimetypes
import re
import secrets
import time
import urllib.parse
import uuid as uuidlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web

VERSION = "0.14.6"

# SignalJsonRpcCommandHandler and JsonRpcResponse.Error
USER_ERROR = -1
IO_ERROR = -3
UNTRUSTED_KEY_ERROR = -4
RATELIMIT_ERROR = -5
CAPTCHA_REJECTED_ERROR = -6
PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603

STYLES = ("NONE", "BOLD", "ITALIC", "SPOILER", "STRIKETHROUGH", "MONOSPACE")  # TextStyle.Style
FAULTS = ("rate_limit", "network", "identity", "internal")
NO_CONTEXT = "<h1>404 Not Found</h1>No context found for request"  # the JDK HttpServer's 404

_DOT = r"[^\n\r\u0085\u2028\u2029]"  # what Java's `.` matches
_STYLE = re.compile(rf"([0-9]+):([0-9]+):({_DOT}+)")
_MENTION = _STYLE
_DATA_URI = re.compile(
    rf"data:(?P<type>{_DOT}+?/{_DOT}+?)?(?P<parameters>;{_DOT}+?={_DOT}+?)?"
    rf"(?P<base64>;base64)?,(?P<data>{_DOT}+)",
    re.IGNORECASE,
)
_PARAMETER = re.compile(rf";(?P<key>{_DOT}+)=(?P<value>{_DOT}+)", re.IGNORECASE)
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)
_EXTENSIONS = {  # MimeUtils.guessExtensionFromMimeType
    "application/vnd.android.package-archive": "apk",
    "application/json": "json",
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/heic": "heic",
    "image/heif": "heif",
    "image/webp": "webp",
    "image/gif": "gif",
    "audio/aac": "aac",
    "video/mp4": "mp4",
    "text/x-vcard": "vcf",
    "text/plain": "txt",
    "text/x-signal-plain": "txt",
    "application/octet-stream": "bin",
}
_COUNTRY_CODES = {
    "1", "7", "20", "27", "30", "31", "32", "33", "34", "36", "39", "40", "41", "43", "44", "45",
    "46", "47", "48", "49", "51", "52", "53", "54", "55", "56", "57", "58", "60", "61", "62", "63",
    "64", "65", "66", "81", "82", "84", "86", "90", "91", "92", "93", "94", "95", "98",
}  # fmt: skip
_REQUEST_FIELDS = ("jsonrpc", "method", "params", "id")


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def utf16_slice(text: str, start: int, length: int) -> str:
    data = text.encode("utf-16-le")[2 * start : 2 * (start + length)]
    return data.decode("utf-16-le", errors="replace")


class RpcError(Exception):
    """A JSON-RPC error object: code, message and data as signal-cli sends them."""

    def __init__(self, code: int, message: str, data: Any = None) -> None:
        super().__init__(message)
        self.code, self.message, self.data = code, message, data


def _internal(message: str, exception: str) -> RpcError:
    """A Throwable that reached SignalJsonRpcCommandHandler.runCommand: -32603."""
    return RpcError(INTERNAL_ERROR, f"{message} ({exception})")


def _java_type(value: Any) -> str:
    if isinstance(value, bool):
        return "java.lang.Boolean"
    if isinstance(value, int):
        if -(2**31) <= value < 2**31:
            return "java.lang.Integer"
        return "java.lang.Long" if -(2**63) <= value < 2**63 else "java.math.BigInteger"
    if isinstance(value, float):
        return "java.lang.Double"
    if isinstance(value, list):
        return "java.util.ArrayList"
    if isinstance(value, dict):
        return "java.util.LinkedHashMap"
    return "java.lang.String"


def _cast_error(value: Any, target: str) -> RpcError:
    source = _java_type(value)
    return _internal(
        f"class {source} cannot be cast to class {target} ({source} and {target} are in module "
        "java.base of loader 'bootstrap')",
        "ClassCastException",
    )


def _java_str(value: Any) -> str:
    """Object.toString() of what Jackson makes of a JSON value (argparse4j's getString)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_java_str(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}={_java_str(v)}" for k, v in value.items()) + "}"
    return str(value)


def _strings(values: list[Any]) -> list[str]:
    for value in values:
        if not isinstance(value, str):
            raise _cast_error(value, "java.lang.String")
    return values


def _parse_int(digits: str) -> int:
    value = int(digits)
    if value >= 2**31:
        raise _internal(f'For input string: "{digits}"', "NumberFormatException")
    return value


class _Namespace:
    """signal-cli's JsonRpcNamespace over the `params` object: dashed names are looked up as
    camelCase, and a list parameter may be given singular (one value or a list) or plural."""

    def __init__(self, attrs: dict[str, Any]) -> None:
        self.attrs = attrs

    def get(self, dest: str) -> Any:
        value = self.attrs.get(dest)
        if value is not None:
            return value
        first, *rest = dest.split("-")
        camel = first + "".join(p[:1].upper() + p[1:].lower() for p in rest if p)
        return self.attrs.get(camel)

    def get_string(self, dest: str) -> str | None:
        value = self.get(dest)
        return None if value is None else _java_str(value)

    def get_boolean(self, dest: str) -> bool | None:
        value = self.get(dest)
        if value is None or isinstance(value, bool):
            return value
        raise _cast_error(value, "java.lang.Boolean")

    def get_long(self, dest: str) -> int | None:
        value = self.get(dest)
        if value is None or _java_type(value) == "java.lang.Long":
            return None if value is None else int(value)
        raise _cast_error(value, "java.lang.Long")

    def get_list(self, dest: str) -> list[Any] | None:
        value = self.get(dest)
        if value is not None:
            return value if isinstance(value, list) else [value]
        value = self.get(dest + "s")
        if value is None or isinstance(value, list):
            return value
        raise _cast_error(value, "java.util.List")


@dataclass
class Person:
    uuid: str
    number: str | None
    name: str
    unregistered: bool = False

    @property
    def source(self) -> str:
        return self.number or self.uuid

    def address(self) -> dict[str, Any]:
        return {"uuid": self.uuid, "number": self.number, "username": None}


@dataclass
class Group:
    group_id: str
    name: str
    members: list[str]
    revision: int = 1


@dataclass
class SentMessage:
    """One message the bot sent that Signal accepted for one recipient (or one group)."""

    recipient: str  # the person's UUID if known, else the recipient string; the group id
    text: str
    styles: list[tuple[int, int, str]]  # (start, length, STYLE) in UTF-16 code units
    attachments: list[tuple[str | None, str, bytes]]  # (filename, content type, data)
    timestamp: int
    no_urgent: bool = False
    group_id: str | None = None
    notify_self: bool = False
    time: float = field(default_factory=time.monotonic)

    def styled(self, style: str) -> list[str]:
        return [
            utf16_slice(self.text, start, length) for start, length, s in self.styles if s == style
        ]


@dataclass
class RecordedRequest:
    method: str | None
    params: Any
    error: int | None  # the JSON-RPC error code, None on success
    id: Any = None
    time: float = field(default_factory=time.monotonic)


@dataclass
class _Fault:
    kind: str
    times: int
    retry_after: int | None


@dataclass
class _EventClient:
    pending: list[bytes] = field(default_factory=list)
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    closing: bool = False


@dataclass
class _Target:
    """One recipient identifier of a send, as RecipientIdentifier."""

    kind: str  # "self", "uuid", "number", "username", "pni", "group"
    value: str


class FakeSignalDaemon:
    def __init__(
        self,
        account: str = "+4915100000000",
        *,
        keepalive_seconds: float = 15.0,
        port: int = 0,
        max_text_length: int | None = 2000,
        max_text_bytes: int | None = None,
    ) -> None:
        self._account = account
        self.account_uuid = str(uuidlib.uuid5(uuidlib.NAMESPACE_URL, f"signal:{account}"))
        self.keepalive_seconds = keepalive_seconds
        self.max_text_length = max_text_length
        self.max_text_bytes = max_text_bytes
        self.latency = 0.0  # seconds every RPC request is held before it is answered
        self._port = port
        self.requests: list[RecordedRequest] = []
        self.sent: list[SentMessage] = []
        self.send_times: list[float] = []  # time.monotonic() of every `send` request
        self.typing: list[tuple[str, str]] = []  # (recipient, STARTED/STOPPED)
        self.receipts: list[tuple[str, str, list[int]]] = []  # (recipient, type, timestamps)
        self.delivered: list[dict[str, Any]] = []  # events written to the events clients
        self.connections = 0  # events clients that ever connected
        self._people: dict[str, Person] = {}
        self._groups: dict[str, Group] = {}
        self._attachments: dict[str, tuple[str, bytes]] = {}  # id -> (content type, data)
        self._queue: list[dict[str, Any]] = []  # on Signal's server, not yet received
        self._clients: list[_EventClient] = []
        self._inflight: dict[int, web.BaseRequest] = {}  # by id()
        self._faults: dict[str, list[_Fault]] = {}
        self._rate_limited_until = 0.0
        self._taken: dict[str, int] = {}
        self._last_timestamp = 0
        self._numbers = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self._up = False

    # --- life cycle -------------------------------------------------------------------

    async def start(self) -> None:
        if self._runner is not None:
            return
        app = web.Application(client_max_size=100 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._route)
        runner = web.AppRunner(
            app, access_log=None, handler_cancellation=True, shutdown_timeout=0.5
        )
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", self._port)
        await site.start()
        self._port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self._runner = runner
        self._up = True
        self._pump()

    async def stop(self) -> None:
        await self.go_away()

    async def go_away(self) -> None:
        """Stop the HTTP server as signal-cli stops: event streams end, requests in flight
        fail with connection errors, new connections are refused. Nothing is forgotten."""
        if self._runner is None:
            return
        self._up = False
        for client in self._clients:
            client.closing = True
            client.wake.set()
        for request in list(self._inflight.values()):
            if request.transport is not None:
                request.transport.close()
        runner, self._runner = self._runner, None
        await runner.cleanup()

    async def come_back(self) -> None:
        """Start again on the same port; queued messages go to the next events client."""
        await self.start()

    async def restart(self) -> None:
        await self.go_away()
        await self.come_back()

    async def __aenter__(self) -> FakeSignalDaemon:
        await self.start()
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.stop()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._port}"

    @property
    def port(self) -> int:
        return self._port

    @property
    def account(self) -> str:
        return self._account

    @property
    def up(self) -> bool:
        return self._up

    @property
    def connected(self) -> int:
        """Events clients connected now."""
        return len(self._clients)

    @property
    def undelivered(self) -> int:
        """Messages waiting on "Signal's server" for an events client."""
        return len(self._queue)

    @property
    def in_flight(self) -> int:
        return len(self._inflight)

    @property
    def attachments(self) -> dict[str, bytes]:
        """Attachments received (by send_attachment), by the id getAttachment takes."""
        return {key: data for key, (_, data) in self._attachments.items()}

    # --- people and groups ------------------------------------------------------------

    def add_person(self, uuid: str, *, number: str | None = "auto", name: str = "Test") -> Person:
        """A Signal user. number="auto" gives a fresh +49 number; None: the number is hidden."""
        if number == "auto":
            number = f"+4916{next(self._numbers):09d}"
        person = Person(uuid.lower(), number, name)
        self._people[person.uuid] = person
        return person

    def person(self, uuid_or_number: str) -> Person:
        person = self._find(uuid_or_number)
        if person is None:
            raise KeyError(uuid_or_number)
        return person

    def add_group(
        self,
        group_id: str,
        *,
        name: str = "Gruppe",
        members: Iterable[str] = (),
        revision: int = 1,
    ) -> Group:
        group = Group(group_id, name, [m.lower() for m in members], revision)
        self._groups[group_id] = group
        return group

    def _find(self, identifier: str) -> Person | None:
        if identifier.lower() in self._people:
            return self._people[identifier.lower()]
        return next((p for p in self._people.values() if p.number == identifier), None)

    # --- inbound traffic (arriving from Signal's server) ------------------------------

    def _next_timestamp(self) -> int:
        self._last_timestamp = max(int(time.time() * 1000), self._last_timestamp + 1)
        return self._last_timestamp

    def _arrive(self, envelope: dict[str, Any]) -> int:
        self._queue.append({"envelope": envelope, "account": self._account})
        self._pump()
        return int(envelope.get("timestamp") or 0)

    def _envelope(
        self,
        source: Person,
        timestamp: int,
        *,
        hide_number: bool = False,
        device: int = 1,
        **parts: Any,
    ) -> dict[str, Any]:
        number = None if hide_number else source.number
        return {
            "source": number or source.uuid,
            "sourceNumber": number,
            "sourceUuid": source.uuid,
            "sourceName": source.name,
            "sourceDevice": device,
            "timestamp": timestamp,
            "serverReceivedTimestamp": timestamp,
            "serverDeliveredTimestamp": timestamp,  # set again when it goes out
            **parts,
        }

    @staticmethod
    def _data_message(timestamp: int, message: str | None, **parts: Any) -> dict[str, Any]:
        data: dict[str, Any] = {
            "timestamp": timestamp,
            "message": message,
            "expiresInSeconds": 0,
            "isExpirationUpdate": False,
            "viewOnce": False,
        }
        data.update({key: value for key, value in parts.items() if value is not None})
        return data

    def send_text(self, uuid: str, text: str) -> int:
        ts = self._next_timestamp()
        person = self.person(uuid)
        return self._arrive(self._envelope(person, ts, dataMessage=self._data_message(ts, text)))

    def send_hidden_number_text(self, uuid: str, text: str) -> int:
        """A message from a person who shares no phone number: sourceNumber null."""
        ts = self._next_timestamp()
        person = self.person(uuid)
        envelope = self._envelope(
            person, ts, hide_number=True, dataMessage=self._data_message(ts, text)
        )
        return self._arrive(envelope)

    def send_attachment(
        self,
        uuid: str,
        data: bytes,
        *,
        content_type: str,
        filename: str | None = None,
        caption: str | None = None,
        width: int | None = None,
        height: int | None = None,
    ) -> int:
        """A file from a person; signal-cli has stored it under an id like "<random>.jpg"."""
        ts = self._next_timestamp()
        person = self.person(uuid)
        if filename and "." in filename:
            extension: str | None = filename.rsplit(".", 1)[1]
        else:
            extension = _EXTENSIONS.get(content_type)
        attachment_id = secrets.token_urlsafe(15) + (f".{extension}" if extension else "")
        self._attachments[attachment_id] = (content_type, data)
        attachment = {
            "contentType": content_type,
            "filename": filename,
            "id": attachment_id,
            "size": len(data),
            "width": width,
            "height": height,
            "caption": None,  # Signal apps put the text into the body, not the caption
            "uploadTimestamp": ts - 1000,
        }
        message = self._data_message(ts, caption, attachments=[attachment])
        return self._arrive(self._envelope(person, ts, dataMessage=message))

    def send_group_text(self, uuid: str, group_id: str, text: str) -> int:
        ts = self._next_timestamp()
        person = self.person(uuid)
        group = self._groups.get(group_id) or self.add_group(group_id, members=[person.uuid])
        group_info = {
            "groupId": group_id,
            "groupName": group.name,
            "revision": group.revision,
            "type": "DELIVER",
        }
        message = self._data_message(ts, text, groupInfo=group_info)
        return self._arrive(self._envelope(person, ts, dataMessage=message))

    def send_receipt(
        self, uuid: str, *, kind: str = "delivery", timestamps: list[int] | None = None
    ) -> int:
        """A delivery (or read, viewed) receipt; by default for the last message sent to them."""
        if kind not in ("delivery", "read", "viewed"):
            raise ValueError(kind)
        ts = self._next_timestamp()
        person = self.person(uuid)
        if timestamps is None:
            last = [m.timestamp for m in self.sent if m.recipient == person.uuid][-1:]
            timestamps = last
        receipt = {
            "when": ts,
            "isDelivery": kind == "delivery",
            "isRead": kind == "read",
            "isViewed": kind == "viewed",
            "timestamps": list(timestamps),
        }
        return self._arrive(self._envelope(person, ts, receiptMessage=receipt))

    def send_typing(
        self, uuid: str, *, action: str = "STARTED", group_id: str | None = None
    ) -> int:
        ts = self._next_timestamp()
        person = self.person(uuid)
        typing: dict[str, Any] = {"action": action, "timestamp": ts}
        if group_id is not None:
            typing["groupId"] = group_id
        return self._arrive(self._envelope(person, ts, typingMessage=typing))

    def send_sync(self, uuid: str, text: str = "Nachricht vom Telefon") -> int:
        """The account's own phone sent `text` to this person: a sync message (sentMessage)
        from the account itself, device 2."""
        ts = self._next_timestamp()
        person = self.person(uuid)
        me = Person(self.account_uuid, self._account, "")
        sent = {
            "destination": person.source,
            "destinationNumber": person.number,
            "destinationUuid": person.uuid,
            **self._data_message(ts, text),
        }
        envelope = self._envelope(me, ts, device=2, syncMessage={"sentMessage": sent})
        envelope["sourceName"] = None
        return self._arrive(envelope)

    def send_raw(self, obj: dict[str, Any]) -> int:
        """Anything else: an envelope, or a whole event ({"envelope": …, "account": …})."""
        event: dict[str, Any] = dict(obj) if "envelope" in obj else {"envelope": obj}
        event.setdefault("account", self._account)
        self._queue.append(event)
        self._pump()
        envelope = event.get("envelope") or {}
        return int(envelope.get("timestamp") or 0)

    def _pump(self) -> None:
        """Hand what waits on the server to the connected events clients (to all of them)."""
        if not self._up or not self._clients:
            return
        while self._queue:
            event = self._queue.pop(0)
            envelope = event.get("envelope")
            if isinstance(envelope, dict) and "serverDeliveredTimestamp" in envelope:
                envelope["serverDeliveredTimestamp"] = int(time.time() * 1000)
            payload = f"event:receive\ndata:{_dumps(event)}\n\n".encode()
            for client in self._clients:
                client.pending.append(payload)
                client.wake.set()
            self.delivered.append(event)

    # --- fault injection --------------------------------------------------------------

    def unregister(self, uuid: str) -> None:
        """The person left Signal: every send to them fails with UNREGISTERED_FAILURE."""
        self.person(uuid).unregistered = True

    def fail_next(
        self, uuid: str, kind: str, *, times: int = 1, retry_after: int | None = None
    ) -> None:
        """The next `times` sends to this person fail: "rate_limit" (RATE_LIMIT_FAILURE, with
        retryAfterSeconds if retry_after is given), "network" (NETWORK_FAILURE), "identity"
        (IDENTITY_FAILURE), or "internal" (the whole request fails with -32603)."""
        if kind not in FAULTS:
            raise ValueError(f"kind must be one of {FAULTS}")
        person = self._find(uuid)
        key = person.uuid if person else uuid
        self._faults.setdefault(key, []).append(_Fault(kind, times, retry_after))

    def rate_limit(self, seconds: float) -> None:
        """Signal refuses every send for this long (-5, retryAfterSeconds = the time left)."""
        self._rate_limited_until = time.monotonic() + seconds

    def _take_fault(self, key: str, kinds: tuple[str, ...]) -> _Fault | None:
        for fault in self._faults.get(key, []):
            if fault.times > 0 and fault.kind in kinds:
                fault.times -= 1
                return fault
        return None

    # --- what happened ----------------------------------------------------------------

    def _key(self, uuid_or_number: str) -> str:
        person = self._find(uuid_or_number)
        return person.uuid if person else uuid_or_number

    def messages_to(self, uuid_or_number: str) -> list[SentMessage]:
        key = self._key(uuid_or_number)
        return [m for m in self.sent if m.recipient == key]

    def texts_to(self, uuid_or_number: str) -> list[str]:
        return [m.text for m in self.messages_to(uuid_or_number)]

    def take(self, uuid_or_number: str) -> list[SentMessage]:
        """What was sent to this person since the last take."""
        key = self._key(uuid_or_number)
        messages = self.messages_to(key)
        seen = self._taken.get(key, 0)
        self._taken[key] = len(messages)
        return messages[seen:]

    @staticmethod
    def styled(message: SentMessage, style: str) -> list[str]:
        """The parts of the message's text covered by that style (UTF-16 offsets)."""
        return message.styled(style)

    def sends_per_window(self, seconds: float) -> int:
        """The most `send` requests that came within any `seconds` long stretch."""
        times = sorted(self.send_times)
        most, first = 0, 0
        for last, at in enumerate(times):
            while at - times[first] >= seconds:
                first += 1
            most = max(most, last - first + 1)
        return most

    async def wait_until(self, predicate: Callable[[], bool], *, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out; requests: {self._dump()}")
            await asyncio.sleep(0.01)

    async def wait_for_messages(
        self, uuid_or_number: str, count: int, *, timeout: float = 10.0
    ) -> list[SentMessage]:
        try:
            await self.wait_until(
                lambda: len(self.messages_to(uuid_or_number)) >= count, timeout=timeout
            )
        except AssertionError:
            texts = [t[:80] for t in self.texts_to(uuid_or_number)]
            raise AssertionError(
                f"{uuid_or_number} has {len(texts)} messages, expected {count}: {texts}; "
                f"requests: {self._dump()}"
            ) from None
        return self.messages_to(uuid_or_number)

    def _dump(self) -> list[str]:
        return [f"{r.method}:{r.error or 'ok'}" for r in self.requests[-15:]]

    # --- the HTTP side (HttpServerHandler) --------------------------------------------

    async def _route(self, request: web.Request) -> web.StreamResponse:
        # The JDK HttpServer hands a request to the context whose path is a prefix of its path.
        if request.path.startswith("/api/v1/rpc"):
            return await self._rpc(request)
        if request.path.startswith("/api/v1/events"):
            return await self._events(request)
        if request.path.startswith("/api/v1/check"):
            if request.path != "/api/v1/check":
                return web.Response(status=404)
            if request.method != "GET":
                return web.Response(status=405)
            return web.Response(status=200)
        return web.Response(status=404, text=NO_CONTEXT, content_type="text/html")

    def _host_allowed(self, request: web.BaseRequest) -> bool:
        header = request.headers.get("Host")
        if not header:
            return False
        host, port = header, None
        if header.startswith("["):
            end = header.find("]")
            if end == -1:
                return False
            host = header[1:end]
            if len(header) > end + 1 and header[end + 1] == ":":
                port = header[end + 2 :]
        else:
            colon = header.rfind(":")
            if colon != -1 and all(c.isdecimal() for c in header[colon + 1 :]):
                host, port = header[:colon], header[colon + 1 :]
        if host.lower() not in {"127.0.0.1", "localhost", "::1"}:
            return False
        if port is not None:
            try:
                return int(port) == self._port
            except ValueError:
                return False
        return True

    def _gate(self, request: web.BaseRequest, path: str, method: str) -> web.Response | None:
        if not self._host_allowed(request):
            return web.Response(status=421)
        if request.path != path:
            return web.Response(status=404)
        if request.method != method:
            return web.Response(status=405)
        return None

    async def _rpc(self, request: web.Request) -> web.StreamResponse:
        refused = self._gate(request, "/api/v1/rpc", "POST")
        if refused is not None:
            return refused
        content_type = request.headers.get("Content-Type")
        if content_type is None or not content_type.startswith("application/json"):
            return web.Response(status=415)
        self._inflight[id(request)] = request
        try:
            body = await request.read()
            if self.latency:
                await asyncio.sleep(self.latency)
            try:
                response = self._process(body)
            except Exception:  # what HttpServerHandler answers to a crash
                response = _error(INTERNAL_ERROR, "An internal server error has occurred.", None)
        finally:
            self._inflight.pop(id(request), None)
        if response is None:
            return web.Response(status=201)
        return web.Response(
            status=200, body=_dumps(response).encode(), content_type="application/json"
        )

    async def _events(self, request: web.Request) -> web.StreamResponse:
        refused = self._gate(request, "/api/v1/events", "GET")
        if refused is not None:
            return refused
        response = web.StreamResponse(status=200, headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)  # flushes the headers at once, as signal-cli does
        client = _EventClient()
        self._clients.append(client)
        self.connections += 1
        self._pump()
        loop = asyncio.get_running_loop()
        next_keepalive = loop.time() + self.keepalive_seconds
        try:
            while client.pending or not client.closing:
                if client.pending:
                    await response.write(client.pending.pop(0))
                    continue
                client.wake.clear()
                delay = next_keepalive - loop.time()
                if delay <= 0:
                    await response.write(b":\n")
                    next_keepalive = loop.time() + self.keepalive_seconds
                    continue
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(client.wake.wait(), delay)
            await response.write_eof()
        except ConnectionError:
            pass
        finally:
            self._clients.remove(client)
        return response

    # --- JSON-RPC (JsonRpcReader) -----------------------------------------------------

    def _process(self, body: bytes) -> Any:
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as error:
            return _error(PARSE_ERROR, f"Invalid UTF-8 start byte ({error.reason})", None)
        text = text.lstrip(" \t\r\n")
        if not text:
            return _error(INVALID_REQUEST, "unexpected type: MISSING", None)
        try:
            node, _ = json.JSONDecoder(parse_constant=_no_constant).raw_decode(text)
        except ValueError as error:
            message = getattr(error, "msg", str(error))
            where = (getattr(error, "lineno", 1), getattr(error, "colno", 1))
            return _error(
                PARSE_ERROR, f"{message}\n at [line: {where[0]}, column: {where[1]}]", None
            )
        if isinstance(node, list):
            if not node:
                return _error(INVALID_REQUEST, "invalid request", None)
            responses = [r for r in (self._request(item) for item in node) if r is not None]
            return responses or None
        if isinstance(node, dict):
            if "result" in node or "error" in node:
                return None  # a response from the client: logged and dropped
            return self._request(node)
        return _error(INVALID_REQUEST, f"unexpected type: {_node_type(node)}", None)

    def _request(self, node: Any) -> dict[str, Any] | None:
        if not isinstance(node, dict):
            self.requests.append(RecordedRequest(None, None, INVALID_REQUEST))
            message = f"Cannot deserialize value of type `JsonRpcRequest` from {_node_type(node)}"
            return _error(INVALID_REQUEST, message, None)
        node = dict(node)
        if "params" in node and node["params"] is None:
            del node["params"]  # signal-cli's workaround for clients that send null params
        request_id = node.get("id")
        if isinstance(request_id, dict | list):
            request_id = None
        try:
            method, params = self._parse_request(node)
        except RpcError as error:
            self.requests.append(RecordedRequest(None, node.get("params"), error.code))
            return _error(error.code, error.message, error.data, request_id)
        try:
            result = self._call(method, params)
        except RpcError as error:
            self.requests.append(RecordedRequest(method, params, error.code, request_id))
            if "id" not in node:
                return None
            return _error(error.code, error.message, error.data, request_id)
        self.requests.append(RecordedRequest(method, params, None, request_id))
        if "id" not in node:
            return None
        return {"jsonrpc": "2.0", "result": result, "id": request_id}

    @staticmethod
    def _parse_request(node: dict[str, Any]) -> tuple[str, Any]:
        """Jackson's treeToValue(JsonRpcRequest) and JsonRpcReader's checks."""
        for key, value in node.items():
            if key not in _REQUEST_FIELDS:
                raise RpcError(
                    INVALID_REQUEST,
                    f'Unrecognized field "{key}" (class org.asamk.signal.jsonrpc.JsonRpcRequest),'
                    ' not marked as ignorable (4 known properties: "jsonrpc", "method", "params",'
                    ' "id"])',
                )
            if key in ("jsonrpc", "method") and isinstance(value, dict | list):
                raise RpcError(
                    INVALID_REQUEST,
                    f"Cannot deserialize value of type `java.lang.String` from "
                    f"{_node_type(value).capitalize()} value",
                )
            if key == "params" and not isinstance(value, dict | list):
                raise RpcError(
                    INVALID_REQUEST,
                    "Cannot deserialize value of type "
                    "`com.fasterxml.jackson.databind.node.ContainerNode<?>` from "
                    f"{_node_type(value).capitalize()} value",
                )
            if key == "id" and isinstance(value, dict | list):
                raise RpcError(
                    INVALID_REQUEST,
                    "Cannot deserialize value of type "
                    "`com.fasterxml.jackson.databind.node.ValueNode` from "
                    f"{_node_type(value).capitalize()} value",
                )
        version, method = node.get("jsonrpc"), node.get("method")
        if version is not None and not isinstance(version, str):
            version = json.dumps(version)
        if version != "2.0":
            raise RpcError(INVALID_REQUEST, "only jsonrpc version 2.0 is supported")
        if method is None:
            raise RpcError(INVALID_REQUEST, "method field must be set")
        if not isinstance(method, str):
            method = json.dumps(method)
        return method, node.get("params")

    def _call(self, method: str, params: Any) -> Any:
        handler = {
            "send": self._m_send,
            "sendTyping": self._m_send_typing,
            "sendReceipt": self._m_send_receipt,
            "getAttachment": self._m_get_attachment,
            "version": self._m_version,
        }.get(method)
        if handler is None:
            raise RpcError(METHOD_NOT_FOUND, "Method not implemented")
        if isinstance(params, list):
            raise RpcError(
                INVALID_REQUEST,
                "Cannot deserialize value of type "
                "`java.util.LinkedHashMap<java.lang.String,java.lang.Object>` from Array value "
                "(token `JsonToken.START_ARRAY`)",
            )
        if method == "send":
            self.send_times.append(time.monotonic())
        return handler(_Namespace(params or {}))

    # --- recipients (CommandUtil, RecipientIdentifier, PhoneNumberFormatter) ----------

    def _country_code(self) -> str:
        digits = self._account.lstrip("+")
        for size in (1, 2):
            if digits[:size] in _COUNTRY_CODES:
                return digits[:size]
        return digits[:3]

    def _single(self, identifier: str) -> _Target:
        if _UUID.fullmatch(identifier):
            return _Target("uuid", identifier.lower())
        if identifier.startswith("PNI:"):
            if not _UUID.fullmatch(identifier[4:]):
                raise RpcError(USER_ERROR, f"Invalid phone number '{identifier}': Invalid PNI")
            return _Target("pni", identifier)  # nobody here is known by PNI: unregistered
        if identifier.startswith("u:"):
            return _Target("username", identifier[2:])
        if "@" in identifier:
            raise RpcError(
                USER_ERROR,
                f"Invalid phone number '{identifier}': Possible attempt to use email address.",
            )
        digits = re.sub(r"[^0-9+]", "", identifier)
        if not digits:
            raise RpcError(
                USER_ERROR, f"Invalid phone number '{identifier}': No valid characters found."
            )
        if digits.startswith("+"):
            number = "+" + digits.replace("+", "")
        elif digits.startswith("00"):
            number = "+" + digits[2:].replace("+", "")
        else:
            number = "+" + self._country_code() + digits.removeprefix("0").replace("+", "")
        if number == self._account:
            return _Target("self", number)
        return _Target("number", number)

    def _targets(self, ns: _Namespace, *, note_to_self: bool = False) -> list[_Target]:
        targets: list[_Target] = []
        if note_to_self:
            targets.append(_Target("self", self._account))
        for recipient in _strings(ns.get_list("recipient") or []):
            target = self._single(recipient)
            if target.kind == "uuid" and target.value == self.account_uuid:
                target = _Target("self", target.value)
            targets.append(target)
        for group in _strings(ns.get_list("group-id") or []):
            targets.append(_Target("group", _group_id(group)))
        for username in _strings(ns.get_list("username") or []):
            targets.append(_Target("username", username))
        unique = list({(t.kind, t.value): t for t in targets}.values())
        if not unique:
            raise RpcError(USER_ERROR, "No recipients given")
        return unique

    def _result(
        self, person: Person | None, target: _Target, *, faults: bool, group_id: str | None = None
    ) -> dict[str, Any]:
        """One JsonSendMessageResult for one person."""
        if person is None or person.unregistered:
            if person is not None and target.kind != "number":
                address = person.address()
            else:
                address = {
                    "uuid": target.value if target.kind == "uuid" else None,
                    "number": target.value if target.kind == "number" else None,
                    "username": target.value if target.kind == "username" else None,
                }
            return _send_result(address, "UNREGISTERED_FAILURE", group_id)
        address = person.address()
        if not faults:
            return _send_result(address, "SUCCESS", group_id)
        left = self._rate_limited_until - time.monotonic()
        if left > 0:
            return _send_result(address, "RATE_LIMIT_FAILURE", group_id, math.ceil(left))
        fault = self._take_fault(person.uuid, ("rate_limit", "network", "identity"))
        if fault is None:
            return _send_result(address, "SUCCESS", group_id)
        if fault.kind == "rate_limit":
            return _send_result(address, "RATE_LIMIT_FAILURE", group_id, fault.retry_after)
        kind = "NETWORK_FAILURE" if fault.kind == "network" else "IDENTITY_FAILURE"
        return _send_result(address, kind, group_id)

    def _people_of(self, target: _Target) -> list[Person | None]:
        if target.kind == "group":
            group = self._groups[target.value]
            return [
                self._people.get(m) or Person(m, None, "")  # members are registered
                for m in group.members
                if m != self.account_uuid
            ]
        if target.kind in ("uuid", "number"):
            person = self._find(target.value)
            if person is not None and target.kind == "number" and person.number is None:
                return [None]
            return [person]
        return [None]

    def _check_groups(self, targets: list[_Target], prefix: str = "") -> None:
        for target in targets:
            if target.kind == "group" and target.value not in self._groups:
                raise RpcError(USER_ERROR, f"{prefix}Group not found: {target.value}")

    @staticmethod
    def _outcome(timestamp: int, results: list[dict[str, Any]]) -> dict[str, Any]:
        """SendMessageResultUtils.outputResult: the result, or the error when nothing went."""
        response = {"timestamp": timestamp, "results": results}
        if not results or any(r["type"] == "SUCCESS" for r in results):
            return response
        data = {"response": response}
        if all(r["type"] == "IDENTITY_FAILURE" for r in results):
            raise RpcError(
                UNTRUSTED_KEY_ERROR, "Failed to send message due to untrusted identities", data
            )
        if all(r["type"] == "RATE_LIMIT_FAILURE" for r in results):
            raise RpcError(RATELIMIT_ERROR, "Failed to send message due to rate limiting", data)
        raise RpcError(USER_ERROR, "Failed to send message", data)

    # --- methods ----------------------------------------------------------------------

    def _m_send(self, ns: _Namespace) -> dict[str, Any]:
        notify_self = bool(ns.get_boolean("notify-self"))
        note_to_self = bool(ns.get_boolean("note-to-self"))
        no_urgent = bool(ns.get_boolean("no-urgent"))
        targets = self._targets(ns, note_to_self=note_to_self)
        message = ns.get_string("message") or ""
        attachments = _strings(ns.get_list("attachment") or [])
        for mention in _strings(ns.get_list("mention") or []):
            match = _MENTION.fullmatch(mention)
            if not match:
                raise RpcError(
                    USER_ERROR,
                    f"Invalid mention syntax ({mention}) expected 'start:length:recipientNumber'",
                )
            self._single(match[3])
        styles = _text_styles(_strings(ns.get_list("text-style") or []))
        quote_timestamp = ns.get_long("quote-timestamp")
        if quote_timestamp is not None and ns.get_string("quote-author") is None:
            raise RpcError(USER_ERROR, "Quote author parameter is missing")
        if not message and not attachments and quote_timestamp is None:
            raise RpcError(
                USER_ERROR,
                "Sending empty message is not allowed, either a message, attachment or sticker "
                "must be given.",
            )
        self._strict(message, styles)
        files = [_attachment(a) for a in attachments]
        self._check_groups(targets)
        for target in targets:
            for person in self._people_of(target):
                if person is not None and self._take_fault(person.uuid, ("internal",)):
                    raise _internal(
                        "Failed to send message: injected failure (IOException)",
                        "UnexpectedErrorException",
                    )
        timestamp = self._next_timestamp()
        results: list[dict[str, Any]] = []
        for target in targets:
            if target.kind == "self":
                me = Person(self.account_uuid, self._account, "")
                target_results = [_send_result(me.address(), "SUCCESS")]
                recipient, group_id = self.account_uuid, None
            else:
                group_id = target.value if target.kind == "group" else None
                target_results = [
                    self._result(person, target, faults=True, group_id=group_id)
                    for person in self._people_of(target)
                ]
                found = self._find(target.value) if group_id is None else None
                recipient = group_id or (found.uuid if found else target.value)
            results.extend(target_results)
            if any(r["type"] == "SUCCESS" for r in target_results):
                self.sent.append(
                    SentMessage(
                        recipient,
                        message,
                        styles,
                        files,
                        timestamp,
                        no_urgent=no_urgent,
                        group_id=group_id,
                        notify_self=notify_self,
                    )
                )
        return self._outcome(timestamp, results)

    def _strict(self, message: str, styles: list[tuple[int, int, str]]) -> None:
        """Where the fake refuses what Signal would take and garble or hide."""
        size = utf16_length(message)
        for start, length, style in styles:
            if start + length > size:
                raise RpcError(
                    INVALID_PARAMS,
                    f"textStyle {start}:{length}:{style} reaches past the end of the message "
                    f"({size} UTF-16 code units); Signal would style the wrong text "
                    "(the fake refuses this, signal-cli does not)",
                )
        if self.max_text_length is not None and len(message) > self.max_text_length:
            raise RpcError(
                INVALID_PARAMS,
                f"message is {len(message)} characters long, more than {self.max_text_length}; "
                "Signal shows longer texts only behind 'Read more' "
                "(the fake refuses this, signal-cli does not)",
            )
        encoded = len(message.encode("utf-8"))
        if self.max_text_bytes is not None and encoded > self.max_text_bytes:
            raise RpcError(
                INVALID_PARAMS,
                f"message is {encoded} UTF-8 bytes long, more than {self.max_text_bytes}; "
                "signal-cli would send it as a long-text attachment "
                "(the fake refuses this, signal-cli does not)",
            )

    def _m_send_typing(self, ns: _Namespace) -> dict[str, Any]:
        action = "STOPPED" if ns.get_boolean("stop") else "STARTED"
        targets: list[_Target] = []
        for recipient in _strings(ns.get_list("recipient") or []):
            targets.append(self._single(recipient))
        for group in _strings(ns.get_list("group-id") or []):
            targets.append(_Target("group", _group_id(group)))
        targets = list({(t.kind, t.value): t for t in targets}.values())
        if not targets:
            raise RpcError(USER_ERROR, "No recipients given")
        self._check_groups(targets, "Failed to send to group: ")
        timestamp = self._next_timestamp()
        results: list[dict[str, Any]] = []
        for target in targets:
            if target.kind == "self":
                results.append(
                    _send_result(Person(self.account_uuid, self._account, "").address(), "SUCCESS")
                )
                continue
            group_id = target.value if target.kind == "group" else None
            for person in self._people_of(target):
                result = self._result(person, target, faults=False, group_id=group_id)
                results.append(result)
                if result["type"] == "SUCCESS" and person is not None:
                    self.typing.append((group_id or person.uuid, action))
        return self._outcome(timestamp, results)

    def _m_send_receipt(self, ns: _Namespace) -> dict[str, Any]:
        recipient = ns.get_string("recipient")
        if recipient is None:
            raise _internal(
                'Cannot invoke "String.startsWith(String)" because "identifier" is null',
                "NullPointerException",
            )
        target = self._single(recipient)
        timestamps = ns.get_list("target-timestamp")
        kind = ns.get_string("type")
        if kind not in (None, "read", "viewed"):
            raise RpcError(USER_ERROR, f"Unknown receipt type: {kind}")
        if timestamps is None:
            raise _internal("timestamps is null", "NullPointerException")
        for value in timestamps:
            if _java_type(value) != "java.lang.Long":
                raise _cast_error(value, "java.lang.Long")
        timestamp = self._next_timestamp()
        if target.kind == "self":
            me = Person(self.account_uuid, self._account, "")
            return self._outcome(timestamp, [_send_result(me.address(), "SUCCESS")])
        [person] = self._people_of(target)
        result = self._result(person, target, faults=False)
        if result["type"] == "SUCCESS" and person is not None:
            self.receipts.append((person.uuid, kind or "read", list(timestamps)))
        return self._outcome(timestamp, [result])

    def _m_get_attachment(self, ns: _Namespace) -> dict[str, Any]:
        attachment_id = ns.get_string("id")
        if attachment_id is None:
            raise RpcError(USER_ERROR, "Missing attachment id parameter")
        stored = self._attachments.get(re.sub(r"[^A-Za-z0-9_.-]", "_", attachment_id))
        if stored is None:
            raise RpcError(USER_ERROR, f"Could not find attachment with ID: {attachment_id}")
        return {"data": base64.b64encode(stored[1]).decode("ascii")}

    def _m_version(self, ns: _Namespace) -> dict[str, Any]:
        return {"version": VERSION}


# --- helpers ------------------------------------------------------------------------------


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _no_constant(name: str) -> Any:
    raise ValueError(
        f"Non-standard token '{name}': enable `JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS`"
    )


def _node_type(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "BOOLEAN"
    if isinstance(value, int | float):
        return "NUMBER"
    if isinstance(value, str):
        return "STRING"
    return "ARRAY" if isinstance(value, list) else "OBJECT"


def _error(code: int, message: str, data: Any, request_id: Any = None) -> dict[str, Any]:
    return {
        "jsonrpc": "2.0",
        "error": {"code": code, "message": message, "data": data},
        "id": request_id,
    }


def _send_result(
    address: dict[str, Any], kind: str, group_id: str | None = None, retry_after: int | None = None
) -> dict[str, Any]:
    result: dict[str, Any] = {"recipientAddress": address}
    if group_id is not None:
        result["groupId"] = group_id
    result["type"] = kind
    if retry_after is not None:
        result["retryAfterSeconds"] = retry_after
    return result


def _java_base64(text: str) -> bytes:
    """java.util.Base64.getDecoder().decode: the basic alphabet, padding optional."""
    bad = re.search(r"[^A-Za-z0-9+/=]", text)
    if bad:
        raise ValueError(f"Illegal base64 character {ord(bad[0]):x}")
    body = text.rstrip("=")
    if "=" in body or len(text) - len(body) > 2 or len(body) % 4 == 1:
        raise ValueError("Input byte array has incorrect ending byte")
    if text != body and len(text) % 4:
        raise ValueError("Input byte array has wrong 4-byte ending unit")
    return base64.b64decode(body + "=" * (-len(body) % 4))


def _group_id(text: str) -> str:
    try:
        size = len(_java_base64(text))
    except ValueError as error:
        raise RpcError(
            USER_ERROR,
            f'Invalid group id: Failed to decode groupId (must be base64) "{text}": {error}',
        ) from None
    if size not in (16, 32):
        raise RpcError(
            USER_ERROR,
            f'Invalid group id: Failed to decode groupId (must be base64) "{text}": '
            f"Invalid group id of size {size}",
        )
    return text


def _text_styles(strings: list[str]) -> list[tuple[int, int, str]]:
    styles: list[tuple[int, int, str]] = []
    for text_style in strings:
        match = _STYLE.fullmatch(text_style)
        if not match:
            raise RpcError(
                USER_ERROR, f"Invalid textStyle syntax ({text_style}) expected 'start:length:STYLE'"
            )
        if match[3] not in STYLES:
            raise RpcError(USER_ERROR, f"Invalid style: {match[3]}")
        styles.append((_parse_int(match[1]), _parse_int(match[2]), match[3]))
    return styles


def _attachment(value: str) -> tuple[str | None, str, bytes]:
    """Utils.createStreamDetails: a data URI, or else a file path."""
    match = _DATA_URI.fullmatch(value)
    if match:
        try:
            filename = None
            if match["parameters"]:
                parameter = _PARAMETER.match(match["parameters"])
                if parameter and parameter["key"] == "filename":
                    filename = urllib.parse.unquote_plus(parameter["value"])
            if match["base64"]:
                data = _java_base64(match["data"])
            else:
                data = urllib.parse.unquote_plus(match["data"]).encode("utf-8")
            return filename, match["type"] or "text/plain", data
        except ValueError:
            pass  # as signal-cli: not a data URI after all, so it must be a file
    path = Path(value)
    try:
        data = path.read_bytes()
    except OSError as error:
        reason = "Is a directory" if path.is_dir() else (error.strerror or "No such file")
        raise _internal(
            f"Failed to send message: {value}: {value} ({reason}) (AttachmentInvalidException)",
            "UnexpectedErrorException",
        ) from None
    content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return path.name, content_type, data
