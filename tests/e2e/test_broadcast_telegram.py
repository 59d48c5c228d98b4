"""An announcement through the real Telegram channel to a few hundred people under Telegram's
rate limits: everyone in the audience gets it once, in their language; the report is true."""

from __future__ import annotations

import asyncio

from bot.db.models import ChannelIdentity, Region, User
from tests.e2e.conftest import RunningBot
from tests.e2e.telegram_fake import FakeBotApi

STAFF = 9000
PEOPLE = 450


async def press(fake: FakeBotApi, chat: int, label: str) -> None:
    """Press `label` as soon as a message offers it (flood control may delay the message)."""
    await fake.wait_until(lambda: any(label in m.button_labels() for m in fake.messages(chat)))
    message = next(m for m in reversed(fake.messages(chat)) if label in m.button_labels())
    fake.press_button(chat, message.message_id, label=label)
    await fake.wait_until(lambda: label not in message.button_labels())


async def say(fake: FakeBotApi, chat: int, text: str, *, answer: str) -> None:
    """Type `text` and wait for the answer that contains `answer`."""
    count = len(fake.messages(chat))
    fake.send_text(chat, text)
    await fake.wait_until(lambda: any(answer in m.plain_text for m in fake.messages(chat)[count:]))


async def test_an_announcement_to_hundreds_under_the_rate_limit(
    bot: RunningBot, fake: FakeBotApi
) -> None:
    app = bot.app
    assert app is not None
    locales = ["de", "ar", "uk", "fa"]
    async with app.database.transaction() as session:
        regions = {r.key: r.id for r in (await session.execute(Region.__table__.select())).all()}  # type: ignore[attr-defined]
        for number in range(PEOPLE):
            chat_id = 20_000 + number
            fake.add_user(chat_id, first_name=f"P{number}")
            user = User(
                locale=locales[number % 4],
                created_at=app.clock.now(),
                consented_at=app.clock.now(),
                is_staff=False,
                role="newcomer" if number % 3 else "volunteer",
                region_id=regions["parchim" if number % 2 else "hagenow"],
            )
            session.add(user)
            await session.flush()
            session.add(
                ChannelIdentity(
                    user_id=user.id,
                    channel="telegram",
                    external_id=str(chat_id),
                    created_at=app.clock.now(),
                )
            )
    audience = [20_000 + n for n in range(PEOPLE) if n % 3 and n % 2]  # newcomers in Parchim

    fake.add_user(STAFF, first_name="Petra", language_code="en")
    await say(fake, STAFF, "/start", answer="Gemeinsam")
    await press(fake, STAFF, "English")
    await press(fake, STAFF, "I work for the district office")
    await press(fake, STAFF, "Parchim")
    await press(fake, STAFF, "I agree")
    fake.set_rate_limit(per_chat_per_second=5, global_per_second=30)

    await say(fake, STAFF, "/broadcast", answer="Whom should it reach?")
    await press(fake, STAFF, "Newcomers")
    await press(fake, STAFF, "Parchim")
    await press(fake, STAFF, "Done")
    await fake.wait_until(
        lambda: f"This reaches {len(audience)} people." in fake.messages(STAFF)[-1].plain_text
    )
    await press(fake, STAFF, "Done")
    await say(fake, STAFF, "Sprachcafé am Freitag um 18 Uhr im Rathaus", answer="Add a version")
    await press(fake, STAFF, "العربية")
    await say(fake, STAFF, "مقهى اللغة يوم الجمعة الساعة 18", answer="Add a version")
    await press(fake, STAFF, "Done")
    await press(fake, STAFF, "Continue")  # the summary
    await press(fake, STAFF, "Send")
    await press(fake, STAFF, "Yes, send")

    await fake.wait_until(lambda: all(fake.messages(chat) for chat in audience), timeout=90)
    await fake.wait_until(
        lambda: any(
            "done" in m.plain_text and f"Sent: {len(audience)} of {len(audience)}" in m.plain_text
            for m in fake.messages(STAFF)
        ),
        timeout=30,
    )
    await asyncio.sleep(1)
    for number in range(PEOPLE):
        chat_id = 20_000 + number
        received = [m.plain_text for m in fake.messages(chat_id)]
        if chat_id in audience:
            expected = (
                "مقهى اللغة يوم الجمعة الساعة 18"
                if number % 4 == 1
                else "Sprachcafé am Freitag um 18 Uhr im Rathaus"
            )
            assert received == [expected], (number, received)
        else:
            assert received == []
    report = [m for m in fake.messages(STAFF) if "Announcement 1" in m.plain_text]
    assert len(report) == 1 and report[0].edits >= 1  # one message, edited as it went
    assert "Waiting: 0" in report[0].plain_text and "Failed: 0" in report[0].plain_text
    assert fake.rejected == []
