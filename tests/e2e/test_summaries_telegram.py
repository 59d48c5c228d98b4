"""The summaries of /newmeeting and /broadcast through the real Telegram channel: a typo is
changed with one question and the invitation or the announcement carries the corrected text;
long texts keep the summary within Telegram's limit; each language's preview arrives once."""

from __future__ import annotations

from datetime import timedelta

from tests.e2e.conftest import ALICE, RunningBot
from tests.e2e.telegram_fake import FakeBotApi
from tests.e2e.test_meetings_telegram import onboard, press, say

STAFF = 9000
SUMMARY_END = "Is everything right? Tap a part to change it, or continue."


async def test_a_typo_in_the_place_is_changed_from_the_summary(
    bot: RunningBot, fake: FakeBotApi
) -> None:
    assert bot.app is not None
    ar = bot.app.catalogs.translator("ar")
    fake.add_user(STAFF, first_name="Petra", language_code="en")
    await onboard(fake, STAFF, "English", "I work for the district office", "I agree")
    await onboard(fake, ALICE, "العربية", ar.gettext("I volunteer"), ar.gettext("I agree"))
    start = (bot.clock.now() + timedelta(days=3)).astimezone(bot.app.settings.tz)

    await say(fake, STAFF, "/newmeeting")
    await press(fake, STAFF, "Parchim")
    await press(fake, STAFF, "Done")
    await say(fake, STAFF, "Vernetzungstreffen Parchim")
    await press(fake, STAFF, "Skip")
    await say(fake, STAFF, start.date().isoformat())
    await say(fake, STAFF, start.strftime("%H:%M"))
    await press(fake, STAFF, "120 minutes")
    await say(fake, STAFF, "Rathuas Parchim, Schuhmarkt 1")
    await press(fake, STAFF, "No limit")
    await press(fake, STAFF, "Skip")
    await press(fake, STAFF, "Until the start")
    await press(fake, STAFF, "No, only the group's volunteers")
    summary = fake.messages(STAFF)[-1]
    assert SUMMARY_END in summary.plain_text and "Rathuas" in summary.plain_text

    await press(fake, STAFF, "✎ Place")
    assert "Now: Rathuas Parchim, Schuhmarkt 1" in fake.messages(STAFF)[-1].plain_text
    await say(fake, STAFF, "Rathaus Parchim, Schuhmarkt 1")
    summary = fake.messages(STAFF)[-1]
    assert SUMMARY_END in summary.plain_text
    assert "Where: Rathaus Parchim, Schuhmarkt 1" in summary.plain_text
    await press(fake, STAFF, "Continue")
    await press(fake, STAFF, "Publish and invite")

    await fake.wait_until(
        lambda: any(ar.gettext("Will you come?") in m.plain_text for m in fake.messages(ALICE))
    )
    invitation = fake.messages(ALICE)[-1].plain_text
    assert "Rathaus Parchim, Schuhmarkt 1" in invitation and "Rathuas" not in invitation
    assert fake.rejected == []


async def test_the_arabic_version_is_changed_from_the_summary(
    bot: RunningBot, fake: FakeBotApi
) -> None:
    assert bot.app is not None
    ar = bot.app.catalogs.translator("ar")
    fake.add_user(STAFF, first_name="Petra", language_code="en")
    await onboard(fake, STAFF, "English", "I work for the district office", "I agree")
    await onboard(fake, ALICE, "العربية", ar.gettext("I volunteer"), ar.gettext("I agree"))
    german = "Sprachcafé am Freitag " + "und " * 860 + "Ende"  # near the longest allowed

    await say(fake, STAFF, "/broadcast")
    await press(fake, STAFF, "Everyone")
    await press(fake, STAFF, "Done")
    await press(fake, STAFF, "Done")
    await say(fake, STAFF, german)
    await press(fake, STAFF, "العربية")
    await say(fake, STAFF, "مقهى خطأ")
    await press(fake, STAFF, "Done")
    summary = fake.messages(STAFF)[-1].plain_text
    assert SUMMARY_END in summary and "shortened" in summary and "Ende" not in summary

    await press(fake, STAFF, "✎ Arabic")
    await say(fake, STAFF, "مقهى اللغة يوم الجمعة")
    summary = fake.messages(STAFF)[-1].plain_text
    assert "مقهى اللغة يوم الجمعة" in summary and "خطأ" not in summary
    await press(fake, STAFF, "Continue")
    await press(fake, STAFF, "Send")
    await press(fake, STAFF, "Yes, send")

    await fake.wait_until(lambda: fake.messages(ALICE)[-1].plain_text == "مقهى اللغة يوم الجمعة")
    previews = [m.plain_text for m in fake.messages(STAFF) if "will read:" in m.plain_text]
    assert [p.split("\n")[0] for p in previews] == [
        "Arabic, 1 person, will read:",
        "English, 1 person, will read:",  # the staff member: German, as none in English
    ]
    assert previews[1].endswith("Ende")  # whole in the preview
    assert fake.rejected == []
