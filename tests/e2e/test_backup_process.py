"""`python -m bot backup` while the real bot process answers people, then `restore` into an
empty database: the restored database is the backup, table by table, row by row."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from tests.database_copies import archive_rows, every_row, scratch_postgresql
from tests.e2e.telegram_fake import FakeBotApi
from tests.e2e.test_process import ROOT, bot_process

PEOPLE = range(3001, 3009)


async def command(*argv: str, database_url: str) -> str:
    """`python -m bot …` as its own process (the test's event loop, and so the fake Bot API,
    keeps running meanwhile); its output, which must say it succeeded."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *argv,
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": database_url},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await process.communicate()
    assert process.returncode == 0, output.decode()
    return output.decode()


def answered(fake: FakeBotApi) -> int:
    return sum(len(fake.messages(person)) for person in PEOPLE)


async def chat(fake: FakeBotApi, stop: asyncio.Event) -> None:
    """Everyone keeps writing until told to stop."""
    for person in PEOPLE:
        fake.add_user(person, first_name=f"P{person}", language_code="de")
    while not stop.is_set():
        for person in PEOPLE:
            fake.send_text(person, "/start" if not fake.messages(person) else "/help")
        await asyncio.sleep(0.05)


async def test_a_backup_taken_while_people_chat_restores_identically(
    fake: FakeBotApi, database_url: str, tmp_path: Path
) -> None:
    copy = tmp_path / "during-the-chat.backup"
    stop = asyncio.Event()
    async with bot_process(fake, database_url, tmp_path / "bot.log"):
        chatting = asyncio.create_task(chat(fake, stop))
        await fake.wait_until(lambda: answered(fake) >= 2 * len(PEOPLE), timeout=90)
        before = answered(fake)
        said = await command("backup", str(copy), database_url=database_url)
        await fake.wait_until(lambda: answered(fake) > before + len(PEOPLE), timeout=60)
        stop.set()
        await chatting
    assert said.startswith("Backed up "), said

    if database_url.startswith("sqlite"):
        target = f"sqlite+aiosqlite:///{tmp_path / 'restored.sqlite3'}"
        said = await command("restore", str(copy), database_url=target)
        assert said.rstrip().endswith("all as in the copy."), said
        taken = await every_row(f"sqlite+aiosqlite:///{copy}")
        assert await every_row(target) == taken
        assert taken["users"] and taken["inbox"] and taken["outbox"]
        return
    async with scratch_postgresql(database_url) as target:
        said = await command("restore", str(copy), database_url=target)
        assert said.rstrip().endswith("all as in the copy."), said
        again = tmp_path / "restored.backup"
        await command("backup", str(again), database_url=target)
    taken = archive_rows(copy)
    assert archive_rows(again) == taken
    assert taken["public.users"] and taken["public.inbox"] and taken["public.outbox"]
