"""What the dispatcher makes the export's files with (`bot/delivery/carrier.py`): the rows are
fetched on the event loop and put in the reader's words a chunk at a time in a worker thread,
while a process for each file writes it (`process.py`), so that the bot answers people meanwhile
and the files' work runs on the other cores."""

from __future__ import annotations

import asyncio
from functools import partial
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.delivery.carrier import Maker
from bot.memory import collection_paused
from bot.services.grants.export.process import WriterProcesses
from bot.services.grants.export.queries import Entry, entries
from bot.services.grants.export.rows import Words, cells, layout
from bot.services.office.figures import question_figures, question_tables
from conversations.ports import Translator
from conversations.spreadsheets import APPLICATIONS_CSV, APPLICATIONS_WORKBOOK


def makers(*, tz: ZoneInfo) -> dict[str, Maker]:
    """What the dispatcher makes the export's files with: one maker makes both."""
    both = partial(applications_files, tz=tz)
    return {APPLICATIONS_WORKBOOK: both, APPLICATIONS_CSV: both}


async def applications_files(
    session: AsyncSession, t: Translator, *, tz: ZoneInfo
) -> dict[str, bytes]:
    """The workbook and the CSV, by what makes them."""
    words = Words(t, tz)
    # First, as they take a while to start.
    writers = await asyncio.to_thread(WriterProcesses, layout(words))
    try:
        questions = question_tables(await question_figures(session), t)
        with collection_paused():
            await _write_all(session, writers, words)
        workbook, table = await asyncio.to_thread(writers.close, questions)
    except BaseException:
        writers.discard()
        raise
    return {APPLICATIONS_WORKBOOK: workbook, APPLICATIONS_CSV: table}


async def _write_all(session: AsyncSession, writers: WriterProcesses, words: Words) -> None:
    """The next chunk is fetched while the last one is formatted: the database's own work
    (SQLite's steps in aiosqlite's thread, PostgreSQL's) runs meanwhile."""
    writing: asyncio.Future[None] | None = None
    try:
        async for chunk in entries(session):
            if writing is not None:
                await writing
            writing = asyncio.ensure_future(asyncio.to_thread(_write, writers, words, chunk))
    finally:
        if writing is not None:
            await writing


def _write(writers: WriterProcesses, words: Words, chunk: list[Entry]) -> None:
    writers.write([cells(entry, words) for entry in chunk])
