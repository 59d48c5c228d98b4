"""The people of a bench run, written straight into a migrated database before the bot starts:
the announcement's audience and the people who chat while it goes out."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from sqlalchemy import insert, select, text

from bot.app import App
from bot.db.models import ChannelIdentity, Region, User
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
        now = datetime.now(UTC)
        async with app.database.transaction() as session:
            regions = dict((await session.execute(select(Region.key, Region.id))).tuples().all())
        groups = [
            (audience(audience_size), "newcomer", regions["parchim"]),
            (CHATTERS, "volunteer", regions["hagenow"]),
        ]
        for chats, role, region in groups:
            for start in range(0, len(chats), BATCH):
                part = chats[start : start + BATCH]
                person = {
                    "locale": "de",
                    "role": role,
                    "region_id": region,
                    "is_staff": False,
                    "consented_at": now,
                    "privacy_version": PRIVACY_VERSION,
                    "privacy_accepted_at": now,
                    "created_at": now,
                }
                async with app.database.transaction() as session:
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
                                "created_at": now,
                            }
                            for user_id, chat in zip(ids.all(), part, strict=True)
                        ],
                    )
        if app.database.is_postgresql:
            # Written at once, where a real district's people came over months: PostgreSQL's
            # autovacuum would have analyzed the tables long since, so the planner knows them
            # (without, the announcement's batches read all 50,000 people each: 32 ms, not 0.4).
            async with app.database.engine.connect() as connection:
                await connection.execute(text("ANALYZE users, channel_identities, regions"))
                await connection.commit()
    finally:
        await app.close()


def introduce(fake: FakeBotApi, *, audience_size: int) -> None:
    """Make everyone known to the fake Bot API as a private chat."""
    for chat in audience(audience_size):
        fake.add_user(chat, first_name="Nour", language_code="de")
    for chat in CHATTERS:
        fake.add_user(chat, first_name="Ole", language_code="de")
