"""What the inbox keeps of a signal-cli `receive` event: a person's message (text, a typed
choice, files), a note for a group; not receipts, typing notices, sync messages or reactions."""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from bot.channels.base import (
    GROUP,
    InboxEntry,
)
from bot.channels.numbered import ShownChoicesStore, read_line
from conversations.messages import Attachment, Inbound, InboundKind
from conversations.ports import Clock

log = logging.getLogger(__name__)


NAME = "signal"
GROUP_PREFIX = "group:"  # an address that is a Signal group, by its id


class Envelopes:
    """Reads events for one bot account."""

    def __init__(self, *, account: str, choices: ShownChoicesStore, clock: Clock) -> None:
        self.account = account
        self.choices = choices
        self.clock = clock

    @property
    def private_link(self) -> str:
        """Where a person starts a private chat with the bot."""
        return f"https://signal.me/#p/{self.account}"

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


def event_of(data: str) -> dict[str, Any]:
    """An event's JSON; what is not an object is nothing to store."""
    try:
        event = json.loads(data)
    except ValueError:
        log.warning("Signal: an event that is not JSON (%s characters) was left out", len(data))
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
