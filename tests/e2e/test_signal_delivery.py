"""Delivery on Signal, through the real channel against the fake signal-cli daemon: the daemon
going away and coming back, Signal's rate limits and unregistered people, announcements that
reach Telegram and Signal users once each (and linked people once, where they wrote last), and
announcements paced on Signal while people who chat are answered at once."""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.db.models import ChannelIdentity, OutboxMessage, Region, User
from bot.delivery import ANNOUNCEMENT_PRIORITY, UNREACHABLE, enqueue
from bot.settings import Settings
from conversations.messages import Reply
from tests.e2e.conftest import ALICE, SAMIRA, RunningBot
from tests.e2e.signal_chat import SignalChat
from tests.e2e.signal_fake import FakeSignalDaemon, SentMessage
from tests.e2e.telegram_fake import FakeBotApi
from tests.e2e.test_broadcast_telegram import press, say

SIGNAL_LOGGER = "bot.channels.signal"
GONE = "cannot be reached"  # the channel's line when the daemon goes
BACK = "connected to the signal-cli daemon"  # and when it is back (or first there)

BOB = 1002  # a second person on Telegram
TELEGRAM_STAFF = 9000  # an admin in `telegram_settings`
NOUR = "0f9e8d7c-6b5a-4c3d-8e2f-1a0b9c8d7e6f"  # a second person on Signal
SIGNAL_STAFF = "7d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6"
SIGNAL_STAFF_NUMBER = "+4915199999999"  # an admin in `signal_settings`

# Each command answers with one message that starts like this (for someone set up in English).
COMMANDS = {
    "/help": "Gemeinsam connects",
    "/privacy": "Privacy",
    "/mydata": "What Gemeinsam stores about you",
    "/meetings": "There are no meetings coming up",
    "/myapplications": "You have not applied for funding yet",
}


# --- helpers ---------------------------------------------------------------------------------


@asynccontextmanager
async def running(
    settings: Settings, fake: FakeBotApi | None, daemon: FakeSignalDaemon
) -> AsyncIterator[RunningBot]:
    bot = RunningBot(settings, fake, daemon)
    await bot.start()
    try:
        yield bot
    finally:
        await bot.stop()


@pytest.fixture
async def both(
    telegram_settings: Settings, fake: FakeBotApi, daemon: FakeSignalDaemon
) -> AsyncIterator[RunningBot]:
    """One bot on Telegram and Signal at once; the staff member writes on Telegram."""
    settings = replace(telegram_settings, signal_account=daemon.account, signal_cli_url=daemon.url)
    async with running(settings, fake, daemon) as bot:
        yield bot


def lines(caplog: pytest.LogCaptureFixture, since: int, text: str) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records[since:]
        if r.name.startswith(SIGNAL_LOGGER) and text in r.getMessage()
    ]


def starting(messages: list[SentMessage]) -> list[str]:
    """Which command each message answers (by how it starts)."""
    return [
        next((c for c, start in COMMANDS.items() if m.text.startswith(start)), m.text[:40])
        for m in messages
    ]


async def onboard_telegram(fake: FakeBotApi, chat: int, *, role: str = "I volunteer") -> None:
    await say(fake, chat, "/start", answer="")
    await press(fake, chat, "English")
    await press(fake, chat, role)
    await press(fake, chat, "Parchim")
    await press(fake, chat, "I agree")
    await fake.wait_until(lambda: any("all set" in m.plain_text for m in fake.messages(chat)))


async def onboard_on_signal(chat: SignalChat, *, role: str = "I volunteer") -> SignalChat:
    await chat.send("Hallo")
    await chat.choose("English")
    await chat.choose(role)
    await chat.choose("Parchim")
    await chat.choose("I agree")
    assert "all set" in chat.text
    return chat


async def onboard_signal_staff(daemon: FakeSignalDaemon) -> SignalChat:
    daemon.add_person(SIGNAL_STAFF, number=SIGNAL_STAFF_NUMBER, name="Petra")
    return await onboard_on_signal(
        SignalChat(daemon, SIGNAL_STAFF), role="I work for the district office"
    )


