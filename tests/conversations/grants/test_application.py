"""The micro-grant wizard as transcripts: every question, every validation, drafts, the summary."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select, update

from bot.app import App
from bot.db.models import Application
from conversations import limits
from conversations.messages import InboundKind
from tests.chat import Chat
from tests.conftest import FakeClock
from tests.conversations.people.test_onboarding import gettext, onboard

LANGUAGE = {"de": "Deutsch", "en": "English", "ar": "العربية"}


async def volunteer(app: App, locale: str, address: str = "v1") -> Chat:
    chat = Chat(app, address, language_code=locale, display_name="Vera")
    await onboard(chat, LANGUAGE[locale], locale)
    return chat


async def fill_until_counts(chat: Chat, locale: str) -> None:
    """/apply answered up to the question how many volunteers take part."""
    _ = gettext(chat.app, locale)
    await chat.send("/apply")
    await chat.press(_("Start the application"))
    await chat.send("Vera Schulz")
    await chat.press(_("No, as a private person"))
    await chat.send("vera@example.org")
    await chat.press("Parchim")
    await chat.send("Deutsch-Café")
    await chat.send("Wöchentliches Treffen zum Deutschsprechen für neue Nachbarn in Parchim.")
    await chat.press(_("Language help"))
    await chat.press(_("Done"))


async def fill_until_costs(chat: Chat, locale: str) -> None:
    await fill_until_counts(chat, locale)
    await chat.send("4")
    await chat.send("20")
    await chat.press(next(label for label in chat.labels if label.endswith("▶")))
    await chat.press(chat.app.catalogs.translator(locale).format_day(date(2026, 12, 5)))
    await chat.press(chat.app.catalogs.translator(locale).format_day(date(2026, 12, 19)))


async def add_item(chat: Chat, locale: str, category: str, what: str, amount: str) -> None:
    _ = gettext(chat.app, locale)
    await chat.press(_(category))
    await chat.send(what)
    await chat.send(amount)


@pytest.mark.parametrize("locale", ["de", "en", "ar"])
async def test_the_whole_wizard_with_every_validation(app: App, locale: str) -> None:
    _ = gettext(app, locale)
    t = app.catalogs.translator(locale)
    chat = await volunteer(app, locale)

    await chat.send("/apply")
    assert t.format_money(100_000) in chat.text and t.format_money(1_000_000) in chat.text
    await chat.press(_("Start the application"))
    hint = limits.limit_hint(t, limits.PERSON_NAME)
    assert chat.text == _("What is your name (first and last name)?") + "\n" + hint
    assert "200" in hint

    await chat.send("V")
    assert chat.replies[0].text == limits.too_short(t, limits.PERSON_NAME)
    assert "2" in chat.replies[0].text
    assert chat.replies[1].text.startswith(_("What is your name (first and last name)?"))
    await chat.send("W" * 201)
    assert chat.replies[0].text == limits.too_long(t, limits.PERSON_NAME, 201)
    assert "200" in chat.replies[0].text and "201" in chat.replies[0].text
    assert chat.replies[1].text.startswith(_("What is your name (first and last name)?"))
    await chat.send("Vera <Schulz> & Co")
    await chat.press(_("No, as a private person"))

    await chat.send("not an address")
    assert chat.replies[0].text == _(
        "That is neither an e-mail address (like name@example.org) nor a phone number (like "
        "0385 1234567)."
    )
    await chat.send("+49 385 123456")
    await chat.press("Parchim")
    await chat.send("Deutsch-Café")
    await chat.send("too short")
    assert chat.replies[0].text == limits.too_short(t, limits.PROJECT_DESCRIPTION)
    await chat.send("Wöchentliches Treffen zum Deutschsprechen für neue Nachbarn.")

    assert chat.labels == [
        _(label)
        for label in (
            "Language help",
            "School system",
            "Official documents",
            "Taking part in social life",
            "Other topic",
            "Back",
        )
    ]
    await chat.press(_("Language help"))
    await chat.press(_("Taking part in social life"))
    assert chat.labels[0] == "✓ " + _("Language help")
    await chat.press("✓ " + _("Taking part in social life"))  # tapped again: off
    await chat.press(_("Done"))

    await chat.send("many")
    assert chat.replies[0].text == _("Please write a whole number, like 12.")
    await chat.send("٤" if locale == "ar" else "4")
    await chat.send("20")

    await chat.send("2026-11-01")
    assert chat.replies[0].text == _("That date has already passed.")
    await chat.send("soon")
    assert chat.replies[0].text == _(
        "I could not read that date. Please write it like {example}."
    ).format(example=t.format_short_date(date(2026, 11, 24)))
    await chat.send(t.format_short_date(date(2026, 12, 5)))
    assert chat.text.startswith(_("When does the project end?"))
    await chat.send("2027-01-10")
    assert chat.replies[0].text.startswith(
        _("The project must take place within the funding round.")
    )
    await chat.send("2026-12-04")
    assert chat.replies[0].text == _("The end cannot be before the start.")
    await chat.press(t.format_day(date(2026, 12, 19)))
    assert chat.text.startswith(_("<b>Cost plan</b>").replace("<b>", "").replace("</b>", ""))

    await add_item(chat, locale, "Room costs for joint events", "Raummiete", "abc")
    assert chat.replies[0].text == _(
        "I could not read that amount. Please write it like {example}."
    ).format(example=t.format_money(12550))
    await chat.send("1.200,00" if locale == "de" else "1,200.00")
    assert chat.replies[0].text == _(
        "That is {over_by} more than the {cap} an application may ask for."
    ).format(over_by=t.format_money(20_000), cap=t.format_money(100_000))
    await chat.send("300")
    assert chat.replies[0].text == _("Added. The total is now {total}.").format(
        total=t.format_money(30_000)
    )
    await add_item(
        chat,
        locale,
        "Materials for German lessons",
        "Bücher",
        "150,50" if locale == "de" else "150.50",
    )
    assert t.format_money(45_050) in chat.text
    await chat.press(_("Remove an item"))
    await chat.press(next(label for label in chat.labels if "Raummiete" in label))
    assert chat.replies[0].text == _("The item has been removed.")
    await chat.press(_("The cost plan is complete"))

    assert "Vera &lt;Schulz&gt; &amp; Co" in chat.replies[0].text  # typed text is escaped
    assert t.format_money(15_050) in chat.text
    await chat.press(_("Continue"))
    await chat.press(_("I confirm all three and submit"))
    assert chat.replies[0].text == _(
        "Thank you! Your application {reference} has been submitted. The district office will "
        "review it, and you will get the decision here."
    ).format(reference="MP-2026-0001")

    async with app.database.transaction() as session:
        application = await session.scalar(select(Application))
        assert application is not None
        assert (application.status, application.applicant_name, application.contact) == (
            "submitted",
            "Vera <Schulz> & Co",
            "+49 385 123456",
        )
        assert application.topics == ["language"]
        assert [(i.category, i.amount_cents) for i in application.items] == [("materials", 15050)]


async def test_a_part_is_changed_from_the_summary_without_retyping_the_rest(app: App) -> None:
    _ = gettext(app, "en")
    chat = await volunteer(app, "en")
    await fill_until_costs(chat, "en")
    await add_item(chat, "en", "Travel for joint excursions", "Bus to Schwerin", "200")
    await chat.press(_("The cost plan is complete"))
    await chat.press("✎ " + _("Title"))
    assert _("Now: {value}").format(value="Deutsch-Café") in chat.text
    await chat.send("Sprachcafé Parchim")
    assert "Sprachcafé Parchim" in chat.text and "Vera Schulz" in chat.text
    await chat.press("✎ " + _("Contact"))
    await chat.press(_("Keep it"))
    assert "vera@example.org" in chat.text
    await chat.press(_("Continue"))
    await chat.press(_("I confirm all three and submit"))
    assert "MP-2026-0001" in chat.text


async def test_a_draft_survives_cancel_stickers_commands_and_can_be_continued(app: App) -> None:
    _ = gettext(app, "en")
    chat = await volunteer(app, "en")
    await chat.send("/apply")
    await chat.press(_("Start the application"))
    await chat.send("Vera Schulz")
    await chat.send_kind(InboundKind.STICKER)
    assert chat.replies[-1].text.startswith(_("Do you apply for an initiative"))
    await chat.send("/cancel")
    await chat.send("/help")
    await chat.send("/apply")
    assert chat.text.startswith(_("You have an unfinished application"))
    await chat.press(_("Continue"))
    assert chat.text.startswith(_("Do you apply for an initiative"))  # never answered
    await chat.send("/apply")
    await chat.press(_("Discard it and start again"))
    assert chat.replies[0].text == _("The draft has been discarded.")
    async with app.database.transaction() as session:
        assert (await session.scalars(select(Application))).all() == []


@pytest.mark.parametrize(
    ("amount", "accepted"), [("1000", True), ("1000,01", False), ("999,99", True)]
)
async def test_the_cap_edge(app: App, amount: str, accepted: bool) -> None:
    _ = gettext(app, "de")
    chat = await volunteer(app, "de")
    await fill_until_costs(chat, "de")
    await add_item(chat, "de", "Other costs", "Alles", amount)
    if accepted:
        assert chat.replies[0].text == _("Added. The total is now {total}.").format(
            total=app.catalogs.translator("de").format_money(
                100_000 if amount == "1000" else 99_999
            )
        )
    else:
        t = app.catalogs.translator("de")
        assert chat.replies[0].text == _(
            "That is {over_by} more than the {cap} an application may ask for."
        ).format(over_by=t.format_money(1), cap=t.format_money(100_000))


async def test_a_resumed_draft_asks_the_questions_it_never_asked(app: App) -> None:
    _ = gettext(app, "en")
    region = _("In which region will the project take place?")
    chat = await volunteer(app, "en")
    await chat.send("/apply")
    await chat.press(_("Start the application"))
    await chat.send("Vera Schulz")
    await chat.press(_("No, as a private person"))
    await chat.send("/cancel")
    await chat.send("/apply")
    await chat.press(_("Continue"))
    assert chat.text.startswith(_("How can the district office reach you?"))  # answered: private
    await chat.send("vera@example.org")
    assert chat.text == region
    assert _("Not sure yet") not in chat.labels  # a project takes place in one of the regions
    await chat.send("/cancel")
    await chat.send("/apply")
    await chat.press(_("Continue"))
    assert chat.text == region
    await chat.press("Parchim")
    assert chat.text.startswith(_("What is the project called? A short title is enough."))


async def to_the_summary(chat: Chat, locale: str) -> None:
    await fill_until_costs(chat, locale)
    await add_item(chat, locale, "Room costs for joint events", "Saal", "500")
    await chat.press(gettext(chat.app, locale)("The cost plan is complete"))


async def test_an_application_without_a_region_is_not_submitted(app: App) -> None:
    _ = gettext(app, "en")
    chat = await volunteer(app, "en")
    await to_the_summary(chat, "en")
    async with app.database.transaction() as session:  # a draft from before regions were required
        await session.execute(update(Application).values(region_id=None))
    await chat.press(_("Continue"))
    await chat.press(_("I confirm all three and submit"))
    assert chat.replies[0].text == _("Some answers are still missing.")
    assert chat.replies[1].text == _("In which region will the project take place?")
    await chat.press("Ludwigslust")
    assert "Ludwigslust" in chat.text  # back at the summary
    await chat.press(_("Continue"))
    await chat.press(_("I confirm all three and submit"))
    assert "MP-2026-0001" in chat.replies[0].text


async def test_the_dates_are_checked_again_at_submission(app: App, clock: FakeClock) -> None:
    _ = gettext(app, "en")
    t = app.catalogs.translator("en")
    chat = await volunteer(app, "en")
    await to_the_summary(chat, "en")  # from 5 to 19 December
    clock.advance(days=13)  # 7 December: the start has passed
    await chat.press(_("Continue"))
    await chat.press(_("I confirm all three and submit"))
    assert chat.replies[0].text == _("That date has already passed.")
    assert chat.replies[1].text.startswith(_("When does the project start?"))
    await chat.send(t.format_short_date(date(2026, 12, 10)))
    assert "Vera Schulz" in chat.text  # the end still fits: back at the summary
    await chat.press(_("Continue"))
    await chat.press(_("I confirm all three and submit"))
    assert "MP-2026-0001" in chat.replies[0].text
    async with app.database.transaction() as session:
        application = await session.scalar(select(Application))
        assert application is not None
        assert (application.starts_on, application.ends_on) == (
            date(2026, 12, 10),
            date(2026, 12, 19),
        )
