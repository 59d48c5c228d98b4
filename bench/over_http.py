"""What people feel, over HTTP: `python -m bot run` and the echo floor, each polling its own
fake Bot API on loopback, on SQLite or on a scratch PostgreSQL database."""

from __future__ import annotations

import statistics
import sys
import tempfile
from pathlib import Path

from bench import announcement
from bench.people import CHATTERS, introduce, seed
from bench.processes import echo_floor, real_bot
from bench.table import Figure, Target
from bench.turns import interleaved
from tests.database_copies import scratch_postgresql
from tests.e2e.telegram_fake import FakeBotApi

FLOOR_TOKEN = "654321:FLOOR-token"


async def measure(database_url: str, directory: Path, *, size: int, suffix: str) -> list[Figure]:
    await seed(database_url, audience_size=size)
    async with FakeBotApi() as fake, FakeBotApi(token=FLOOR_TOKEN) as floor_fake:
        introduce(fake, audience_size=size)
        for chat in CHATTERS:
            floor_fake.add_user(chat, first_name="Ole", language_code="de")
        async with real_bot(fake, database_url, directory / "bot.log") as bot:
            async with echo_floor(floor_fake, directory / "floor.log") as floor:
                turns, floor_turns = await interleaved((fake, bot), (floor_fake, floor))
            figures = [
                Figure(
                    f"turn CPU per reply{suffix} (ms)",
                    turns.cpu_per_reply,
                    floor_turns.cpu_per_reply,
                    Target(3, of="ratio"),
                ),
                Figure(
                    f"reply p50 sequential{suffix} (ms)",
                    statistics.median(turns.latencies),
                    statistics.median(floor_turns.latencies),
                    None if suffix else Target(10),
                ),
                Figure(f"CPU while idle{suffix} (ms/s)", turns.idle_load, floor_turns.idle_load),
                Figure(
                    f"reply p95 sequential{suffix} (ms)",
                    statistics.quantiles(turns.latencies, n=20)[-1],
                    statistics.quantiles(floor_turns.latencies, n=20)[-1],
                ),
            ]
            figures += await announcement.measure(fake, size, suffix)
    return figures


async def over_http(*, size: int, postgresql_server: str | None = None) -> list[Figure]:
    """The figures on SQLite, or (suffixed " PG") on a scratch database of that server."""
    with tempfile.TemporaryDirectory() as name:
        directory = Path(name)
        try:
            if postgresql_server is None:
                url = f"sqlite+aiosqlite:///{directory / 'bench.sqlite3'}"
                return await measure(url, directory, size=size, suffix="")
            async with scratch_postgresql(postgresql_server) as url:
                return await measure(url, directory, size=size, suffix=" PG")
        except BaseException:
            for log in ("bot.log", "floor.log"):
                if (directory / log).exists():
                    print(f"--- {log}", (directory / log).read_text()[-5000:], file=sys.stderr)
            raise
