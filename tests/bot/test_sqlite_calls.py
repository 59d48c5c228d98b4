"""SQLite through aiosqlite: the calls of a transaction run on the event loop, not on aiosqlite's
thread; a transaction that meets another process's write lock waits for it there, and so does a
checkpoint, while the loop goes on."""

from __future__ import annotations

import asyncio
import sqlite3
from collections import Counter
from contextlib import closing
from pathlib import Path
from typing import Any

import aiosqlite
import pytest
from sqlalchemy import make_url, select, text
from sqlalchemy.exc import OperationalError

from bot.db import sqlite_on_the_loop
from bot.db.health import describe, is_outage
from bot.db.models import Region
from bot.db.session import Database


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'calls.sqlite3'}"


@pytest.fixture
def on_the_thread(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """The calls that went to aiosqlite's thread, by name."""
    calls: Counter[str] = Counter()
    hop = aiosqlite.Connection._execute

    async def counted(self: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
        calls[getattr(fn, "__name__", repr(fn))] += 1
        return await hop(self, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
    return calls


def in_the_file(url: str) -> int:
    """Notes in the database file itself, without what only the WAL holds yet."""
    path = url.split("///", 1)[1]
    with closing(sqlite3.connect(f"file:{path}?immutable=1", uri=True)) as reader:
        return int(reader.execute("SELECT count(*) FROM notes").fetchone()[0])


async def test_transactions_run_on_the_loop_and_checkpoints_on_the_thread(
    sqlite_url: str, on_the_thread: Counter[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_on_the_loop, "CHECKPOINT_AFTER_CHANGES", 5)
    database = Database(sqlite_url)
    try:
        async with database.transaction() as session:  # connects: that goes to the thread
            await session.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)"))
        with closing(sqlite3.connect(sqlite_url.split("///", 1)[1])) as other:
            other.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the table is in the file
        on_the_thread.clear()
        for number in range(4):
            async with database.transaction() as session:
                await session.execute(text("INSERT INTO notes (body) VALUES (:b)"), {"b": number})
                assert (await session.execute(text("SELECT count(*) FROM notes"))).scalar()
        assert not on_the_thread
        assert in_the_file(sqlite_url) == 0  # in the WAL only
        async with database.transaction() as session:  # the fifth changed row
            await session.execute(text("INSERT INTO notes (body) VALUES ('5')"))
        assert on_the_thread == Counter(_commit_and_checkpoint=1)
        assert in_the_file(sqlite_url) == 5
    finally:
        await database.dispose()


async def test_a_transaction_waits_for_another_writer_and_the_loop_goes_on(
    sqlite_url: str, on_the_thread: Counter[str]
) -> None:
    database = Database(sqlite_url)
    other = None
    try:
        async with database.transaction() as session:
            await session.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)"))
        other = sqlite3.connect(sqlite_url.split("///", 1)[1], isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # another process writes
        ticks = 0

        async def write() -> None:
            async with database.transaction() as session:
                await session.execute(text("INSERT INTO notes (body) VALUES ('mine')"))

        writing = asyncio.create_task(write())
        while ticks < 20:  # the loop is free while the transaction waits for the lock
            await asyncio.sleep(0.01)
            ticks += 1
        assert not writing.done()
        other.execute("INSERT INTO notes (body) VALUES ('theirs')")
        other.execute("COMMIT")
        await writing
        async with database.transaction() as session:
            bodies = (await session.scalars(text("SELECT body FROM notes ORDER BY id"))).all()
        assert bodies == ["theirs", "mine"]
        assert on_the_thread["execute"] >= 1  # its BEGIN IMMEDIATE waited there
    finally:
        if other is not None:
            other.close()
        await database.dispose()


async def test_a_failed_statement_rolls_back_what_the_transaction_wrote(sqlite_url: str) -> None:
    database = Database(sqlite_url)
    try:
        async with database.transaction() as session:
            await session.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)"))
        with pytest.raises(Exception, match="no such table"):
            async with database.transaction() as session:
                await session.execute(text("INSERT INTO notes (body) VALUES ('lost')"))
                await session.execute(select(Region.id))  # not migrated here
        async with database.transaction() as session:
            assert (await session.execute(text("SELECT count(*) FROM notes"))).scalar() == 0
    finally:
        await database.dispose()


async def test_a_transaction_that_only_reads_stays_on_the_thread(
    sqlite_url: str, on_the_thread: Counter[str]
) -> None:
    """A deferred BEGIN holds no lock and may read for long: the loop does not wait for it."""
    connection = await sqlite_on_the_loop.connector(make_url(sqlite_url))()
    try:
        await connection.execute("BEGIN")
        async with connection.execute("SELECT 1") as cursor:
            assert await cursor.fetchall() == [(1,)]
        await connection.rollback()
        assert on_the_thread["execute"] == 2 and on_the_thread["fetchall"] == 1
    finally:
        await connection.close()


async def test_a_begin_that_finds_the_database_locked_for_good_is_an_outage(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_on_the_loop, "BUSY_TIMEOUT_MS", 100)
    database = Database(sqlite_url)
    other = None
    try:
        async with database.transaction() as session:
            await session.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)"))
        other = sqlite3.connect(sqlite_url.split("///", 1)[1], isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # and never lets go
        with pytest.raises(OperationalError) as caught:
            async with database.transaction() as session:
                await session.execute(text("INSERT INTO notes (body) VALUES ('mine')"))
        assert is_outage(caught.value)
        assert "database is locked" in describe(caught.value)
    finally:
        if other is not None:
            other.close()
        await database.dispose()


async def test_the_loop_never_waits_for_a_lock_the_thread_does_without_a_pragma_each_time(
    sqlite_url: str,
) -> None:
    """The busy timeout is switched when a connection goes from the loop to the thread or back,
    not at every BEGIN: writes in a row run no PRAGMA, and a read after them may wait again."""
    database = Database(sqlite_url)
    statements: list[str] = []
    try:
        async with database.transaction() as session:
            await session.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)"))
            connection = await (await session.connection()).get_raw_connection()
            connection.driver_connection._connection.set_trace_callback(statements.append)
        for number in range(3):
            async with database.transaction() as session:
                await session.execute(text("INSERT INTO notes (body) VALUES (:b)"), {"b": number})
                on_the_loop = (await session.execute(text("PRAGMA busy_timeout"))).scalar()
        assert on_the_loop == 0
        assert [s for s in statements if "busy_timeout =" in s] == []
        assert statements.count("BEGIN IMMEDIATE") == 3
        async with database.reading() as session:
            on_the_thread = (await session.execute(text("PRAGMA busy_timeout"))).scalar()
            assert (await session.execute(text("SELECT count(*) FROM notes"))).scalar() == 3
        assert on_the_thread == sqlite_on_the_loop.BUSY_TIMEOUT_MS
        async with database.transaction() as session:
            await session.execute(text("INSERT INTO notes (body) VALUES ('after')"))
            assert (await session.execute(text("PRAGMA busy_timeout"))).scalar() == 0
        switched = [s for s in statements if "busy_timeout =" in s]
        assert switched == [
            f"PRAGMA busy_timeout = {sqlite_on_the_loop.BUSY_TIMEOUT_MS}",
            "PRAGMA busy_timeout = 0",
        ]
    finally:
        await database.dispose()
