"""An announcement over the real Telegram channel to more people than "Send" writes itself: the
sender is answered at once, the scheduler writes the others' rows batch by batch, and everyone
gets it once."""

from __future__ import annotations

import pytest

from bot.services.outreach import broadcasts
from tests.bot.transactions import many_people
from tests.e2e.conftest import RunningBot
from tests.e2e.telegram_fake import FakeBotApi
from tests.e2e.test_broadcast_telegram import press, say

STAFF = 9000
PEOPLE = 60
TEXT = "Sprachcafé am Freitag um 18 Uhr im Rathaus"


async def test_an_announcement_written_in_batches_reaches_everyone_once(
    bot: RunningBot, fake: FakeBotApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = bot.app
    assert app is not None
    monkeypatch.setattr(broadcasts, "FIRST_BATCH", 10)
    app.broadcast_queue.batch = 15
    chats = await many_people(
        app.database, PEOPLE, now=app.clock.now(), channel="telegram", prefix="7"
    )
    for chat in chats:
        fake.add_user(int(chat), first_name=f"P{chat}")

    fake.add_user(STAFF, first_name="Petra", language_code="en")
    await say(fake, STAFF, "/start", answer="Gemeinsam")
    for label in ("English", "I work for the district office", "Parchim", "I agree"):
        await press(fake, STAFF, label)
    await say(fake, STAFF, "/broadcast", answer="Whom should it reach?")
    for label in ("Everyone", "Done", "Done"):
        await press(fake, STAFF, label)
    await say(fake, STAFF, TEXT, answer="Add a version")
    for label in ("Done", "Continue", "Send", "Yes, send"):
        await press(fake, STAFF, label)
    await fake.wait_until(
        lambda: any(
            f"on its way to {PEOPLE + 1} people" in m.plain_text for m in fake.messages(STAFF)
        )
    )

    await fake.wait_until(lambda: all(fake.messages(int(chat)) for chat in chats), timeout=60)
    await fake.wait_until(
        lambda: any(
            "done" in m.plain_text and f"Sent: {PEOPLE + 1} of {PEOPLE + 1}" in m.plain_text
            for m in fake.messages(STAFF)
        ),
        timeout=30,
    )
    assert {chat: [m.plain_text for m in fake.messages(int(chat))] for chat in chats} == {
        chat: [TEXT] for chat in chats
    }
