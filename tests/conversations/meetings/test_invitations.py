"""Network meetings as transcripts: the staff wizard, invitations to the right people in their
language, RSVPs with a waiting list, calendar files, changes, reminders and attendance."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import icalendar
import pytest
from sqlalchemy import select

from bot.app import App
from bot.db.models import Meeting, Rsvp
from bot.services.meetings.planning import MeetingDesk
from conversations.meetings.ports import MeetingRuleError
from conversations.ports import Role
from tests.chat import Chat
from tests.conftest import FakeClock
from tests.conversations.grants.test_review import staff_member
from tests.conversations.people.test_onboarding import LANGUAGE_BUTTONS, gettext, onboard

LANGUAGE = dict(zip(["de", "en", "ar", "fa", "uk", "ru"], LANGUAGE_BUTTONS, strict=True))


async def person(
    app: App, address: str, locale: str, *, region: str = "Parchim", role: str = "I volunteer"
) -> Chat:
    chat = Chat(app, address, language_code=locale, display_name=address.title())
    await onboard(chat, LANGUAGE[locale], locale, role=role, region=region)
    return chat


async def plan(
    staff: Chat,
    *,
    regions: tuple[str, ...] = ("Parchim",),
    day: str = "2026-12-10",
    time: str = "18:00",
    capacity: str | None = None,
    newcomers: bool = False,
    title: str = "Vernetzungstreffen Parchim",
    deadline: str = "Until the start",
    duration: str = "120",
) -> None:
    _ = gettext(staff.app, "en")
    await staff.send("/newmeeting")
    for region in regions:
        await staff.press(region)
    await staff.press(_("Done"))
    await staff.send(title)
    await staff.send("Rückblick, Planung 2027 & <Sonstiges>")
    await staff.send(day)
    await staff.send(time)
    await staff.press(_("{count} minutes").replace("{count}", duration))
    await staff.send("Rathaus Parchim, Schuhmarkt 1")
    if capacity is None:
        await staff.press(_("No limit"))
    else:
        await staff.send(capacity)
    await staff.send("Deutsch, Arabisch (Dolmetschung)")
    await staff.press(_(deadline))
    await staff.press(
        _("Yes, newcomers are welcome") if newcomers else _("No, only the group's volunteers")
    )
    await staff.press(_("Continue"))  # the summary
    await staff.press(_("Publish and invite"))


async def calendar_of_the_meeting(app: App) -> icalendar.Calendar:
    """The calendar file of the one meeting there is, as a staff member would get it."""
    async with app.database.transaction() as session:
        meeting = await session.scalar(select(Meeting))
        assert meeting is not None
        desk = MeetingDesk(
            session,
            actor_user_id=1,
            actor_is_staff=True,
            actor_role=None,
            now=app.clock.now(),
            tz=app.settings.tz,
        )
        ics = await desk.calendar_file(meeting.id)
    return icalendar.Calendar.from_ical(ics.content)


def invitation_of(chat: Chat) -> list:  # type: ignore[type-arg]
    """The invitations that reached `chat` since its last turn (their buttons can be pressed)."""
    chat.replies = [r for r in chat.channel.take(chat.address) if r.choices]
    return chat.replies


async def test_a_meeting_invites_its_region_and_no_one_else(app: App) -> None:
    staff = await staff_member(app)
    anna = await person(app, "anna", "de")
    omar = await person(app, "omar", "ar")
    far = await person(app, "far", "uk", region="Hagenow")
    newcomer = await person(app, "neu", "fa", role="I am new in the district")
    en = gettext(app, "en")

    await plan(staff, day="2026-12-10", time="18:00")
    published = (
        app.catalogs.translator("en")
        .ngettext(
            "Published. {count} person has been invited.",
            "Published. {count} people have been invited.",
            3,
        )
        .format(count=3)
    )
    assert published in [reply.text for reply in staff.replies]  # Anna, Omar and the staff
    [invite_de] = invitation_of(anna)
    [invite_ar] = invitation_of(omar)
    assert invitation_of(far) == [] and invitation_of(newcomer) == []
    de, ar = app.catalogs.translator("de"), app.catalogs.translator("ar")
    moment = datetime(2026, 12, 10, 17, 0, tzinfo=UTC)
    assert de.format_datetime(moment) in invite_de.text  # 10.12.2026, 18:00
    assert ar.format_datetime(moment) in invite_ar.text
    assert "&lt;Sonstiges&gt;" in invite_de.text
    assert [c.label for c in invite_ar.all_choices()] == [
        ar.gettext("Yes"),
        ar.gettext("Maybe"),
        ar.gettext("No"),
    ]
    assert en("Publish and invite")


async def test_newcomers_are_invited_when_the_meeting_is_open_to_them(app: App) -> None:
    staff = await staff_member(app)
    newcomer = await person(app, "neu", "fa", role="I am new in the district")
    await plan(staff, newcomers=True)
    assert len(invitation_of(newcomer)) == 1


async def test_answers_can_be_changed_and_yes_brings_a_calendar_file(app: App) -> None:
    staff = await staff_member(app)
    anna = await person(app, "anna", "de")
    await plan(staff)
    assert len(invitation_of(anna)) == 1
    de = gettext(app, "de")
    await anna.press(de("Yes"))
    reply = anna.replies[0]
    assert reply.document is not None and reply.document.name.endswith(".ics")
    calendar = icalendar.Calendar.from_ical(reply.document.content)
    [event] = calendar.walk("VEVENT")
    assert str(event["uid"]).startswith("meeting-1@")
    start = event.decoded("dtstart")
    assert str(start.tzinfo) == "Europe/Berlin" and (start.hour, start.minute) == (18, 0)
    assert event.decoded("dtend").hour == 20
    assert int(event["sequence"]) == 0
    assert str(calendar["method"]) == "PUBLISH"

    await anna.press(de("Bring guests"))
    await anna.press("2")
    await anna.send("/meetings")
    assert (
        app.catalogs.translator("de")
        .ngettext(
            "Your answer: yes, with {count} guest.", "Your answer: yes, with {count} guests.", 2
        )
        .format(count="2")
        in anna.text
    )
    await anna.press(de("Maybe"))
    await anna.press(de("No"))
    assert anna.replies[0].text == de("Thank you, your answer is saved: {answer}").format(
        answer=de("no")
    )
    async with app.database.transaction() as session:
        rsvp = await session.scalar(select(Rsvp))
        assert rsvp is not None and (rsvp.answer, rsvp.guests) == ("no", 0)


async def test_the_fourth_yes_waits_and_moves_up_when_someone_declines(app: App) -> None:
    staff = await staff_member(app)
    people = [await person(app, f"p{i}", "en") for i in range(4)]
    await plan(staff, capacity="3")
    _ = gettext(app, "en")
    for chat in people:
        invitation_of(chat)
        await chat.press_data("rsvp:1:yes")
    assert people[3].replies[0].text == _(
        "The meeting is full. You are number {position} on the waiting list; I will tell you "
        "when a place becomes free."
    ).format(position=1)
    await people[1].press_data("rsvp:1:no")
    [moved] = people[3].channel.take("p3")
    assert moved.text == _(
        "A place has become free: you can come to “{title}” on {start}. Here is the calendar file."
    ).format(
        title="Vernetzungstreffen Parchim",
        start=app.catalogs.translator("en").format_datetime(
            datetime(2026, 12, 10, 17, 0, tzinfo=UTC)
        ),
    )
    assert moved.document is not None
    async with app.database.transaction() as session:
        answers = dict((await session.execute(select(Rsvp.user_id, Rsvp.answer))).all())
        assert sorted(answers.values()) == ["no", "yes", "yes", "yes"]


async def test_many_presses_at_once_fill_the_places_and_the_waiting_list_in_order(
    app: App,
) -> None:
    staff = await staff_member(app)
    people = [await person(app, f"q{i}", "de") for i in range(8)]
    await plan(staff, capacity="3")
    await asyncio.gather(*(chat.press_data("rsvp:1:yes") for chat in people))
    async with app.database.transaction() as session:
        rsvps = (await session.scalars(select(Rsvp).order_by(Rsvp.waiting_since, Rsvp.id))).all()
        assert [r.answer for r in rsvps].count("yes") == 3
        assert [r.answer for r in rsvps].count("waiting") == 5
    async with app.database.transaction() as session:
        desk = MeetingDesk(
            session,
            actor_user_id=0,
            actor_is_staff=True,
            actor_role=Role.STAFF,
            now=app.clock.now(),
            tz=app.settings.tz,
        )
        view = await desk.get(1)
        assert view is not None and (view.yes, view.waiting) == (3, 5)


async def test_a_meeting_in_the_night_the_clocks_change(app: App, clock: FakeClock) -> None:
    staff = await staff_member(app)
    en = gettext(app, "en")
    await person(app, "anna", "de")
    clock._now = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
    await staff.send("/newmeeting")
    await staff.press("Parchim")
    await staff.press(en("Done"))
    await staff.send("Nachttreffen")
    await staff.press(en("Skip"))
    await staff.send("2027-03-28")
    await staff.send("02:30")
    assert staff.replies[0].text == en(
        "That time does not exist on this day, because the clocks are put forward. Please "
        "choose another time."
    )
    await staff.send("03:30")
    assert staff.text.startswith(en("How long will it take?"))
    await staff.press(en("{count} minutes").replace("{count}", "60"))
    await staff.send("https://meet.example.org/lup")
    await staff.press(en("No limit"))
    await staff.press(en("Skip"))
    await staff.press(en("Until the start"))
    await staff.press(en("No, only the group's volunteers"))
    await staff.press(en("Continue"))  # the summary
    await staff.press(en("Publish and invite"))
    async with app.database.transaction() as session:
        meeting = await session.scalar(select(Meeting))
        assert meeting is not None
        assert meeting.starts_at == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)  # 03:30 CEST
        assert meeting.online_link == "https://meet.example.org/lup"
    [event] = (await calendar_of_the_meeting(app)).walk("VEVENT")
    start = event.decoded("dtstart")
    assert (start.hour, start.utcoffset().total_seconds()) == (3, 7200)


async def test_changes_and_cancellation_reach_who_answered_with_a_new_calendar_file(
    app: App,
) -> None:
    staff = await staff_member(app)
    anna = await person(app, "anna", "de")
    bert = await person(app, "bert", "en")
    await plan(staff)
    invitation_of(anna), invitation_of(bert)
    await anna.press_data("rsvp:1:yes")
    await bert.press_data("rsvp:1:no")
    en = gettext(app, "en")
    staff.channel.take("admin")
    await staff.press_data("meetedit:1")
    await staff.press(en("Change the time"))
    await staff.send("2026-12-11")
    await staff.press("19:00")
    assert staff.replies[0].text == app.catalogs.translator("en").ngettext(
        "Saved. {count} person has been told.", "Saved. {count} people have been told.", 1
    ).format(count=1)
    [change] = anna.channel.take("anna")
    assert bert.channel.take("bert") == []
    assert change.document is not None
    [event] = icalendar.Calendar.from_ical(change.document.content).walk("VEVENT")
    assert int(event["sequence"]) == 1 and event.decoded("dtstart").hour == 19

    await staff.press_data("meetedit:1")
    await staff.press(en("Cancel the meeting"))
    await staff.send("Raum nicht verfügbar")
    await staff.press(en("Yes, cancel the meeting"))
    [cancel] = anna.channel.take("anna")
    assert "Raum nicht verfügbar" in cancel.text
    assert cancel.document is not None
    calendar = icalendar.Calendar.from_ical(cancel.document.content)
    assert str(calendar["method"]) == "CANCEL"
    [event] = calendar.walk("VEVENT")
    assert int(event["sequence"]) == 2 and str(event["status"]) == "CANCELLED"
    await anna.press_data("rsvp:1:yes")
    assert anna.replies[0].text == gettext(app, "de")("This meeting has been cancelled.")


async def test_reminders_24_and_2_hours_before_once_each_across_a_restart(
    app: App, clock: FakeClock, settings
) -> None:  # type: ignore[no-untyped-def]
    staff = await staff_member(app)
    anna = await person(app, "anna", "de")
    bert = await person(app, "bert", "en")
    await plan(staff)  # 10 December, 18:00 (17:00 UTC)
    invitation_of(anna), invitation_of(bert)
    await anna.press_data("rsvp:1:yes")
    await bert.press_data("rsvp:1:maybe")
    anna.channel.take("anna"), bert.channel.take("bert")

    async def at(moment: datetime, runner: App) -> tuple[int, int]:
        clock._now = moment
        await runner.send_reminders()
        return len(anna.channel.take("anna")), len(bert.channel.take("bert"))

    assert await at(datetime(2026, 12, 9, 16, 59, tzinfo=UTC), app) == (0, 0)
    assert await at(datetime(2026, 12, 9, 17, 0, tzinfo=UTC), app) == (1, 1)
    assert await at(datetime(2026, 12, 9, 17, 1, tzinfo=UTC), app) == (0, 0)
    await app.close()
    restarted = App(settings, clock=clock)
    restarted.dispatcher.add_channel(anna.channel)
    try:
        assert await at(datetime(2026, 12, 10, 12, 0, tzinfo=UTC), restarted) == (0, 0)
        assert await at(datetime(2026, 12, 10, 15, 0, tzinfo=UTC), restarted) == (1, 1)
        assert await at(datetime(2026, 12, 10, 16, 30, tzinfo=UTC), restarted) == (0, 0)
        assert await at(datetime(2026, 12, 10, 17, 0, tzinfo=UTC), restarted) == (0, 0)
    finally:
        await restarted.close()


async def test_a_meeting_made_ten_hours_ahead_gets_only_the_two_hour_reminder(
    app: App, clock: FakeClock
) -> None:
    staff = await staff_member(app)
    anna = await person(app, "anna", "de")
    clock._now = datetime(2026, 12, 10, 7, 0, tzinfo=UTC)  # 08:00 in Berlin
    await plan(staff, day="2026-12-10", time="18:00")
    invitation_of(anna)
    await anna.press_data("rsvp:1:yes")
    anna.channel.take("anna")
    for hour in (8, 12, 14):
        clock._now = datetime(2026, 12, 10, hour, 0, tzinfo=UTC)
        await app.send_reminders()
    assert len(anna.channel.take("anna")) == 0
    clock._now = datetime(2026, 12, 10, 15, 0, tzinfo=UTC)
    await app.send_reminders()
    [reminder] = anna.channel.take("anna")
    assert "18:00" in reminder.text


async def test_attendees_counts_names_file_and_who_came(app: App, clock: FakeClock) -> None:
    staff = await staff_member(app)
    anna = await person(app, "anna", "de")
    bert = await person(app, "bert", "en")
    await plan(staff, capacity="10")
    await anna.press_data("rsvp:1:yes")
    await bert.press_data("rsvp:1:maybe")
    await anna.press_data("guests:1:1")
    en = gettext(app, "en")
    await staff.send("/attendees")
    await staff.press(staff.labels[0])
    assert "Anna (+1)" in staff.text and "Bert" in staff.text
    assert en("Mark who came") not in staff.labels
    await staff.press(en("As a spreadsheet file"))
    document = staff.replies[0].document
    assert document is not None
    assert "Anna;yes;1;" in document.content.decode("utf-8-sig")

    clock._now = datetime(2026, 12, 10, 19, 0, tzinfo=UTC)
    await staff.send("/attendees")
    await staff.press(staff.labels[0])
    await staff.press(en("Mark who came"))
    await staff.press("Anna")
    assert "✓ Anna" in staff.labels
    await staff.press(en("Done"))
    await staff.send("/stats")
    assert "Parchim, December 2026: 1 meeting, 1 said yes, 1 came" in staff.text


async def test_groups_can_be_joined_and_left_in_settings(app: App) -> None:
    staff = await staff_member(app)
    bert = await person(app, "bert", "en", region="Hagenow")
    en = gettext(app, "en")
    await bert.send("/settings")
    await bert.press(en("Groups and meetings"))
    assert "✓ Hagenow" in bert.labels
    await bert.press("Parchim")
    await bert.press("✓ Hagenow")
    await bert.press(en("Done"))
    await plan(staff)
    assert len(invitation_of(bert)) == 1


async def test_volunteers_cannot_plan_or_change_meetings(app: App) -> None:
    bert = await person(app, "bert", "en")
    en = gettext(app, "en")
    for attempt in ("/newmeeting", "/attendees"):
        await bert.send(attempt)
        assert bert.replies[0].text == en("Sorry, only staff of the district office can do that.")
    await bert.press_data("meetedit:1")
    assert bert.replies[0].text == en("Sorry, only staff of the district office can do that.")
    with pytest.raises(MeetingRuleError):
        async with app.database.transaction() as session:
            desk = MeetingDesk(
                session,
                actor_user_id=2,
                actor_is_staff=False,
                actor_role=None,
                now=app.clock.now(),
                tz=app.settings.tz,
            )
            await desk.recent_and_upcoming()
