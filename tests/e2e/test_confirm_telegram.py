"""The last look through the real Telegram channel: an approval shows the amount, the project,
the applicant and what the pot keeps before anything happens; an announcement's previews arrive
once."""

from __future__ import annotations

from tests.e2e.conftest import ALICE, RunningBot
from tests.e2e.telegram_fake import FakeBotApi
from tests.e2e.test_grants_telegram import onboard, press, say

STAFF = 9000  # named in BOT_ADMINS by the fixture


async def apply(fake: FakeBotApi, chat: int) -> None:
    """An application of 450 EUR for "Sprachcafé <Parchim>" by Amal, in English."""
    await say(fake, chat, "/apply")
    await press(fake, chat, "Start the application")
    await say(fake, chat, "Amal Haddad")
    await press(fake, chat, "No, as a private person")
    await say(fake, chat, "amal@example.org")
    await press(fake, chat, "Parchim")
    await say(fake, chat, "Sprachcafé <Parchim>")
    await say(fake, chat, "A weekly meeting to practise German with new neighbours in Parchim.")
    await press(fake, chat, "Language help")
    await press(fake, chat, "Done")
    await say(fake, chat, "4")
    await say(fake, chat, "20")
    await say(fake, chat, "2026-12-05")
    await say(fake, chat, "2026-12-19")
    await press(fake, chat, "Room costs for joint events")
    await say(fake, chat, "Hall")
    await say(fake, chat, "450")
    await press(fake, chat, "The cost plan is complete")
    await press(fake, chat, "Continue")
    await press(fake, chat, "I confirm all three and submit")


async def test_an_approval_is_confirmed_after_a_last_look(
    bot: RunningBot, fake: FakeBotApi
) -> None:
    fake.add_user(STAFF, first_name="Petra", language_code="en")
    await onboard(fake, STAFF, "English", "I work for the district office")
    await onboard(fake, ALICE, "English", "I volunteer")
    await apply(fake, ALICE)
    await fake.wait_until(lambda: any("MP-2026-0001" in m.plain_text for m in fake.messages(STAFF)))

    await press(fake, STAFF, "Review applications")
    await press(fake, STAFF, fake.messages(STAFF)[-1].button_labels()[0])
    before = len(fake.messages(ALICE))
    await press(fake, STAFF, "Approve €450.00")
    question = fake.messages(STAFF)[-1]
    assert question.plain_text == (
        "Approve €450.00 for “Sprachcafé <Parchim>” from Amal Haddad? The pot keeps €9,550.00."
    )
    assert question.button_labels() == ["Yes, approve", "No, back"]
    assert len(fake.messages(ALICE)) == before  # nothing decided yet

    await press(fake, STAFF, "Yes, approve")
    await fake.wait_until(lambda: "€450.00" in fake.messages(ALICE)[-1].plain_text)
    assert fake.messages(ALICE)[-1].plain_text.startswith("Good news")
    assert fake.rejected == []


async def test_an_announcements_previews_arrive_once(bot: RunningBot, fake: FakeBotApi) -> None:
    fake.add_user(STAFF, first_name="Petra", language_code="en")
    await onboard(fake, STAFF, "English", "I work for the district office")
    await onboard(fake, ALICE, "العربية", bot.app.catalogs.translator("ar").gettext("I volunteer"))  # type: ignore[union-attr]
    await say(fake, STAFF, "/broadcast")
    await press(fake, STAFF, "Everyone")
    await press(fake, STAFF, "Done")
    await press(fake, STAFF, "Done")
    await say(fake, STAFF, "Sprachcafé am Freitag")
    await press(fake, STAFF, "العربية")
    await say(fake, STAFF, "مقهى اللغة يوم الجمعة")
    await press(fake, STAFF, "Done")
    await press(fake, STAFF, "Continue")  # the summary
    await press(fake, STAFF, "Send")
    await press(fake, STAFF, "Yes, send")
    await fake.wait_until(lambda: fake.messages(ALICE)[-1].plain_text == "مقهى اللغة يوم الجمعة")
    previews = [m.plain_text for m in fake.messages(STAFF) if "will read:" in m.plain_text]
    assert [p.split("\n")[0] for p in previews] == [
        "Arabic, 1 person, will read:",  # the language named in the staff member's words
        "English, 1 person, will read:",  # the staff member: German, as none in English
    ]
    assert fake.rejected == []
