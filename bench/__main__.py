"""What people feel, measured against targets: `make bench`, exits 1 when a target is missed.

Over HTTP, the real `python -m bot run` against the project's fake Bot API beside a bare
python-telegram-bot echo bot (the floor), interleaved; then the in-process figures. Prints one
table. BENCH_POSTGRESQL_URL (a server where the bench may create and drop databases of its own)
measures PostgreSQL too; BENCH_ANNOUNCEMENT sets the announcement's audience (default 5000),
BENCH_QUEUEING the one only queued, to measure the write lock-out (default 50000).
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

from bench.announcement_lockout import announcement_lockout
from bench.announcement_restart import announcement_restart
from bench.export import export
from bench.fairness import fairness
from bench.memory import memory
from bench.over_http import over_http
from bench.reminder_scan import reminder_scan
from bench.several_processes import several_processes
from bench.table import Figure, Target, missed, render
from bot.app import App
from bot.channels.memory import MemoryChannel
from bot.delivery import enqueue
from bot.settings import Settings
from conversations.messages import Inbound, InboundKind, Reply

PEOPLE = 200
OUTBOX_ROWS = 3000
ANNOUNCEMENT = int(os.environ.get("BENCH_ANNOUNCEMENT") or 5000)  # the figure: 50000


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


async def in_process() -> list[Figure]:
    """On the memory channel, no HTTP. A turn should feel instant on a small server; the outbox
    must outpace Telegram's global limit of about 30 messages a second several times over."""
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
    return [
        Figure(
            "turn p95 in-process (ms)", statistics.quantiles(latencies, n=20)[-1], None, Target(60)
        ),
        Figure("turn median in-process (ms)", statistics.median(latencies)),
        Figure("outbox in-process (rows/s)", rate, None, Target(120, at_least=True)),
        Figure("memory per conversation (KiB)", memory, None, Target(64)),
    ]


async def flood(server: str | None, suffix: str) -> list[Figure]:
    """Another person's answers while one person floods 500 messages stay within twice their
    quiet time: the flood limit and the inbox keep a flood from costing the others."""
    found = await fairness(server)
    return [
        Figure(
            f"reply p95 during a flood{suffix} (ms)",
            found["reply p95 flood (ms)"],
            found["reply p95 quiet (ms)"],
            Target(2, of="ratio"),
        ),
        Figure(
            f"reply median during a flood{suffix} (ms)",
            found["reply median flood (ms)"],
            found["reply median quiet (ms)"],
        ),
    ]


async def main() -> int:
    engines: list[tuple[str, str | None]] = [("", None)]
    if server := os.environ.get("BENCH_POSTGRESQL_URL"):
        engines.append((" PG", server))
    figures = []
    for _, server in engines:
        figures += await over_http(size=ANNOUNCEMENT, postgresql_server=server)
    for suffix, server in engines:
        figures += await flood(server, suffix)
    figures += await announcement_lockout(engines)
    figures += await announcement_restart(engines)
    figures += await memory(engines)
    figures += await several_processes(os.environ.get("BENCH_POSTGRESQL_URL"))
    for _, server in engines:
        figures += await export(server)
    figures += await in_process()
    figures += await reminder_scan(engines)
    print(render(figures))
    failed = missed(figures)
    if failed:
        print(f"\nMissed: {', '.join(figure.name for figure in failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
