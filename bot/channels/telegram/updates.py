"""Updates from Telegram: long polling or a webhook, each update confirmed to Telegram only once
the inbox holds it, and turned into inbox entries; pressed buttons are answered and taken away."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from http import HTTPStatus
from typing import Any, TypeVar
from urllib.parse import urlparse

import tornado.httpserver
import tornado.web
from telegram import (
    CallbackQuery,
    Message,
    Update,
)
from telegram.constants import ChatType
from telegram.error import (
    Conflict,
    InvalidToken,
    TelegramError,
    TimedOut,
)
from telegram.ext import Application

from bot.channels.base import (
    GROUP,
    InboxEntry,
    Receiver,
)
from bot.channels.stopping import stopped_within, unless_stopped
from conversations.messages import Attachment, Inbound, InboundKind

log = logging.getLogger(__name__)

NAME = "telegram"
ALLOWED_UPDATES = ["message", "callback_query"]
POLL_TIMEOUT_SECONDS = 25
BOOTSTRAP_ATTEMPTS = 5


class Updates:
    """The receiving half of the Telegram channel."""

    application: Application[Any, Any, Any, Any, Any, Any]
    _acknowledging: set[asyncio.Task[None]]

    @property
    def bot_username(self) -> str:
        return str(self.application.bot.username)

    # --- inbound -------------------------------------------------------------------------

    async def poll(self, receiver: Receiver, stop: asyncio.Event) -> None:
        """Long polling: a batch is confirmed to Telegram (by the next call's offset) only after
        the inbox committed it. While the database cannot take a batch, the batch is kept and
        stored again with growing pauses; nothing more is fetched meanwhile."""
        bot = self.application.bot
        await _bootstrap(lambda: bot.delete_webhook(drop_pending_updates=False), stop)
        offset = 0
        while not stop.is_set():
            updates = await _unless_stopped(
                bot.get_updates(
                    offset=offset,
                    timeout=POLL_TIMEOUT_SECONDS,
                    allowed_updates=ALLOWED_UPDATES,
                ),
                stop,
                what="getUpdates",
            )
            if not updates:
                continue
            admitted = receiver.admit([entry for u in updates for entry in self.entries(u)])
            while True:
                try:
                    known = await receiver.store(admitted)
                    break
                except Exception as error:
                    pause = receiver.pause_after(error)
                if await stopped_within(stop, pause):
                    return  # not confirmed: Telegram delivers the batch again
            offset = updates[-1].update_id + 1
            self.acknowledge(updates, known)
            await receiver.replied()  # its sendMessage before the next getUpdates
        if offset:  # confirm the last stored batch, so that it is not delivered again
            with contextlib.suppress(TelegramError):
                await bot.get_updates(offset=offset, timeout=0, limit=1)

    async def serve_webhook(
        self,
        receiver: Receiver,
        stop: asyncio.Event,
        *,
        url: str,
        listen: str,
        port: int,
        secret: str,
    ) -> None:
        """Webhook: Telegram's request is answered 200 only after the inbox committed the
        update, and 503 while the database cannot take it, so that Telegram delivers it again."""
        path = "/" + urlparse(url).path.strip("/")
        app = tornado.web.Application(
            [(path, _WebhookHandler, {"channel": self, "receiver": receiver, "secret": secret})],
            log_function=lambda _handler: None,
        )
        server = tornado.httpserver.HTTPServer(app)
        server.listen(port, address=listen)
        try:
            bot = self.application.bot
            await _bootstrap(
                lambda: bot.set_webhook(
                    url=url, secret_token=secret, allowed_updates=ALLOWED_UPDATES
                ),
                stop,
            )
            await stop.wait()
        finally:
            server.stop()
            await server.close_all_connections()

    def entries(self, update: Update) -> list[InboxEntry]:
        """What the inbox keeps of an update: nothing for what the bot does not handle."""
        key = f"{NAME}:{update.update_id}"
        query = update.callback_query
        if query is not None:
            message = query.message
            if message is None or message.chat.type != ChatType.PRIVATE or not query.data:
                return []
            inbound = Inbound(
                channel=NAME,
                external_id=str(message.chat.id),
                kind=InboundKind.CHOICE,
                update_key=key,
                data=query.data,
                language_code=query.from_user.language_code,
                display_name=query.from_user.first_name,
            )
            return [InboxEntry(inbound)]
        message = update.message
        user = message.from_user if message is not None else None
        if message is None or user is None or user.is_bot:
            return []
        command, args = self._command(message)
        if message.chat.type != ChatType.PRIVATE:
            if command is None:
                return []
            group = Inbound(
                channel=NAME,
                external_id=str(message.chat.id),
                kind=InboundKind.COMMAND,
                update_key=key,
                command=command,
                language_code=user.language_code,
            )
            return [InboxEntry(group, GROUP, bot_username=self.bot_username)]
        base: dict[str, Any] = {
            "channel": NAME,
            "external_id": str(message.chat.id),
            "update_key": key,
            "language_code": user.language_code,
            "display_name": user.first_name,
        }
        if command is not None:
            inbound = Inbound(
                kind=InboundKind.COMMAND,
                command=command,
                args=args,
                text=message.text or "",
                **base,
            )
        elif message.text is not None:
            inbound = Inbound(kind=InboundKind.TEXT, text=message.text, **base)
        else:
            kind, attachment = _media(message)
            inbound = Inbound(kind=kind, attachment=attachment, text=message.caption or "", **base)
        return [InboxEntry(inbound)]

    def acknowledge(self, updates: Sequence[Update], known: frozenset[str]) -> None:
        """Stored: stop the spinner of every pressed button, and take the buttons away, so that
        an old question cannot be answered twice. In the background, never holding the inbox.
        Not again for an update the inbox held already (delivered again after a restart that
        came before its confirmation): Telegram refuses a second answer to a button."""
        for update in updates:
            if update.callback_query is not None and f"{NAME}:{update.update_id}" not in known:
                task = asyncio.create_task(self._answer_callback(update.callback_query))
                self._acknowledging.add(task)
                task.add_done_callback(self._acknowledging.discard)

    async def _answer_callback(self, query: CallbackQuery) -> None:
        try:
            await query.answer()
        except TelegramError as error:  # too old, or flood control: nothing to lose
            log.info("callback query not answered: %s", error)
        message = query.message
        if (
            message is not None
            and message.chat.type == ChatType.PRIVATE
            and getattr(message, "reply_markup", None) is not None
        ):
            await self._remove_buttons(message.chat.id, message.message_id)

    async def close(self) -> None:
        """Let the last acknowledgements go out."""
        if self._acknowledging:
            await asyncio.wait(set(self._acknowledging), timeout=5)

    async def _remove_buttons(self, chat_id: int, message_id: int) -> None:
        """Buttons once pressed go, so that an old question cannot be answered twice."""
        try:
            await self.application.bot.edit_message_reply_markup(
                chat_id=chat_id, message_id=message_id, reply_markup=None
            )
        except TelegramError as error:
            log.debug("buttons of %s/%s stay: %s", chat_id, message_id, error)

    def _command(self, message: Message) -> tuple[str | None, str]:
        """`/start@ThisBot args` -> ("start", "args"); commands for other bots are not ours."""
        text = message.text or ""
        entity = next(iter(message.entities or ()), None)
        if entity is None or entity.type != "bot_command" or entity.offset != 0:
            return None, ""
        word = text[1 : entity.length]
        name, _, addressee = word.partition("@")
        if addressee and addressee.lower() != self.bot_username.lower():
            return None, ""
        if message.chat.type != ChatType.PRIVATE and not addressee:
            return None, ""
        return name.lower(), text[entity.length :].strip()


T = TypeVar("T")


async def _unless_stopped(call: Awaitable[T], stop: asyncio.Event, *, what: str) -> T | None:
    """The call's result, or None when the bot stops first (the call is then abandoned) or the
    call failed in a way that a pause mends."""
    try:
        return await unless_stopped(call, stop)
    except TimedOut:
        return None
    except InvalidToken:
        raise
    except Conflict as error:  # another process polls with this token
        log.error("%s: %s; is the bot running twice?", what, error.message)
        await stopped_within(stop, 5)
    except TelegramError as error:
        log.warning("%s failed: %s", what, error)
        await stopped_within(stop, 1)
    return None


async def _bootstrap(call: Callable[[], Awaitable[object]], stop: asyncio.Event) -> None:
    """A set-up call (deleting or setting the webhook), tried a few times with pauses."""
    for attempt in range(1, BOOTSTRAP_ATTEMPTS + 1):
        try:
            await call()
            return
        except TelegramError as error:
            if attempt == BOOTSTRAP_ATTEMPTS or isinstance(error, InvalidToken):
                raise
            log.warning("Telegram set-up failed (%s); again", error)
            if await stopped_within(stop, attempt):
                return


class _WebhookHandler(tornado.web.RequestHandler):
    """One update from Telegram: 200 once the inbox holds it, 503 while it cannot."""

    def initialize(self, channel: Updates, receiver: Receiver, secret: str) -> None:
        self.channel = channel
        self.receiver = receiver
        self.secret = secret

    async def post(self) -> None:
        if self.request.headers.get("X-Telegram-Bot-Api-Secret-Token") != self.secret:
            self.set_status(HTTPStatus.FORBIDDEN)
            return
        try:
            update = Update.de_json(json.loads(self.request.body), self.channel.application.bot)
        except (ValueError, TypeError, KeyError):
            self.set_status(HTTPStatus.BAD_REQUEST)
            return
        try:
            known = await self.receiver.store(self.receiver.admit(self.channel.entries(update)))
        except Exception as error:
            self.receiver.pause_after(error)
            self.set_status(HTTPStatus.SERVICE_UNAVAILABLE)
            return
        self.set_status(HTTPStatus.OK)
        self.channel.acknowledge([update], known)


def _media(message: Message) -> tuple[InboundKind, Attachment | None]:
    if message.document is not None:
        doc = message.document
        return InboundKind.DOCUMENT, Attachment(
            doc.file_id, doc.file_name, doc.mime_type, doc.file_size, kind="document"
        )
    if message.photo:
        photo = message.photo[-1]
        return InboundKind.PHOTO, Attachment(
            photo.file_id, None, "image/jpeg", photo.file_size, kind="photo"
        )
    if message.sticker is not None:
        return InboundKind.STICKER, None
    if message.voice is not None:  # a spoken question, to go on to staff as it is
        voice = message.voice
        return InboundKind.VOICE, Attachment(
            voice.file_id, None, voice.mime_type or "audio/ogg", voice.file_size, kind="voice"
        )
    if message.audio is not None:
        return InboundKind.VOICE, None
    if message.video is not None or message.video_note is not None or message.animation:
        return InboundKind.VIDEO, None
    if message.location is not None or message.venue is not None:
        return InboundKind.LOCATION, None
    if message.contact is not None:
        return InboundKind.CONTACT, None
    return InboundKind.OTHER, None
