"""Telegram through python-telegram-bot: updates become `Inbound`, `Reply` becomes HTML messages.

One catch-all handler turns every update into an `Inbound` for the turn; sending goes through the
`Bot` with PTB's AIORateLimiter (without its own retries: flood control is the outbox's job).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from telegram import (
    BotCommand,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Message,
    Update,
)
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import AIORateLimiter, Application, ContextTypes, TypeHandler

from bot.channels.base import Rejected, RetryLater, TemporaryFailure, Unreachable
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

InboundHandler = Callable[[Inbound], Awaitable[Any]]
GroupHandler = Callable[..., Awaitable[None]]


def file_url_for(base_url: str) -> str:
    """The Bot API file URL that belongs to a `…/bot` base URL."""
    return base_url[: -len("bot")] + "file/bot" if base_url.endswith("/bot") else base_url


def build_application(
    token: str, base_url: str | None = None
) -> Application[Any, Any, Any, Any, Any, Any]:
    builder = Application.builder().token(token).rate_limiter(AIORateLimiter(max_retries=0))
    builder = builder.concurrent_updates(16).get_updates_read_timeout(30)
    if base_url:
        builder = builder.base_url(base_url).base_file_url(file_url_for(base_url))
    return builder.build()


class TelegramChannel:
    name = NAME

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        *,
        on_inbound: InboundHandler,
        on_group_command: GroupHandler,
    ) -> None:
        self.application = application
        self.on_inbound = on_inbound
        self.on_group_command = on_group_command
        application.add_handler(TypeHandler(Update, self._on_update))
        application.add_error_handler(self._on_error)

    @property
    def bot_username(self) -> str:
        return str(self.application.bot.username)

    # --- inbound -------------------------------------------------------------------------

    async def _on_update(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.callback_query is not None:
            await self._on_callback(update)
        elif update.message is not None:
            await self._on_message(update, update.message)

    async def _on_callback(self, update: Update) -> None:
        query = update.callback_query
        assert query is not None
        try:
            message = query.message
            if message is not None and message.chat.type == ChatType.PRIVATE and query.data:
                await self.on_inbound(
                    Inbound(
                        channel=NAME,
                        external_id=str(message.chat.id),
                        kind=InboundKind.CHOICE,
                        update_key=f"{NAME}:{update.update_id}",
                        data=query.data,
                        language_code=query.from_user.language_code,
                        display_name=query.from_user.first_name,
                    )
                )
                if getattr(message, "reply_markup", None) is not None:
                    await self._remove_buttons(message.chat.id, message.message_id)
        finally:
            try:
                await query.answer()
            except TelegramError as error:  # too old, or flood control: nothing to lose
                log.info("callback query not answered: %s", error)

    async def _remove_buttons(self, chat_id: int, message_id: int) -> None:
        """Buttons once pressed go, so that an old question cannot be answered twice."""
        try:
            await self.application.bot.edit_message_reply_markup(
                chat_id=chat_id, message_id=message_id, reply_markup=None
            )
        except TelegramError as error:
            log.debug("buttons of %s/%s stay: %s", chat_id, message_id, error)

    async def _on_message(self, update: Update, message: Message) -> None:
        user = message.from_user
        if user is None or user.is_bot:
            return
        key = f"{NAME}:{update.update_id}"
        command, args = self._command(message)
        if message.chat.type != ChatType.PRIVATE:
            if command is not None:
                await self.on_group_command(
                    channel=NAME,
                    chat_id=str(message.chat.id),
                    update_key=key,
                    language_code=user.language_code,
                    bot_username=self.bot_username,
                )
            return
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
        await self.on_inbound(inbound)

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

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        log.error("update %r failed", getattr(update, "update_id", update), exc_info=context.error)

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
