"""Nobody decides on their own application or report: not a member of staff who applied, not an
administrator; another member of staff or an administrator does."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from bot.app import App
from bot.db.models import Application, ChannelIdentity, Decision, GrantReport
from bot.services.grants.applications import GrantDesk
from bot.services.grants.reports import ReportDesk
from bot.services.people.users import set_staff
from conversations.grants.ports import GrantRuleError
from tests.chat import Chat
from tests.conversations.grants.test_application import LANGUAGE, add_item, fill_until_costs
from tests.conversations.grants.test_report import approved
from tests.conversations.grants.test_review import staff_member, submitted
from tests.conversations.people.test_onboarding import gettext, onboard

YOURS = "Yours: {reference} “{title}”. Another member of staff or an administrator must decide it."
YOUR_REPORT = (
    "Your report on {reference}: another member of staff or an administrator must check it."
)


async def make_staff(app: App, address: str, *, staff: bool = True) -> None:
    """What `python -m bot staff add|remove memory:<address>` does."""
    async with app.database.transaction() as session:
        await set_staff(
            session,
            channel="memory",
            external_id=address,
            staff=staff,
            actor="cli",
            default_locale="de",
            now=datetime.now(UTC),
        )


async def user_id(app: App, address: str) -> int:
    async with app.database.transaction() as session:
        found = await session.scalar(
            select(ChannelIdentity.user_id).where(ChannelIdentity.external_id == address)
        )
    assert found is not None
    return found


async def decide_as(app: App, address: str, kind: str) -> str:
    """A decision straight through the grant service, as a forged turn would ask for it."""
    async with app.database.transaction() as session:
        desk = GrantDesk(
            session,
            actor_user_id=await user_id(app, address),
            actor_is_staff=True,
            now=app.clock.now(),
            tz=app.settings.tz,
        )
        application_id = await session.scalar(select(Application.id))
        assert application_id is not None
        try:
            await desk.decide(
                application_id, kind=kind, reason="Passt" if kind != "approve" else None
            )
        except GrantRuleError as error:
            return error.code
        return "decided"


async def status_and_decisions(app: App) -> tuple[str, int]:
    async with app.database.transaction() as session:
        status = await session.scalar(select(Application.status))
        decisions = await session.scalar(select(func.count()).select_from(Decision))
    assert status is not None and decisions is not None
    return status, decisions


@pytest.mark.parametrize("kind", ["approve", "changes", "reject"])
async def test_a_staff_member_who_applied_cannot_decide_and_is_told_who_does(
    app: App, kind: str
) -> None:
    vera = await submitted(app, "de", "v-de")
    await make_staff(app, "v-de")
    de = gettext(app, "de")
    await vera.send("/review")
    assert vera.text.splitlines() == [
        de("No applications or reports are waiting for you."),
        de(YOURS).format(reference="MP-2026-0001", title="Deutsch-Café"),
    ]
    assert vera.labels == [de("Main menu")]  # nothing of her own to press
    for data in ("open:1", "decide:approve", f"decide:{kind}"):
        await vera.press_data(data)
        assert vera.replies[0].text == de(
            "That button belongs to an earlier question. Please answer this one:"
        )
    assert await decide_as(app, "v-de", kind) == "own_application"
    assert await status_and_decisions(app) == ("submitted", 0)

    petra = await staff_member(app)  # an administrator decides
    en = gettext(app, "en")
    await petra.send("/review")
    await petra.press(petra.labels[0])
    await petra.press(en("Approve {amount}").format(amount="€500.00"))
    await petra.press(en("Yes, approve"))
    assert await status_and_decisions(app) == ("approved", 1)


async def test_an_administrator_cannot_decide_their_own_application_either(app: App) -> None:
    petra = Chat(app, "admin", language_code="en", display_name="Petra")
    await submitted_by(petra)
    en = gettext(app, "en")
    await petra.send("/review")
    assert en(YOURS).format(reference="MP-2026-0001", title="Deutsch-Café") in petra.text
    assert await decide_as(app, "admin", "approve") == "own_application"

    stefan = Chat(app, "staff-2", language_code="en", display_name="Stefan")
    await make_staff(app, "staff-2")
    await onboard(stefan, "English", "en", role="I work for the district office")
    await stefan.send("/review")
    await stefan.press(stefan.labels[0])
    await stefan.press(en("Reject"))
    await stefan.send("Bitte im nächsten Jahr erneut")
    await stefan.press(en("Yes, reject"))
    assert await status_and_decisions(app) == ("rejected", 1)


async def submitted_by(chat: Chat) -> None:
    """`chat`'s person sets up as a volunteer and submits an application of 500 EUR."""
    _ = gettext(chat.app, "en")
    await onboard(chat, LANGUAGE["en"], "en")
    await fill_until_costs(chat, "en")
    await add_item(chat, "en", "Room costs for joint events", "Saal", "500")
    await chat.press(_("The cost plan is complete"))
    await chat.press(_("Continue"))
    await chat.press(_("I confirm all three and submit"))
    chat.channel.take(chat.address)


async def test_a_staff_member_cannot_check_their_own_report(app: App) -> None:
    vera, petra = await approved(app, "de", "v-de")
    de, en = gettext(app, "de"), gettext(app, "en")
    await vera.send("/report")
    await vera.send("5")
    await vera.send("42")
    await vera.send("Acht Treffen im Gemeindesaal, im Schnitt 15 Gäste aus 6 Ländern.")
    await vera.send("480,50")
    await vera.send_file("rechnung.pdf", 120_000)
    await vera.press(de("All receipts are sent"))
    await vera.press(de("Submit the report"))
    await make_staff(app, "v-de")

    await vera.send("/review")
    assert de(YOUR_REPORT).format(reference="MP-2026-0001") in vera.text
    assert vera.labels == [de("Main menu")]
    for data in ("report:1", "checked:accept", "checked:more"):
        await vera.press_data(data)
    async with app.database.transaction() as session:
        desk = ReportDesk(
            session,
            actor_user_id=await user_id(app, "v-de"),
            actor_is_staff=True,
            now=app.clock.now(),
            tz=app.settings.tz,
        )
        with pytest.raises(GrantRuleError) as refused:
            await desk.decide_report(1, accept=True)
        assert refused.value.code == "own_report"
    async with app.database.transaction() as session:
        assert await session.scalar(select(GrantReport.status)) == "submitted"

    await petra.send("/review")
    await petra.press(en("Report {reference}").format(reference="MP-2026-0001"))
    await petra.press(en("Accept the report"))
    async with app.database.transaction() as session:
        assert await session.scalar(select(GrantReport.status)) == "accepted"


async def test_staff_removed_while_deciding_are_refused_at_the_press(app: App) -> None:
    await submitted(app, "de", "v-de")
    stefan = Chat(app, "staff-2", language_code="en", display_name="Stefan")
    await make_staff(app, "staff-2")
    await onboard(stefan, "English", "en", role="I work for the district office")
    en = gettext(app, "en")
    await stefan.send("/review")
    await stefan.press(stefan.labels[0])
    assert "Deutsch-Café" in stefan.text
    await make_staff(app, "staff-2", staff=False)
    await stefan.press(en("Approve {amount}").format(amount="€500.00"))
    assert stefan.replies[0].text == en("Sorry, only staff of the district office can do that.")
    assert "Deutsch-Café" not in stefan.text
    assert await status_and_decisions(app) == ("submitted", 0)
