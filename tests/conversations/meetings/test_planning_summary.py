"""/newmeeting ends in a summary: a typo is changed there with one question, not fourteen, and
the wizard comes back to the summary rather than asking the rest again."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from bot.app import App
from bot.db.models import Meeting
from tests.chat import Chat
from tests.conversations.grants.test_review import staff_member
from tests.conversations.meetings.test_invitations import invitation_of, person
from tests.conversations.people.test_onboarding import gettext

SUMMARY_END = "Is everything right? Tap a part to change it, or continue."


async def to_the_summary(staff: Chat, *, agenda: str = "Rückblick & <Planung>") -> None:
    """A meeting of the Parchim group on Thursday 10 December 2026, 18:00, with a typo in the
    place."""
    en = gettext(staff.app, "en")
    await staff.send("/newmeeting")
    await staff.press("Parchim")
    await staff.press(en("Done"))
    await staff.send("Vernetzungstreffen Parchim")
    await staff.send(agenda)
    await staff.send("2026-12-10")
    await staff.send("18:00")
    await staff.press(en("{count} minutes").replace("{count}", "120"))
    await staff.send("Rathuas Parchim, Schuhmarkt 1")
    await staff.press(en("No limit"))
    await staff.send("Deutsch, Arabisch")
    await staff.press(en("Until the start"))
    await staff.press(en("No, only the group's volunteers"))


async def test_a_typo_in_the_place_is_changed_from_the_summary(app: App) -> None:
    staff = await staff_member(app)
    anna = await person(app, "anna", "de")
    en = gettext(app, "en")
    t = app.catalogs.translator("en")
    await to_the_summary(staff)

    start = datetime(2026, 12, 10, 17, 0, tzinfo=UTC)  # 18:00 in Parchim
    [summary] = staff.replies
    assert summary.text.startswith(en("<b>New network meeting</b>"))
    assert SUMMARY_END in summary.text
    # Every answer, with the weekday of the date, and typed text escaped.
    assert t.format_datetime(start).startswith("Thu") and t.format_datetime(start) in summary.text
    assert "Where: Rathuas Parchim, Schuhmarkt 1" in summary.text
    assert "Agenda: Rückblick &amp; &lt;Planung&gt;" in summary.text
    assert "Places: No limit" in summary.text
    assert "Languages: Deutsch, Arabisch" in summary.text
    assert "For the groups of: Parchim" in summary.text
    assert "Only the group's volunteers are invited." in summary.text
    assert "✎ Place" in staff.labels and en("Continue") in staff.labels

    await staff.press("✎ Place")
    assert staff.text.startswith(en("Where? Write the address, or the link of an online meeting."))
    assert "Now: Rathuas Parchim, Schuhmarkt 1" in staff.text
    assert en("Keep it") in staff.labels
    await staff.send("Rathaus Parchim, Schuhmarkt 1")
    # Straight back to the summary: no capacity, languages, deadline or newcomers again.
    [summary] = staff.replies
    assert SUMMARY_END in summary.text
    assert "Where: Rathaus Parchim, Schuhmarkt 1" in summary.text
    assert "Rathuas" not in summary.text

    await staff.press(en("Continue"))
    assert staff.text.startswith(en("This is how the invitation will look:"))
    assert "Rathaus Parchim, Schuhmarkt 1" in staff.text
    await staff.press(en("Publish and invite"))
    [invitation] = invitation_of(anna)
    assert "Rathaus Parchim, Schuhmarkt 1" in invitation.text
    assert "Rathuas" not in invitation.text
    async with app.database.transaction() as session:
        meeting = await session.scalar(select(Meeting))
    assert meeting is not None and meeting.place == "Rathaus Parchim, Schuhmarkt 1"


async def test_keep_it_and_a_new_date_come_back_to_the_summary(app: App) -> None:
    staff = await staff_member(app)
    en = gettext(app, "en")
    t = app.catalogs.translator("en")
    await to_the_summary(staff)

    await staff.press("✎ Title")
    assert "Now: Vernetzungstreffen Parchim" in staff.text
    await staff.press(en("Keep it"))
    assert SUMMARY_END in staff.text and "Vernetzungstreffen Parchim" in staff.text

    # A new date asks the day and the start time, then the summary again.
    await staff.press("✎ Date")
    await staff.send("2026-12-11")
    assert staff.text.startswith(en("At what time does it start? Tap or type, like 18:30."))
    await staff.press("19:00")
    assert SUMMARY_END in staff.text
    moved = datetime(2026, 12, 11, 18, 0, tzinfo=UTC)
    assert t.format_datetime(moved).startswith("Fri") and t.format_datetime(moved) in staff.text
    ends = t.format_time(datetime(2026, 12, 11, 20, 0, tzinfo=UTC))
    assert f"until {ends}" in staff.text  # two hours later

    await staff.press("✎ Places")
    await staff.send("12")
    assert "Places: 12" in staff.text
    await staff.press(en("Continue"))
    await staff.press(en("Publish and invite"))
    async with app.database.transaction() as session:
        meeting = await session.scalar(select(Meeting))
    assert meeting is not None
    assert (meeting.starts_at, meeting.capacity) == (moved, 12)
    assert meeting.title == "Vernetzungstreffen Parchim"


async def test_a_long_agenda_is_shortened_in_the_summary_and_whole_in_the_preview(
    app: App,
) -> None:
    staff = await staff_member(app)
    en = gettext(app, "en")
    agenda = "Punkt " + "x" * 1500 + " Ende"
    await to_the_summary(staff, agenda=agenda)
    [summary] = staff.replies
    assert "[… shortened: 1,511 characters in all]" in summary.text
    assert " Ende" not in summary.text and len(summary.text) < 4096
    await staff.press(en("Continue"))
    assert agenda in staff.text
