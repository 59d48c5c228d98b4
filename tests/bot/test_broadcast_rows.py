"""An announcement's rows, written by the database from the audience in one statement a batch:
each person once, to the messenger they used last, in their language or else the fallback's,
unreachable where they blocked the bot, and nothing again for a batch written twice."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import insert, select

from bot.app import App
from bot.db.models import Broadcast, ChannelIdentity, OutboxMessage, User
from bot.delivery import ANNOUNCEMENT_PRIORITY, PENDING, UNREACHABLE
from bot.services.outreach.broadcast_rows import QUEUEING, queue_batch


async def test_each_person_once_where_they_wrote_last_in_their_language(app: App) -> None:
    now = app.clock.now()
    before = now - timedelta(days=1)
    person = {"role": "newcomer", "consented_at": before, "created_at": before}
    async with app.database.transaction() as session:
        two_messengers, ukrainian, arabic, blocked, later = await session.scalars(
            insert(User).returning(User.id, sort_by_parameter_order=True),
            [
                {**person, "locale": "de"},
                {**person, "locale": "uk"},
                {**person, "locale": "ar"},
                {**person, "locale": "de", "unreachable_at": before},
                {**person, "locale": "de", "created_at": now + timedelta(minutes=1)},
            ],
        )
        identities = [
            (two_messengers, "telegram", "old", before - timedelta(days=3)),
            (two_messengers, "signal", "new", before),
            (ukrainian, "telegram", "uk", None),
            (arabic, "telegram", "ar", None),
            (blocked, "telegram", "blocked", None),
            (later, "telegram", "later", None),
        ]
        await session.execute(
            insert(ChannelIdentity),
            [
                {
                    "user_id": u,
                    "channel": c,
                    "external_id": e,
                    "last_seen_at": s,
                    "created_at": before,
                }
                for u, c, e, s in identities
            ],
        )
        broadcast = Broadcast(
            audience={"roles": ["newcomer"], "regions": [], "languages": []},
            texts={"de": "Sprachcafé", "ar": "مقهى اللغة"},
            fallback="de",
            status=QUEUEING,
            total=4,
            report_channel="telegram",
            report_address="9000",
            created_at=now,
        )
        session.add(broadcast)
        await session.flush()
        first = await queue_batch(session, broadcast, after_user_id=0, limit=10)
        again = await queue_batch(session, broadcast, after_user_id=0, limit=10)
        rows = (await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all()

    assert first.done and first.last_user_id == blocked and len(first.ids) == 4
    assert again.ids == []
    assert [(r.user_id, r.channel, r.address, r.status, r.payload["text"]) for r in rows] == [
        (two_messengers, "signal", "new", PENDING, "Sprachcafé"),
        (ukrainian, "telegram", "uk", PENDING, "Sprachcafé"),
        (arabic, "telegram", "ar", PENDING, "مقهى اللغة"),
        (blocked, "telegram", "blocked", UNREACHABLE, "Sprachcafé"),
    ]
    assert {r.dedup_key for r in rows} == {
        f"broadcast:{broadcast.id}:to:{u}" for u in (two_messengers, ukrainian, arabic, blocked)
    }
    assert all(r.priority == ANNOUNCEMENT_PRIORITY and r.attempts == 0 for r in rows)
    assert all(r.next_attempt_at == now and r.created_at == now for r in rows)
