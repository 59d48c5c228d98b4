"""Apply and check Alembic migrations from inside the bot, on the bot's own async engine."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection

from bot.db.session import Database

ROOT = Path(__file__).resolve().parents[2]
# PostgreSQL advisory lock key of the start's migrations and default data ("gemeinsam").
START_LOCK = 0x67656D65696E73


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


async def upgrade(database: Database, revision: str = "head") -> None:
    await _run(database, command.upgrade, revision)


async def downgrade(database: Database, revision: str = "base") -> None:
    await _run(database, command.downgrade, revision)


async def current_revision(database: Database) -> str | None:
    async with database.engine.connect() as connection:
        return await connection.run_sync(
            lambda sync: MigrationContext.configure(sync).get_current_revision()
        )


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


async def _run(database: Database, action: Any, revision: str) -> None:
    async with database.engine.begin() as connection:
        await connection.run_sync(lambda sync: action(alembic_config(sync), revision))


@asynccontextmanager
async def one_at_a_time(database: Database) -> AsyncIterator[None]:
    """Processes that start together on one PostgreSQL migrate and seed one after the other:
    the later ones find the work done instead of failing on each other's tables and rows."""
    if not database.is_postgresql:
        yield
        return
    async with database.engine.connect() as connection:
        await connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": START_LOCK})
        try:
            yield
        finally:
            await connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": START_LOCK})
