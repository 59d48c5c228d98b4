"""A changed privacy notice through the real Telegram channel: the person is asked again before
their command runs, and goes on once they agree."""

from __future__ import annotations

from sqlalchemy import select, update

from bot.db.models import User
from conversations.people.privacy import PRIVACY_VERSION
from tests.e2e.conftest import ALICE, RunningBot
from tests.e2e.telegram_fake import FakeBotApi


def en(bot: RunningBot, message: str) -> str:
    assert bot.app is not None
    return bot.app.catalogs.translator("en").gettext(message)


async def test_a_changed_notice_is_asked_before_the_command_runs(
    bot: RunningBot, fake: FakeBotApi
) -> None:
    fake.send_text(ALICE, "/start")
    [greeting] = await fake.wait_for_messages(ALICE, 1)
    fake.press_button(ALICE, greeting.message_id, label="English")
    role = (await fake.wait_for_messages(ALICE, 2))[-1]
    fake.press_button(ALICE, role.message_id, label="I volunteer")
    region = (await fake.wait_for_messages(ALICE, 3))[-1]
    fake.press_button(ALICE, region.message_id, label="Hagenow")
    notice = (await fake.wait_for_messages(ALICE, 4))[-1]
    assert "datenschutz@kreis-lup.de" in notice.plain_text
    fake.press_button(ALICE, notice.message_id, label="I agree")
    await fake.wait_for_messages(ALICE, 6)

    assert bot.app is not None
    async with bot.app.database.transaction() as session:
        # Agreed before notices had versions, as the migration leaves everyone.
        await session.execute(update(User).values(privacy_version=None, privacy_accepted_at=None))

    fake.send_text(ALICE, "/meetings")
    changed, asked = (await fake.wait_for_messages(ALICE, 8))[-2:]
    assert changed.plain_text == en(
        bot,
        "The privacy notice has changed. Please read it and tell me whether you agree "
        "before we carry on; what you entered so far is kept.",
    )
    assert PRIVACY_VERSION in asked.plain_text
    assert asked.button_labels() == ["I agree", "I do not agree"]

    fake.press_button(ALICE, asked.message_id, label="I agree")
    thanks, menu = (await fake.wait_for_messages(ALICE, 10))[-2:]
    assert thanks.plain_text == en(bot, "Thank you! Let us carry on where you were.")
    assert en(bot, "Meetings") in menu.button_labels()

    fake.send_text(ALICE, "/meetings")  # now the command itself
    answer = (await fake.wait_for_answer(ALICE, 10))[10:]
    assert [m.plain_text for m in answer] == [
        en(bot, "There are no meetings coming up for your groups.")
    ]

    await fake.wait_until(lambda: not fake.unanswered_callbacks())
    assert fake.rejected == []
    async with bot.app.database.transaction() as session:
        user = await session.scalar(select(User))
        assert user is not None and user.privacy_version == PRIVACY_VERSION
        assert user.privacy_accepted_at is not None
