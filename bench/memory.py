"""Nothing per person stays in memory: the real bot's resident memory (VmRSS) after 100 people
had a short conversation with it, and after 50,000 people used it: 49,600 of them written into
the database directly, and 300 more (a representative few hundred) who chat for real. Also
shown: the growth per person of those 300, which a per-person leak would make stand out."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from bench.announcement import press, say
from bench.engines import on_each
from bench.people import write_people
from bench.processes import real_bot, resident_kib
from bench.table import Figure, Target
from bot.db.session import Database
from tests.e2e.telegram_fake import FakeBotApi

FIRST = 100
CHATTING = int(os.environ.get("BENCH_MEMORY_CHATTERS") or 300)
EVERYONE = 50_000
AT_ONCE = 10  # people chatting at the same time


async def conversation(fake: FakeBotApi, chat: int) -> None:
    """A newcomer's first minutes: the language, who they are, where, the privacy notice, help."""
    fake.add_user(chat, first_name="Nour", language_code="en")
    await say(fake, chat, "/start", answer="Gemeinsam")
    for label in ("English", "I am new in the district", "Parchim", "I agree"):
        await press(fake, chat, label)
    await say(fake, chat, "/help", answer="")


async def chat(fake: FakeBotApi, chats: range) -> None:
    queue = list(chats)

    async def person_after_person() -> None:
        while queue:
            await conversation(fake, queue.pop())

    await asyncio.gather(*(person_after_person() for _ in range(AT_ONCE)))


async def used_before(database_url: str, chats: range) -> None:
    """People who went through the same conversation earlier, as the database has them."""
    database = Database(database_url)
    try:
        await write_people(
            database, chats, role="newcomer", region="parchim", locale="en", updates_each=6
        )
    finally:
        await database.dispose()


async def measure(database_url: str, directory: Path, *, suffix: str) -> list[Figure]:
    first = range(200_000, 200_000 + FIRST)
    before = range(first.stop, first.stop + EVERYONE - FIRST - CHATTING)
    last = range(before.stop, before.stop + CHATTING)
    async with FakeBotApi() as fake, real_bot(fake, database_url, directory / "bot.log") as pid:
        await chat(fake, first)
        await asyncio.sleep(2)
        after_first = resident_kib(pid)
        await used_before(database_url, before)
        await chat(fake, last)
        await asyncio.sleep(2)
        after_everyone = resident_kib(pid)
    return [
        Figure(
            f"memory after {EVERYONE:,} people{suffix} (MiB)",
            after_everyone / 1024,
            after_first / 1024,
            Target(1.2, of="ratio"),
        ),
        Figure(
            f"memory per person chatting{suffix} (KiB)",
            (after_everyone - after_first) / CHATTING,
        ),
    ]


async def memory(engines: list[tuple[str, str | None]]) -> list[Figure]:
    return await on_each(
        engines, lambda url, directory, suffix: measure(url, directory, suffix=suffix)
    )
