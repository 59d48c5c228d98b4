"""SQLite's calls on the event loop rather than each a hop to aiosqlite's thread.

aiosqlite runs every call on a thread of its own: a hop there and back for each cursor, statement,
fetch, close and commit, and each time the loop waits for the thread to hand the GIL back (the
hops were a third of a turn's CPU, and on a busy machine each commit waited milliseconds for the
thread to be scheduled). Every transaction here begins with `BEGIN IMMEDIATE`, and once that holds
SQLite's write lock no call can wait for another connection (readers never block in WAL; a commit
writes to the WAL without an fsync), so the calls of a transaction run at once, as short as the
statements are (big work goes in small transactions). So do making and closing cursors and rolling
back, which never wait, and `BEGIN IMMEDIATE` itself while no other process writes; when one
does, it waits for the lock on the thread, and the loop goes on. A transaction that began with a
deferred BEGIN (one that only reads, as long as it likes) keeps every call on the thread.

On the loop nothing may wait for a lock, on the thread everything may: a connection's busy timeout
is 0 while the loop uses it and `BUSY_TIMEOUT_MS` while the thread does, switched (one PRAGMA) only
when the connection goes from one to the other, not twice at every BEGIN.

What may take long stays off the loop: checkpoints, which copy the WAL into the database with an
fsync. SQLite's own, at a commit that finds the WAL long, is switched off on these connections;
instead, a commit after `CHECKPOINT_AFTER_CHANGES` changed rows goes to the thread and checkpoints
there (`PASSIVE`: it never waits for readers or writers).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

import aiosqlite
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import URL

BUSY_TIMEOUT_MS = 15_000
BEGIN = "BEGIN IMMEDIATE"  # every transaction on SQLite: writers queue for the lock up front
CHECKPOINT_AFTER_CHANGES = 1000  # rows; SQLite's own default is 1000 pages of WAL


class Connection(aiosqlite.Connection):
    _changes_checkpointed = 0
    _writing = False  # the transaction began with BEGIN IMMEDIATE: it holds the write lock
    _busy_timeout_ms: int | None = None  # unknown: set at the first call

    async def _execute(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        connection = self._connection
        if connection is not None:
            if fn == connection.commit:
                if connection.total_changes - self._changes_checkpointed < CHECKPOINT_AFTER_CHANGES:
                    return fn()
                fn, args = self._commit_and_checkpoint, (connection,)  # waits for nothing
                return await super()._execute(fn, *args)  # type: ignore[no-untyped-call]
            if (connection.in_transaction and self._writing) or _never_waits(connection, fn):
                return fn(*args, **kwargs)
            elif args and isinstance(args[0], str) and args[0].startswith("BEGIN"):
                self._writing = args[0] == BEGIN  # a deferred BEGIN reads: all on the thread
                if self._writing and self._begin_at_once(connection, fn, args):
                    return None
            self._wait_for_locks(connection, BUSY_TIMEOUT_MS)
        return await super()._execute(fn, *args, **kwargs)  # type: ignore[no-untyped-call]

    def _begin_at_once(
        self, connection: sqlite3.Connection, execute: Any, args: tuple[Any, ...]
    ) -> bool:
        """Begin without waiting; False when another connection writes (nothing has begun)."""
        self._wait_for_locks(connection, 0)
        try:
            execute(*args)
        except sqlite3.OperationalError as error:
            if error.sqlite_errorcode != sqlite3.SQLITE_BUSY:
                raise
            return False
        return True

    def _wait_for_locks(self, connection: sqlite3.Connection, milliseconds: int) -> None:
        """Set the busy timeout, unless it is set so already."""
        if self._busy_timeout_ms != milliseconds:
            connection.execute(f"PRAGMA busy_timeout = {milliseconds}").close()
            self._busy_timeout_ms = milliseconds

    def _commit_and_checkpoint(self, connection: sqlite3.Connection) -> None:
        """On the thread; `PASSIVE` waits for no reader or writer."""
        connection.commit()
        connection.execute("PRAGMA wal_checkpoint(PASSIVE)").close()
        self._changes_checkpointed = connection.total_changes


def _never_waits(connection: sqlite3.Connection, fn: Any) -> bool:
    """Making a cursor, closing one, rolling back."""
    if fn in (connection.cursor, connection.rollback):
        return True
    return getattr(fn, "__name__", None) == "close" and isinstance(
        getattr(fn, "__self__", None), sqlite3.Cursor
    )


def connector(url: URL) -> Callable[[], Awaitable[aiosqlite.Connection]]:
    """`create_async_engine`'s `async_creator`: connections as SQLAlchemy's aiosqlite dialect
    makes them, used from two threads (the loop's and aiosqlite's, one at a time)."""
    args, kwargs = sqlite.aiosqlite.dialect().create_connect_args(url)
    kwargs.update(check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000)

    async def connect() -> aiosqlite.Connection:
        connection = Connection(partial(sqlite3.connect, *args, **kwargs), 64)
        connection._thread.daemon = True  # as SQLAlchemy's dialect does
        return await connection

    return connect
