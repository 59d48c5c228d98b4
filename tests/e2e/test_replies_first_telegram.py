"""Replies first over Telegram: while 500 announcement rows wait (a few of them claimed), with the
fake enforcing Telegram's 30 messages a second with 429, a person chatting and the sender get
their answers before the remaining rows, announcements go on meanwhile, and everyone gets the
announcement once."""

from __future__ import annotations

import asyncio

import pytest

from bot import inbox
from bot.delivery import ANNOUNCEMENT_PRIORITY, Claimed, enqueue
from conversations.messages import Reply
from tests.e2e.conftest import ALICE, RunningBot
from tests.e2e.telegram_fake import FakeBotApi

SENDER = 9000
PEOPLE = range(40_000, 40_500)


def announced(fake: FakeBotApi) -> int:
    return sum(1 for person in PEOPLE if fake.messages(person))


async def ask(fake: FakeBotApi, chat: int, text: str) -> tuple[int, int]:
    """Send `text`, wait for the answer; the announcements sent (when asked, when answered)."""
    count = len(fake.messages(chat))
    asked = announced(fake)
    fake.send_text(chat, text)
    await fake.wait_for_messages(chat, count + 1, timeout=30)
    return asked, announced(fake)


async def test_replies_go_before_the_waiting_announcement_rows(
    bot: RunningBot, fake: FakeBotApi
) -> None:
    app = bot.app
    assert app is not None
    fake.add_user(SENDER, first_name="Petra", language_code="en")
    for person in PEOPLE:
        fake.add_user(person, first_name=f"P{person}")
    await ask(fake, ALICE, "/start")
    await ask(fake, SENDER, "/start")
    fake.set_rate_limit(global_per_second=30)
    async with app.database.transaction() as session:
        for chat in [SENDER, *PEOPLE]:
            await enqueue(
                session,
                channel="telegram",
                address=str(chat),
                reply=Reply(text="Sprachcafé am Freitag"),
                dedup_key=f"news:{chat}",
                now=app.clock.now(),
                priority=ANNOUNCEMENT_PRIORITY,
            )
    sending = asyncio.create_task(app.dispatcher.dispatch_due())
    await fake.wait_until(lambda: announced(fake) >= 20, timeout=30)

    # At 24 a second for the announcement, one answer has room for a few rows, not hundreds.
    asked, answered = await ask(fake, ALICE, "/help")
    assert answered - asked < 30
    asked, answered = await ask(fake, SENDER, "/help")
    assert answered - asked < 30

    # Someone chatting on and on does not stop the announcement.
    progress = []
    for _ in range(5):
        progress.append((await ask(fake, ALICE, "/help"))[1])
    assert progress[-1] > progress[0]
    assert announced(fake) < len(PEOPLE)

    await fake.wait_until(lambda: announced(fake) == len(PEOPLE), timeout=60)
    sending.cancel()
    await asyncio.sleep(1)
    assert all(len(fake.messages(person)) == 1 for person in PEOPLE)
    news = [m for m in fake.messages(SENDER) if m.plain_text == "Sprachcafé am Freitag"]
    assert len(news) == 1


async def test_a_lone_message_is_answered_before_the_next_getupdates(
    bot: RunningBot, fake: FakeBotApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On one event loop the next long poll's request would go out first and hold the reply up
    by as long as it takes to make: the bot fetches more only once the reply has gone."""
    # The order is under test, not the bound on the wait (0.1 s, so that a slow turn does not
    # hold up everyone else's messages): a cold first turn on PostgreSQL on a busy CI machine
    # took longer than that, and the bot rightly fetched on.
    monkeypatch.setattr(inbox, "REPLIED_WAIT_SECONDS", 10.0)
    # A turn that takes a moment, as on a slow machine: without the wait, the next long poll
    # would go out meanwhile (on a fast one the race is close and the reply can win it anyway).
    assert bot.app is not None
    dispatcher = bot.app.inbox.dispatcher
    deliver = dispatcher.deliver

    async def slowly(rows: list[Claimed]) -> None:
        await asyncio.sleep(0.05)
        await deliver(rows)

    monkeypatch.setattr(dispatcher, "deliver", slowly)
    polls_at_reply: list[int] = []
    send_message = fake._m_sendMessage

    def noting(params: dict[str, object]) -> object:
        polls_at_reply.append(fake.polls)
        return send_message(params)

    fake._m_sendMessage = noting  # type: ignore[method-assign]
    polling = fake.polls  # the long poll that hands out the first message
    for text in ["/start", "/help", "hallo", "/help"]:
        count = len(fake.messages(ALICE))
        polls_at_reply.clear()
        fake.send_text(ALICE, text)
        await fake.wait_for_messages(ALICE, count + 1, timeout=10)
        assert polls_at_reply[0] == polling, text
        await fake.wait_until(lambda seen=polling: fake.polls > seen)  # the next long poll
        polling = fake.polls
