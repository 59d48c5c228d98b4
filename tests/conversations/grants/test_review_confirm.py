"""The last look before a decision on money: approving and rejecting ask once, say what will
happen (the amount, the project, the applicant, what the pot keeps), and "back" does nothing."""

from __future__ import annotations

from sqlalchemy import select, update

from bot.app import App
from bot.db.models import Application, Decision, FundingRound
from tests.chat import Chat
from tests.conversations.grants.test_review import staff_member, submitted
from tests.conversations.grants.test_review_own import make_staff
from tests.conversations.people.test_onboarding import gettext, onboard

APPROVE = "Approve {amount} for “{title}” from {name}? The pot keeps {remaining}."
REJECT = "Reject “{title}” from {name}? They will read this reason:\n{reason}"


async def status_and_decisions(app: App) -> tuple[str, int]:
    async with app.database.transaction() as session:
        status = await session.scalar(select(Application.status))
        decisions = len((await session.scalars(select(Decision))).all())
    assert status is not None
    return status, decisions


async def opened(staff: Chat) -> None:
    await staff.send("/review")
    await staff.press(staff.labels[0])


async def test_approving_asks_once_with_amount_project_applicant_and_the_pot_left(
    app: App,
) -> None:
    staff = await staff_member(app)
    applicant = await submitted(app, "ar", "v-ar")
    async with app.database.transaction() as session:
        await session.execute(update(Application).values(applicant_name="Vera <Schulz> & Co"))
    en = gettext(app, "en")
    await opened(staff)
    await staff.press(en("Approve {amount}").format(amount="€500.00"))
    [question] = staff.replies
    assert question.text == en(APPROVE).format(
        amount="€500.00",
        title="Deutsch-Café",
        name="Vera &lt;Schulz&gt; &amp; Co",
        remaining="€9,500.00",
    )
    assert staff.labels == [en("Yes, approve"), en("No, back")]
    assert await status_and_decisions(app) == ("submitted", 0)
    applicant.channel.take("v-ar")

    await staff.press(en("No, back"))  # the decision screen again, nothing done
    assert "Deutsch-Café" in staff.text
    assert en("Approve {amount}").format(amount="€500.00") in staff.labels
    assert await status_and_decisions(app) == ("submitted", 0)
    assert applicant.channel.take("v-ar") == []

    await staff.press(en("Approve {amount}").format(amount="€500.00"))
    await staff.press(en("Yes, approve"))
    assert staff.replies[0].text == en(
        "{reference} is approved with {amount}. The applicant has been told."
    ).format(reference="MP-2026-0001", amount="€500.00")
    assert await status_and_decisions(app) == ("approved", 1)
    assert len(applicant.channel.take("v-ar")) == 1


async def test_a_lower_amount_in_german_is_repeated_in_the_staff_members_locale(app: App) -> None:
    await submitted(app, "en", "v-en")
    stefan = Chat(app, "staff-de", language_code="de", display_name="Stefan")
    await make_staff(app, "staff-de")
    await onboard(stefan, "Deutsch", "de", role="I work for the district office")
    de = gettext(app, "de")
    t = app.catalogs.translator("de")
    await opened(stefan)
    await stefan.press(de("Approve a lower amount"))
    await stefan.send("450")
    assert stefan.replies[0].text == de(APPROVE).format(
        amount=t.format_money(45_000),
        title="Deutsch-Café",
        name="Vera Schulz",
        remaining=t.format_money(955_000),
    )
    assert "450,00" in stefan.replies[0].text and "9.550,00" in stefan.replies[0].text
    await stefan.press(de("Yes, approve"))
    assert await status_and_decisions(app) == ("approved", 1)
    async with app.database.transaction() as session:
        assert await session.scalar(select(Application.approved_cents)) == 45_000


async def test_an_amount_over_what_is_left_is_refused_before_the_last_look(app: App) -> None:
    staff = await staff_member(app)
    await submitted(app, "de", "v-de")
    async with app.database.transaction() as session:
        await session.execute(update(FundingRound).values(pot_cents=30_000))
    en = gettext(app, "en")
    await opened(staff)
    await staff.press(en("Approve {amount}").format(amount="€500.00"))
    assert staff.replies[0].text == en(
        "That is {over_by} more than the {remaining} still left in this round."
    ).format(over_by="€200.00", remaining="€300.00")
    assert en("Yes, approve") not in staff.labels


async def test_an_approval_confirmed_after_the_pot_ran_out_is_refused_by_the_service(
    app: App,
) -> None:
    staff = await staff_member(app)
    await submitted(app, "de", "v-de")
    en = gettext(app, "en")
    await opened(staff)
    await staff.press(en("Approve {amount}").format(amount="€500.00"))
    assert en("Yes, approve") in staff.labels
    async with app.database.transaction() as session:  # meanwhile, the pot shrinks
        await session.execute(update(FundingRound).values(pot_cents=30_000))
    await staff.press(en("Yes, approve"))
    assert staff.replies[0].text == en(
        "That is {over_by} more than the {remaining} still left in this round."
    ).format(over_by="€200.00", remaining="€300.00")
    assert await status_and_decisions(app) == ("submitted", 0)
    assert en("Approve a lower amount") in staff.labels  # back at the decision


async def test_rejecting_repeats_the_reason_and_back_sends_nothing(app: App) -> None:
    staff = await staff_member(app)
    applicant = await submitted(app, "de", "v-de")
    applicant.channel.take("v-de")
    en = gettext(app, "en")
    await opened(staff)
    await staff.press(en("Reject"))
    await staff.send("Leider <ausgeschöpft>")
    assert staff.replies[0].text == en(REJECT).format(
        title="Deutsch-Café", name="Vera Schulz", reason="Leider &lt;ausgeschöpft&gt;"
    )
    assert staff.labels == [en("Yes, reject"), en("No, back")]
    await staff.press(en("No, back"))
    assert en("Reject") in staff.labels
    assert await status_and_decisions(app) == ("submitted", 0)
    assert applicant.channel.take("v-de") == []

    await staff.press(en("Reject"))
    await staff.send("Leider ausgeschöpft")
    await staff.press(en("Yes, reject"))
    assert await status_and_decisions(app) == ("rejected", 1)
    [rejection] = applicant.channel.take("v-de")
    assert "Leider ausgeschöpft" in rejection.text


async def test_a_second_press_of_the_old_approve_button_does_not_confirm(app: App) -> None:
    staff = await staff_member(app)
    await submitted(app, "de", "v-de")
    en = gettext(app, "en")
    await opened(staff)
    await staff.press(en("Approve {amount}").format(amount="€500.00"))
    await staff.press_data("decide:approve")  # a double tap on the decision screen
    assert staff.replies[0].text == en(
        "That button belongs to an earlier question. Please answer this one:"
    )
    assert await status_and_decisions(app) == ("submitted", 0)
