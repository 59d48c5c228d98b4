"""A loopback fake of the Telegram Bot API that validates like Telegram and can misbehave.

The real python-telegram-bot `Application` talks to it over HTTP (polling with getUpdates).
It refuses what Telegram refuses (malformed HTML, over-long text, callback data over 64 bytes,
unknown chats, edits that change nothing, unknown callback queries), records every request,
and injects 429 (with retry_after), 403 and 5xx answers on demand.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import mimetypes
import re
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from aiohttp import web

ALLOWED_TAGS = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "span",
    "tg-spoiler",
    "a",
    "code",
    "pre",
    "blockquote",
    "tg-emoji",
}
ENTITY = re.compile(r"&(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);")
TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024


class EntityError(ValueError):
    pass


class _Telegramish(HTMLParser):
    """Parses Telegram's HTML subset strictly; collects the visible text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            raise EntityError(f'Unsupported start tag "{tag}"')
        if tag == "a" and not dict(attrs).get("href"):
            raise EntityError("Can't find href in a tag")
        if tag == "span" and dict(attrs).get("class") != "tg-spoiler":
            raise EntityError("Unsupported span tag")
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            raise EntityError(f'Unexpected end tag "{tag}"')
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse_html(text: str) -> str:
    """The visible text of Telegram HTML, or EntityError as Telegram would refuse it."""
    for match in re.finditer(r"&", text):
        if not ENTITY.match(text, match.start()):
            raise EntityError("Unsupported HTML entity or bare &")
    for match in re.finditer(r"<", text):
        if not re.match(r"</?[a-zA-Z][a-zA-Z0-9-]*(\s[^<>]*)?>", text[match.start() :]):
            raise EntityError("Unexpected < character")
    parser = _Telegramish()
    parser.feed(text)
    parser.close()
    if parser.stack:
        raise EntityError(f'Can\'t find end tag corresponding to start tag "{parser.stack[-1]}"')
    return "".join(parser.text)


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class BadRequest(Exception):
    def __init__(self, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.description, self.status = description, status


@dataclass
class SentMessage:
    message_id: int
    chat_id: int
    text: str
    plain_text: str
    parse_mode: str | None
    reply_markup: dict[str, Any] | None
    document: dict[str, Any] | None = None
    edits: int = 0

    def buttons(self) -> list[tuple[str, str]]:
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [(b["text"], b.get("callback_data", "")) for row in rows for b in row]

    def button_labels(self) -> list[str]:
        return [label for label, _ in self.buttons()]


@dataclass
class RecordedRequest:
    method: str
    params: dict[str, Any]
    status: int
    error: str | None
    time: float = field(default_factory=time.monotonic)


@dataclass
class _Fault:
    method: str
    status: int
    description: str
    retry_after: int | None
    chat_id: int | None
    times: int


class FakeBotApi:
    def __init__(
        self, *, token: str = "123456:TEST-token", bot_username: str = "gemeinsam_test_bot"
    ) -> None:
        self.token = token
        self.bot_id = int(token.split(":", 1)[0])
        self.bot_username = bot_username
        self.requests: list[RecordedRequest] = []
        self.rejected: list[RecordedRequest] = []
        self.commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        self.callback_answers: list[dict[str, Any]] = []
        self._chats: dict[int, dict[str, Any]] = {}
        self._users: dict[int, dict[str, Any]] = {}
        self._blocked: set[int] = set()
        self._messages: dict[int, list[SentMessage]] = defaultdict(list)
        self._message_ids: dict[int, itertools.count[int]] = defaultdict(lambda: itertools.count(1))
        self._updates: list[dict[str, Any]] = []  # queued, not yet confirmed by an offset
        self._delivered: set[int] = set()  # positions in _updates handed out at least once
        self._closing = False
        self._next_update = itertools.count(1)
        self._callbacks: dict[str, bool] = {}  # id -> answered
        self._files: dict[str, tuple[bytes, str]] = {}
        self._faults: list[_Fault] = []
        self._rate: tuple[float | None, float | None] = (None, None)
        self._sends: list[tuple[float, int]] = []
        self._wake = asyncio.Event()
        self.polls = 0  # getUpdates calls begun (a long poll is recorded only when it ends)
        self.webhook: dict[str, Any] | None = None  # what setWebhook set, until deleteWebhook
        self._runner: web.AppRunner | None = None
        self.port = 0

    # --- life cycle -------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.*}", self._download)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        self._closing = True
        self._wake.set()
        if self._runner is not None:
            await self._runner.cleanup()

    async def __aenter__(self) -> FakeBotApi:
        await self.start()
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    # --- people and chats -------------------------------------------------------------

    def add_user(
        self,
        user_id: int,
        *,
        first_name: str = "Test",
        language_code: str | None = "de",
        username: str | None = None,
    ) -> None:
        user = {"id": user_id, "is_bot": False, "first_name": first_name}
        if language_code:
            user["language_code"] = language_code
        if username:
            user["username"] = username
        self._users[user_id] = user
        self._chats[user_id] = {"id": user_id, "type": "private", "first_name": first_name}

    def add_group(self, chat_id: int, *, title: str = "Group") -> None:
        self._chats[chat_id] = {"id": chat_id, "type": "group", "title": title}

    def block_bot(self, user_id: int) -> None:
        self._blocked.add(user_id)

    # --- inbound updates --------------------------------------------------------------

    def enqueue_update(self, update: dict[str, Any]) -> int:
        """Queue an update; one with an explicit update_id is delivered even if that id was
        confirmed before, as Telegram redelivers what a crashed bot did not confirm."""
        update = dict(update)
        if "update_id" in update:
            self._next_update = itertools.count(
                max(int(update["update_id"]) + 1, next(self._next_update))
            )
        else:
            update["update_id"] = next(self._next_update)
        self._updates.append(update)
        self._wake.set()
        return int(update["update_id"])

    def _message(self, user_id: int, chat_id: int | None = None, **content: Any) -> int:
        chat = self._chats[chat_id if chat_id is not None else user_id]
        message = {
            "message_id": next(self._message_ids[chat["id"]]),
            "date": int(time.time()),
            "chat": chat,
            "from": self._users[user_id],
            **content,
        }
        return self.enqueue_update({"message": message})

    def send_text(self, user_id: int, text: str, *, chat_id: int | None = None) -> int:
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            word = text.split()[0]
            content["entities"] = [
                {"type": "bot_command", "offset": 0, "length": utf16_length(word)}
            ]
        return self._message(user_id, chat_id, **content)

    def _file(self, data: bytes, name: str) -> dict[str, Any]:
        file_id = f"file-{len(self._files) + 1}"
        self._files[file_id] = (data, name)
        return {"file_id": file_id, "file_unique_id": f"u{file_id}", "file_size": len(data)}

    def send_sticker(self, user_id: int) -> int:
        sticker = {
            **self._file(b"webp", "s.webp"),
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "type": "regular",
        }
        return self._message(user_id, sticker=sticker)

    def send_photo(self, user_id: int, *, caption: str | None = None) -> int:
        photo = [{**self._file(b"\xff\xd8\xff\xe0jpeg", "p.jpg"), "width": 90, "height": 90}]
        return self._message(user_id, photo=photo, **({"caption": caption} if caption else {}))

    def send_voice(self, user_id: int) -> int:
        return self._message(user_id, voice={**self._file(b"ogg", "v.ogg"), "duration": 3})

    def send_location(self, user_id: int, lat: float = 53.5, lon: float = 11.4) -> int:
        return self._message(user_id, location={"latitude": lat, "longitude": lon})

    def send_document(
        self,
        user_id: int,
        *,
        file_name: str = "a.pdf",
        mime_type: str = "application/pdf",
        data: bytes = b"%PDF-1.4",
        caption: str | None = None,
    ) -> int:
        document = {**self._file(data, file_name), "file_name": file_name, "mime_type": mime_type}
        return self._message(
            user_id, document=document, **({"caption": caption} if caption else {})
        )

    def press_button(
        self,
        user_id: int,
        message_id: int,
        data: str | None = None,
        *,
        label: str | None = None,
        check: bool = True,
    ) -> int:
        message = next(m for m in self._messages[user_id] if m.message_id == message_id)
        if check:
            match = [
                (lbl, d)
                for lbl, d in message.buttons()
                if (data is not None and d == data) or (label is not None and lbl == label)
            ]
            assert match, (
                f"no button {label or data!r} on message {message_id}: {message.buttons()}"
            )
            data = match[0][1]
        query_id = f"cq{len(self._callbacks) + 1}"
        self._callbacks[query_id] = False
        return self.enqueue_update(
            {
                "callback_query": {
                    "id": query_id,
                    "from": self._users[user_id],
                    "chat_instance": str(user_id),
                    "data": data,
                    "message": self._message_json(message),
                }
            }
        )

    # --- fault injection --------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        *,
        status: int,
        description: str | None = None,
        retry_after: int | None = None,
        chat_id: int | None = None,
        times: int = 1,
    ) -> None:
        if description is None:
            description = {
                429: f"Too Many Requests: retry after {retry_after or 1}",
                403: "Forbidden: bot was blocked by the user",
            }.get(status, "Bad Gateway")
        self._faults.append(_Fault(method, status, description, retry_after, chat_id, times))

    def set_rate_limit(
        self, *, per_chat_per_second: float | None = None, global_per_second: float | None = None
    ) -> None:
        self._rate = (per_chat_per_second, global_per_second)

    # --- what happened ----------------------------------------------------------------

    def messages(self, chat_id: int) -> list[SentMessage]:
        return list(self._messages[chat_id])

    def unanswered_callbacks(self) -> list[str]:
        return [query for query, answered in self._callbacks.items() if not answered]

    def updates_pending(self) -> int:
        return len(self._updates)

    def waiting_updates(self) -> list[dict[str, Any]]:
        """The updates not yet confirmed, in order (for a webhook's delivery)."""
        return list(self._updates)

    def confirm(self, update: dict[str, Any]) -> None:
        """A webhook answered 200 to this update: Telegram forgets it."""
        self._updates = [u for u in self._updates if u is not update]

    async def wait_until(self, predicate: Callable[[], bool], *, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out; requests: {self._dump()}")
            await asyncio.sleep(0.02)

    async def wait_for_messages(
        self, chat_id: int, count: int, *, timeout: float = 10.0
    ) -> list[SentMessage]:
        try:
            await self.wait_until(lambda: len(self._messages[chat_id]) >= count, timeout=timeout)
        except AssertionError:
            texts = [m.plain_text[:80] for m in self._messages[chat_id]]
            raise AssertionError(
                f"chat {chat_id} has {len(texts)} messages, expected {count}: "
                f"{texts}; requests: {self._dump()}"
            ) from None
        return self.messages(chat_id)

    async def wait_for_answer(
        self, chat_id: int, count: int, *, quiet: float = 0.3, timeout: float = 10.0
    ) -> list[SentMessage]:
        """More than `count` messages in the chat, and then none new for `quiet` seconds."""
        await self.wait_for_messages(chat_id, count + 1, timeout=timeout)
        while True:
            seen = len(self._messages[chat_id])
            await asyncio.sleep(quiet)
            if len(self._messages[chat_id]) == seen:
                return self.messages(chat_id)

    def _dump(self) -> list[str]:
        return [f"{r.method}:{r.status}:{r.error or ''}" for r in self.requests[-15:]]

    # --- the HTTP side ----------------------------------------------------------------

    async def _params(self, request: web.Request) -> dict[str, Any]:
        if request.content_type == "application/json":
            return dict(await request.json())
        params: dict[str, Any] = {}
        if request.content_type.startswith("multipart/"):
            reader = await request.multipart()
            async for part in reader:
                if part.filename:  # type: ignore[union-attr]
                    params[part.name] = (await part.read(), part.filename)  # type: ignore
                else:
                    params[part.name] = await part.text()  # type: ignore[union-attr]
        else:
            params = dict(await request.post())
        for key, value in list(params.items()):
            if (isinstance(value, str) and value[:1] in "{[") or key in ("chat_id", "message_id"):
                with contextlib.suppress(TypeError, ValueError):
                    params[key] = json.loads(value)
        return params

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if request.match_info["token"] != self.token:
            return self._answer(method, {}, 401, "Unauthorized")
        params = await self._params(request)
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            return self._answer(method, params, 404, "Not Found")
        fault = self._fault(method, params)
        if fault is not None:
            return fault
        try:
            result = (
                await handler(params) if asyncio.iscoroutinefunction(handler) else handler(params)
            )
        except BadRequest as error:
            response = self._answer(method, params, error.status, error.description)
            if error.status == 400:
                self.rejected.append(self.requests[-1])
            return response
        self.requests.append(RecordedRequest(method, params, 200, None))
        return web.json_response({"ok": True, "result": result})

    def _fault(self, method: str, params: dict[str, Any]) -> web.Response | None:
        chat_id = params.get("chat_id")
        for fault in self._faults:
            if fault.method == method and fault.times > 0 and fault.chat_id in (None, chat_id):
                fault.times -= 1
                return self._answer(
                    method, params, fault.status, fault.description, retry_after=fault.retry_after
                )
        per_chat, overall = self._rate
        if method in ("sendMessage", "sendDocument") and (per_chat or overall):
            now = time.monotonic()
            self._sends = [(t, c) for t, c in self._sends if now - t < 1.0]
            if (overall and len(self._sends) >= overall) or (
                per_chat and sum(1 for _, c in self._sends if c == chat_id) >= per_chat
            ):
                return self._answer(
                    method, params, 429, "Too Many Requests: retry after 1", retry_after=1
                )
            self._sends.append((now, int(chat_id or 0)))
        return None

    def _answer(
        self,
        method: str,
        params: dict[str, Any],
        status: int,
        description: str,
        *,
        retry_after: int | None = None,
    ) -> web.Response:
        self.requests.append(RecordedRequest(method, params, status, description))
        body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
        if retry_after is not None:
            body["parameters"] = {"retry_after": retry_after}
        return web.json_response(body, status=status)

    async def _download(self, request: web.Request) -> web.Response:
        path = request.match_info["path"]
        file_id = path.rsplit("/", 1)[-1]
        if file_id not in self._files:
            return web.Response(status=404)
        return web.Response(body=self._files[file_id][0])

    # --- methods ----------------------------------------------------------------------

    def _bot_user(self) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": "Gemeinsam",
            "username": self.bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    def _m_getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._bot_user()

    async def _m_getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        self.polls += 1
        offset = int(params.get("offset") or 0)
        if offset:  # confirms every update handed out before with a lower id
            self._updates = [
                u
                for u in self._updates
                if not (id(u) in self._delivered and u["update_id"] < offset)
            ]
        timeout = float(params.get("timeout") or 0)
        limit = int(params.get("limit") or 100)
        deadline = time.monotonic() + timeout
        while not self._closing:
            if self._updates or time.monotonic() >= deadline:
                batch = self._updates[:limit]
                self._delivered.update(id(u) for u in batch)
                return batch
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    self._wake.wait(), timeout=max(deadline - time.monotonic(), 0.01)
                )
        return []

    def _m_deleteWebhook(self, params: dict[str, Any]) -> bool:
        self.webhook = None
        return True

    def _m_setWebhook(self, params: dict[str, Any]) -> bool:
        self.webhook = dict(params)
        return True

    # What getWebhookInfo answers; a test sets it (url, last_error_date, last_error_message, …).
    webhook_info: dict[str, Any] | None = None

    def _m_getWebhookInfo(self, params: dict[str, Any]) -> dict[str, Any]:
        info = {"url": "", "has_custom_certificate": False, "pending_update_count": 0}
        return {**info, **(self.webhook_info or {})}

    def _m_close(self, params: dict[str, Any]) -> bool:
        return True

    def _m_logOut(self, params: dict[str, Any]) -> bool:
        return True

    def _m_sendChatAction(self, params: dict[str, Any]) -> bool:
        self._chat(params)
        return True

    def _m_setChatMenuButton(self, params: dict[str, Any]) -> bool:
        return True

    def _chat(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = params.get("chat_id")
        if not isinstance(chat_id, int) or chat_id not in self._chats:
            raise BadRequest("Bad Request: chat not found")
        if chat_id in self._blocked:
            raise BadRequest("Forbidden: bot was blocked by the user", status=403)
        return self._chats[chat_id]

    def _text(self, text: str, parse_mode: str | None, *, limit: int, what: str) -> str:
        try:
            plain = parse_html(text) if parse_mode == "HTML" else text
        except EntityError as error:
            raise BadRequest(f"Bad Request: can't parse entities: {error}") from None
        if not plain.strip() and what == "text":
            raise BadRequest("Bad Request: message text is empty")
        if utf16_length(plain) > limit:
            raise BadRequest(
                f"Bad Request: message {what} is too long"
                if what == "caption"
                else "Bad Request: message is too long"
            )
        return plain

    def _markup(self, markup: Any) -> dict[str, Any] | None:
        if markup in (None, "", {}):
            return None
        if not isinstance(markup, dict) or "inline_keyboard" not in markup:
            raise BadRequest("Bad Request: can't parse reply keyboard markup JSON object")
        buttons = [b for row in markup["inline_keyboard"] for b in row]
        if len(buttons) > 100:
            raise BadRequest("Bad Request: too many buttons")
        for button in buttons:
            if not button.get("text"):
                raise BadRequest("Bad Request: BUTTON_TEXT_EMPTY")
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= 64:
                raise BadRequest("Bad Request: BUTTON_DATA_INVALID")
            if data is None and not button.get("url"):
                raise BadRequest("Bad Request: BUTTON_TYPE_INVALID")
        return markup

    def _message_json(self, message: SentMessage) -> dict[str, Any]:
        result: dict[str, Any] = {
            "message_id": message.message_id,
            "date": int(time.time()),
            "chat": self._chats[message.chat_id],
            "from": self._bot_user(),
        }
        if message.document is not None:
            result["document"] = {
                k: message.document[k]
                for k in ("file_id", "file_unique_id", "file_name", "mime_type", "file_size")
            }
            if message.text:
                result["caption"] = message.plain_text
        else:
            result["text"] = message.plain_text
        if message.reply_markup:
            result["reply_markup"] = message.reply_markup
        return result

    def _m_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(params)
        text = str(params.get("text", ""))
        plain = self._text(text, params.get("parse_mode"), limit=TEXT_LIMIT, what="text")
        markup = self._markup(params.get("reply_markup"))
        message = SentMessage(
            next(self._message_ids[chat["id"]]),
            chat["id"],
            text,
            plain,
            params.get("parse_mode"),
            markup,
        )
        self._messages[chat["id"]].append(message)
        return self._message_json(message)

    def _m_sendDocument(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(params)
        document = params.get("document")
        if isinstance(document, tuple):
            data, name = document
        elif isinstance(document, str) and document in self._files:
            data, name = self._files[document]
        else:
            raise BadRequest("Bad Request: wrong file identifier/HTTP URL specified")
        caption = str(params.get("caption", ""))
        plain = (
            self._text(caption, params.get("parse_mode"), limit=CAPTION_LIMIT, what="caption")
            if caption
            else ""
        )
        markup = self._markup(params.get("reply_markup"))
        info = self._file(data, name)
        info.update(
            {
                "file_name": name,
                # Telegram takes the type from the file's name, as the upload does not say it.
                "mime_type": params.get("mime_type")
                or mimetypes.guess_type(name)[0]
                or "application/octet-stream",
                "size": len(data),
                "bytes": data,
            }
        )
        message = SentMessage(
            next(self._message_ids[chat["id"]]),
            chat["id"],
            caption,
            plain,
            params.get("parse_mode"),
            markup,
            document=info,
        )
        self._messages[chat["id"]].append(message)
        return self._message_json(message)

    def _m_sendPhoto(self, params: dict[str, Any]) -> dict[str, Any]:
        params = {**params, "document": params.get("photo")}
        return self._m_sendDocument(params)

    def _m_sendVoice(self, params: dict[str, Any]) -> dict[str, Any]:
        params = {**params, "document": params.get("voice")}
        return self._m_sendDocument(params)

    def _find(self, params: dict[str, Any]) -> SentMessage:
        chat = self._chat(params)
        message_id = params.get("message_id")
        for message in self._messages[chat["id"]]:
            if message.message_id == message_id:
                return message
        raise BadRequest("Bad Request: message to edit not found")

    def _m_editMessageText(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._find(params)
        text = str(params.get("text", ""))
        plain = self._text(text, params.get("parse_mode"), limit=TEXT_LIMIT, what="text")
        markup = self._markup(params.get("reply_markup"))
        if text == message.text and markup == message.reply_markup:
            raise BadRequest(
                "Bad Request: message is not modified: specified new message "
                "content and reply markup are exactly the same as a current "
                "content and reply markup of the message"
            )
        message.text, message.plain_text, message.reply_markup = text, plain, markup
        message.edits += 1
        return self._message_json(message)

    def _m_editMessageReplyMarkup(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._find(params)
        markup = self._markup(params.get("reply_markup"))
        if markup == message.reply_markup:
            raise BadRequest(
                "Bad Request: message is not modified: specified new message "
                "content and reply markup are exactly the same as a current "
                "content and reply markup of the message"
            )
        message.reply_markup = markup
        message.edits += 1
        return self._message_json(message)

    def _m_deleteMessage(self, params: dict[str, Any]) -> bool:
        message = self._find(params)
        self._messages[message.chat_id].remove(message)
        return True

    def _m_answerCallbackQuery(self, params: dict[str, Any]) -> bool:
        query_id = str(params.get("callback_query_id", ""))
        if self._callbacks.get(query_id, True):
            raise BadRequest(
                "Bad Request: query is too old and response timeout expired or query ID is invalid"
            )
        if len(str(params.get("text", ""))) > 200:
            raise BadRequest("Bad Request: MESSAGE_TOO_LONG")
        self._callbacks[query_id] = True
        self.callback_answers.append(params)
        return True

    def _m_setMyCommands(self, params: dict[str, Any]) -> bool:
        commands = params.get("commands") or []
        if isinstance(commands, str):
            commands = json.loads(commands)
        if len(commands) > 100:
            raise BadRequest("Bad Request: BOT_COMMANDS_TOO_MUCH")
        for command in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", command.get("command", "")):
                raise BadRequest("Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(command.get("description", "")) <= 256:
                raise BadRequest("Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        language = str(params.get("language_code") or "")
        if language and not re.fullmatch(r"[a-z]{2}", language):
            raise BadRequest("Bad Request: LANGUAGE_CODE_INVALID")
        self.commands[self._scope_key(params)] = commands
        return True

    def _scope_key(self, params: dict[str, Any]) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        if isinstance(scope, str):
            scope = json.loads(scope)
        if scope["type"] == "chat":
            self._chat({"chat_id": scope["chat_id"]})
        key = scope["type"] if scope["type"] != "chat" else f"chat:{scope['chat_id']}"
        return key, str(params.get("language_code") or "")

    def _m_getMyCommands(self, params: dict[str, Any]) -> list[dict[str, str]]:
        return self.commands.get(self._scope_key(params), [])

    def _m_deleteMyCommands(self, params: dict[str, Any]) -> bool:
        self.commands.pop(self._scope_key(params), None)
        return True

    def _m_getFile(self, params: dict[str, Any]) -> dict[str, Any]:
        file_id = str(params.get("file_id", ""))
        if file_id not in self._files:
            raise BadRequest("Bad Request: invalid file_id")
        data, _ = self._files[file_id]
        if len(data) > 20 * 1024 * 1024:
            raise BadRequest("Bad Request: file is too big")
        return {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "file_size": len(data),
            "file_path": f"documents/{file_id}",
        }
