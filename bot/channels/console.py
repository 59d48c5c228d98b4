"""The terminal: chat with the bot as a local person; buttons become numbered lines."""

from __future__ import annotations

import asyncio
import getpass
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TextIO

from bot.channels.html import html_to_plain
from bot.channels.numbered import NOTHING, Shown, choice_lines, read_line, shown_by
from conversations.messages import Attachment, Inbound, InboundKind, Reply


class ConsoleChannel:
    name = "console"

    def __init__(
        self,
        *,
        out: TextIO | None = None,
        files_dir: Path = Path("data/console-files"),
        address: str | None = None,
    ) -> None:
        self.out = out or sys.stdout
        self.files_dir = files_dir
        self.address = address or getpass.getuser()
        self.shown: Shown = NOTHING  # the list a typed number refers to

    async def send(self, address: str, reply: Reply, *, skip_parts: int = 0) -> str | None:
        lines = ["", html_to_plain(reply.text)]
        lines += [f"  {line}" for line in choice_lines(reply)]
        shown = shown_by(reply)
        if shown is not None:
            self.shown = shown
        if reply.document is not None:
            self.files_dir.mkdir(parents=True, exist_ok=True)
            path = self.files_dir / Path(reply.document.name).name
            path.write_bytes(reply.document.content)
            lines.append(f"  [{path}]")
        self.out.write("\n".join(lines) + "\n")
        self.out.flush()
        return None

    async def fetch(self, attachment: Attachment) -> bytes:
        return Path(attachment.file_ref).read_bytes()

    def inbound(self, line: str) -> Inbound:
        """A typed line: a number picks a shown choice, `/word` is a command, the rest is text."""
        return read_line(self.name, self.address, line, self.shown)

    async def repl(self, handle: Callable[[Inbound], Awaitable[object]]) -> None:
        """Read lines until end of input; the conversation resumes where it stood."""
        self.out.write(
            "Gemeinsam – console. /start begins, a number picks a choice, Ctrl-D ends.\n"
        )
        await handle(Inbound(channel=self.name, external_id=self.address, kind=InboundKind.RESUME))
        loop = asyncio.get_running_loop()
        while True:
            self.out.write("> ")
            self.out.flush()
            line = await loop.run_in_executor(None, sys.stdin.readline)
            if not line:
                self.out.write("\n")
                return
            if line.strip():
                await handle(self.inbound(line))
