"""The processes under measurement, the real bot and the echo floor, and their CPU time."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from tests.e2e.telegram_fake import FakeBotApi
from tests.e2e.test_process import ROOT, bot_process

STAFF = 9000  # an administrator by BOT_ADMINS, who sends the announcement
TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User and system CPU time the process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    utime, stime = int(fields[11]), int(fields[12])  # fields 14 and 15 of proc(5)
    return (utime + stime) / TICK


def resident_kib(pid: int) -> int:
    """The process's resident memory (Linux /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


@asynccontextmanager
async def real_bot(fake: FakeBotApi, database_url: str, log: Path) -> AsyncIterator[int]:
    """`python -m bot run` polling the fake, its pid once it polls. A person's flood limit is
    lifted: the bench's people write faster than anyone types."""
    polls = fake.polls
    async with bot_process(fake, database_url, log, BOT_ADMINS=f"telegram:{STAFF}") as pid:
        await fake.wait_until(lambda: fake.polls > polls, timeout=120)
        yield pid


@asynccontextmanager
async def echo_floor(fake: FakeBotApi, log: Path) -> AsyncIterator[int]:
    """`python -m bench.floor` polling the fake, its pid once it polls."""
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": fake.token,
        "TELEGRAM_API_BASE_URL": fake.base_url,
    }
    polls = fake.polls
    with log.open("ab") as output:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bench.floor",
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=output,
            stdin=asyncio.subprocess.DEVNULL,
        )
    try:
        await fake.wait_until(lambda: fake.polls > polls, timeout=60)
        yield process.pid
    finally:
        if process.returncode is None:
            process.kill()
        await process.wait()
