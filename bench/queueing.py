"""How long "Send" of an announcement takes, and the longest write transaction until every
recipient's row is written, in-process on SQLite: `python -m bench.queueing [people]`."""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from sqlalchemy import event

from bot.app import App
from bot.channels.memory import MemoryChannel
from bot.settings import Settings
from tests.bot.transactions import many_people
from tests.chat import Chat
from tests.conftest import FakeClock


class Longest:
    """The longest time between a connection's BEGIN and its COMMIT or ROLLBACK."""

    def __init__(self, app: App) -> None:
        self.started: dict[int, float] = {}
        self.longest = 0.0
        engine = app.database.engine.sync_engine
        event.listen(engine, "begin", self.begin)
        event.listen(engine, "commit", self.end)
        event.listen(engine, "rollback", self.end)

    def begin(self, connection: Any) -> None:
        self.started[id(connection)] = time.perf_counter()

    def end(self, connection: Any) -> None:
        started = self.started.pop(id(connection), None)
        if started is not None:
            self.longest = max(self.longest, time.perf_counter() - started)


async def measure(people: int, directory: Path) -> tuple[float, float, float]:
    settings = replace(
        Settings(),
        database_url=f"sqlite+aiosqlite:///{directory / 'bench.sqlite3'}",
        admins=frozenset({"memory:admin"}),
        flood_per_minute=0,
    )
    app = App(settings, clock=FakeClock())
    app.dispatcher.add_channel(MemoryChannel())
    await app.migrate()
    staff = Chat(app, "admin", language_code="en")
    for step in ("/start", "English", "I work for the district office", "Parchim", "I agree"):
        await (staff.send(step) if step.startswith("/") else staff.press(step))
    await many_people(app.database, people, now=app.clock.now())
    await app.database.check_writable()  # a write that takes the seeding's WAL checkpoint
    await staff.send("/broadcast")
    for label in ("Everyone", "Done", "Done"):
        await staff.press(label)
    await staff.send("Sprachcafé am Freitag")
    for label in ("Done", "Continue", "Send"):
        await staff.press(label)
    longest = Longest(app)
    started = time.perf_counter()
    await staff.press("Yes, send")
    turn = time.perf_counter() - started
    queue = getattr(app, "queue_broadcasts", None)  # absent before the rows came in batches
    while queue is not None and await queue():
        pass
    queued = time.perf_counter() - started
    await app.close()
    return turn, longest.longest, queued


def main() -> None:
    people = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    with tempfile.TemporaryDirectory() as directory:
        turn, longest, queued = asyncio.run(measure(people, Path(directory)))
    print(f"{people} people: Send turn {turn * 1000:.0f} ms (its rows sent at once included), ")
    print(f"  every row written after {queued * 1000:.0f} ms, longest write transaction ")
    print(f"  {longest * 1000:.0f} ms")


if __name__ == "__main__":
    main()