async def broadcast_on_telegram(fake: FakeBotApi, text: str, *, role: str = "Everyone") -> None:
    await say(fake, TELEGRAM_STAFF, "/broadcast", answer="Whom should it reach?")
    await press(fake, TELEGRAM_STAFF, role)
    await press(fake, TELEGRAM_STAFF, "Done")  # every region
    await press(fake, TELEGRAM_STAFF, "Done")  # every language
    await say(fake, TELEGRAM_STAFF, text, answer="Add a version")
    await press(fake, TELEGRAM_STAFF, "Done")
    await press(fake, TELEGRAM_STAFF, "Continue")  # the summary
    await press(fake, TELEGRAM_STAFF, "Send")
    await press(fake, TELEGRAM_STAFF, "Yes, send")


async def broadcast_on_signal(staff: SignalChat, text: str, *, role: str = "Everyone") -> None:
    await staff.send("/broadcast")
    await staff.choose(role)
    await staff.choose("Done")  # every region
    await staff.choose("Done")  # every language
    await staff.send(text)
    await staff.choose("Done")
    await staff.choose("Continue")  # the summary
    await staff.choose("Send")
    await staff.choose("Yes, send")


def telegram_copies(fake: FakeBotApi, chat: int, text: str) -> int:
    return sum(1 for m in fake.messages(chat) if m.plain_text == text)


def signal_copies(daemon: FakeSignalDaemon, uuid: str, text: str) -> int:
    return sum(1 for m in daemon.messages_to(uuid) if m.text == text)


def sends_to(daemon: FakeSignalDaemon, uuid: str) -> list[int | None]:
    """The error code (None: accepted) of every `send` request to this person."""
    return [
        r.error
        for r in daemon.requests
        if r.method == "send" and isinstance(r.params, dict) and r.params.get("recipient") == [uuid]
    ]


async def add_signal_people(
    bot: RunningBot, daemon: FakeSignalDaemon, count: int, *, role: str = "volunteer"
) -> list[str]:
    """People set up on Signal before the test (straight into the database)."""
    app = bot.app
    assert app is not None
    uuids = [f"00000000-0000-4000-8000-{n:012d}" for n in range(1, count + 1)]
    async with app.database.transaction() as session:
        parchim = await session.scalar(select(Region.id).where(Region.key == "parchim"))
        for uuid in uuids:
            daemon.add_person(uuid, name=f"P{uuid[-2:]}")
            user = User(
                locale="de",
                created_at=app.clock.now(),
                consented_at=app.clock.now(),
                is_staff=False,
                role=role,
                region_id=parchim,
            )
            session.add(user)
            await session.flush()
            session.add(
                ChannelIdentity(
                    user_id=user.id,
                    channel="signal",
                    external_id=uuid,
                    created_at=app.clock.now(),
                )
            )
    return uuids


# --- 1. the daemon goes away and comes back ---------------------------------------------------


async def test_messages_sent_while_the_daemon_is_away_are_answered_once_in_order(
    daemon: FakeSignalDaemon, signal_bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=SIGNAL_LOGGER)
    caplog.set_level(logging.DEBUG, logger="httpcore.connection")  # every try to connect
    chat = SignalChat(daemon, SAMIRA)
    await onboard_on_signal(chat)
    order = ["/privacy", "/help", "/myapplications", "/mydata", "/meetings"]

    daemon.take(SAMIRA)
    before = len(daemon.messages_to(SAMIRA))
    since = len(caplog.records)
    await daemon.go_away()
    for command in order:
        daemon.send_text(SAMIRA, command)
    await asyncio.sleep(2.5)  # the bot tries again after 1 s, then after 2 s more
    assert daemon.undelivered == 5  # they wait on Signal's server
    assert daemon.take(SAMIRA) == []
    await daemon.come_back()

    await daemon.wait_for_messages(SAMIRA, before + 5, timeout=15)
    await asyncio.sleep(1)  # nothing more comes
    answers = daemon.take(SAMIRA)
    assert starting(answers) == order
    assert len(lines(caplog, since, GONE)) == 1, caplog.text
    assert len(lines(caplog, since, BACK)) == 1, caplog.text
    tries = [r for r in caplog.records[since:] if "connect_tcp.failed" in r.getMessage()]
    assert tries, "the bot did not try to connect while the daemon was away"
    assert daemon.connected == 1


