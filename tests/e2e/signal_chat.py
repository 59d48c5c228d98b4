"""A person on Signal, typing to the bot through the fake signal-cli daemon: send, wait for the
answer, pick a numbered choice by its label, expect."""

from __future__ import annotations

import asyncio
import re
import time

from tests.e2e.signal_fake import FakeSignalDaemon, SentMessage

QUIET_SECONDS = 0.3  # no further message for this long: the bot has answered
NUMBERED = re.compile(r"^(\d+)\) (.+)$", re.M)


class SignalChat:
    def __init__(self, daemon: FakeSignalDaemon, uuid: str) -> None:
        self.daemon = daemon
        self.uuid = uuid
        self.replies: list[SentMessage] = []

    async def send(self, text: str, *, timeout: float = 15) -> list[SentMessage]:
        """Type `text`; returns the messages that answer it (once the bot is quiet)."""
        self.daemon.take(self.uuid)
        self.daemon.send_text(self.uuid, text)
        return await self.answer(timeout=timeout)

    async def send_file(
        self, data: bytes, *, content_type: str, filename: str | None = None
    ) -> list[SentMessage]:
        self.daemon.take(self.uuid)
        self.daemon.send_attachment(self.uuid, data, content_type=content_type, filename=filename)
        return await self.answer()

    async def answer(self, *, timeout: float = 15) -> list[SentMessage]:
        """The messages that arrive from now until the bot is quiet (at least one)."""
        received: list[SentMessage] = []
        deadline = time.monotonic() + timeout
        quiet_since = time.monotonic()
        while True:
            new = self.daemon.take(self.uuid)
            if new:
                received += new
                quiet_since = time.monotonic()
            elif received and time.monotonic() - quiet_since >= QUIET_SECONDS:
                break
            if time.monotonic() > deadline:
                raise AssertionError(f"no answer to {self.uuid}; got {received!r}")
            await asyncio.sleep(0.02)
        self.replies = received
        return received

    @property
    def text(self) -> str:
        return "\n".join(message.text for message in self.replies)

    @property
    def choices(self) -> dict[str, str]:
        """Label -> number, of the numbered lines in the last answer."""
        found: dict[str, str] = {}
        for message in self.replies:
            found = {label: number for number, label in NUMBERED.findall(message.text)} or found
        return found

    async def choose(self, label: str) -> list[SentMessage]:
        """Type the number of the line with this label."""
        number = self.choices.get(label)
        assert number is not None, f"no line {label!r} in {self.text!r}"
        return await self.send(number)
