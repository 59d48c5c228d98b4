"""One async engine and session factory per database; SQLite set up for a service (WAL, locks)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from bot.db import sqlite_on_the_loop
from bot.db.health import DatabaseHealth, describe
from bot.db.writers import WriterQueue
from bot.settings_values import ConfigError

READ_ONLY = "gemeinsam_read_only"  # an execution option: a transaction that only reads
PING_AFTER_IDLE_SECONDS = 10.0  # PostgreSQL: a pooled connection idle longer is pinged first
CONNECT_TIMEOUT_SECONDS = 10  # a server that does not answer is an outage, not a hang


class DatabaseUnusable(ConfigError):
    """At start: the database cannot be reached or written; the message is one line."""


class Database:
    """The engine and the session factory; `transaction()` is the unit of work of turns, jobs."""

    def __init__(self, url: str, *, echo: bool = False, hide_parameters: bool = True) -> None:
        """`hide_parameters`: errors show a statement without its values (names, e-mails,
        titles); only LOG_PERSONAL_DATA shows them."""
        self.url = url
        parsed = make_url(url)
        self.unusable: str | None = None
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        self.is_postgresql = parsed.get_backend_name() == "postgresql"
        options: dict[str, Any] = {"echo": echo, "hide_parameters": hide_parameters}
        if self.is_sqlite:
            if parsed.database and parsed.database != ":memory:":
                try:
                    Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
                except OSError as error:  # said at start by `check_usable`
                    self.unusable = f"the directory cannot be made: {error.strerror}"
            options["async_creator"] = sqlite_on_the_loop.connector(parsed)
        else:
            options["connect_args"] = {"timeout": CONNECT_TIMEOUT_SECONDS}
        self.health = DatabaseHealth(parsed.render_as_string(hide_password=True))
        self.engine: AsyncEngine = create_async_engine(url, **options)
        if self.is_sqlite:
            _configure_sqlite(self.engine)
        else:
            _ping_after_idle(self.engine)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        reading: dict[str, Any] = {READ_ONLY: True}
        if self.is_postgresql:
            reading |= {"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
        self.readers = async_sessionmaker(
            self.engine.execution_options(**reading), expire_on_commit=False
        )
        self._autocommit = self.engine.execution_options(isolation_level="AUTOCOMMIT")
        self.writers = WriterQueue() if self.is_sqlite else None

    @asynccontextmanager
    async def transaction(self, *, long: bool = False) -> AsyncIterator[AsyncSession]:
        """A session in one transaction: committed when the block ends, rolled back on error.
        `long` (a turn): on SQLite, short writes waiting at the same time go first."""
        if self.writers is None:
            async with self.sessions() as session, session.begin():
                yield session
            return
        async with self.writers.turn(long=long), self.sessions() as session, session.begin():
            yield session

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[AsyncSession]:
        """A session that only reads, from one snapshot, and keeps no writer waiting however long
        it reads (an export): on SQLite a deferred BEGIN outside the writers' queue, on
        PostgreSQL a READ ONLY, REPEATABLE READ transaction."""
        async with self.readers() as session, session.begin():
            yield session

    @asynccontextmanager
    async def autocommit(self) -> AsyncIterator[AsyncConnection]:
        """A connection for statements that are each whole by themselves: on PostgreSQL without
        BEGIN and COMMIT around them (two round trips fewer, a tenth of a reply's statements);
        on SQLite, whose BEGIN and COMMIT cost no round trip, in a transaction as any."""
        if self.writers is None:
            async with self._autocommit.connect() as connection:
                yield connection
            return
        async with self.transaction() as session:
            yield await session.connection()

    def check_usable(self) -> None:
        """Before connecting: what can be seen to fail without a connection (which, for SQLite,
        would leave a thread behind)."""
        if self.unusable:
            raise DatabaseUnusable(f"DATABASE_URL: cannot use {self.health.url}: {self.unusable}")

    async def check_writable(self) -> None:
        """Write and take back one row's worth, so that a read-only file, a missing directory or
        a wrong password stops the start with one line instead of a bot that answers nothing."""
        try:
            async with self.transaction() as session:
                await session.execute(text("UPDATE alembic_version SET version_num = version_num"))
        except Exception as error:
            raise DatabaseUnusable(
                f"DATABASE_URL: cannot write to {self.health.url}: {describe(error)}"
            ) from error

    async def dispose(self) -> None:
        await self.engine.dispose()


def insert(session: AsyncSession, table: Any) -> postgresql.Insert | sqlite.Insert:
    """An INSERT for this session's database, which can skip rows that conflict."""
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


def _ping_after_idle(engine: AsyncEngine) -> None:
    """SQLAlchemy's pool_pre_ping costs three round trips at every checkout, three checkouts a
    message. A connection used within the last seconds is taken as it is; one that idled longer
    (a firewall or the server may have dropped it meanwhile) is pinged first, and replaced if it
    does not answer. A connection that broke while in use fails its statement as an outage, and
    SQLAlchemy then replaces every connection of the pool."""

    @event.listens_for(engine.sync_engine, "checkin")
    def on_checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS:
            return
        try:
            dbapi_connection.ping()
        except Exception as error:
            raise DisconnectionError() from error  # the pool connects anew


def _configure_sqlite(engine: AsyncEngine) -> None:
    """WAL, foreign keys, a busy timeout, and BEGIN IMMEDIATE so concurrent writers queue up
    instead of failing with "database is locked" when a reader later wants to write; a
    transaction that only reads (`Database.reading`) begins deferred and takes no lock."""

    @event.listens_for(engine.sync_engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={sqlite_on_the_loop.BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA wal_autocheckpoint=0")  # the connection checkpoints, off the loop
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def on_begin(connection: Connection) -> None:
        # Straight to the driver: SQLAlchemy's execution of it cost as much as a statement. Its
        # errors are SQLAlchemy's as they would be from there (a locked database is an outage).
        read_only = connection.get_execution_options().get(READ_ONLY, False)
        begin = "BEGIN" if read_only else sqlite_on_the_loop.BEGIN
        driver_error = connection.dialect.loaded_dbapi.Error
        cursor = connection.connection.cursor()
        try:
            cursor.execute(begin)
        except driver_error as error:
            raise DBAPIError.instance(
                begin, (), error, driver_error, hide_parameters=True
            ) from error
        finally:
            cursor.close()
