"""Databases for tests: SQLite always, PostgreSQL too when TEST_DATABASE_URL is set.

The schema is built once per engine with the real migrations; each test then gets it fresh (a copy
of the migrated SQLite file, or emptied PostgreSQL tables with the defaults seeded again), because
turns and the dispatcher commit as they do in production.
"""

from __future__ import annotations

import asyncio
import os

# python-telegram-bot 22 announces timedelta values for retry_after; take them now.
os.environ.setdefault("PTB_TIMEDELTA", "1")
import shutil
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import settings as hypothesis_settings
from sqlalchemy import text

from bot.app import App, seed_defaults
from bot.channels.memory import MemoryChannel
from bot.db import migrate
from bot.db.base import Base
from bot.db.session import Database
from bot.settings import Settings

ENGINES = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])

# Hypothesis: in CI a red run is repeatable (derandomized), and every failure prints how to
# reproduce it; HYPOTHESIS_PROFILE=long runs the property tests (tests/property/) for thousands
# of sequences instead of the few that `make test` runs.
hypothesis_settings.register_profile(
    "default", derandomize=os.environ.get("CI") == "true", print_blob=True, database=None
)
hypothesis_settings.register_profile(
    "long", hypothesis_settings.get_profile("default"), max_examples=1000
)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime | None = None) -> None:
        self._now = now or datetime(2026, 11, 24, 9, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, **delta: float) -> None:
        self._now += timedelta(**delta)


async def _prepare(url: str) -> None:
    database = Database(url)
    try:
        if database.is_postgresql:
            async with database.engine.begin() as connection:
                await connection.execute(text("DROP SCHEMA public CASCADE"))
                await connection.execute(text("CREATE SCHEMA public"))
        await migrate.upgrade(database)
        async with database.transaction() as session:
            await seed_defaults(session, now=FakeClock().now(), tz=ZoneInfo("Europe/Berlin"))
    finally:
        await database.dispose()


@pytest.fixture(scope="session")
def migrated_urls(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Each engine migrated once for the whole run."""
    urls = {"sqlite": f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db') / 'template.sqlite3'}"}
    if "postgresql" in ENGINES:
        urls["postgresql"] = os.environ["TEST_DATABASE_URL"]
    for url in urls.values():
        asyncio.run(_prepare(url))
    return urls


@pytest.fixture(params=ENGINES)
def database_url(
    request: pytest.FixtureRequest, migrated_urls: dict[str, str], tmp_path: Path
) -> Iterator[str]:
    if request.param == "sqlite":
        template = Path(migrated_urls["sqlite"].split("///", 1)[1])
        copy = tmp_path / "test.sqlite3"
        shutil.copyfile(template, copy)
        yield f"sqlite+aiosqlite:///{copy}"
    else:
        asyncio.run(_empty_postgresql(migrated_urls["postgresql"]))
        yield migrated_urls["postgresql"]


async def _empty_postgresql(url: str) -> None:
    database = Database(url)
    try:
        tables = ", ".join(table.name for table in Base.metadata.sorted_tables)
        async with database.transaction() as session:
            await session.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
            await seed_defaults(session, now=FakeClock().now(), tz=ZoneInfo("Europe/Berlin"))
    finally:
        await database.dispose()


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    yield database
    await database.dispose()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    # Tests send faster than people: the flood limit has tests of its own.
    return replace(
        Settings(),
        database_url=database_url,
        admins=frozenset({"memory:admin"}),
        flood_per_minute=6000,
        flood_burst=1000,
        signal_spool=tmp_path / "signal-spool.jsonl",
    )


@pytest.fixture
async def app(settings: Settings, clock: FakeClock) -> AsyncIterator[App]:
    """The whole bot with a memory channel instead of Telegram."""
    app = App(settings, clock=clock)
    app.dispatcher.add_channel(MemoryChannel())
    yield app
    await app.close()
