"""The people of a bench run, written straight into a migrated database before the bot starts:
the announcement's audience and the people who chat while it goes out."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from sqlalchemy import insert, select, text

from bot.app import App
from bot.db.models import ChannelIdentity, ProcessedUpdate, Region, User
from bot.db.session import Database
from bot.settings import Settings
from conversations.people.privacy import PRIVACY_VERSION
from tests.e2e.telegram_fake import FakeBotApi

BATCH = 1000  # rows a statement, within every database's parameter limit


def audience(size: int) -> range:
    """Newcomers in Parchim: whom the announcement reaches."""
    return range(100_000, 100_000 + size)


CHATTERS = range(5001, 5051)  # volunteers in Hagenow, onboarded, who ask /help


async def seed(database_url: str, *, audience_size: int) -> None:
    """Migrate the database and write everyone in, onboarded under today's privacy notice."""
    app = App(replace(Settings(), database_url=database_url))
    try:
        await app.migrate()
        await write_people(app.database, audience(audience_size), role="newcomer", region="parchim")
        await write_people(app.database, CHATTERS, role="volunteer", region="hagenow")
        if app.database.is_postgresql:
            # Written at once, where a real district's people came over months: PostgreSQL's
            # autovacuum would have analyzed the tables long since, so the planner knows them
            # (without, the announcement's batches read all 50,000 people each: 32 ms, not 0.4).
            async with app.database.engine.connect() as connection:
                await connection.execute(text("ANALYZE users, channel_identities, regions"))
                await connection.commit()
    finally:
        await app.close()


async def write_people(
    database: Database,
    chats: range,
    *,
    role: str,
    region: str,
    locale: str = "de",
    updates_each: int = 0,
) -> None:
    """Onboarded people of that role and region, a Telegram chat each, written a batch at a time;
    with `updates_each`, as many updates of each recorded as handled, as if they had chatted."""
    now = datetime.now(UTC)
    async with database.transaction() as session:
        region_id = await session.scalar(select(Region.id).where(Region.key == region))
    person = {
        "locale": locale,
        "role": role,
        "region_id": region_id,
        "is_staff": False,
        "consented_at": now,
        "privacy_version": PRIVACY_VERSION,
        "privacy_accepted_at": now,
        "created_at": now,
    }
    for start in range(0, len(chats), BATCH):
        part = chats[start : start + BATCH]
        async with database.transaction() as session:
            ids = await session.scalars(
                insert(User).returning(User.id, sort_by_parameter_order=True),
                [person] * len(part),
            )
            await session.execute(
                insert(ChannelIdentity),
                [
                    {
                        "user_id": user_id,
                        "channel": "telegram",
                        "external_id": str(chat),
                        "last_seen_at": now if updates_each else None,
                        "created_at": now,
                    }
                    for user_id, chat in zip(ids.all(), part, strict=True)
                ],
            )
            updates = [
                {"key": f"telegram:{chat}{step:02d}", "processed_at": now}
                for chat in part
                for step in range(updates_each)
            ]
            for batch in range(0, len(updates), BATCH):
                await session.execute(insert(ProcessedUpdate), updates[batch : batch + BATCH])


def introduce(fake: FakeBotApi, *, audience_size: int) -> None:
    """Make everyone known to the fake Bot API as a private chat."""
    for chat in audience(audience_size):
        fake.add_user(chat, first_name="Nour", language_code="de")
    for chat in CHATTERS:
        fake.add_user(chat, first_name="Ole", language_code="de")
