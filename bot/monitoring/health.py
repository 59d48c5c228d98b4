"""Whether the bot does its work, as `/healthz` says: every configured channel receives, and the
database takes a write (a full disk or a read-only file still reads)."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

from sqlalchemy import text

from bot.db.health import describe
from bot.db.session import Database

PROBE_SECONDS = 3.0  # a database slower than this counts as away: /healthz answers in time


class Health:
    def __init__(self, database: Database) -> None:
        self.database = database
        self.expected: set[str] = set()  # the channels this process was started with
        self.receiving: set[str] = set()  # those of them that receive right now

    async def watch(self, channel: str, receiving: Coroutine[Any, Any, None]) -> None:
        """Run a channel's receiving, counted as running until it returns or fails."""
        self.expected.add(channel)
        self.receiving.add(channel)
        try:
            await receiving
        finally:
            self.receiving.discard(channel)

    async def problem(self) -> str | None:
        """None when all is well, else one line saying what is wrong."""
        if not self.expected:
            return "starting: no channel runs yet"
        if stopped := sorted(self.expected - self.receiving):
            return f"not receiving: {', '.join(stopped)}"
        try:
            await asyncio.wait_for(self._write(), PROBE_SECONDS)
        except TimeoutError:
            return f"the database did not answer within {PROBE_SECONDS:.0f} s"
        except Exception as error:
            return f"the database does not answer: {describe(error)}"
        self.database.health.ok()  # a write went through: it is back, if it was away
        return None

    async def _write(self) -> None:
        async with self.database.transaction() as session:
            await session.execute(text("UPDATE alembic_version SET version_num = version_num"))
