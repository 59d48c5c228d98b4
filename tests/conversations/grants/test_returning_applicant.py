"""A returning applicant is offered the name and contact of their last submitted application;
typing still works, and nobody else's answers are ever offered."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import App
from bot.db.models import Application
from conversations.grants.steps import PREVIOUS
from tests.conversations.grants.test_application import volunteer
from tests.conversations.grants.test_review import submitted
from tests.conversations.people.test_onboarding import gettext


async def drafts(app: App) -> list[Application]:
    async with app.database.transaction() as session:
        return list(await session.scalars(select(Application).order_by(Application.id)))


async def test_name_and_contact_of_the_last_application_are_offered(app: App) -> None:
    _ = gettext(app, "de")
    chat = await submitted(app, "de", "v1")  # as Vera Schulz, vera@example.org
    await chat.send("/apply")
    await chat.press(_("Start the application"))
    assert chat.text.startswith(_("What is your name (first and last name)?"))
    assert next(c for c in chat.choices if c.data == PREVIOUS).label == "Vera Schulz"
    await chat.press("Vera Schulz")
    assert chat.text.startswith(
        _("Do you apply for an initiative or organisation? Then write its name.")
    )
    await chat.press(_("No, as a private person"))
    assert next(c for c in chat.choices if c.data == PREVIOUS).label == "vera@example.org"
    await chat.send("0385 1234567")  # typed: a new contact this time
    assert chat.text.startswith(_("In which region will the project take place?"))

    new = (await drafts(app))[-1]
    assert new.status == "draft"
    assert (new.applicant_name, new.contact) == ("Vera Schulz", "0385 1234567")


async def test_the_latest_submission_is_offered_and_a_long_name_is_shortened(app: App) -> None:
    _ = gettext(app, "en")
    chat = await submitted(app, "en", "v1")
    long_name = "Wilhelmine Auguste Friederike von Schwerin-Ludwigslust-Parchim"
    async with app.database.transaction() as session:
        first = await session.scalar(select(Application))
        assert first is not None
        first.applicant_name = long_name
    await chat.send("/apply")
    await chat.press(_("Start the application"))
    [offered] = [c for c in chat.choices if c.data == PREVIOUS]
    assert len(offered.label) == 40 and offered.label.endswith("…")
    assert long_name.startswith(offered.label[:-1])
    await chat.press(offered.label)
    assert (await drafts(app))[-1].applicant_name == long_name  # the whole name, not the label


async def test_a_first_time_applicant_is_offered_nothing(app: App) -> None:
    _ = gettext(app, "en")
    await submitted(app, "en", "other")  # someone else's application
    chat = await volunteer(app, "en", "v2")
    await chat.send("/apply")
    await chat.press(_("Start the application"))
    assert not [c for c in chat.choices if c.data == PREVIOUS]
    assert "Vera" not in " ".join(chat.labels)
    await chat.press_data(PREVIOUS)  # a forged button: nothing to take
    assert (await drafts(app))[-1].applicant_name is None
