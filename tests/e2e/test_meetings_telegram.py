"""A network meeting through the real Telegram channel: published by staff, an invitation in the
member's language, a yes with the calendar file, and the reminders 24 and 2 hours before."""

from __future__ import annotations

from datetime import datetime, timedelta

import icalendar

from tests.e2e.conftest import ALICE, RunningBot
from tests.e2e.telegram_fake import FakeBotApi

STAFF = 9000


async def press(fake: FakeBotApi, chat: int, label: str) -> None:
    await fake.wait_until(lambda: any(label in m.button_labels() for m in fake.messages(chat)))
    message = next(m for m in reversed(fake.messages(chat)) if label in m.button_labels())
    count = len(fake.messages(chat))
    fake.press_button(chat, message.message_id, label=label)
    await fake.wait_for_answer(chat, count)


async def say(fake: FakeBotApi, chat: int, text: str) -> None:
    count = len(fake.messages(chat))
    fake.send_text(chat, text)
    await fake.wait_for_answer(chat, count)


async def onboard(fake: FakeBotApi, chat: int, language: str, role: str, agree: str) -> None:
    await say(fake, chat, "/start")
    await press(fake, chat, language)
    await press(fake, chat, role)
    await press(fake, chat, "Parchim")
    await press(fake, chat, agree)


async def plan_a_meeting(bot: RunningBot, fake: FakeBotApi, staff: int) -> datetime:
    """`staff` publishes a meeting of the Parchim group in three days, as in the chat; returns
    when it starts."""
    assert bot.app is not None
    start = (bot.clock.now() + timedelta(days=3)).astimezone(bot.app.settings.tz)
    await say(fake, staff, "/newmeeting")
    await press(fake, staff, "Parchim")
    await press(fake, staff, "Done")
    await say(fake, staff, "Vernetzungstreffen Parchim")
    await press(fake, staff, "Skip")
    await say(fake, staff, start.date().isoformat())
    await say(fake, staff, start.strftime("%H:%M"))
    await press(fake, staff, "120 minutes")
    await say(fake, staff, "Rathaus Parchim, Schuhmarkt 1")
    await press(fake, staff, "No limit")
    await press(fake, staff, "Skip")
    await press(fake, staff, "Until the start")
    await press(fake, staff, "No, only the group's volunteers")
    await press(fake, staff, "Continue")  # the summary
    await press(fake, staff, "Publish and invite")
    return start


async def test_from_publishing_to_the_two_hour_reminder(bot: RunningBot, fake: FakeBotApi) -> None:
    assert bot.app is not None
    ar = bot.app.catalogs.translator("ar")
    fake.add_user(STAFF, first_name="Petra", language_code="en")
    await onboard(fake, STAFF, "English", "I work for the district office", "I agree")
    await onboard(fake, ALICE, "العربية", ar.gettext("I volunteer"), ar.gettext("I agree"))
    fake.add_user(1002, first_name="Hagen", language_code="de")
    await say(fake, 1002, "/start")
    await press(fake, 1002, "Deutsch")
    await press(fake, 1002, "Ich engagiere mich ehrenamtlich")
    await press(fake, 1002, "Hagenow")
    await press(fake, 1002, "Ich bin einverstanden")

    start = await plan_a_meeting(bot, fake, STAFF)

    await fake.wait_until(
        lambda: any(ar.gettext("Will you come?") in m.plain_text for m in fake.messages(ALICE))
    )
    invitation = fake.messages(ALICE)[-1]
    assert ar.format_datetime(start) in invitation.plain_text
    assert not any("Vernetzungstreffen" in m.plain_text for m in fake.messages(1002))
    await press(fake, ALICE, ar.gettext("Yes"))
    await fake.wait_until(lambda: any(m.document for m in fake.messages(ALICE)))
    calendar = next(m for m in fake.messages(ALICE) if m.document)
    [event] = icalendar.Calendar.from_ical(bytes(calendar.document["bytes"])).walk("VEVENT")
    assert event.decoded("dtstart").hour == start.hour

    seen = len(fake.messages(ALICE))
    bot.clock.jump_to(start - timedelta(hours=24) + timedelta(minutes=1))
    await fake.wait_for_messages(ALICE, seen + 1, timeout=20)
    bot.clock.jump_to(start - timedelta(hours=2) + timedelta(minutes=1))
    await fake.wait_for_messages(ALICE, seen + 2, timeout=20)
    reminders = [m.plain_text for m in fake.messages(ALICE)[seen:]]
    for reminder, hours in zip(reminders, (24, 2), strict=True):
        assert reminder.startswith(
            ar.ngettext(
                "Reminder: “{title}” starts in {count} hour, at {start}.",
                "Reminder: “{title}” starts in {count} hours, at {start}.",
                hours,
            ).format(
                title="Vernetzungstreffen Parchim",
                count=ar.format_number(hours),
                start=ar.format_time(start),
            )
        )
    bot.clock.jump_to(start + timedelta(minutes=5))  # after the start: nothing more
    await fake.wait_for_answer(ALICE, seen + 1, quiet=7)
    assert len(fake.messages(ALICE)) == seen + 2
    assert fake.rejected == []
