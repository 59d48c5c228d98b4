"""Telegram through python-telegram-bot: updates become inbox entries, `Reply` becomes HTML.

The channel fetches updates itself (long polling with PTB's `Bot`, or a webhook server) and
confirms them to Telegram only once the inbox has committed them; PTB parses the updates and
sends through its `Bot` with the AIORateLimiter (without its own retries: flood control is the
outbox's job).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from http import HTTPStatus
from typing import Any, TypeVar
from urllib.parse import urlparse

import tornado.httpserver
import tornado.web
from telegram import (
    BotCommand,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Message,
    Update,
)
from telegram.constants import ChatType, ParseMode
from telegram.error import (
    BadRequest,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.ext import AIORateLimiter, Application

from bot.channels.base import (
    GROUP,
    InboxEntry,
    Receiver,
    Rejected,
    RetryLater,
    TemporaryFailure,
    Unreachable,
)
from bot.channels.html import split_html
from conversations.messages import Attachment, Inbound, InboundKind, Reply

log = logging.getLogger(__name__)

NAME = "telegram"
MESSAGE_LIMIT = 4000  # Telegram allows 4,096; a margin for what its parser counts differently
UNREACHABLE_REASONS = (
    "chat not found",
    "user is deactivated",
    "bot was blocked",
    "bot was kicked",
    "not enough rights to send",
)

ALLOWED_UPDATES = ["message", "callback_query"]
POLL_TIMEOUT_SECONDS = 25
BOOTSTRAP_ATTEMPTS = 5


def file_url_for(base_url: str) -> str:
    """The Bot API file URL that belongs to a `…/bot` base URL."""
    return base_url[: -len("bot")] + "file/bot" if base_url.endswith("/bot") else base_url


def build_application(
    token: str, base_url: str | None = None
) -> Application[Any, Any, Any, Any, Any, Any]:
    """The bot, its HTTP clients and the rate limiter (without its own retries: flood control is
    the outbox's job). Updates are fetched by the channel itself, which confirms them only once
    the inbox holds them, so the application has no updater."""
    builder = Application.builder().token(token).rate_limiter(AIORateLimiter(max_retries=0))
    builder = builder.updater(None).get_updates_read_timeout(POLL_TIMEOUT_SECONDS + 5)
    if base_url:
        builder = builder.base_url(base_url).base_file_url(file_url_for(base_url))
    return builder.build()


class TelegramChannel:
    name = NAME

    def __init__(self, application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        self.application = application
        self._acknowledging: set[asyncio.Task[None]] = set()

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
                    await receiver.store(admitted)
                    break
                except Exception as error:
                    pause = receiver.pause_after(error)
                if await _stopped_within(stop, pause):
                    return  # not confirmed: Telegram delivers the batch again
            offset = updates[-1].update_id + 1
            self.acknowledge(updates)
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

    def acknowledge(self, updates: Sequence[Update]) -> None:
        """Stored: stop the spinner of every pressed button, and take the buttons away, so that
        an old question cannot be answered twice. In the background, never holding the inbox."""
        for update in updates:
            if update.callback_query is not None:
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

    # --- outbound ------------------------------------------------------------------------

    async def send(self, address: str, reply: Reply, *, skip_parts: int = 0) -> str | None:
        bot = self.application.bot
        parts = split_html(reply.text, MESSAGE_LIMIT)
        markup = (
            InlineKeyboardMarkup(
                [
                    [InlineKeyboardButton(c.label, callback_data=c.data) for c in row]
                    for row in reply.choices
                ]
            )
            if reply.choices
            else None
        )
        sent = skip_parts
        message_id: str | None = None
        if reply.edit_of is not None:
            return await self._edit(address, reply, markup)
        try:
            for index, part in enumerate(parts):
                if index < skip_parts:
                    continue
                last = index == len(parts) - 1
                message = await bot.send_message(
                    chat_id=int(address),
                    text=part,
                    parse_mode=ParseMode.HTML,
                    reply_markup=markup if last and reply.document is None else None,
                    disable_notification=reply.silent,
                )
                sent, message_id = index + 1, str(message.message_id)
            if reply.forward is not None:  # a receipt, say: Telegram still has the file
                send = (
                    bot.send_photo
                    if (reply.forward.mime_type or "").startswith("image/")
                    and not reply.forward.name
                    else bot.send_document
                )
                forwarded = await send(int(address), reply.forward.file_ref)
                sent, message_id = len(parts) + 1, str(forwarded.message_id)
            if reply.document is not None:  # the part after the text
                document = await bot.send_document(
                    chat_id=int(address),
                    document=InputFile(reply.document.content, filename=reply.document.name),
                    reply_markup=markup,
                    disable_notification=reply.silent,
                )
                sent, message_id = len(parts) + 1, str(document.message_id)
        except RetryAfter as error:
            raise RetryLater(_seconds(error.retry_after), parts_sent=sent - skip_parts) from error
        except Forbidden as error:
            raise Unreachable(error.message, parts_sent=sent - skip_parts) from error
        except BadRequest as error:
            if any(reason in error.message.lower() for reason in UNREACHABLE_REASONS):
                raise Unreachable(error.message, parts_sent=sent - skip_parts) from error
            raise Rejected(error.message, parts_sent=sent - skip_parts) from error
        except NetworkError as error:  # includes time-outs and 5xx answers
            if _too_large(error):
                raise Rejected(error.message, parts_sent=sent - skip_parts) from error
            raise TemporaryFailure(error.message, parts_sent=sent - skip_parts) from error
        return message_id

    async def _edit(
        self, address: str, reply: Reply, markup: InlineKeyboardMarkup | None
    ) -> str | None:
        """Replace the text of an earlier message (a progress report, say)."""
        assert reply.edit_of is not None
        try:
            await self.application.bot.edit_message_text(
                chat_id=int(address),
                message_id=int(reply.edit_of),
                text=split_html(reply.text, MESSAGE_LIMIT)[0],
                parse_mode=ParseMode.HTML,
                reply_markup=markup,
            )
        except RetryAfter as error:
            raise RetryLater(_seconds(error.retry_after)) from error
        except Forbidden as error:
            raise Unreachable(error.message) from error
        except BadRequest as error:
            if "not modified" in error.message.lower():
                return reply.edit_of
            raise Rejected(error.message) from error
        except NetworkError as error:
            raise TemporaryFailure(error.message) from error
        return reply.edit_of

    async def fetch(self, attachment: Attachment) -> bytes:
        file = await self.application.bot.get_file(attachment.file_ref)
        return bytes(await file.download_as_bytearray())

    async def publish_menus(self, menus: dict[str, list[tuple[str, str]]], *, default: str) -> None:
        """The localized command menus for everyone. Only in private chats: in a group the bot
        answers only commands addressed to it by name."""
        bot = self.application.bot
        private = BotCommandScopeAllPrivateChats()
        try:
            await bot.set_my_commands(_commands(menus[default]), scope=private)
            for locale, entries in menus.items():
                await bot.set_my_commands(_commands(entries), scope=private, language_code=locale)
        except TelegramError as error:
            log.warning("command menus not published: %s", error)

    async def set_chat_menu(self, chat_id: int, entries: list[tuple[str, str]]) -> bool:
        """One chat's own menu (a staff member's); False when Telegram would not take it."""
        try:
            await self.application.bot.set_my_commands(
                _commands(entries), scope=BotCommandScopeChat(chat_id)
            )
        except TelegramError as error:  # e.g. a chat that never wrote to the bot
            log.info("no command menu for chat %s: %s", chat_id, error.message)
            return False
        return True

    async def remove_chat_menu(self, chat_id: int) -> None:
        """Back to the menu for everyone in this chat."""
        try:
            await self.application.bot.delete_my_commands(scope=BotCommandScopeChat(chat_id))
        except TelegramError as error:
            log.info("no command menu to remove in chat %s: %s", chat_id, error.message)


T = TypeVar("T")


async def _unless_stopped(call: Awaitable[T], stop: asyncio.Event, *, what: str) -> T | None:
    """The call's result, or None when the bot stops first (the call is then abandoned) or the
    call failed in a way that a pause mends."""
    task = asyncio.ensure_future(call)
    stopping = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({task, stopping}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopping.cancel()
    if not task.done():
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, TelegramError):
            await task
        return None
    try:
        return task.result()
    except TimedOut:
        return None
    except InvalidToken:
        raise
    except Conflict as error:  # another process polls with this token
        log.error("%s: %s; is the bot running twice?", what, error.message)
        await _stopped_within(stop, 5)
    except TelegramError as error:
        log.warning("%s failed: %s", what, error)
        await _stopped_within(stop, 1)
    return None


async def _stopped_within(stop: asyncio.Event, seconds: float) -> bool:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)
    return stop.is_set()


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
            if await _stopped_within(stop, attempt):
                return


class _WebhookHandler(tornado.web.RequestHandler):
    """One update from Telegram: 200 once the inbox holds it, 503 while it cannot."""

    def initialize(self, channel: TelegramChannel, receiver: Receiver, secret: str) -> None:
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
            await self.receiver.store(self.receiver.admit(self.channel.entries(update)))
        except Exception as error:
            self.receiver.pause_after(error)
            self.set_status(HTTPStatus.SERVICE_UNAVAILABLE)
            return
        self.set_status(HTTPStatus.OK)
        self.channel.acknowledge([update])


def _too_large(error: NetworkError) -> bool:
    """413: the file is larger than Telegram takes; sending it again changes nothing."""
    # PTB keeps no status code: Telegram's own answer says this, a proxy's page ends in (413).
    return "request entity too large" in error.message.lower() or "(413)" in error.message


def _commands(entries: list[tuple[str, str]]) -> list[BotCommand]:
    return [BotCommand(name, description) for name, description in entries]


def _seconds(value: int | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def _media(message: Message) -> tuple[InboundKind, Attachment | None]:
    if message.document is not None:
        doc = message.document
        return InboundKind.DOCUMENT, Attachment(
            doc.file_id, doc.file_name, doc.mime_type, doc.file_size
        )
    if message.photo:
        photo = message.photo[-1]
        return InboundKind.PHOTO, Attachment(photo.file_id, None, "image/jpeg", photo.file_size)
    if message.sticker is not None:
        return InboundKind.STICKER, None
    if message.voice is not None or message.audio is not None:
        return InboundKind.VOICE, None
    if message.video is not None or message.video_note is not None or message.animation:
        return InboundKind.VIDEO, None
    if message.location is not None or message.venue is not None:
        return InboundKind.LOCATION, None
    if message.contact is not None:
        return InboundKind.CONTACT, None
    return InboundKind.OTHER, None
