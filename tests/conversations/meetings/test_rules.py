"""The finer rules of meetings: guests against the capacity, a deadline that moves with the
start, answers after leaving a group, calendar times across a change of the clocks, and
reminders that follow a moved meeting and are never sent after its start."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from bot.app import App
from bot.channels.base import DeliveryError
from bot.db.models import OutboxMessage, Rsvp
from bot.delivery import CANCELLED, EXPIRED, SENT
from tests.conftest import FakeClock
from tests.conversations.grants.test_review import staff_member
from tests.conversations.meetings.test_invitations import (
    calendar_of_the_meeting,
    invitation_of,
    person,
    plan,
)
from tests.conversations.people.test_onboarding import gettext


async def answers(app: App) -> dict[int, tuple[str, int]]:
    async with app.database.transaction() as session:
        rows = await session.execute(select(Rsvp.user_id, Rsvp.answer, Rsvp.guests))
        return {user_id: (answer, guests) for user_id, answer, guests in rows.all()}


async def test_asking_for_guests_never_costs_a_confirmed_place(app: App) -> None:
    staff = await staff_member(app)
    anna, bert, cleo = [await person(app, name, "en") for name in ("anna", "bert", "cleo")]
    await plan(staff, capacity="3")
    for chat in (anna, bert, cleo):
        invitation_of(chat)
    en = gettext(app, "en")
    await anna.press_data("rsvp:1:yes")
    await bert.press_data("rsvp:1:yes")
    await anna.press(en("Bring guests"))
    await anna.press("1")  # anna, her guest and bert: the meeting is full
    assert anna.replies[0].text == en(
        "See you there! Here is the calendar file for “{title}”."
    ).format(title="Vernetzungstreffen Parchim")
    await cleo.press_data("rsvp:1:yes")
    assert cleo.replies[0].text.startswith(en("The meeting is full."))

    await anna.press_data("guests:1:2")
    assert anna.replies[0].text == en(
        "There is not enough room for that many guests. Your own place stays reserved."
    )
    await anna.press_data("rsvp:1:yes")  # "yes" again keeps her guest
    by_name = dict(zip(("anna", "bert", "cleo"), sorted(await answers(app)), strict=True))
    result = await answers(app)
    assert result[by_name["anna"]] == ("yes", 1)
    assert result[by_name["bert"]] == ("yes", 0)
    assert result[by_name["cleo"]] == ("waiting", 0)


async def test_the_answer_deadline_moves_with_the_meeting(app: App, clock: FakeClock) -> None:
    staff = await staff_member(app)
    anna = await person(app, "anna", "de")
    de, en = gettext(app, "de"), gettext(app, "en")
    await plan(staff, day="2026-12-10", deadline="Three days before")  # answers until 7 Dec
    invitation_of(anna)
    clock._now = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)
    await anna.press_data("rsvp:1:yes")
    assert anna.replies[0].text == de("The time to answer has run out.")

    clock._now = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
    await staff.press_data("meetedit:1")
    await staff.press(en("Change the time"))
    await staff.send("2026-12-20")
    await staff.press("18:00")
    clock._now = datetime(2026, 12, 12, 9, 0, tzinfo=UTC)  # before the new deadline, 17 Dec
    await anna.press_data("rsvp:1:yes")
    assert anna.replies[0].text == de(
        "See you there! Here is the calendar file for “{title}”."
    ).format(title="Vernetzungstreffen Parchim")
    clock._now = datetime(2026, 12, 18, 9, 0, tzinfo=UTC)
    await anna.press_data("rsvp:1:no")
    assert anna.replies[0].text == de("The time to answer has run out.")


async def test_who_left_the_group_can_still_say_no_but_not_yes(app: App) -> None:
    staff = await staff_member(app)
    bert = await person(app, "bert", "en")
    en = gettext(app, "en")
    await plan(staff)
    invitation_of(bert)
    await bert.press_data("rsvp:1:yes")
    await bert.send("/settings")
    await bert.press(en("Groups and meetings"))
    await bert.press("✓ Parchim")
    await bert.send("/cancel")
    await bert.press_data("rsvp:1:no")
    assert bert.replies[0].text == en("Thank you, your answer is saved: {answer}").format(
        answer=en("no")
    )
    await bert.press_data("rsvp:1:yes")
    assert bert.replies[0].text == en("This meeting is not for your group.")
    assert list((await answers(app)).values()) == [("no", 0)]


async def test_the_calendar_end_is_right_in_the_night_the_clocks_go_back(
    app: App, clock: FakeClock
) -> None:
    staff = await staff_member(app)
    await person(app, "anna", "de")
    clock._now = datetime(2027, 10, 1, 9, 0, tzinfo=UTC)
    # 01:30 summer time, two hours long: it ends at 02:30 winter time, three hours on the clock.
    await plan(staff, day="2027-10-31", time="01:30", duration="120")
    calendar = await calendar_of_the_meeting(app)
    [event] = calendar.walk("VEVENT")
    start, end = event.decoded("dtstart"), event.decoded("dtend")
    assert start.astimezone(UTC) == datetime(2027, 10, 30, 23, 30, tzinfo=UTC)
    assert end.astimezone(UTC) == datetime(2027, 10, 31, 1, 30, tzinfo=UTC)
    assert str(event["dtstart"].params["TZID"]) == "Europe/Berlin"
    assert [str(tz["tzid"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]
    assert str(event["uid"]) == "meeting-1@gemeinsam.kreis-lup.de"


async def test_reminders_follow_a_moved_meeting_and_name_the_time_really_left(
    app: App, clock: FakeClock
) -> None:
    staff = await staff_member(app)
    anna = await person(app, "anna", "en")
    en = gettext(app, "en")
    t = app.catalogs.translator("en")
    await plan(staff)  # 10 December, 18:00 (17:00 UTC)
    invitation_of(anna)
    await anna.press_data("rsvp:1:yes")
    anna.channel.take("anna")

    # Down from before the 24-hour reminder until three hours before: the reminder says three.
    clock._now = datetime(2026, 12, 10, 14, 0, tzinfo=UTC)
    await app.send_reminders()
    [late] = anna.channel.take("anna")
    assert late.text.startswith(
        t.ngettext(
            "Reminder: “{title}” starts in {count} hour, at {start}.",
            "Reminder: “{title}” starts in {count} hours, at {start}.",
            3,
        ).format(title="Vernetzungstreffen Parchim", count=3, start="6:00\u202fPM")
    )

    # Moved to the next day: the reminders come again for the new time, once each.
    await staff.press_data("meetedit:1")
    await staff.press(en("Change the time"))
    await staff.send("2026-12-11")
    await staff.press("18:00")
    anna.channel.take("anna")
    clock._now = datetime(2026, 12, 10, 17, 0, tzinfo=UTC)
    await app.send_reminders()
    await app.send_reminders()
    [again] = anna.channel.take("anna")
    assert "24" in again.text


async def test_queued_reminders_are_withdrawn_or_expire_but_never_arrive_after_the_start(
    app: App, clock: FakeClock
) -> None:
    staff = await staff_member(app)
    anna = await person(app, "anna", "de")
    en = gettext(app, "en")
    await plan(staff)  # 10 December, 18:00 (17:00 UTC)
    await anna.press_data("rsvp:1:yes")
    anna.channel.take("anna")
    channel = anna.channel
    channel.fail_next("anna", *[DeliveryError("timed out")] * 100)  # unreachable for a while

    clock._now = datetime(2026, 12, 10, 15, 0, tzinfo=UTC)
    await app.send_reminders()
    clock._now = datetime(2026, 12, 10, 17, 0, tzinfo=UTC)  # the meeting begins
    channel._failures["anna"].clear()
    await app.dispatcher.dispatch_due()
    assert channel.take("anna") == []
    async with app.database.transaction() as session:
        statuses = (
            await session.scalars(
                select(OutboxMessage.status).where(OutboxMessage.dedup_key.contains(":reminder:"))
            )
        ).all()
    assert statuses == [EXPIRED]

    # A reminder queued for the old time of a meeting moved later is withdrawn.
    clock._now = datetime(2026, 12, 9, 9, 0, tzinfo=UTC)
    await plan(staff, day="2026-12-11", title="Zweites Treffen")
    await anna.press_data("rsvp:2:yes")
    anna.channel.take("anna")
    channel.fail_next("anna", *[DeliveryError("timed out")] * 100)
    clock._now = datetime(2026, 12, 10, 17, 0, tzinfo=UTC)
    await app.send_reminders()
    await staff.press_data("meetedit:2")
    await staff.press(en("Change the time"))
    await staff.send("2026-12-18")
    await staff.press("18:00")
    async with app.database.transaction() as session:
        rows = (
            await session.execute(
                select(OutboxMessage.dedup_key, OutboxMessage.status).where(
                    OutboxMessage.dedup_key.startswith("meeting:2:")
                )
            )
        ).all()
    statuses_by_kind = {key.split(":")[2]: status for key, status in rows}
    assert statuses_by_kind["reminder"] == CANCELLED
    assert statuses_by_kind["changed"] != CANCELLED
    assert SENT not in {status for key, status in rows if ":reminder:" in key}
