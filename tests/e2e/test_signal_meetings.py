"""Transcripts over Signal, typed as people type them: a network meeting planned by staff with
its invitation, calendar file and reminders; a report with a receipt photo that staff get back
as an attachment; and what a typed number or label means while numbered lines are shown."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

import icalendar
from sqlalchemy import select

from bot.db.models import Application, ChannelIdentity, GrantReport, ReportFile, User
from bot.services.grants.applications import GrantDesk
from tests.e2e.conftest import SAMIRA, RunningBot
from tests.e2e.signal_chat import SignalChat
from tests.e2e.signal_fake import FakeSignalDaemon, SentMessage

PETRA = "0f6e2d4c-8b1a-4c3e-9f57-2a1b3c4d5e6f"  # staff: her number is in BOT_ADMINS
PETRA_NUMBER = "+4915199999999"
# The first test clock moment (tests/conftest.py): inside the seeded round of 2026.
APPLIED_AT = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
# Some bytes of a JPEG, not valid UTF-8: what comes back must be byte for byte the same.
JPEG = (
    b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    + bytes(range(256))
    + b"\xff\xd9"
)


async def onboard(chat: SignalChat, *, role: str = "I volunteer") -> None:
    await chat.send("Hallo")
    await chat.choose("English")
    await chat.choose(role)
    await chat.choose("Parchim")
    await chat.choose("I agree")
    assert "You are all set" in chat.text


def staff_chat(daemon: FakeSignalDaemon) -> SignalChat:
    daemon.add_person(PETRA, number=PETRA_NUMBER, name="Petra")
    return SignalChat(daemon, PETRA)


async def user_id(bot: RunningBot, uuid: str) -> int:
    assert bot.app is not None
    async with bot.app.database.transaction() as session:
        found = await session.scalar(
            select(User.id).join(ChannelIdentity).where(ChannelIdentity.external_id == uuid)
        )
    assert found is not None
    return found


def with_attachment(messages: list[SentMessage]) -> list[SentMessage]:
    return [m for m in messages if m.attachments]


async def test_staff_plan_a_meeting_and_a_volunteer_says_yes_by_number(
    daemon: FakeSignalDaemon, signal_bot: RunningBot
) -> None:
    app = signal_bot.app
    assert app is not None
    en = app.catalogs.translator("en")
    # A fixed Monday morning, so that the day to type is in the month the calendar shows.
    signal_bot.clock.jump_to(datetime(2027, 6, 7, 8, 0, tzinfo=UTC))
    start = datetime(2027, 6, 10, 18, 30, tzinfo=app.settings.tz)

    volunteer = SignalChat(daemon, SAMIRA)
    await onboard(volunteer)
    staff = staff_chat(daemon)
    await staff.send("Hallo")
    await staff.choose("English")
    assert "I work for the district office" in staff.choices  # the admin, known by number
    await staff.choose("I work for the district office")
    await staff.choose("Parchim")
    await staff.choose("I agree")

    await staff.send("/newmeeting")
    assert staff.replies[-1].styled("BOLD") == ["New network meeting"]
    await staff.choose("Parchim")
    assert "✓ Parchim" in staff.choices
    await staff.choose("Done")
    assert "What is the meeting called?" in staff.text
    await staff.send("Vernetzungstreffen Parchim")
    await staff.choose("Skip")
    # The day: a calendar of June to type from, its days as labels without numbers in front.
    assert "On which day?" in staff.text and "Type it" in staff.text
    assert not staff.choices
    assert "Mon, Jun 7   Tue, Jun 8   Wed, Jun 9   Thu, Jun 10" in staff.text
    assert "Fri, Jun 11   Sat, Jun 12   Sun, Jun 13" in staff.text
    await staff.send("10")  # the 10th of the month shown, not a line number
    assert "At what time does it start?" in staff.text
    assert not staff.choices and "18:00" in staff.text
    await staff.send("18:30")  # typed, not one of the times shown
    assert "How long will it take?" in staff.text
    await staff.choose("120 minutes")
    await staff.send("Rathaus Parchim, Schuhmarkt 1")
    assert "How many places are there?" in staff.text and not staff.choices
    await staff.send("No limit")  # a number is asked for: the choice is typed by its label
    await staff.choose("Skip")
    await staff.choose("Until the start")
    await staff.choose("No, only the group's volunteers")
    assert "Is everything right?" in staff.text
    await staff.choose("Continue")
    assert "This is how the invitation will look:" in staff.text
    assert en.format_datetime(start) in staff.text
    await staff.choose("Publish and invite")
    assert "Published." in staff.text

    await volunteer.answer()
    [invitation] = [m for m in volunteer.replies if "Will you come?" in m.text]
    assert "Vernetzungstreffen Parchim" in invitation.styled("BOLD")
    assert en.format_datetime(start) in invitation.text
    assert "<b>" not in invitation.text
    assert volunteer.choices == {"Yes": "1", "Maybe": "2", "No": "3"}
    await volunteer.send(volunteer.choices["Yes"])
    assert "See you there!" in volunteer.text
    [calendar] = with_attachment(volunteer.replies)
    [(filename, content_type, data)] = calendar.attachments
    assert filename is not None and filename.endswith(".ics")
    assert content_type == "text/calendar"
    ics = icalendar.Calendar.from_ical(data)
    assert ics.name == "VCALENDAR"
    [event] = ics.walk("VEVENT")
    assert str(event["summary"]) == "Vernetzungstreffen Parchim"
    assert event.decoded("dtstart") == start
    assert "Bring guests" in volunteer.choices  # the answer lines follow the file

    # The reminders: each once, however often the scan runs (the scheduler's, and ours).
    def reminders() -> list[SentMessage]:
        return [m for m in daemon.messages_to(SAMIRA) if m.text.startswith("Reminder:")]

    for sent, hours in enumerate((24, 2), start=1):
        signal_bot.clock.jump_to(start - timedelta(hours=hours) + timedelta(minutes=1))
        await app.send_reminders()
        await daemon.wait_until(lambda sent=sent: len(reminders()) >= sent)
        await app.send_reminders()  # the scan again, and the outbox: nothing more
        await app.dispatcher.dispatch_due()
        await asyncio.sleep(0.5)
        assert len(reminders()) == sent
        assert reminders()[-1].text.startswith(
            en.ngettext(
                "Reminder: “{title}” starts in {count} hour, at {start}.",
                "Reminder: “{title}” starts in {count} hours, at {start}.",
                hours,
            ).format(
                title="Vernetzungstreffen Parchim",
                count=en.format_number(hours),
                start=en.format_time(start),
            )
        )
    assert not any("Reminder:" in m.text for m in daemon.messages_to(PETRA))


async def approve_an_application(bot: RunningBot) -> str:
    """Samira's application, submitted and approved through the services (the wizard and the
    review have transcripts of their own); returns its reference."""
    app = bot.app
    assert app is not None
    samira, petra = await user_id(bot, SAMIRA), await user_id(bot, PETRA)
    tz = app.settings.tz
    async with app.database.transaction() as session:
        desk = GrantDesk(session, actor_user_id=samira, actor_is_staff=False, now=APPLIED_AT, tz=tz)
        funding_round = await desk.open_round()
        assert funding_round is not None
        draft = await desk.start_draft(samira, funding_round.id)
        await desk.update(
            draft.id,
            applicant_name="Samira Haddad",
            organisation="",
            contact="samira@example.org",
            region_key="parchim",
            title="Sprachcafé",
            description="Wöchentliches Treffen zum Deutschüben mit neuen Nachbarn in Parchim.",
            topics=["language"],
            volunteers_expected=2,
            newcomers_expected=20,
            starts_on=date(2026, 12, 5),
            ends_on=date(2026, 12, 19),
            confirmed_at=APPLIED_AT,
        )
        await desk.add_item(draft.id, category="rooms", description="Raummiete", amount_cents=80000)
        submitted = await desk.submit(draft.id)
        staff = GrantDesk(session, actor_user_id=petra, actor_is_staff=True, now=APPLIED_AT, tz=tz)
        approved = await staff.decide(draft.id, kind="approve")
    assert approved.status == "approved" and submitted.reference is not None
    return submitted.reference


async def report_with_a_receipt(
    daemon: FakeSignalDaemon, bot: RunningBot
) -> tuple[SignalChat, SignalChat, str]:
    """Samira (volunteer) and Petra (staff) set up over Signal; Samira's approved project
    reported on by typing, with a photo of the receipt. Returns both chats and the reference."""
    volunteer = SignalChat(daemon, SAMIRA)
    await onboard(volunteer)
    staff = staff_chat(daemon)
    await onboard(staff, role="I work for the district office")
    reference = await approve_an_application(bot)

    await volunteer.send("/report")
    assert f"Report on {reference}" in volunteer.text
    assert "How many volunteers took part?" in volunteer.text
    await volunteer.send("5")
    assert "How many newcomers" in volunteer.text
    await volunteer.send("42")
    await volunteer.send("Acht Treffen im Gemeindesaal, im Schnitt 15 Gäste aus 6 Ländern.")
    assert "“Room costs for joint events”? Planned: €800.00." in volunteer.text
    await volunteer.send("780")
    assert "Please send photos or files of your receipts" in volunteer.text
    assert volunteer.choices == {"Finish without receipts": "1", "Back": "2"}
    await volunteer.send_file(JPEG, content_type="image/jpeg")
    assert volunteer.replies[0].text == "1 receipt received."
    assert volunteer.choices == {"All receipts are sent": "1", "Back": "2"}
    await volunteer.choose("All receipts are sent")
    assert "1 receipt" in volunteer.text and "€780.00" in volunteer.text
    await volunteer.choose("Submit the report")
    assert f"Your report on {reference} has been sent to the district office." in volunteer.text
    await staff.answer()
    assert f"New report on {reference}" in staff.text
    assert staff.choices == {"Review applications": "1"}
    return volunteer, staff, reference


async def test_a_receipt_photo_goes_to_the_report_and_back_to_staff(
    daemon: FakeSignalDaemon, signal_bot: RunningBot
) -> None:
    app = signal_bot.app
    assert app is not None
    _, staff, reference = await report_with_a_receipt(daemon, signal_bot)

    [attachment_id] = daemon.attachments
    async with app.database.transaction() as session:
        report = await session.scalar(select(GrantReport))
        assert report is not None and report.status == "submitted"
        assert (report.volunteers_reached, report.newcomers_reached) == (5, 42)
        assert report.costs == {"rooms": 78000}
        [row] = (await session.scalars(select(ReportFile))).all()
        assert (row.channel, row.file_ref) == ("signal", f"{SAMIRA}/{attachment_id}")
        assert (row.mime_type, row.size, row.name) == ("image/jpeg", len(JPEG), None)

    await staff.send("/review")  # typed: see the next test for the notice's own line
    assert "1 report is waiting to be checked." in staff.text
    await staff.choose(f"Report {reference}")
    assert "Volunteers who took part: 5" in staff.text and "1 receipt" in staff.text
    await staff.choose("Show the receipts")
    [receipt] = with_attachment(staff.replies)
    assert receipt.text == "Receipt 1: image/jpeg"
    assert [(content_type, data) for _, content_type, data in receipt.attachments] == [
        ("image/jpeg", JPEG)
    ]
    assert "Accept the report" in staff.choices  # and the report's question again
    fetched = [r.params for r in daemon.requests if r.method == "getAttachment" and not r.error]
    assert fetched and fetched[-1]["id"] == attachment_id
    async with app.database.transaction() as session:
        application = await session.scalar(select(Application))
        assert application is not None and application.status == "approved"


async def test_staff_named_by_number_answer_a_notice_by_its_line_number(
    daemon: FakeSignalDaemon, signal_bot: RunningBot
) -> None:
    _, staff, reference = await report_with_a_receipt(daemon, signal_bot)
    await staff.choose("Review applications")  # types "1", the notice's only line
    assert "1 report is waiting to be checked." in staff.text
    assert f"Report {reference}" in staff.choices


async def test_a_typed_number_picks_its_line_and_one_beyond_the_list_gets_a_hint(
    daemon: FakeSignalDaemon, signal_bot: RunningBot
) -> None:
    app = signal_bot.app
    assert app is not None
    de = app.catalogs.translator("de").gettext
    chat = SignalChat(daemon, SAMIRA)
    await chat.send("Hallo")
    assert chat.choices["Deutsch"] == "1"
    await chat.send("1")  # the number of a line picks that line
    [question] = [m.text for m in chat.replies if de("How are you here?") in m.text]
    roles = chat.choices
    assert list(roles) == [de("I volunteer"), de("I am new in the district")]

    await chat.send("3")  # beyond the list, at a question that only takes its choices
    hint = de("Please answer with one of the numbers shown.")
    assert hint != "Please answer with one of the numbers shown."  # it is translated
    assert [m.text for m in chat.replies] == [hint, question]  # and the same question again
    assert chat.choices == roles

    await chat.send(de("I volunteer"))  # the label picks it as well
    assert chat.choices.get("Parchim") is not None
    await chat.choose("Parchim")
    await chat.send(de("I agree"))
    assert de("Thank you! You are all set.") in chat.text

    async with app.database.transaction() as session:
        user = await session.scalar(
            select(User).join(ChannelIdentity).where(ChannelIdentity.external_id == SAMIRA)
        )
        assert user is not None
        assert (user.locale, user.role) == ("de", "volunteer")
