"""Through the real Telegram channel: a question of a Friday evening is brought to the staff
member on Monday morning by the running scheduler, and its button opens the thread."""

from __future__ import annotations

from tests.bot.test_question_reminders import asked, berlin
from tests.e2e.conftest import ALICE, RunningBot
from tests.e2e.telegram_fake import FakeBotApi
from tests.e2e.test_grants_telegram import onboard, press

STAFF = 9000  # named in BOT_ADMINS by the fixture


async def test_a_friday_evening_question_reaches_staff_on_monday_morning(
    bot: RunningBot, fake: FakeBotApi
) -> None:
    assert bot.app is not None
    fake.add_user(STAFF, first_name="Petra", language_code="en")
    await onboard(fake, STAFF, "English", "I work for the district office")
    await onboard(fake, ALICE, "English", "I am new in the district")
    bot.clock.jump_to(berlin(2026, 11, 27, 18))
    reference = await asked(bot.app, str(ALICE), bot.clock.now(), channel="telegram")
    before = len(fake.messages(STAFF))

    bot.clock.jump_to(berlin(2026, 11, 30, 8))  # the scheduler scans every few seconds
    await fake.wait_until(lambda: len(fake.messages(STAFF)) > before)
    reminder = fake.messages(STAFF)[-1]
    assert reminder.plain_text.splitlines()[0] == "1 question waits for an answer:"
    assert f"{reference}, asked Fri, Nov 27 while the office was closed." in reminder.plain_text
    assert reminder.button_labels() == [reference]

    await press(fake, STAFF, reference)
    assert fake.messages(STAFF)[-1].plain_text.startswith(f"Question {reference}")
    assert len([m for m in fake.messages(STAFF) if m.plain_text == reminder.plain_text]) == 1
