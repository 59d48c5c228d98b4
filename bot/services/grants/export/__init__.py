"""/export: every submitted application in the staff member's language, as a workbook with a
sheet each for the applications, cost items, decisions and reports (and two of the questions to
the office), and as one CSV (a row per cost item) for other programs.

Both are made together when the first of their messages is sent (`bot/delivery/carrier.py`), in
one pass over the rows of a transaction that only reads (`queries.py`). The rows are fetched on
the event loop and written a chunk at a time in a worker thread (`files.py`), so that the bot
answers people while it writes a large file."""

from __future__ import annotations

import asyncio
from functools import partial
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.delivery.carrier import Maker
from bot.services.grants.export.files import ExportFiles
from bot.services.grants.export.queries import entries
from bot.services.grants.export.rows import Words
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
    questions = question_tables(await question_figures(session), t)
    files = await asyncio.to_thread(ExportFiles, Words(t, tz))
    # The next chunk is fetched while the last one is written: the database's own work (SQLite's
    # steps in aiosqlite's thread, PostgreSQL's) runs meanwhile, without Python's lock.
    writing: asyncio.Future[None] | None = None
    try:
        try:
            async for chunk in entries(session):
                if writing is not None:
                    await writing
                writing = asyncio.ensure_future(asyncio.to_thread(files.write, chunk))
        finally:
            if writing is not None:
                await writing
        return await asyncio.to_thread(files.close, questions)
    except BaseException:
        files.discard()
        raise
