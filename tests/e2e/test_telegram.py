"""Conversations through the real Telegram channel, over HTTP, against the fake Bot API."""

from __future__ import annotations

import asyncio
import re
import time

from sqlalchemy import select

from bot.channels.telegram import TelegramChannel
from bot.db.models import OutboxMessage, User
from conversations.messages import Reply
from tests.e2e.conftest import ALICE, RunningBot
from tests.e2e.telegram_fake import FakeBotApi

LANGUAGES = ["Deutsch", "English", "العربية", "فارسی", "Українська", "Русский"]
ARABIC = re.compile(r"[\u0600-\u06FF]")


def ar(bot: RunningBot, message: str) -> str:
    assert bot.app is not None
    return bot.app.catalogs.translator("ar").gettext(message)


async def test_onboarding_by_buttons_in_arabic(bot: RunningBot, fake: FakeBotApi) -> None:
    fake.send_text(ALICE, "/start")
    [greeting] = await fake.wait_for_messages(ALICE, 1)
    assert greeting.button_labels() == LANGUAGES
    assert ARABIC.search(greeting.plain_text)  # Telegram said the person speaks Arabic

    fake.press_button(ALICE, greeting.message_id, label="العربية")
    role = (await fake.wait_for_messages(ALICE, 2))[-1]
    assert role.plain_text == ar(bot, "How are you here?")

    fake.press_button(ALICE, role.message_id, label=ar(bot, "I volunteer"))
    region = (await fake.wait_for_messages(ALICE, 3))[-1]
    fake.press_button(ALICE, region.message_id, label="Hagenow")
    privacy = (await fake.wait_for_messages(ALICE, 4))[-1]
    assert "/deletemydata" in privacy.plain_text and ARABIC.search(privacy.plain_text)

    fake.press_button(ALICE, privacy.message_id, label=ar(bot, "I agree"))
    messages = await fake.wait_for_messages(ALICE, 6)
    assert messages[4].plain_text == ar(bot, "Thank you! You are all set.")
    assert ar(bot, "Settings") in messages[5].button_labels()

    await fake.wait_until(lambda: not fake.unanswered_callbacks())
    assert fake.rejected == []
    # pressed keyboards are removed, so an old question cannot be answered twice
    assert greeting.reply_markup in (None, {"inline_keyboard": []})
    assert bot.app is not None
    async with bot.app.database.transaction() as session:
        user = await session.scalar(select(User))
        assert user is not None
        assert (user.locale, user.role, user.display_name) == ("ar", "volunteer", "Alia")


async def test_a_restart_in_the_middle_of_onboarding_resumes_it(
    bot: RunningBot, fake: FakeBotApi
) -> None:
    fake.send_text(ALICE, "/start")
    [greeting] = await fake.wait_for_messages(ALICE, 1)
    fake.press_button(ALICE, greeting.message_id, label="English")
    role = (await fake.wait_for_messages(ALICE, 2))[-1]

    await bot.stop()
    await bot.start()

    fake.press_button(ALICE, role.message_id, label="I am new in the district")
    region = (await fake.wait_for_messages(ALICE, 3))[-1]
    assert region.plain_text.startswith("Where do you live")  # a newcomer: where they live
    assert fake.rejected == []


async def test_flood_control_and_a_bad_gateway_delay_but_do_not_lose_replies(
    bot: RunningBot, fake: FakeBotApi
) -> None:
    fake.fail_next("sendMessage", status=429, retry_after=1, chat_id=ALICE)
    fake.fail_next("sendMessage", status=502, chat_id=ALICE)
    fake.send_text(ALICE, "/start")
    [greeting] = await fake.wait_for_messages(ALICE, 1, timeout=20)
    assert greeting.button_labels() == LANGUAGES
    attempts = [r for r in fake.requests if r.method == "sendMessage"]
    assert [r.status for r in attempts] == [429, 502, 200]
    assert attempts[1].time - attempts[0].time >= 1  # retry_after was honoured
    assert fake.rejected == []


