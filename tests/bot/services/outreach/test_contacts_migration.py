"""The migration to contacts per topic: a region's contacts from before apply to every topic,
and going back keeps those and drops the ones for a single topic."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import text

from bot.db import migrate
from bot.db.session import Database

BEFORE = "a3c5e7f9b1d2"
NOW = datetime(2026, 11, 24, 9, tzinfo=UTC)


async def test_existing_contacts_become_contacts_for_every_topic(database: Database) -> None:
    await migrate.downgrade(database, BEFORE)
    async with database.engine.begin() as connection:
        region = await connection.execute(text("SELECT id FROM regions WHERE key = 'parchim'"))
        region_id = region.scalar_one()
        await connection.execute(
            text("INSERT INTO local_contacts (region_id, text, updated_at) VALUES (:r, :t, :at)"),
            {"r": region_id, "t": "Aktivgruppe Parchim", "at": NOW},
        )
    await migrate.upgrade(database)
    async with database.engine.begin() as connection:
        rows = (await connection.execute(text("SELECT topic, text FROM local_contacts"))).all()
        assert [tuple(row) for row in rows] == [("*", "Aktivgruppe Parchim")]
        await connection.execute(
            text(
                "INSERT INTO local_contacts (region_id, topic, text, updated_at) "
                "VALUES (:r, 'health', 'Gesundheitsamt', :at)"
            ),
            {"r": region_id, "at": NOW},
        )
    await migrate.downgrade(database, BEFORE)
    async with database.engine.begin() as connection:
        rows = (await connection.execute(text("SELECT text FROM local_contacts"))).all()
    assert [tuple(row) for row in rows] == [("Aktivgruppe Parchim",)]
    await migrate.upgrade(database)
