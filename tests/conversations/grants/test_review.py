"""Staff review: notifications, decisions in the applicant's language, the pot, stats, export."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select, update

from bot.app import App
from bot.db.models import Application, AuditEntry, ChannelIdentity, FundingRound
from bot.services.grants.applications import GrantDesk
from bot.services.grants.funding_rounds import create_round
from conversations.grants.ports import GrantRuleError
from tests.chat import Chat
from tests.conftest import FakeClock
from tests.conversations.grants.test_application import add_item, fill_until_costs, volunteer
from tests.conversations.people.test_onboarding import gettext, onboard


async def submitted(app: App, locale: str, address: str, amount: str = "500") -> Chat:
    _ = gettext(app, locale)
    chat = await volunteer(app, locale, address)
    await fill_until_costs(chat, locale)
    await add_item(chat, locale, "Room costs for joint events", "Saal", amount)
    await chat.press(_("The cost plan is complete"))
    await chat.press(_("Continue"))
    await chat.press(_("I confirm all three and submit"))
    return chat


async def staff_member(app: App) -> Chat:
    chat = Chat(app, "admin", language_code="en", display_name="Petra")
    await onboard(chat, "English", "en", role="I work for the district office")
    return chat


async def test_staff_are_told_and_the_applicant_learns_the_decision_in_arabic(app: App) -> None:
    staff = await staff_member(app)
    applicant = await submitted(app, "ar", "v-ar")
    en, ar = gettext(app, "en"), gettext(app, "ar")
    t_ar = app.catalogs.translator("ar")

    [notice] = staff.channel.take("admin")
    assert notice.text.startswith("New application MP-2026-0001")
    await staff.send("/review")
    assert staff.text.startswith(
        en("{count} application is waiting for a decision, oldest first:").format(count=1)
    )
    await staff.press(staff.labels[0])
    assert "Deutsch-Café" in staff.text and "Vera" in staff.text
    await staff.press(en("Approve a lower amount"))
    await staff.send("600")
    assert staff.replies[0].text == en(
        "That is {over_by} more than the {requested} applied for."
    ).format(over_by="€100.00", requested="€500.00")
    await staff.send("450")
    await staff.press(en("Yes, approve"))
    assert staff.replies[0].text == en(
        "{reference} is approved with {amount}. The applicant has been told."
    ).format(reference="MP-2026-0001", amount="€450.00")

    [decision] = applicant.channel.take("v-ar")
    assert decision.text == ar(
        "Good news: your application {reference} “{title}” has been approved with {amount}. "
        "After the project, please report what it reached with /report."
    ).format(reference="MP-2026-0001", title="Deutsch-Café", amount=t_ar.format_money(45_000))

    await staff.send("/stats")
    assert "€450.00 approved, €9,550.00 left" in staff.text
    async with app.database.transaction() as session:
        actions = (await session.scalars(select(AuditEntry.action))).all()
        assert "application.approve" in actions


async def test_changes_requested_then_edited_and_resubmitted(app: App) -> None:
    staff = await staff_member(app)
    applicant = await submitted(app, "de", "v-de")
    de, en = gettext(app, "de"), gettext(app, "en")
    await staff.send("/review")
    await staff.press(staff.labels[0])
    await staff.press(en("Ask for changes"))
    await staff.send("Bitte <Raum> genauer angeben & Angebot beilegen")
    [message] = applicant.channel.take("v-de")
    assert "Bitte &lt;Raum&gt; genauer angeben &amp; Angebot beilegen" in message.text

    await applicant.send("/myapplications")
    assert de("changes requested") in applicant.text
    await applicant.press(de("Change and resubmit"))
    await applicant.press("✎ " + de("Description"))
    await applicant.send("Sprachcafé im Gemeindesaal Parchim, dienstags, für alle Neuen.")
    await applicant.press(de("Continue"))
    await applicant.press(de("I confirm all three and submit"))
    assert "MP-2026-0001" in applicant.text  # the same reference

    await staff.send("/review")
    await staff.press(staff.labels[0])
    await staff.press(en("Reject"))
    await staff.send("Leider ausgeschöpft")
    await staff.press(en("Yes, reject"))
    [rejection] = applicant.channel.take("v-de")
    assert "Leider ausgeschöpft" in rejection.text


async def test_volunteers_cannot_review_stats_or_export(app: App) -> None:
    chat = await volunteer(app, "en")
    _ = gettext(app, "en")
    for command in ("/review", "/stats", "/export"):
        await chat.send(command)
        assert chat.replies[0].text == _("Sorry, only staff of the district office can do that.")
    await chat.press_data("decide:approve")
    assert chat.replies[0].text == _("That button is no longer valid.")


async def test_the_export_ends_with_a_csv_for_german_spreadsheets(app: App) -> None:
    staff = await staff_member(app)
    await submitted(app, "de", "v-de", amount="1.000")
    await staff.send("/export")
    reply = staff.replies[-1]  # after the workbook (tests/conversations/grants/test_export.py)
    assert reply.document is not None and reply.document.name.endswith(".csv")
    content = reply.document.content
    assert content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    header, row = rows[0], rows[1]
    assert header[0] == "Reference"  # the staff member's language: English here
    record = dict(zip(header, row, strict=True))
    assert record["Reference"] == "MP-2026-0001"
    assert record["Planned costs"] == "1000,00"
    assert record["Cost item"] == "Saal"


@pytest.mark.parametrize("last_euro", [True, False])
async def test_the_last_euro_of_the_pot(app: App, last_euro: bool) -> None:
    async with app.database.transaction() as session:
        await session.execute(
            update(FundingRound).values(pot_cents=100_000 if last_euro else 99_999)
        )
    _ = gettext(app, "de")
    chat = await volunteer(app, "de")
    await fill_until_costs(chat, "de")
    await add_item(chat, "de", "Other costs", "Alles", "1000")
    if last_euro:
        assert chat.replies[0].text == _("Added. The total is now {total}.").format(
            total="1.000,00\xa0€"
        )
    else:
        assert chat.replies[0].text == _(
            "That is {over_by} more than the {remaining} still left in this round."
        ).format(over_by="0,01\xa0€", remaining="999,99\xa0€")


async def test_two_staff_approving_at_once_never_overspend_the_pot(app: App) -> None:
    """Two applications of 600 EUR, a pot of 1,000 EUR, two staff members at the same moment."""
    await submitted(app, "de", "v1", amount="600")
    await submitted(app, "de", "v2", amount="600")
    await staff_member(app)
    async with app.database.transaction() as session:
        await session.execute(update(FundingRound).values(pot_cents=100_000))
        ids = (await session.scalars(select(Application.id).order_by(Application.id))).all()
        staff_id = await session.scalar(
            select(ChannelIdentity.user_id).where(ChannelIdentity.external_id == "admin")
        )
        assert staff_id is not None

    async def approve(application_id: int) -> str:
        async with app.database.transaction() as session:
            desk = GrantDesk(
                session,
                actor_user_id=staff_id,
                actor_is_staff=True,
                now=app.clock.now(),
                tz=app.settings.tz,
            )
            try:
                await desk.decide(application_id, kind="approve")
            except GrantRuleError as error:
                return error.code
            await asyncio.sleep(0.05)  # hold the lock a moment, as a slow turn would
            return "approved"

    outcomes = await asyncio.gather(approve(ids[0]), approve(ids[1]))
    assert sorted(outcomes) == ["approved", "over_pot"]
    async with app.database.transaction() as session:
        approved = (
            await session.scalars(
                select(Application.approved_cents).where(Application.status == "approved")
            )
        ).all()
        assert approved == [60_000]


async def sent_back(app: App, staff: Chat, locale: str, address: str) -> Chat:
    """An application of 500 EUR for 5 to 19 December 2026 that staff sent back for changes."""
    applicant = await submitted(app, locale, address)
    await staff.send("/review")
    await staff.press(staff.labels[0])
    await staff.press(gettext(app, "en")("Ask for changes"))
    await staff.send("Bitte den Raum genauer angeben")
    applicant.channel.take(address)
    return applicant


async def test_an_application_sent_back_after_its_round_closed_moves_to_the_open_round(
    app: App, clock: FakeClock
) -> None:
    staff = await staff_member(app)
    applicant = await sent_back(app, staff, "de", "v-de")
    de = gettext(app, "de")
    t = app.catalogs.translator("de")
    clock._now = datetime(2027, 1, 12, 9, 0, tzinfo=UTC)  # the 2026 round has closed
    async with app.database.transaction() as session:
        new_round = await create_round(
            session,
            name="Mikroprojekte 2027",
            pot_cents=500_000,
            cap_cents=40_000,
            opens_on=date(2027, 1, 1),
            closes_on=date(2027, 12, 31),
            now=clock.now(),
        )
        new_round_id = new_round.id

    await applicant.send("/apply")
    await applicant.press(de("Continue"))
    await applicant.press(de("Continue"))
    await applicant.press(de("I confirm all three and submit"))
    assert applicant.replies[0].text == de("That date has already passed.")
    await applicant.send(t.format_short_date(date(2027, 2, 6)))
    assert applicant.text.startswith(de("When does the project end?"))
    await applicant.send(t.format_short_date(date(2027, 2, 20)))
    await applicant.press(de("Continue"))
    await applicant.press(de("I confirm all three and submit"))
    assert applicant.replies[0].text == de(  # the cap of the new round
        "That is {over_by} more than the {cap} an application may ask for."
    ).format(over_by=t.format_money(10_000), cap=t.format_money(40_000))
    await applicant.press(de("Remove an item"))
    await applicant.press(next(label for label in applicant.labels if "Saal" in label))
    await applicant.press(de("Room costs for joint events"))
    await applicant.send("Saal")
    await applicant.send("400")
    await applicant.press(de("The cost plan is complete"))
    await applicant.press(de("Continue"))
    await applicant.press(de("I confirm all three and submit"))
    assert "MP-2026-0001" in applicant.replies[0].text
    async with app.database.transaction() as session:
        application = await session.scalar(select(Application))
        assert application is not None
        assert (application.status, application.round_id) == ("submitted", new_round_id)


async def test_an_application_sent_back_can_be_withdrawn(app: App, clock: FakeClock) -> None:
    staff = await staff_member(app)
    applicant = await sent_back(app, staff, "de", "v-de")
    de = gettext(app, "de")
    clock._now = datetime(2027, 1, 12, 9, 0, tzinfo=UTC)  # closed, and no round open
    await applicant.send("/apply")
    await applicant.press(de("Withdraw the application"))
    assert applicant.text == de(
        "Do you really want to withdraw the application “{title}”? This cannot be undone."
    ).format(title="Deutsch-Café")
    await applicant.press(de("Back"))
    await applicant.press(de("Withdraw the application"))
    await applicant.press(de("Yes, withdraw it"))
    assert applicant.replies[0].text == de(
        "Your application {reference} has been withdrawn."
    ).format(reference="MP-2026-0001")
    assert applicant.replies[1].text == de("There is no open funding round at the moment.")
    await applicant.send("/myapplications")
    assert de("withdrawn") in applicant.text and "MP-2026-0001" in applicant.text
    await applicant.send("/apply")
    assert applicant.replies[0].text == de("There is no open funding round at the moment.")

    await staff.send("/stats")
    assert "€0.00 approved" in staff.text
    await staff.send("/export")
    document = staff.replies[-1].document
    assert document is not None
    rows = list(csv.reader(io.StringIO(document.content.decode("utf-8-sig")), delimiter=";"))
    assert dict(zip(rows[0], rows[1], strict=True))["Status"] == "withdrawn"
    async with app.database.transaction() as session:
        actions = (await session.scalars(select(AuditEntry.action))).all()
        assert "application.withdraw" in actions
