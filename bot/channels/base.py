"""What every channel offers the dispatcher, and how it reports a failed send."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from conversations.messages import Attachment, Inbound, Reply
from conversations.ports import FileUnavailable

log = logging.getLogger(__name__)

PRIVATE = "private"  # a turn of the person's conversation
GROUP = "group"  # a command in a group chat: the answer points to the private chat
FLOOD = "flood"  # the one note to a person who writes faster than the bot reads


@dataclass(frozen=True)
class InboxEntry:
    """What a channel hands to the inbox for one update: the neutral message and its route."""

    inbound: Inbound
    route: str = PRIVATE
    bot_username: str | None = None  # for the answer in a group: the bot's name there
    bot_link: str | None = None  # and the link to a private chat with it

    def to_payload(self) -> dict[str, object]:
        payload: dict[str, object] = {"inbound": self.inbound.to_payload()}
        if self.bot_username:
            payload["bot_username"] = self.bot_username
        if self.bot_link:
            payload["bot_link"] = self.bot_link
        return payload

    @classmethod
    def from_payload(cls, route: str, payload: dict[str, object]) -> InboxEntry:
        inbound = payload["inbound"]
        assert isinstance(inbound, dict)
        username, link = payload.get("bot_username"), payload.get("bot_link")
        return cls(
            Inbound.from_payload(inbound),
            route,
            username if isinstance(username, str) else None,
            link if isinstance(link, str) else None,
        )


class Receiver(Protocol):
    """The inbox as a channel sees it: a channel confirms an update to its source only after
    `store` returned."""

    def admit(self, entries: Sequence[InboxEntry]) -> list[InboxEntry]:
        """The entries that pass the flood limit (and the notes for those that do not); call
        it once per update, before storing."""
        ...

    async def store(self, entries: Sequence[InboxEntry]) -> frozenset[str]:
        """Commit the entries; raises when the database cannot take them now. Returns the
        update keys it held already (an update its source delivered again)."""
        ...

    def pause_after(self, error: BaseException) -> float:
        """How long to wait before storing again after `store` failed with `error`."""
        ...

    async def replied(self) -> None:
        """After `store`, before fetching more: a moment for the reply to a lone message."""
        ...


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
        source = self.channels.get(channel)
        if source is None:
            raise FileUnavailable(f"no channel {channel} runs here")
        try:
            return await source.fetch(attachment)
        except Exception as error:  # each transport fails in its own words; the flow answers
            log.warning("a file from %s could not be fetched: %s", channel, type(error).__name__)
            raise FileUnavailable(f"{channel}: {type(error).__name__}") from error
