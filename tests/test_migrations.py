"""The migrations build exactly the models' schema, and go up from empty and down to nothing."""

from __future__ import annotations

import asyncio

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, inspect, select

from bot.app import App
from bot.db import migrate
from bot.db.base import Base
from bot.db.models import Region
from bot.db.session import Database
from bot.settings import Settings


async def test_the_models_match_the_head_revision(database: Database) -> None:
    assert await migrate.current_revision(database) == migrate.head_revision()
    async with database.engine.connect() as connection:
        differences = await connection.run_sync(
            lambda sync: compare_metadata(
                MigrationContext.configure(sync, opts={"compare_type": True}), Base.metadata
            )
        )
    assert differences == []


async def test_downgrade_to_base_and_upgrade_again(database: Database) -> None:
    await migrate.downgrade(database, "base")
    async with database.engine.connect() as connection:
        tables = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
    assert set(tables) <= {"alembic_version"}
    assert await migrate.current_revision(database) is None

    await migrate.upgrade(database)
    async with database.engine.connect() as connection:
        tables = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
    assert {table.name for table in Base.metadata.sorted_tables} <= set(tables)


async def test_processes_that_start_together_migrate_one_after_the_other(
    database: Database, settings: Settings
) -> None:
    await migrate.downgrade(database, "base")
    apps = [App(settings), App(settings)]
    try:
        await asyncio.gather(*(app.migrate() for app in apps))
    finally:
        for app in apps:
            await app.close()
    assert await migrate.current_revision(database) == migrate.head_revision()
    async with database.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(Region)) == 5
