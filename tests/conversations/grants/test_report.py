"""The report after a project, its check by staff, and the reminders before and after the
deadline, with a clock the test moves and a restart in between."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from bot.app import App
from bot.db.models import Application, GrantReport, ReportFile
from conversations import limits
from conversations.messages import InboundKind
from tests.chat import Chat
from tests.conftest import FakeClock
from tests.conversations.grants.test_review import staff_member, submitted
from tests.conversations.people.test_onboarding import gettext


async def approved(app: App, locale: str = "de", address: str = "v1") -> tuple[Chat, Chat]:
    staff = await staff_member(app)
    applicant = await submitted(app, locale, address, amount="500")
    en = gettext(app, "en")
    await staff.send("/review")
    await staff.press(staff.labels[0])
    await staff.press(en("Approve {amount}").format(amount="€500.00"))
    await staff.press(en("Yes, approve"))
    applicant.channel.take(address)
    staff.channel.take("admin")
    return applicant, staff


async def test_report_with_receipts_is_checked_by_staff(app: App) -> None:
    applicant, staff = await approved(app, "de")
    de, en = gettext(app, "de"), gettext(app, "en")
    await applicant.send("/report")
    assert "MP-2026-0001" in applicant.text
    await applicant.send("viele")
    assert applicant.replies[0].text == de("Please write a whole number, like 12.")
    await applicant.send("5")
    await applicant.send("42")
    await applicant.send("Zu kurz")
    assert applicant.replies[0].text == limits.too_short(
        app.catalogs.translator("de"), limits.REPORT_SUMMARY
    )
    await applicant.send("Acht Treffen im Gemeindesaal, im Schnitt 15 Gäste aus 6 Ländern.")
    assert "500,00" in applicant.text  # what was planned for the rooms
    await applicant.send("480,50")
    assert applicant.text.startswith(
        de(
            "Please send photos or files of your receipts, one or several: images (JPEG, "
            "PNG, HEIC or WebP) or PDF files of up to {limit} MB each."
        ).format(limit="20")
    )
    await applicant.send_file("huge.pdf", 25 * 1024 * 1024)
    assert applicant.replies[0].text == de(
        "That file is too big. Files may be up to {limit} MB."
    ).format(limit="20")
    await applicant.send_file("rechnung.pdf", 120_000)
    await applicant.send_file(
        "quittung.jpg", 800_000, kind=InboundKind.PHOTO, mime_type="image/jpeg"
    )
    assert applicant.replies[0].text == app.catalogs.translator("de").ngettext(
        "{count} receipt received.", "{count} receipts received.", 2
    ).format(count="2")
    await applicant.press(de("All receipts are sent"))
    assert "480,50" in applicant.text
    await applicant.press(de("Submit the report"))
    assert applicant.replies[0].text == de(
        "Thank you! Your report on {reference} has been sent to the district office."
    ).format(reference="MP-2026-0001")

    [notice] = staff.channel.take("admin")
    assert notice.text.startswith("New report on MP-2026-0001")
    await staff.send("/review")
    await staff.press(en("Report {reference}").format(reference="MP-2026-0001"))
    assert "42" in staff.text and "rechnung.pdf" not in staff.text
    await staff.press(en("Show the receipts"))
    forwarded = [r for r in staff.replies if r.forward is not None]
    assert [(r.text, r.forward.file_ref) for r in forwarded if r.forward] == [
        (en("Receipt {number}: {name}").format(number=1, name="rechnung.pdf"), "file-rechnung.pdf"),
        (en("Receipt {number}: {name}").format(number=2, name="quittung.jpg"), "file-quittung.jpg"),
    ]
    await staff.press(en("Accept the report"))
    [thanks] = applicant.channel.take("v1")
    assert thanks.text == de("Thank you: your report on {reference} has been accepted.").format(
        reference="MP-2026-0001"
    )

    await staff.send("/stats")
    assert "Reports received: 1, overdue: 0." in staff.text
    assert "Reached according to the reports: 5 volunteers and 42 newcomers." in staff.text
    async with app.database.transaction() as session:
        report = await session.scalar(select(GrantReport))
        assert report is not None and report.status == "accepted"
        assert report.costs == {"rooms": 48050}
        files = (await session.scalars(select(ReportFile.name))).all()
        assert files == ["rechnung.pdf", "quittung.jpg"]


async def test_only_approved_projects_can_be_reported_on(app: App) -> None:
    await submitted(app, "en", "v2")
    chat = Chat(app, "v2", language_code="en")
    await chat.send("/report")
    assert chat.replies[0].text == gettext(app, "en")("You have no approved project to report on.")


async def test_report_reminders_arrive_once_each_across_a_restart(
    app: App, clock: FakeClock, settings
) -> None:  # type: ignore[no-untyped-def]
    applicant, staff = await approved(app, "ar", "v-ar")
    async with app.database.transaction() as session:
        application = await session.scalar(select(Application))
        assert application is not None
        assert application.report_due_on is not None
        due = application.report_due_on  # the end (19 Dec) + 8 weeks
    assert due.isoformat() == "2027-02-13"

    async def remind(at: datetime, runner: App) -> list[str]:
        clock._now = at
        await runner.send_reminders()
        return [reply.text for reply in applicant.channel.take("v-ar")]

    ar = app.catalogs.translator("ar")
    assert await remind(datetime(2027, 1, 29, 10, 0, tzinfo=UTC), app) == []  # 15 days before
    assert await remind(datetime(2027, 1, 30, 5, 0, tzinfo=UTC), app) == []  # 6:00, night
    [early] = await remind(datetime(2027, 1, 30, 9, 0, tzinfo=UTC), app)
    assert ar.format_date(due) in early and "MP-2026-0001" in early
    assert await remind(datetime(2027, 1, 30, 15, 0, tzinfo=UTC), app) == []

    await app.close()
    restarted = App(settings, clock=clock)
    restarted.dispatcher.add_channel(applicant.channel)
    try:
        assert await remind(datetime(2027, 2, 1, 10, 0, tzinfo=UTC), restarted) == []
        [on_the_day] = await remind(datetime(2027, 2, 13, 10, 0, tzinfo=UTC), restarted)
        assert on_the_day != early
        assert await remind(datetime(2027, 2, 13, 12, 0, tzinfo=UTC), restarted) == []
        [first_overdue] = await remind(datetime(2027, 2, 20, 10, 0, tzinfo=UTC), restarted)
        overdue = [r.text for r in staff.channel.take("admin")]
        assert len(overdue) == 1 and "MP-2026-0001" in overdue[0]
        # the bot was down for five weeks: the reminders whose time passed are left out
        assert await remind(datetime(2027, 3, 30, 10, 0, tzinfo=UTC), restarted) == []
        assert staff.channel.take("admin") == []
    finally:
        await restarted.close()
    assert first_overdue != on_the_day


async def to_the_receipts(applicant: Chat) -> None:
    await applicant.send("/report")
    await applicant.send("5")
    await applicant.send("42")
    await applicant.send("Acht Treffen im Gemeindesaal, im Schnitt 15 Gäste aus 6 Ländern.")
    await applicant.send("480")


async def test_a_report_can_be_finished_without_receipts(app: App) -> None:
    applicant, _staff = await approved(app, "en")
    en = gettext(app, "en")
    await to_the_receipts(applicant)
    assert en("You may also hand in receipts on paper at the district office.") in applicant.text
    assert applicant.labels == [en("Finish without receipts"), en("Back")]
    await applicant.send("The receipts are in the post")
    assert applicant.replies[0].text == en(
        "I can only take photos or files here. When you are done, or if you hand in your "
        "receipts on paper, tap the button below."
    )
    assert applicant.labels == [en("Finish without receipts"), en("Back")]
    await applicant.press(en("Finish without receipts"))
    assert "0 receipts" in applicant.text
    await applicant.press(en("Submit the report"))
    assert applicant.replies[0].text == en(
        "Thank you! Your report on {reference} has been sent to the district office."
    ).format(reference="MP-2026-0001")


async def test_receipts_up_to_20_mb_are_taken_even_without_a_known_size(app: App) -> None:
    applicant, _staff = await approved(app, "en")
    en = gettext(app, "en")
    limit = 20 * 1024 * 1024
    await to_the_receipts(applicant)
    await applicant.send_file("scan.pdf", None)  # type: ignore[arg-type]  # size unknown
    await applicant.send_file("exact.pdf", limit)
    assert applicant.replies[0].text == "2 receipts received."
    assert applicant.labels == [en("All receipts are sent"), en("Back")]
    await applicant.send_file("big.pdf", limit + 1)
    assert applicant.replies[0].text == en(
        "That file is too big. Files may be up to {limit} MB."
    ).format(limit="20")
    async with app.database.transaction() as session:
        files = (await session.scalars(select(ReportFile.name))).all()
        assert files == ["scan.pdf", "exact.pdf"]


async def test_my_applications_offers_every_next_step(app: App) -> None:
    applicant, _staff = await approved(app, "de")
    de = gettext(app, "de")
    await applicant.send("/apply")
    await applicant.press(de("Start the application"))
    await applicant.send("Vera Schulz")
    await applicant.send("/myapplications")
    assert (
        de("Next: carry out the project, then report what it reached by {date}.").format(
            date=app.catalogs.translator("de").format_date(date(2027, 2, 13))
        )
        in applicant.text
    )
    report = de("Report {reference}").format(reference="MP-2026-0001")
    assert applicant.labels == [
        report,
        de("Continue the draft"),
        de("Withdraw the application"),
        de("Main menu"),
    ]
    await applicant.press(de("Continue the draft"))
    assert applicant.text.startswith(
        de("Do you apply for an initiative or organisation? Then write its name.")
    )

    await applicant.send("/myapplications")
    await applicant.press(report)
    assert "MP-2026-0001" in applicant.text
    await applicant.send("/myapplications")
    assert de("Next: finish your report and send it.") in applicant.text  # begun
    await to_the_receipts(applicant)
    await applicant.press(de("Finish without receipts"))
    await applicant.press(de("Submit the report"))
    await applicant.send("/myapplications")
    assert (
        de("Thank you! Your report on {reference} has been sent to the district office.").format(
            reference="MP-2026-0001"
        )
        in applicant.text
    )
    assert report not in applicant.labels

    await applicant.press(de("Withdraw the application"))
    await applicant.press(de("Yes, withdraw it"))
    assert applicant.replies[0].text == de("The draft has been discarded.")
    assert applicant.labels == [de("Main menu")]
