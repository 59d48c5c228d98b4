"""A survey through the real Telegram channel: staff add an Arabic version from the summary, and
an Arabic newcomer reads the question and its answers in Arabic and answers with a button."""

from __future__ import annotations

from tests.e2e.conftest import ALICE, RunningBot
from tests.e2e.telegram_fake import FakeBotApi
from tests.e2e.test_grants_telegram import onboard, press, say

STAFF = 9000  # named in BOT_ADMINS by the fixture
QUESTION = "Was brauchen Sie, um an Treffen teilzunehmen?"
ARABIC_QUESTION = "ما الذي تحتاجه لحضور اللقاءات؟"


async def test_a_survey_reaches_an_arabic_newcomer_in_arabic(
    bot: RunningBot, fake: FakeBotApi
) -> None:
    assert bot.app is not None
    ar = bot.app.catalogs.translator("ar")
    fake.add_user(STAFF, first_name="Petra", language_code="en")
    await onboard(fake, STAFF, "English", "I work for the district office")
    await onboard(fake, ALICE, "العربية", ar.gettext("I am new in the district"))

    await say(fake, STAFF, "/survey")
    await say(fake, STAFF, QUESTION)
    await press(fake, STAFF, "By choosing one of 2 to 8 answers")
    await say(fake, STAFF, "Kinderbetreuung")
    await say(fake, STAFF, "Fahrdienst")
    await press(fake, STAFF, "Done")
    await press(fake, STAFF, "Newcomers")
    await press(fake, STAFF, "Done")
    await press(fake, STAFF, "Done")
    await press(fake, STAFF, "7 days")
    await press(fake, STAFF, "✎ Languages")
    await press(fake, STAFF, "العربية")
    await say(fake, STAFF, ARABIC_QUESTION)
    await say(fake, STAFF, "رعاية الأطفال")
    await say(fake, STAFF, "خدمة النقل")
    await press(fake, STAFF, "Done")
    summary = fake.messages(STAFF)[-1].plain_text
    assert QUESTION in summary and ARABIC_QUESTION in summary
    assert "Languages: German, Arabic" in summary
    await press(fake, STAFF, "Send")
    await press(fake, STAFF, "Yes, send")

    await fake.wait_until(
        lambda: any(ARABIC_QUESTION in m.plain_text for m in fake.messages(ALICE)), timeout=30
    )
    question = next(m for m in fake.messages(ALICE) if ARABIC_QUESTION in m.plain_text)
    assert question.button_labels() == ["رعاية الأطفال", "خدمة النقل"]
    assert QUESTION not in question.plain_text
    await press(fake, ALICE, "خدمة النقل")
    thanks = fake.messages(ALICE)[-1]
    assert "خدمة النقل" in thanks.plain_text
    assert thanks.button_labels()[:2] == ["رعاية الأطفال", "✓ خدمة النقل"]

    await say(fake, STAFF, "/results")
    await press(fake, STAFF, QUESTION)
    assert "2. Fahrdienst: 1" in fake.messages(STAFF)[-1].plain_text
    assert fake.rejected == []
