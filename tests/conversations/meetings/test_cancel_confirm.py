"""The last look before a meeting is cancelled: its title, its date, how many people will be
told and what they will read; "back" leaves the meeting as it was."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from bot.app import App
from bot.db.models import Meeting
from tests.conversations.grants.test_review import staff_member
from tests.conversations.meetings.test_invitations import invitation_of, person, plan
from tests.conversations.people.test_onboarding import gettext

CANCEL = (
    "Cancel “{title}” on {date}? {count} person who answered will be told:\n{reason}",
    "Cancel “{title}” on {date}? {count} people who answered will be told:\n{reason}",
)


async def status(app: App) -> str:
    async with app.database.transaction() as session:
        meeting = await session.scalar(select(Meeting))
    assert meeting is not None
    return meeting.status


async def test_cancelling_asks_once_and_back_changes_nothing(app: App) -> None:
    staff = await staff_member(app)
    anna = await person(app, "anna", "de")
    bert = await person(app, "bert", "en")
    carl = await person(app, "carl", "en")
    await plan(staff, title="Treffen <Parchim> & Gäste")
    for chat in (anna, bert, carl):
        invitation_of(chat)
    await anna.press_data("rsvp:1:yes")
    await bert.press_data("rsvp:1:maybe")
    await carl.press_data("rsvp:1:no")  # not told: they are not coming anyway
    en = gettext(app, "en")
    t = app.catalogs.translator("en")
    staff.channel.take("admin")

    await staff.press_data("meetedit:1")
    await staff.press(en("Cancel the meeting"))
    await staff.send("Raum <nicht> verfügbar")
    [question] = staff.replies
    assert question.text == t.ngettext(*CANCEL, 2).format(
        title="Treffen &lt;Parchim&gt; &amp; Gäste",
        date=t.format_datetime(datetime(2026, 12, 10, 17, 0, tzinfo=UTC)),
        count=2,
        reason="Raum &lt;nicht&gt; verfügbar",
    )
    assert "Dec 10, 2026" in question.text
    assert staff.labels == [en("Yes, cancel the meeting"), en("No, back")]
    assert await status(app) != "cancelled"

    await staff.press(en("No, back"))
    assert en("Cancel the meeting") in staff.labels  # the meeting's changes again
    assert await status(app) != "cancelled"
    assert anna.channel.take("anna") == [] and bert.channel.take("bert") == []

    await staff.press(en("Cancel the meeting"))
    await staff.send("Raum nicht verfügbar")
    await staff.press(en("Yes, cancel the meeting"))
    assert staff.replies[0].text == t.ngettext(
        "Saved. {count} person has been told.", "Saved. {count} people have been told.", 2
    ).format(count=2)
    assert await status(app) == "cancelled"
    [cancel] = anna.channel.take("anna")
    assert "Raum nicht verfügbar" in cancel.text
    assert len(bert.channel.take("bert")) == 1 and carl.channel.take("carl") == []


async def test_a_meeting_cancelled_by_someone_else_meanwhile_is_not_cancelled_twice(
    app: App,
) -> None:
    staff = await staff_member(app)
    anna = await person(app, "anna", "de")
    await plan(staff)
    invitation_of(anna)
    await anna.press_data("rsvp:1:yes")
    en = gettext(app, "en")
    await staff.press_data("meetedit:1")
    await staff.press(en("Cancel the meeting"))
    await staff.send("Raum nicht verfügbar")
    async with app.database.transaction() as session:  # another member of staff was quicker
        meeting = await session.scalar(select(Meeting))
        assert meeting is not None
        meeting.status = "cancelled"
    anna.channel.take("anna")
    await staff.press(en("Yes, cancel the meeting"))
    assert staff.replies[0].text == en("This meeting has been cancelled.")
    assert anna.channel.take("anna") == []
