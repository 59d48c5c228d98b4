"""Staff checks through the real Telegram channel: a volunteer who forges staff buttons and a member
of staff whose role was taken away while a staff question was open are refused, every button
press is answered, and nothing else reaches them."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.services.people.users import set_staff
from tests.e2e.conftest import ALICE, RunningBot
from tests.e2e.telegram_fake import FakeBotApi
from tests.e2e.test_grants_telegram import onboard, say

ROLF = 2003  # staff until the test takes the role away
STAFF_ONLY = "Sorry, only staff of the district office can do that."


async def set_role(bot: RunningBot, user: int, *, staff: bool) -> None:
    """What `python -m bot staff add|remove telegram:<user>` does."""
    assert bot.app is not None
    async with bot.app.database.transaction() as session:
        await set_staff(
            session,
            channel="telegram",
            external_id=str(user),
            staff=staff,
            actor="cli",
            default_locale="de",
            now=datetime.now(UTC),
        )


async def forge(fake: FakeBotApi, chat: int, data: str) -> str:
    """Press a button with forged callback data on the chat's newest message; the answer."""
    count = len(fake.messages(chat))
    fake.press_button(chat, fake.messages(chat)[-1].message_id, data, check=False)
    messages = await fake.wait_for_answer(chat, count)
    return messages[count].plain_text


async def test_a_volunteer_forging_staff_buttons_is_refused(
    bot: RunningBot, fake: FakeBotApi
) -> None:
    assert bot.app is not None
    ar = bot.app.catalogs.translator("ar").gettext
    await onboard(fake, ALICE, "العربية", ar("I volunteer"))
    for command in ("/review", "/export", "/survey"):
        await say(fake, ALICE, command)
        assert ar(STAFF_ONLY) in [m.plain_text for m in fake.messages(ALICE)[-2:]]
    for data in ("cmd:review", "open:1", "decide:approve", "meetedit:1", "bcstop:1"):
        assert await forge(fake, ALICE, data) in (
            ar(STAFF_ONLY),
            ar("That button is no longer valid."),
        ), data
    for data in ("surveytext:1", "survey:1:0", "surveytext:99999999999999999999"):
        assert await forge(fake, ALICE, data) == ar("That button is no longer valid."), data
    assert fake.unanswered_callbacks() == []
    assert fake.rejected == []


async def test_staff_removed_with_a_question_open_are_refused_at_the_press(
    bot: RunningBot, fake: FakeBotApi
) -> None:
    fake.add_user(ROLF, first_name="Rolf", language_code="en")
    await set_role(bot, ROLF, staff=True)
    await onboard(fake, ROLF, "English", "I work for the district office")
    await say(fake, ROLF, "/broadcast")
    question = fake.messages(ROLF)[-1]
    stale = [label for label, data in question.buttons() if not data.startswith("cmd:")]
    assert stale  # the audience of the announcement, to choose

    await set_role(bot, ROLF, staff=False)
    count = len(fake.messages(ROLF))
    fake.press_button(ROLF, question.message_id, label=stale[0])
    answer = await fake.wait_for_answer(ROLF, count)
    assert answer[count].plain_text == STAFF_ONLY
    await say(fake, ROLF, "/broadcast")
    assert STAFF_ONLY in [m.plain_text for m in fake.messages(ROLF)[-2:]]
    assert fake.unanswered_callbacks() == []
    assert fake.rejected == []