async def test_a_restart_of_the_daemon_in_the_middle_of_a_conversation(
    daemon: FakeSignalDaemon, signal_bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=SIGNAL_LOGGER)
    chat = SignalChat(daemon, SAMIRA)
    await chat.send("Hallo")
    await chat.choose("English")
    assert "How are you here?" in chat.text

    since = len(caplog.records)
    await daemon.restart()
    await chat.choose("I volunteer")  # typed while the bot is not connected yet
    assert chat.text.startswith("Which region")
    await chat.choose("Parchim")
    await chat.choose("I agree")
    assert "all set" in chat.text
    texts = [m.text for m in daemon.messages_to(SAMIRA)]
    for question in ("How are you here?", "Which region", "Privacy", "Thank you!"):
        assert sum(1 for text in texts if text.startswith(question)) == 1, (question, texts)
    assert len(lines(caplog, since, GONE)) == 1, caplog.text
    assert len(lines(caplog, since, BACK)) == 1, caplog.text


# --- 2. replies that could not go while the daemon was away -----------------------------------


async def test_replies_that_meet_the_daemon_gone_are_sent_once_when_it_is_back(
    daemon: FakeSignalDaemon, signal_bot: RunningBot
) -> None:
    chat = SignalChat(daemon, SAMIRA)
    await onboard_on_signal(chat)
    daemon.take(SAMIRA)
    before = len(daemon.messages_to(SAMIRA))
    daemon.latency = 5  # the daemon holds the next request: it goes away meanwhile
    daemon.send_text(SAMIRA, "/privacy")
    daemon.send_text(SAMIRA, "/help")
    await daemon.wait_until(lambda: daemon.in_flight == 1)
    await daemon.go_away()  # the first reply's send fails; the second waits behind it
    daemon.latency = 0
    await asyncio.sleep(1)
    assert daemon.take(SAMIRA) == []
    await daemon.come_back()

    await daemon.wait_for_messages(SAMIRA, before + 2, timeout=20)
    await asyncio.sleep(1)
    assert starting(daemon.take(SAMIRA)) == ["/privacy", "/help"]
    assert signal_bot.app is not None
    async with signal_bot.app.database.transaction() as session:
        rows = (await session.execute(select(OutboxMessage.status, OutboxMessage.attempts))).all()
    assert {status for status, _ in rows} == {"sent"}
    assert max(attempts for _, attempts in rows) >= 2  # the first try met the daemon gone


# --- 3. Signal's rate limit and people who left Signal ----------------------------------------


async def test_a_rate_limited_reply_is_sent_once_after_the_wait(
    daemon: FakeSignalDaemon, signal_bot: RunningBot
) -> None:
    daemon.fail_next(SAMIRA, "rate_limit", retry_after=2)
    asked = time.monotonic()
    daemon.send_text(SAMIRA, "/privacy")
    [reply] = await daemon.wait_for_messages(SAMIRA, 1, timeout=15)
    waited = reply.time - asked
    await asyncio.sleep(1)
    assert [m.text for m in daemon.messages_to(SAMIRA)] == [reply.text]  # once
    assert sends_to(daemon, SAMIRA) == [-5, None]
    assert 2 <= waited < 6, waited


