"""`python -m bot run` as its own process: it answers, and after `kill -9` it resumes."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from tests.e2e.conftest import ALICE
from tests.e2e.telegram_fake import FakeBotApi

ROOT = Path(__file__).resolve().parents[2]


@asynccontextmanager
async def bot_process(fake: FakeBotApi, database_url: str, log: Path) -> AsyncIterator[int]:
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": fake.token,
        "TELEGRAM_API_BASE_URL": fake.base_url,
        "DATABASE_URL": database_url,
    }
    env.pop("WEBHOOK_URL", None)
    with log.open("ab") as output:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=output,
            stdin=asyncio.subprocess.DEVNULL,
        )
    try:
        yield process.pid
    finally:
        if process.returncode is None:
            process.kill()
        await process.wait()


async def test_the_bot_process_resumes_a_conversation_after_kill_9(
    fake: FakeBotApi, tmp_path: Path
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}"
    log = tmp_path / "bot.log"
    async with bot_process(fake, url, log) as pid:
        fake.send_text(ALICE, "/start")
        [greeting] = await fake.wait_for_messages(ALICE, 1, timeout=60)
        fake.press_button(ALICE, greeting.message_id, label="Deutsch")
        await fake.wait_for_messages(ALICE, 2, timeout=20)
        os.kill(pid, signal.SIGKILL)
    role = fake.messages(ALICE)[-1]

    async with bot_process(fake, url, log):
        fake.press_button(ALICE, role.message_id, data="role:newcomer")
        # A reply the killed process had claimed but not marked as sent is sent again once its
        # lease (30 s) runs out, before the new answer: at least once, and in order.
        await fake.wait_until(lambda: "Region" in fake.messages(ALICE)[-1].plain_text, timeout=90)
        messages = fake.messages(ALICE)
    assert "Region" in messages[-1].plain_text, log.read_text()
    assert "Hagenow" in messages[-1].button_labels()
    assert fake.rejected == []