async def test_the_same_update_delivered_twice_gets_one_answer(
    bot: RunningBot, fake: FakeBotApi
) -> None:
    update = {
        "update_id": 777,
        "message": {
            "message_id": 1,
            "date": int(time.time()),
            "text": "/start",
            "chat": {"id": ALICE, "type": "private", "first_name": "Alia"},
            "from": {"id": ALICE, "is_bot": False, "first_name": "Alia", "language_code": "ar"},
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }
    fake.enqueue_update(update)
    await fake.wait_for_messages(ALICE, 1)
    fake.enqueue_update(dict(update))  # Telegram delivers it again
    fake.send_text(ALICE, "/help")
    await fake.wait_for_messages(ALICE, 3)  # the /help answer and the question again
    await asyncio.sleep(0.5)
    texts = [m.plain_text for m in fake.messages(ALICE)]
    assert len(texts) == 3
    assert texts[0] == texts[2]


async def test_a_button_press_delivered_again_is_not_acknowledged_twice(
    bot: RunningBot, fake: FakeBotApi
) -> None:
    # Telegram delivers again what was not confirmed, as after a restart before the next
    # getUpdates; a second answer to the button would be refused ("query is too old").
    fake.send_text(ALICE, "/start")
    [greeting] = await fake.wait_for_messages(ALICE, 1)
    fake.press_button(ALICE, greeting.message_id, label="English")
    press = fake.waiting_updates()[-1]
    await fake.wait_for_messages(ALICE, 2)
    await fake.wait_until(lambda: fake.unanswered_callbacks() == [])
    fake.enqueue_update(dict(press))
    fake.send_text(ALICE, "/help")
    await fake.wait_for_messages(ALICE, 4)  # the /help answer and the role question again
    await asyncio.sleep(0.5)
    texts = [m.plain_text for m in fake.messages(ALICE)]
    assert len(texts) == 4
    assert texts[1] == texts[3]
    assert [r.method for r in fake.requests].count("answerCallbackQuery") == 1
    assert fake.rejected == []


async def test_random_input_never_makes_a_request_telegram_would_reject(
    bot: RunningBot, fake: FakeBotApi
) -> None:
    fake.send_text(ALICE, "/start")
    [greeting] = await fake.wait_for_messages(ALICE, 1)
    inputs = [
        lambda: fake.send_sticker(ALICE),
        lambda: fake.send_photo(ALICE, caption="<b>look</b>"),
        lambda: fake.send_voice(ALICE),
        lambda: fake.send_location(ALICE),
        lambda: fake.send_document(ALICE),
        lambda: fake.send_text(ALICE, "x" * 5000),
        lambda: fake.send_text(ALICE, "<script>alert(1)</script> & <b>bold</b> &amp; </i>"),
        lambda: fake.press_button(ALICE, greeting.message_id, "cmd:" + "z" * 60, check=False),
        lambda: fake.press_button(ALICE, greeting.message_id, "region:atlantis", check=False),
        lambda: fake.send_text(ALICE, "/unknowncommand with args"),
        lambda: fake.send_text(ALICE, "/staff"),
    ]
    for send in inputs:
        count = len(fake.messages(ALICE))
        send()
        await fake.wait_for_answer(ALICE, count)
    await fake.wait_until(lambda: not fake.unanswered_callbacks())
    # every answer ends with the open question, and nothing was refused by "Telegram"
    assert fake.messages(ALICE)[-1].button_labels() == LANGUAGES
    assert fake.rejected == []


async def test_a_blocked_bot_marks_the_person_unreachable_and_stops_trying(
    bot: RunningBot, fake: FakeBotApi
) -> None:
    fake.block_bot(ALICE)
    fake.send_text(ALICE, "/start")
    await fake.wait_until(lambda: any(r.status == 403 for r in fake.requests))
    await asyncio.sleep(2.5)  # a dispatcher round
    assert sum(1 for r in fake.requests if r.method == "sendMessage") == 1
    assert bot.app is not None
    async with bot.app.database.transaction() as session:
        user = await session.scalar(select(User))
        row = await session.scalar(select(OutboxMessage))
        assert user is not None and user.unreachable_at is not None
        assert row is not None and row.status == "unreachable"


async def test_group_chats_get_a_pointer_to_the_private_chat(
    bot: RunningBot, fake: FakeBotApi
) -> None:
    fake.add_group(-5001, title="Aktivgruppe Parchim")
    fake.send_text(ALICE, "hello everyone", chat_id=-5001)
    fake.send_text(ALICE, "/start", chat_id=-5001)  # not addressed to this bot
    fake.send_text(ALICE, "/start@gemeinsam_test_bot", chat_id=-5001)
    [pointer] = await fake.wait_for_messages(-5001, 1)
    assert "@gemeinsam_test_bot" in pointer.plain_text
    await asyncio.sleep(0.5)
    assert len(fake.messages(-5001)) == 1 and fake.messages(ALICE) == []


async def test_command_menus_are_published_per_language(bot: RunningBot, fake: FakeBotApi) -> None:
    assert bot.app is not None
    for locale in ("de", "en", "ar", "fa", "uk", "ru"):
        commands = fake.commands[("all_private_chats", locale)]
        names = [c["command"] for c in commands]
        assert names[:3] == ["start", "menu", "help"] and "staff" not in names
        description = bot.app.catalogs.translator(locale).gettext("Show the main menu")
        assert commands[1]["description"] == description
    assert fake.commands[("all_private_chats", "")] == fake.commands[("all_private_chats", "de")]
    assert not any(scope == "default" for scope, _language in fake.commands)  # not in groups
    assert fake.rejected == []


async def test_long_replies_are_split_below_the_limit(bot: RunningBot, fake: FakeBotApi) -> None:
    assert bot.app is not None
    channel = bot.app.dispatcher.channels["telegram"]
    assert isinstance(channel, TelegramChannel)
    line = "Ein langer Absatz mit <b>fett</b> &amp; 😀 Inhalt.\n"
    await channel.send(str(ALICE), Reply(text=line * 300))
    parts = fake.messages(ALICE)
    assert len(parts) >= 3
    assert "".join(p.plain_text + "\n" for p in parts).count("Inhalt") == 300
    assert fake.rejected == []
