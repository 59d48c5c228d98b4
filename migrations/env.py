"""Alembic environment, async: runs on a connection handed over by the bot, or opens its own."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from bot.db.base import Base
from bot.db.models import *  # noqa: F403 - every model must be imported for autogenerate
from bot.db.session import Database
from bot.settings import Settings

config = context.config
target_metadata = Base.metadata


def run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_async_migrations() -> None:
    url = config.get_main_option("sqlalchemy.url") or Settings.from_env().database_url
    database = Database(url)
    try:
        async with database.engine.begin() as connection:
            await connection.run_sync(run_migrations)
    finally:
        await database.dispose()


if context.is_offline_mode():
    raise SystemExit("Offline (--sql) migrations are not supported; run them against a database.")

shared = config.attributes.get("connection")
if shared is not None:
    run_migrations(shared)
else:
    asyncio.run(run_async_migrations())
