"""Local contacts through the real Telegram channel: out of the box the health topic points at
no contacts; staff see that Parchim has none, add some for health, and a newcomer in Parchim
then reads them under the topic, with the line that points at them, and Telegram accepts it."""

from __future__ import annotations

from tests.e2e.conftest import RunningBot
from tests.e2e.telegram_fake import FakeBotApi
from tests.e2e.test_grants_telegram import onboard, press, say

STAFF = 9000  # named in BOT_ADMINS by the fixture
NEWCOMER = 3001
POINTER = "Where to go about your health in your region: see the local contacts below."


async def read_health(fake: FakeBotApi, chat: int) -> str:
    await say(fake, chat, "/info")
    count = len(fake.messages(chat))
    await press(fake, chat, "Health and emergencies")
    return "\n".join(message.plain_text for message in fake.messages(chat)[count:])


async def test_staff_add_contacts_a_newcomer_then_reads(bot: RunningBot, fake: FakeBotApi) -> None:
    fake.add_user(STAFF, first_name="Petra", language_code="en")
    fake.add_user(NEWCOMER, first_name="Olena", language_code="en")
    await onboard(fake, STAFF, "English", "I work for the district office")
    await onboard(fake, NEWCOMER, "English", "I am new in the district")

    shown = await read_health(fake, NEWCOMER)
    assert "116 117" in shown
    assert "local contacts" not in shown and "[[contacts]]" not in shown

    await say(fake, STAFF, "/info")
    await press(fake, STAFF, "Edit local contacts")
    overview = fake.messages(STAFF)[-1]
    assert "✗ Parchim: no local contacts yet" in overview.plain_text
    assert "<b>Local contacts</b>" in overview.text
    await press(fake, STAFF, "Parchim")
    await press(fake, STAFF, "Health and emergencies")
    await say(fake, STAFF, "Gesundheitsamt <Parchim> & Impfberatung, Tel. 03871 722-0")
    assert "The local contacts have been saved." in [m.plain_text for m in fake.messages(STAFF)]
    assert "✗ Parchim: none for" in fake.messages(STAFF)[-1].plain_text

    shown = await read_health(fake, NEWCOMER)
    assert POINTER in shown
    assert "Local contacts in your region\nGesundheitsamt <Parchim> & Impfberatung" in shown
    assert "[[contacts]]" not in shown
    assert fake.rejected == []
