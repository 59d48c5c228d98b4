"""One measurement on each engine: a fresh SQLite file, or a scratch database on the PostgreSQL
server, in a directory of its own whose bot log is shown when the measurement fails."""

from __future__ import annotations

import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

from bench.table import Figure
from tests.database_copies import scratch_postgresql

# (url, directory, suffix) -> figures
Measure = Callable[[str, Path, str], Awaitable[list[Figure]]]


async def on_each(engines: list[tuple[str, str | None]], measure: Measure) -> list[Figure]:
    """`engines`: (suffix of the figures' names, PostgreSQL server or None for SQLite)."""
    figures = []
    for suffix, server in engines:
        with tempfile.TemporaryDirectory() as name:
            directory = Path(name)
            try:
                if server is None:
                    url = f"sqlite+aiosqlite:///{directory / 'bench.sqlite3'}"
                    figures += await measure(url, directory, suffix)
                else:
                    async with scratch_postgresql(server) as url:
                        figures += await measure(url, directory, suffix)
            except BaseException:
                if (directory / "bot.log").exists():
                    print("--- bot.log", (directory / "bot.log").read_text()[-5000:])
                raise
    return figures
