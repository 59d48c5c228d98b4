"""Meetings in several languages: answers to an invitation, and a meeting planned by a
staff member who types the date and time the way their language writes them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.app import App
from bot.db.models import Meeting
from tests.chat import Chat
from tests.conversations.grants.test_review import staff_member
from tests.conversations.meetings.test_invitations import invitation_of, person, plan
from tests.conversations.people.test_onboarding import gettext, onboard


@pytest.mark.parametrize("locale", ["de", "ar", "fa", "uk"])
async def test_yes_maybe_and_no_in_the_persons_language(app: App, locale: str) -> None:
    staff = await staff_member(app)
    chat = await person(app, "p", locale)
    await plan(staff)
    _ = gettext(app, locale)
    t = app.catalogs.translator(locale)
    [invitation] = invitation_of(chat)
    assert invitation.text.startswith(_("You are invited to a network meeting:"))
    assert t.format_datetime(datetime(2026, 12, 10, 17, 0, tzinfo=UTC)) in invitation.text
    assert chat.labels == [_("Yes"), _("Maybe"), _("No")]

    await chat.press(_("Yes"))
    assert chat.replies[0].text == _(
        "See you there! Here is the calendar file for “{title}”."
    ).format(title="Vernetzungstreffen Parchim")
    await chat.press(_("Maybe"))
    assert chat.replies[0].text == _("Thank you, your answer is saved: {answer}").format(
        answer=_("maybe")
    )
    await chat.press(_("No"))
    assert chat.replies[0].text == _("Thank you, your answer is saved: {answer}").format(
        answer=_("no")
    )


@pytest.mark.parametrize(
    ("locale", "language", "day", "time"),
    [
        ("de", "Deutsch", "10.12.2026", "18 Uhr"),
        ("en", "English", "12/10/26", "18:00"),
        ("ar", "العربية", "١٠/١٢/٢٠٢٦", "١٨:٠٠"),
        ("uk", "Українська", "10.12.26", "18:00"),
    ],
)
async def test_staff_type_the_date_and_time_as_their_language_writes_them(
    app: App, locale: str, language: str, day: str, time: str
) -> None:
    staff = Chat(app, "admin", language_code=locale, display_name="Petra")
    await onboard(staff, language, locale, role="I work for the district office")
    _ = gettext(app, locale)
    await staff.send("/newmeeting")
    await staff.press("Parchim")
    await staff.press(_("Done"))
    await staff.send("Vernetzungstreffen")
    await staff.press(_("Skip"))
    await staff.send(day)
    await staff.send(time)
    assert staff.text.startswith(_("How long will it take?")), staff.text
    t = app.catalogs.translator(locale)
    await staff.press(
        t.ngettext("{count} minute", "{count} minutes", 90).format(count=t.format_number(90))
    )
    await staff.send("Rathaus Parchim")
    await staff.press(_("No limit"))
    await staff.press(_("Skip"))
    await staff.press(_("Until the start"))
    await staff.press(_("No, only the group's volunteers"))
    await staff.press(_("Continue"))  # the summary
    await staff.press(_("Publish and invite"))
    async with app.database.transaction() as session:
        meeting = await session.scalar(select(Meeting))
    assert meeting is not None
    assert meeting.starts_at == datetime(2026, 12, 10, 17, 0, tzinfo=UTC)  # 18:00 in Berlin
    assert meeting.duration_minutes == 90
