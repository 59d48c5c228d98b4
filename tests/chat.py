"""A person chatting with the bot through the memory channel: send, expect, press, expect."""

from __future__ import annotations

import itertools

from bot.app import App
from bot.channels.html import html_to_plain
from bot.channels.memory import MemoryChannel
from conversations.messages import Attachment, Inbound, InboundKind, Reply
from tests.files import sample

_update_ids = itertools.count(1)


class Chat:
    def __init__(
        self,
        app: App,
        address: str = "u1",
        *,
        language_code: str | None = "de",
        display_name: str | None = "Amal",
    ) -> None:
        self.app = app
        self.address = address
        self.language_code = language_code
        self.display_name = display_name
        channel = app.dispatcher.channels["memory"]
        assert isinstance(channel, MemoryChannel)
        self.channel = channel
        self.replies: list[Reply] = []

    async def _inbound(
        self, kind: InboundKind, *, update_key: str | None = None, **fields: object
    ) -> list[Reply]:
        inbound = Inbound(
            channel="memory",
            external_id=self.address,
            kind=kind,
            update_key=update_key or f"memory:{next(_update_ids)}",
            language_code=self.language_code,
            display_name=self.display_name,
            **fields,  # type: ignore[arg-type]
        )
        await self.app.turns.handle(inbound)
        self.replies = self.channel.take(self.address)
        return self.replies

    async def send(self, text: str, *, update_key: str | None = None) -> list[Reply]:
        if text.startswith("/"):
            command, _, args = text[1:].partition(" ")
            return await self._inbound(
                InboundKind.COMMAND, command=command, args=args, text=text, update_key=update_key
            )
        return await self._inbound(InboundKind.TEXT, text=text, update_key=update_key)

    async def press(self, label: str) -> list[Reply]:
        """Press the button with this label on the latest message that has buttons."""
        choice = next((c for c in self.choices if c.label == label), None)
        assert choice is not None, f"no button {label!r} in {self.labels}"
        return await self._inbound(InboundKind.CHOICE, data=choice.data)

    async def press_data(self, data: str) -> list[Reply]:
        """Send callback data as a (possibly forged or stale) button press."""
        return await self._inbound(InboundKind.CHOICE, data=data)

    async def send_kind(self, kind: InboundKind) -> list[Reply]:
        return await self._inbound(kind)

    async def send_file(
        self,
        name: str,
        size: int,
        *,
        kind: InboundKind = InboundKind.DOCUMENT,
        mime_type: str = "application/pdf",
        content: bytes | None = None,
    ) -> list[Reply]:
        """Send a file; its bytes are `content`, or what a test stored in `channel.files`, or a
        small file of the declared type."""
        attachment = Attachment(file_ref=f"file-{name}", name=name, mime_type=mime_type, size=size)
        if content is not None:
            self.channel.files[attachment.file_ref] = content
        else:
            self.channel.files.setdefault(attachment.file_ref, sample(mime_type))
        return await self._inbound(kind, attachment=attachment)

    @property
    def choices(self) -> list:  # type: ignore[type-arg]
        with_buttons = [reply for reply in self.replies if reply.choices]
        return with_buttons[-1].all_choices() if with_buttons else []

    @property
    def labels(self) -> list[str]:
        return [choice.label for choice in self.choices]

    @property
    def text(self) -> str:
        """The plain text of the latest replies, as a person reads them."""
        return "\n".join(html_to_plain(reply.text) for reply in self.replies)
