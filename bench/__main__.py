"""Turn latency, outbox throughput and fairness under a flood, against targets.

Run with `make bench`; exits 1 when a target is missed. BENCH_POSTGRESQL_URL (a server where the
bench may create and drop a database of its own) measures fairness on PostgreSQL too.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
from dataclasses import replace
from pathlib import Path

from bench.fairness import RATIO, fairness
from bot.app import App
from bot.channels.memory import MemoryChannel
from bot.delivery import enqueue
from bot.settings import Settings
from conversations.messages import Inbound, InboundKind, Reply

PEOPLE = 200
OUTBOX_ROWS = 3000
# A turn should feel instant on a small server; the outbox must outpace Telegram's global limit
# of about 30 messages a second several times over, so that broadcasts are limited by Telegram.
# Another person's answers while one person floods 500 messages stay within twice their quiet
# time: the flood limit and the inbox keep a flood from costing the others.
TARGETS = {
    "turn p95 (ms)": 60.0,
    "outbox rows/s": 120.0,
    "memory per conversation (KiB)": 64.0,
    RATIO: 2.0,
    f"{RATIO} PG": 2.0,
}


def inbound(person: int, step: int, **fields: object) -> Inbound:
    return Inbound(
        channel="memory",
        external_id=f"p{person}",
        update_key=f"b:{person}:{step}",
        language_code="de",
        display_name="Bench",
        **fields,
    )  # type: ignore[arg-type]


async def onboarding_turns(app: App) -> list[float]:
    steps = [
        {"kind": InboundKind.COMMAND, "command": "start"},
        {"kind": InboundKind.CHOICE, "data": "lang:ar"},
        {"kind": InboundKind.CHOICE, "data": "role:newcomer"},
        {"kind": InboundKind.CHOICE, "data": "region:parchim"},
        {"kind": InboundKind.CHOICE, "data": "privacy:accept"},
        {"kind": InboundKind.COMMAND, "command": "mydata"},
    ]
    latencies = []
    for person in range(PEOPLE):
        for number, fields in enumerate(steps):
            started = time.perf_counter()
            await app.turns.handle(inbound(person, number, **fields))
            latencies.append((time.perf_counter() - started) * 1000)
    return latencies


async def outbox_throughput(app: App) -> float:
    now = app.clock.now()
    async with app.database.transaction() as session:
        for row in range(OUTBOX_ROWS):
            await enqueue(
                session,
                channel="memory",
                address=f"r{row % 300}",
                reply=Reply(text=f"Nachricht {row}"),
                dedup_key=f"bench:{row}",
                now=now,
            )
    started = time.perf_counter()
    sent = await app.dispatcher.dispatch_due(max_rounds=1000)
    assert sent == OUTBOX_ROWS, sent
    return OUTBOX_ROWS / (time.perf_counter() - started)


async def main() -> int:
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite+aiosqlite:///{Path(directory) / 'bench.sqlite3'}"
        app = App(replace(Settings(), database_url=url))
        app.dispatcher.add_channel(MemoryChannel())
        await app.migrate()
        tracemalloc.start()
        latencies = await onboarding_turns(app)
        memory = tracemalloc.get_traced_memory()[0] / 1024 / PEOPLE
        tracemalloc.stop()
        rate = await outbox_throughput(app)
        await app.close()
    results = {
        "turn p95 (ms)": statistics.quantiles(latencies, n=20)[-1],
        "outbox rows/s": rate,
        "memory per conversation (KiB)": memory,
    }
    details = {"turn median (ms)": statistics.median(latencies)}
    runs: list[tuple[str, str | None]] = [("", None)]
    if server := os.environ.get("BENCH_POSTGRESQL_URL"):
        runs.append((" PG", server))
    for suffix, server in runs:
        for name, value in (await fairness(server)).items():
            (results if name == RATIO else details)[name + suffix] = value
    failed = False
    for name, value in results.items():
        target = TARGETS[name]
        ok = value >= target if name.endswith("/s") else value <= target
        failed |= not ok
        print(
            f"{name:32} {value:10.{2 if target < 10 else 1}f}   target "
            f"{'≥' if name.endswith('/s') else '≤'} {target:g}   {'ok' if ok else 'MISSED'}"
        )
    for name, value in details.items():
        print(f"{name:32} {value:10.1f}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
