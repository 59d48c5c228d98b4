"""A transaction that only reads (the export's) keeps no writer waiting, and reads one snapshot
from its first statement to its end."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.db.models import Region
from bot.db.session import Database


async def test_a_reader_keeps_no_writer_waiting_and_sees_one_snapshot(database: Database) -> None:
    count = select(func.count()).select_from(Region)
    async with database.reading() as reader:
        before = await reader.scalar(count)
        assert before is not None
        async with database.transaction() as writer:  # on SQLite: not queued behind the reader
            writer.add(Region(key="neu", name="Neu", position=99))
        assert await reader.scalar(count) == before
    async with database.reading() as reader:
        assert await reader.scalar(count) == before + 1