async def test_a_person_who_left_signal_is_marked_unreachable_and_not_tried_again(
    daemon: FakeSignalDaemon, signal_bot: RunningBot
) -> None:
    chat = SignalChat(daemon, SAMIRA)
    staff, _ = await asyncio.gather(onboard_signal_staff(daemon), onboard_on_signal(chat))
    daemon.unregister(SAMIRA)
    tries_before = len(sends_to(daemon, SAMIRA))

    await broadcast_on_signal(staff, "Sprachcafé am Freitag")
    await daemon.wait_until(lambda: signal_copies(daemon, SIGNAL_STAFF, "Sprachcafé am Freitag"))
    await daemon.wait_until(
        lambda: any("Announcement 1: done" in m.text for m in daemon.messages_to(SIGNAL_STAFF)),
        timeout=15,
    )
    report = next(
        m.text
        for m in reversed(daemon.messages_to(SIGNAL_STAFF))
        if "Announcement 1: done" in m.text
    )
    assert "Unreachable (blocked the bot): 1" in report and "Signal: 1 of 2 sent" in report
    assert sends_to(daemon, SAMIRA)[tries_before:] == [-1]  # UNREGISTERED_FAILURE
    assert signal_bot.app is not None
    async with signal_bot.app.database.transaction() as session:
        samira = await session.scalar(
            select(User).join(ChannelIdentity).where(ChannelIdentity.external_id == SAMIRA)
        )
        assert samira is not None and samira.unreachable_at is not None

    await broadcast_on_signal(staff, "Sprachcafé fällt aus")
    await daemon.wait_until(lambda: signal_copies(daemon, SIGNAL_STAFF, "Sprachcafé fällt aus"))
    await asyncio.sleep(0.5)
    assert sends_to(daemon, SAMIRA)[tries_before:] == [-1]  # not tried again
    async with signal_bot.app.database.transaction() as session:
        statuses = (
            await session.scalars(
                select(OutboxMessage.status).where(
                    OutboxMessage.address == SAMIRA, OutboxMessage.dedup_key.like("broadcast:%")
                )
            )
        ).all()
    assert statuses == [UNREACHABLE, UNREACHABLE]


# --- 4. one announcement over both messengers --------------------------------------------------


async def test_an_announcement_reaches_telegram_and_signal_users_once_each(
    fake: FakeBotApi, daemon: FakeSignalDaemon, both: RunningBot
) -> None:
    fake.add_user(BOB, first_name="Bohdan", language_code="uk")
    fake.add_user(TELEGRAM_STAFF, first_name="Petra", language_code="en")
    daemon.add_person(NOUR, name="Nour")
    await asyncio.gather(
        onboard_telegram(fake, TELEGRAM_STAFF, role="I work for the district office"),
        onboard_telegram(fake, ALICE),
        onboard_telegram(fake, BOB, role="I am new in the district"),
        onboard_on_signal(SignalChat(daemon, SAMIRA)),
        onboard_on_signal(SignalChat(daemon, NOUR)),
    )
    text = "Sprachcafé am Freitag um 18 Uhr im Rathaus"
    await broadcast_on_telegram(fake, text)

    await fake.wait_until(
        lambda: any("Announcement 1: done" in m.plain_text for m in fake.messages(TELEGRAM_STAFF)),
        timeout=20,
    )
    await asyncio.sleep(1)
    assert [telegram_copies(fake, chat, text) for chat in (ALICE, BOB, TELEGRAM_STAFF)] == [1] * 3
    assert [signal_copies(daemon, uuid, text) for uuid in (SAMIRA, NOUR)] == [1, 1]
    [report] = [m for m in fake.messages(TELEGRAM_STAFF) if "Announcement 1" in m.plain_text]
    assert "Sent: 5 of 5" in report.plain_text, report.plain_text
    assert "Signal: 2 of 2 sent" in report.plain_text, report.plain_text
    assert "Telegram: 3 of 3 sent" in report.plain_text, report.plain_text
    assert fake.rejected == []


async def test_pressing_send_does_not_show_the_preview_again(
    daemon: FakeSignalDaemon, signal_bot: RunningBot
) -> None:
    staff = await onboard_signal_staff(daemon)
    await broadcast_on_signal(staff, "Sprachcafé am Freitag")
    assert "on its way" in staff.text
    assert not [m.text for m in staff.replies if "will read:" in m.text]


# --- 5. a person on two messengers -------------------------------------------------------------


