"""Replies to Telegram: HTML split within its limits, buttons, files, edits; Telegram's refusals
as the outbox knows them (429 wait, 403 unreachable, 400 refused, the rest again)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
)
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    Forbidden,
    NetworkError,
    RetryAfter,
)
from telegram.ext import Application

from bot.channels.base import (
    Rejected,
    RetryLater,
    TemporaryFailure,
    Unreachable,
)
from bot.channels.html import split_html
from conversations.messages import Attachment, Reply

MESSAGE_LIMIT = 4000  # Telegram allows 4,096; a margin for what its parser counts differently
UNREACHABLE_REASONS = (
    "chat not found",
    "user is deactivated",
    "bot was blocked",
    "bot was kicked",
    "not enough rights to send",
)


class Sending:
    """The sending half of the Telegram channel."""

    application: Application[Any, Any, Any, Any, Any, Any]

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
                kind = reply.forward.kind
                send = (
                    bot.send_voice
                    if kind == "voice"
                    else bot.send_photo
                    if kind == "photo"
                    or (
                        kind is None
                        and (reply.forward.mime_type or "").startswith("image/")
                        and not reply.forward.name
                    )
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


def _too_large(error: NetworkError) -> bool:
    """413: the file is larger than Telegram takes; sending it again changes nothing."""
    # PTB keeps no status code: Telegram's own answer says this, a proxy's page ends in (413).
    return "request entity too large" in error.message.lower() or "(413)" in error.message


def _seconds(value: int | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
