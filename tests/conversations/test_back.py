"""Back in the wizards as transcripts: the Back button under each question after the first, the
Back word typed alone in any language, never an answer, and across a restart."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from bot.app import App
from bot.db.models import Application, Conversation
from bot.services.people import users
from tests.chat import Chat
from tests.conftest import FakeClock
from tests.conversations.grants.test_application import add_item, volunteer
from tests.conversations.grants.test_report import approved
from tests.conversations.grants.test_review import staff_member
from tests.conversations.people.test_onboarding import gettext

FIRST = "This is the first question; there is no earlier one to go back to."


async def titles(app: App) -> list[str | None]:
    async with app.database.transaction() as session:
        return list(await session.scalars(select(Application.title)))


async def until_title(chat: Chat) -> None:
    _ = gettext(chat.app, chat.language_code or "de")
    await chat.send("/apply")
    assert _("Back") not in chat.labels  # the first question
    await chat.press(_("Start the application"))
    await chat.send("Vera Schulz")
    await chat.press(_("No, as a private person"))
    await chat.send("vera@example.org")
    await chat.press("Parchim")


async def after_title(chat: Chat) -> None:
    """From the description to the summary."""
    _ = gettext(chat.app, "de")
    t = chat.app.catalogs.translator("de")
    await chat.send("Wöchentliches Treffen zum Deutschsprechen für neue Nachbarn in Parchim.")
    await chat.press(_("Language help"))
    await chat.press(_("Done"))
    await chat.send("4")
    await chat.send("20")
    await chat.press(next(label for label in chat.labels if label.endswith("▶")))
    await chat.press(t.format_day(date(2026, 12, 5)))
    await chat.press(t.format_day(date(2026, 12, 19)))
    await add_item(chat, "de", "Room costs for joint events", "Saalmiete", "300")
    await chat.press(_("The cost plan is complete"))


async def test_typed_zurueck_goes_back_and_is_never_the_title(app: App) -> None:
    _ = gettext(app, "de")
    chat = await volunteer(app, "de")
    await until_title(chat)
    title = _("What is the project called? A short title is enough.")
    region = _("In which region will the project take place?")
    assert chat.text.startswith(title)
    assert chat.labels[-1] == _("Back")

    await chat.send("zurück")  # the issue: this was saved as the title
    assert chat.text.startswith(region)
    assert await titles(app) == [None]
    await chat.press("Parchim")
    assert chat.text.startswith(title)

    await chat.send("Deutsch-Cafe")
    await chat.send("  Zurück! ")  # any case, with spaces and punctuation around
    assert chat.text.startswith(title)
    await chat.send("Sprachcafé Parchim")
    await chat.press(_("Back"))  # the button, from the description
    assert chat.text.startswith(title)
    await chat.send("Sprachcafé am Markt")

    await after_title(chat)
    assert _("Draft") + ": Sprachcafé am Markt" in chat.text
    assert await titles(app) == ["Sprachcafé am Markt"]


@pytest.mark.parametrize("word", ["back", "رجوع", "عودة", "الرجوع", "بازگشت", "برگشت", "назад"])
async def test_the_back_word_of_every_language_is_back(app: App, word: str) -> None:
    _ = gettext(app, "de")
    chat = await volunteer(app, "de")
    await until_title(chat)
    await chat.send(word)
    assert chat.text.startswith(_("In which region will the project take place?"))
    assert await titles(app) == [None]


async def test_a_longer_text_with_the_word_is_an_answer(app: App) -> None:
    chat = await volunteer(app, "de")
    await until_title(chat)
    await chat.send("Zurück ins Leben")
    assert await titles(app) == ["Zurück ins Leben"]


async def test_back_from_a_change_returns_to_the_summary(app: App) -> None:
    _ = gettext(app, "de")
    chat = await volunteer(app, "de")
    await until_title(chat)
    await chat.send("Sprachcafé")
    await after_title(chat)
    summary = _("Is everything right? Tap a part to change it, or continue.")
    assert summary in chat.text
    assert _("Back") in chat.labels  # back to the cost plan

    await chat.press("✎ " + _("Title"))
    assert _("Now: {value}").format(value="Sprachcafé") in chat.text
    await chat.press(_("Back"))
    assert summary in chat.text
    await chat.press("✎ " + _("Title"))
    await chat.send("zurück")
    assert summary in chat.text
    assert await titles(app) == ["Sprachcafé"]

    await chat.press(_("Continue"))
    assert _("Back") not in chat.labels  # the confirmation has its own way back
    await chat.send("Zurück")  # is that way
    assert summary in chat.text


async def test_back_at_the_start_keeps_the_draft(app: App) -> None:
    _ = gettext(app, "de")
    chat = await volunteer(app, "de")
    await chat.send("/apply")
    await chat.press(_("Start the application"))
    await chat.send("Vera Schulz")
    await chat.press(_("Back"))  # to the name
    await chat.press(_("Back"))  # to the introduction
    assert _("Start the application") in chat.labels
    await chat.press(_("Start the application"))
    assert len(await titles(app)) == 1
    await chat.send("zurück")
    await chat.send("zurück")
    assert _("Start the application") in chat.labels
    await chat.send("zurück")  # the first question: nothing before it
    assert chat.replies[0].text == _(FIRST)
    assert _("Start the application") in chat.labels


async def test_back_after_a_restart(app: App, settings, clock: FakeClock) -> None:  # type: ignore[no-untyped-def]
    _ = gettext(app, "de")
    chat = await volunteer(app, "de")
    await until_title(chat)
    await chat.send("Deutsch-Cafe")
    await app.close()

    restarted = App(settings, clock=clock)
    restarted.dispatcher.add_channel(chat.channel)
    try:
        chat.app = restarted
        await chat.send("zurück")
        assert chat.text.startswith(_("What is the project called? A short title is enough."))
        await chat.press(_("Back"))
        assert chat.text.startswith(_("In which region will the project take place?"))
    finally:
        await restarted.close()


async def test_back_in_the_report(app: App) -> None:
    applicant, _staff = await approved(app, "en")
    en = gettext(app, "en")
    await applicant.send("/report")
    assert en("Back") not in applicant.labels  # the first question
    await applicant.send("back")
    assert applicant.replies[0].text == en(FIRST)
    await applicant.send("5")
    assert applicant.text.startswith(en("How many newcomers did the project reach?"))
    await applicant.press(en("Back"))
    assert "How many volunteers took part?" in applicant.text
    await applicant.send("7")
    await applicant.send("40")
    await applicant.send("Acht Treffen im Gemeindesaal, im Schnitt 15 Gäste aus 6 Ländern.")
    await applicant.send("480.50")
    await applicant.press(en("Finish without receipts"))
    assert en("Volunteers who took part: {count}").format(count="7") in applicant.text


async def test_back_in_new_meeting(app: App) -> None:
    en = gettext(app, "en")
    staff = await staff_member(app)
    await staff.send("/newmeeting")
    assert en("Back") not in staff.labels
    await staff.send("Back")
    assert staff.replies[0].text == en(FIRST)
    await staff.press("Parchim")  # ticked: the same question, not a step further
    await staff.press(en("Done"))
    await staff.send("Falscher Titel")
    await staff.press(en("Back"))
    assert staff.text.startswith(en("What is the meeting called?"))
    await staff.press(en("Back"))
    assert "✓ Parchim" in staff.labels  # the earlier answer is kept
    await staff.press(en("Done"))
    await staff.send("Vernetzungstreffen")
    await staff.send("back")  # at the agenda, which also takes free text
    assert staff.text.startswith(en("What is the meeting called?"))
    await staff.send("Vernetzungstreffen Parchim")
    assert staff.text.startswith(en("What is on the agenda?"))
    data = await conversation_data(app, "admin")
    assert data["title"] == "Vernetzungstreffen Parchim"


async def test_back_in_broadcast(app: App) -> None:
    en = gettext(app, "en")
    staff = await staff_member(app)
    await volunteer(app, "de")  # someone to reach
    await staff.send("/broadcast")
    await staff.press(en("Everyone"))
    await staff.press(en("Back"))
    assert staff.text.startswith(en("Whom should it reach?"))
    await staff.press(en("Volunteers"))
    await staff.press(en("Done"))
    await staff.press(en("Done"))
    await staff.send("Falsch")
    await staff.send("back")
    assert staff.text.startswith(en("Please write the announcement in German."))
    await staff.send("Richtig")
    data = await conversation_data(app, "admin")
    assert data["texts"] == {"de": "Richtig"} and data["roles"] == ["volunteer"]


async def test_back_in_survey(app: App) -> None:
    en = gettext(app, "en")
    staff = await staff_member(app)
    await staff.send("/survey")
    await staff.send("назад")
    assert staff.replies[0].text == en(FIRST)
    await staff.send("Falsche Frage?")
    await staff.press(en("Back"))
    assert en("What is the question?") in staff.text
    await staff.send("Was brauchen Sie?")
    await staff.press(en("By choosing one of 2 to 8 answers"))
    await staff.send("Kinderbetreuung")
    await staff.send("back")
    assert staff.text.startswith(en("How do people answer?"))
    data = await conversation_data(app, "admin")
    assert data["question"] == "Was brauchen Sie?" and data["options"] == ["Kinderbetreuung"]


async def conversation_data(app: App, address: str) -> dict:  # type: ignore[type-arg]
    """What the wizard holds so far, as saved after the turn."""
    async with app.database.transaction() as session:
        user = await users.find(session, channel="memory", external_id=address)
        assert user is not None
        conversation = await session.get(Conversation, user.id)
    assert conversation is not None
    return dict(conversation.data)


async def test_back_on_the_terminal_is_a_numbered_line_or_typed(app: App) -> None:
    from tests.test_console_numbers import Terminal

    en = gettext(app, "en")
    terminal = Terminal(app)
    await terminal.type("/start")
    await terminal.press("English")
    await terminal.press(en("I volunteer"))
    await terminal.press("Parchim")
    await terminal.press(terminal.labels[0])  # I agree
    await terminal.type("/apply")
    await terminal.press(en("Start the application"))
    assert terminal.channel.shown.numbered and terminal.labels == [en("Back")]
    assert "1) " + en("Back") in terminal.output
    await terminal.type("1")  # the line: back to the introduction
    assert en("Start the application") in terminal.labels
    await terminal.press(en("Start the application"))
    await terminal.type("Vera Schulz")
    await terminal.press(en("No, as a private person"))
    await terminal.type("vera@example.org")
    await terminal.press("Parchim")
    await terminal.type("Zurück")  # another language's word, typed
    assert "Parchim" in terminal.labels
    await terminal.press("Parchim")
    await terminal.type("Sprachcafé")
    await terminal.type("A weekly meeting to practise German with new neighbours.")
    await terminal.press(en("Language help"))
    await terminal.press(en("Done"))
    assert not terminal.channel.shown.numbered  # a count: the labels are typed, not numbered
    await terminal.type("1")  # is the count
    await terminal.type(en("Back"))  # and Back, by its label
    assert terminal.replies[-1].text.startswith(en("How many volunteers will take part?"))
    async with app.database.transaction() as session:
        assert await session.scalar(select(Application.volunteers_expected)) == 1


async def test_a_step_an_update_removed_starts_the_wizard_again_with_the_answers(
    app: App,
) -> None:
    """A conversation saved at a step that a later version no longer has (a deploy between two
    messages) carries on at the wizard's first question, not with a failed turn."""
    _ = gettext(app, "de")
    chat = await volunteer(app, "de")
    await until_title(chat)
    async with app.database.transaction() as session:
        user = await users.find(session, channel="memory", external_id=chat.address)
        assert user is not None
        conversation = await session.get(Conversation, user.id)
        assert conversation is not None and conversation.flow == "apply"
        conversation.step = "gone_in_this_version"

    await chat.send("Deutsch-Cafe")
    assert not chat.text.startswith(_("Sorry, something went wrong on my side."))
    assert _("Start the application") in chat.labels  # /apply's first question
    data = await conversation_data(app, chat.address)
    assert data.get("name") == "Vera Schulz" or data.get("application_id"), data
