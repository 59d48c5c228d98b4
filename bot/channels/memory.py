"""A channel that keeps what it is given, for tests; failures can be scheduled per address."""

from __future__ import annotations

from collections import defaultdict

from bot.channels.base import DeliveryError
from conversations.messages import Attachment, Reply


class MemoryChannel:
    def __init__(self, name: str = "memory") -> None:
        self.name = name
        self.sent: dict[str, list[Reply]] = defaultdict(list)
        self._failures: dict[str, list[DeliveryError]] = defaultdict(list)
        self.files: dict[str, bytes] = {}  # what people "uploaded", by file reference
        self.edited: dict[str, dict[str, Reply]] = defaultdict(dict)  # message id -> latest
        self.counter = 0

    def fail_next(self, address: str, *errors: DeliveryError) -> None:
        self._failures[address].extend(errors)

    async def send(self, address: str, reply: Reply, *, skip_parts: int = 0) -> str | None:
        if self._failures[address]:
            raise self._failures[address].pop(0)
        if reply.edit_of is not None:
            self.edited[address][reply.edit_of] = reply
            return reply.edit_of
        self.sent[address].append(reply)
        self.counter += 1
        return str(self.counter)

    async def fetch(self, attachment: Attachment) -> bytes:
        return self.files[attachment.file_ref]

    def take(self, address: str) -> list[Reply]:
        """What was sent to `address` since the last take."""
        replies, self.sent[address] = self.sent[address], []
        return replies
