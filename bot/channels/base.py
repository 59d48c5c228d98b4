"""What every channel offers the dispatcher, and how it reports a failed send."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from conversations.messages import Attachment, Reply


class DeliveryError(Exception):
    """A send that failed; `parts_sent` long messages' parts got through before it failed."""

    def __init__(self, reason: str, *, parts_sent: int = 0) -> None:
        super().__init__(reason)
        self.reason = reason
        self.parts_sent = parts_sent


class RetryLater(DeliveryError):
    """Flood control: try again after `after` seconds."""

    def __init__(self, after: float, *, parts_sent: int = 0) -> None:
        super().__init__(f"retry after {after:g} s", parts_sent=parts_sent)
        self.after = after


class TemporaryFailure(DeliveryError):
    """A time-out, a network error or a 5xx: try again with back-off."""


class Unreachable(DeliveryError):
    """The person blocked the bot or the chat is gone: never retry."""


class Rejected(DeliveryError):
    """The request itself was refused (a bug on our side): do not retry, keep the reason."""


class Channel(Protocol):
    name: str

    async def send(self, address: str, reply: Reply, *, skip_parts: int = 0) -> str | None:
        """Send `reply`, leaving out the first `skip_parts` parts; returns the last message id."""
        ...

    async def fetch(self, attachment: Attachment) -> bytes:
        """The bytes of a file a person sent."""
        ...


class ChannelFiles:
    """The `Files` port: fetches through whichever channel the file came from."""

    def __init__(self, channels: Mapping[str, Channel]) -> None:
        self.channels = channels

    async def fetch(self, channel: str, attachment: Attachment) -> bytes:
        return await self.channels[channel].fetch(attachment)