async def link_alice_with_samira(fake: FakeBotApi, daemon: FakeSignalDaemon) -> SignalChat:
    """Alice, set up on Telegram, types /link; the code goes into Signal as Samira."""
    await say(fake, ALICE, "/link", answer="/link ")
    shown = next(
        match
        for m in reversed(fake.messages(ALICE))
        if (match := re.search(r"/link (\d{4} \d{4})", m.plain_text))
    )
    signal = SignalChat(daemon, SAMIRA)
    await signal.send(f"/link {shown[1]}")
    assert "/mydata" in signal.text  # done (in German: she is new on Signal)
    return signal


async def test_a_linked_person_gets_one_copy_where_they_wrote_last(
    fake: FakeBotApi, daemon: FakeSignalDaemon, both: RunningBot
) -> None:
    fake.add_user(TELEGRAM_STAFF, first_name="Petra", language_code="en")
    await asyncio.gather(
        onboard_telegram(fake, TELEGRAM_STAFF, role="I work for the district office"),
        onboard_telegram(fake, ALICE),
    )
    signal = await link_alice_with_samira(fake, daemon)
    await signal.send("/menu")  # wrote from Signal last

    first = "Sprachcafé am Freitag"
    await broadcast_on_telegram(fake, first)
    await daemon.wait_until(lambda: signal_copies(daemon, SAMIRA, first) == 1)
    await asyncio.sleep(1)
    assert (signal_copies(daemon, SAMIRA, first), telegram_copies(fake, ALICE, first)) == (1, 0)

    # Some minutes later she writes from Telegram.
    both.clock.jump_to(datetime.now(UTC) + timedelta(minutes=6))
    await say(fake, ALICE, "/menu", answer="What would you like to do?")
    second = "Sprachcafé fällt aus"
    await broadcast_on_telegram(fake, second)
    await fake.wait_until(lambda: telegram_copies(fake, ALICE, second) == 1)
    await asyncio.sleep(1)
    assert (signal_copies(daemon, SAMIRA, second), telegram_copies(fake, ALICE, second)) == (0, 1)
    assert signal_copies(daemon, SAMIRA, first) == 1 and telegram_copies(fake, ALICE, first) == 0


async def test_a_linked_person_who_goes_back_at_once_gets_the_copy_where_they_wrote_last(
    fake: FakeBotApi, daemon: FakeSignalDaemon, both: RunningBot
) -> None:
    fake.add_user(TELEGRAM_STAFF, first_name="Petra", language_code="en")
    await asyncio.gather(
        onboard_telegram(fake, TELEGRAM_STAFF, role="I work for the district office"),
        onboard_telegram(fake, ALICE),
    )
    await link_alice_with_samira(fake, daemon)  # she writes from Signal…
    await say(fake, ALICE, "/menu", answer="What would you like to do?")  # …then from Telegram
    text = "Sprachcafé am Freitag"
    await broadcast_on_telegram(fake, text)
    await fake.wait_until(
        lambda: signal_copies(daemon, SAMIRA, text) + telegram_copies(fake, ALICE, text) > 0
    )
    await asyncio.sleep(0.5)
    assert (signal_copies(daemon, SAMIRA, text), telegram_copies(fake, ALICE, text)) == (0, 1)


async def test_once_linked_the_messenger_that_showed_the_code_no_longer_waits_for_one(
    fake: FakeBotApi, daemon: FakeSignalDaemon, both: RunningBot
) -> None:
    await onboard_telegram(fake, ALICE)
    await link_alice_with_samira(fake, daemon)
    count = len(fake.messages(ALICE))
    fake.send_text(ALICE, "Danke!")
    await fake.wait_until(lambda: len(fake.messages(ALICE)) > count)
    await asyncio.sleep(0.5)
    answer = "\n".join(m.plain_text for m in fake.messages(ALICE)[count:])
    assert "/link" not in answer and "not a code" not in answer, answer


# --- 6. announcements paced on Signal ----------------------------------------------------------


async def test_an_announcement_is_paced_on_signal_while_a_person_chatting_is_answered_at_once(
    signal_settings: Settings, daemon: FakeSignalDaemon
) -> None:
    per_minute = 60
    settings = replace(signal_settings, signal_per_minute=per_minute)
    async with running(settings, None, daemon) as bot:
        people = await add_signal_people(bot, daemon, 15)
        chat = SignalChat(daemon, SAMIRA)
        staff, _ = await asyncio.gather(
            onboard_signal_staff(daemon),
            onboard_on_signal(chat, role="I am new in the district"),
        )
        text = "Ehrenamtstreffen am Montag"
        await broadcast_on_signal(staff, text, role="Volunteers")
        await asyncio.sleep(1)
        before = len(daemon.messages_to(SAMIRA))
        daemon.send_text(SAMIRA, "/privacy")  # she is not in the audience
        reply = (await daemon.wait_for_messages(SAMIRA, before + 1))[-1]

        await daemon.wait_until(
            lambda: all(signal_copies(daemon, uuid, text) == 1 for uuid in people), timeout=30
        )
    times = sorted(m.time for m in daemon.sent if m.text == text)  # as in daemon.send_times
    assert len(times) == len(people)
    burst = 1 + per_minute // 10
    first = times[0]
    assert sum(1 for t in times if t - first < 0.5) <= burst, [t - first for t in times]
    for index, at in enumerate(times[burst:], start=1):  # then about one a second
        assert at - first >= index - 0.3, [round(t - first, 2) for t in times]
    assert reply.text.startswith("Privacy")
    assert reply.time < times[-1]  # not behind the announcement


async def test_a_person_whose_own_copy_still_waits_for_the_pace_is_answered_at_once(
    signal_settings: Settings, daemon: FakeSignalDaemon
) -> None:
    settings = replace(signal_settings, signal_per_minute=20)  # three at once, then one in 3 s
    async with running(settings, None, daemon) as bot:
        await add_signal_people(bot, daemon, 10)  # before her: her copy is the 11th, ~24 s on
        chat = SignalChat(daemon, SAMIRA)
        staff, _ = await asyncio.gather(onboard_signal_staff(daemon), onboard_on_signal(chat))
        text = "Ehrenamtstreffen am Montag"
        await broadcast_on_signal(staff, text, role="Volunteers")
        before = len(daemon.messages_to(SAMIRA))
        daemon.send_text(SAMIRA, "/privacy")
        await daemon.wait_until(
            lambda: any(m.text.startswith("Privacy") for m in daemon.messages_to(SAMIRA)[before:]),
            timeout=20,
        )
        after = [m.text for m in daemon.messages_to(SAMIRA)[before:]]
    # Her answer overtakes her own copy of the announcement, which waits for the pace.
    assert text not in after[: next(i for i, t in enumerate(after) if t.startswith("Privacy"))]


async def test_announcements_claimed_from_two_places_at_once_share_one_bucket(
    signal_settings: Settings,
    daemon: FakeSignalDaemon,
) -> None:
    """The scheduler's outbox job and a `send_now` (the reminders job's, a broadcast turn's)
    claim at the same moment: together no more than the bucket holds."""
    per_minute = 60
    async with running(replace(signal_settings, signal_per_minute=per_minute), None, daemon) as bot:
        app = bot.app
        assert app is not None
        people = await add_signal_people(bot, daemon, 20)
        bot.clock.offset = timedelta(minutes=-1)  # the rows below are not due for the bot yet
        ids: list[int] = []
        async with app.database.transaction() as session:
            for uuid in people:
                row = await enqueue(
                    session,
                    channel="signal",
                    address=uuid,
                    reply=Reply("Das Treffen beginnt in einer Stunde."),
                    dedup_key=f"reminder:{uuid}",
                    now=datetime.now(UTC),
                    priority=ANNOUNCEMENT_PRIORITY,
                )
                assert row is not None
                ids.append(row)
        bot.clock.offset = timedelta()
        start = time.monotonic()
        await asyncio.gather(app.dispatcher.dispatch_due(), app.dispatcher.send_now(ids[10:]))
        await asyncio.sleep(0.5)
    at_once = [t - start for t in daemon.send_times if start <= t < start + 0.5]
    assert len(at_once) <= 1 + per_minute // 10, len(at_once)
