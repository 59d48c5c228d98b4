"""Onboarding and the commands around it, as transcripts through the memory channel."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from bot.app import App
from bot.db.models import User
from conversations.messages import InboundKind
from tests.chat import Chat

LANGUAGE_BUTTONS = ["Deutsch", "English", "العربية", "فارسی", "Українська", "Русский"]
REGIONS = ["Hagenow", "Ludwigslust", "Parchim", "Lübz / Plau am See", "Sternberg / Crivitz"]
ARABIC_SCRIPT = re.compile(r"[\u0600-\u06FF]")


def gettext(app: App, locale: str):  # type: ignore[no-untyped-def]
    return app.catalogs.translator(locale).gettext


async def onboard(
    chat: Chat, language: str, locale: str, *, role: str = "I volunteer", region: str = "Parchim"
) -> None:
    _ = gettext(chat.app, locale)
    await chat.send("/start")
    await chat.press(language)
    await chat.press(_(role))
    await chat.press(region)
    await chat.press(_("I agree"))


GREETING_LINES = [
    "Willkommen! Bitte wählen Sie Ihre Sprache.",
    "Welcome! Please choose your language.",
    "أهلاً وسهلاً! يُرجى اختيار لغتك.",
    "خوش آمدید! لطفاً زبان خود را انتخاب کنید.",
    "Ласкаво просимо! Будь ласка, оберіть мову.",
    "Добро пожаловать! Пожалуйста, выберите язык.",
]


@pytest.mark.parametrize("language_code", ["ar-SY", "de", "pt-BR", None])
async def test_start_greets_in_all_six_languages_in_one_short_message(
    app: App, language_code: str | None
) -> None:
    chat = Chat(app, language_code=language_code)
    await chat.send("/start")
    [reply] = chat.replies  # one message, then the buttons
    assert chat.labels == LANGUAGE_BUTTONS
    assert chat.text.splitlines() == [
        "Gemeinsam · Landkreis Ludwigslust-Parchim",
        "",
        *GREETING_LINES,
    ]
    assert reply.text.startswith("<b>Gemeinsam</b>")
    assert len(chat.text) < 300


async def test_the_chosen_language_is_the_one_spoken_afterwards(app: App) -> None:
    chat = Chat(app, language_code="ar-SY")
    await chat.send("/start")
    await chat.press("Русский")
    assert chat.text == gettext(app, "ru")("How are you here?")
    assert not ARABIC_SCRIPT.search(chat.text)


async def test_volunteers_are_asked_where_they_live_or_volunteer_newcomers_where_they_live(
    app: App,
) -> None:
    _ = gettext(app, "uk")
    volunteer = Chat(app, "v1", language_code="uk")
    await volunteer.send("/start")
    await volunteer.press("Українська")
    await volunteer.press(_("I volunteer"))
    assert volunteer.text == _(
        "Which region do you live or volunteer in? Choose the town nearest to you."
    )
    newcomer = Chat(app, "n1", language_code="uk")
    await newcomer.send("/start")
    await newcomer.press("Українська")
    await newcomer.press(_("I am new in the district"))
    assert newcomer.text == _("Where do you live? Choose the town nearest to you.")
    assert newcomer.text != volunteer.text


@pytest.mark.parametrize(
    ("language", "locale"),
    [
        ("Deutsch", "de"),
        ("العربية", "ar"),
        ("English", "en"),
        ("فارسی", "fa"),
        ("Українська", "uk"),
        ("Русский", "ru"),
    ],
)
async def test_onboarding_in_each_language(app: App, language: str, locale: str) -> None:
    _ = gettext(app, locale)
    chat = Chat(app, language_code="de")
    await chat.send("/start")
    await chat.press(language)
    assert chat.text == _("How are you here?")
    assert chat.labels == [_("I volunteer"), _("I am new in the district")]

    await chat.press(_("I am new in the district"))
    assert chat.text == _("Where do you live? Choose the town nearest to you.")
    assert chat.labels == [*REGIONS, _("Not sure yet")]

    await chat.press("Ludwigslust")
    assert "/mydata" in chat.text and "/deletemydata" in chat.text
    assert chat.labels == [_("I agree"), _("I do not agree")]

    await chat.press(_("I agree"))
    assert chat.text.splitlines()[0] == _("Thank you! You are all set.")
    assert chat.labels == [
        _("Information"),
        _("Ask the office"),
        _("Meetings"),
        _("Settings"),
        _("Language"),
        _("Privacy and my data"),
        _("Help"),
    ]
    if locale in ("ar", "fa"):
        assert ARABIC_SCRIPT.search(chat.text)

    await chat.send("/mydata")
    assert _("Region: {region}").format(region="Ludwigslust") in chat.text
    assert _("Role: {role}").format(role=_("newcomer")) in chat.text
    assert _("Name: {name}").format(name="Amal") in chat.text


async def test_nothing_personal_is_stored_before_the_privacy_notice_is_accepted(
    app: App,
) -> None:
    _ = gettext(app, "de")
    chat = Chat(app, display_name="Amal")
    await chat.send("/start")
    await chat.press("Deutsch")
    await chat.press(_("I volunteer"))
    await chat.press("Hagenow")
    async with app.database.transaction() as session:
        user = await session.scalar(select(User))
        assert user is not None
        assert (user.role, user.region_id, user.display_name, user.consented_at) == (
            None,
            None,
            None,
            None,
        )

    await chat.press(_("I do not agree"))
    assert "/start" in chat.text
    async with app.database.transaction() as session:
        user = await session.scalar(select(User))
        assert user is not None and user.consented_at is None and user.display_name is None

    await chat.send("hello")  # anything else: the set-up starts again
    assert chat.labels == LANGUAGE_BUTTONS


@pytest.mark.parametrize(
    "kind",
    [
        InboundKind.STICKER,
        InboundKind.PHOTO,
        InboundKind.VOICE,
        InboundKind.LOCATION,
        InboundKind.DOCUMENT,
    ],
)
async def test_unexpected_input_gets_a_hint_and_the_same_question(
    app: App, kind: InboundKind
) -> None:
    _ = gettext(app, "de")
    chat = Chat(app)
    await chat.send("/start")
    await chat.press("Deutsch")
    await chat.send_kind(kind)
    assert chat.replies[0].text == _("I cannot use that here. Please tap one of the buttons below.")
    assert chat.replies[1].text == _("How are you here?")
    assert chat.labels == [_("I volunteer"), _("I am new in the district")]


async def test_typed_text_matches_a_button_label_or_gets_a_hint(app: App) -> None:
    _ = gettext(app, "en")
    chat = Chat(app, language_code="en")
    await chat.send("/start")
    await chat.send("english")  # the label, typed
    assert chat.text == _("How are you here?")
    await chat.send("<b>I am a cat</b> & more")
    assert chat.replies[0].text == _("Please tap one of the buttons below.")
    assert chat.labels == [_("I volunteer"), _("I am new in the district")]


async def test_a_stale_button_gets_a_hint_and_the_current_question(app: App) -> None:
    _ = gettext(app, "en")
    chat = Chat(app, language_code="en")
    await chat.send("/start")
    await chat.press("English")
    await chat.press_data("lang:de")  # the language keyboard again
    assert chat.replies[0].text == _(
        "That button belongs to an earlier question. Please answer this one:"
    )
    assert chat.replies[1].text == _("How are you here?")


async def test_forged_callback_data_is_refused_politely(app: App) -> None:
    chat = Chat(app, language_code="en")
    await onboard(chat, "English", "en")
    await chat.press_data("x" * 64)
    _ = gettext(app, "en")
    assert chat.replies[0].text == _("That button is no longer valid.")
    assert _("Settings") in chat.labels


async def test_help_and_privacy_answer_and_ask_the_same_question_again(app: App) -> None:
    _ = gettext(app, "en")
    chat = Chat(app, language_code="en")
    await chat.send("/start")
    await chat.press("English")
    await chat.send("/help")
    assert "/deletemydata" in chat.replies[0].text
    assert chat.replies[-1].text == _("How are you here?")
    await chat.send("/privacy")
    assert chat.replies[-1].text == _("How are you here?")
    await chat.press(_("I volunteer"))
    assert chat.text.startswith(_("Which region"))


async def test_commands_that_need_onboarding_ask_to_finish_it(app: App) -> None:
    _ = gettext(app, "en")
    chat = Chat(app, language_code="en")
    await chat.send("/settings")
    assert chat.replies[0].text == _("Please finish setting up first; it only takes a moment.")
    assert chat.labels == LANGUAGE_BUTTONS


async def test_cancel_leaves_the_flow_and_menu_shows_the_menu(app: App) -> None:
    _ = gettext(app, "en")
    chat = Chat(app, language_code="en")
    await onboard(chat, "English", "en")
    await chat.send("/settings")
    await chat.press(_("Change region"))
    await chat.send("/cancel")
    assert chat.replies[0].text == _("Cancelled.")
    assert _("Settings") in chat.labels
    await chat.send("/cancel")
    assert chat.replies[0].text == _("There is nothing to cancel.")
    await chat.send("/menu")
    assert chat.text == _("What would you like to do?")
    await chat.send("/nonsense")
    assert chat.replies[0].text == _("I do not know that command. /help shows what I can do.")


async def test_a_restart_resumes_the_conversation_with_its_answers(
    app: App, settings, clock
) -> None:  # type: ignore[no-untyped-def]
    _ = gettext(app, "ar")
    chat = Chat(app, language_code="ar")
    await chat.send("/start")
    await chat.press("العربية")
    await chat.press(_("I am new in the district"))
    await app.close()

    restarted = App(settings, clock=clock)
    restarted.dispatcher.add_channel(chat.channel)
    try:
        chat.app = restarted
        await chat.press("Sternberg / Crivitz")
        assert chat.labels == [_("I agree"), _("I do not agree")]
        await chat.press(_("I agree"))
        await chat.send("/mydata")
        assert _("Role: {role}").format(role=_("newcomer")) in chat.text
        assert "Sternberg / Crivitz" in chat.text
    finally:
        await restarted.close()


async def test_language_and_region_can_be_changed_later(app: App) -> None:
    chat = Chat(app, language_code="en")
    await onboard(chat, "English", "en")
    en = gettext(app, "en")
    await chat.send("/language")
    await chat.press("Українська")
    uk = gettext(app, "uk")
    assert chat.replies[0].text == uk("From now on I will write to you in {language}.").format(
        language="українська"
    )
    await chat.send("/settings")
    await chat.press(uk("Change region"))
    await chat.press("Hagenow")
    assert chat.replies[0].text == uk("Your region has been saved.")
    assert uk("Region: {region}").format(region="Hagenow") in chat.replies[1].text
    assert en("Settings") != uk("Settings")


async def test_delete_my_data_erases_the_person(app: App) -> None:
    _ = gettext(app, "de")
    chat = Chat(app)
    await onboard(chat, "Deutsch", "de")
    await chat.send("/deletemydata")
    await chat.press(_("No, keep it"))
    assert chat.replies[0].text == _("Nothing was deleted.")
    await chat.send("/deletemydata")
    await chat.press(_("Yes, delete my data"))
    assert chat.text.startswith(_("Your data has been deleted:"))
    assert chat.text.endswith(_("Send /start if you want to use Gemeinsam again."))
    async with app.database.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(User)) == 0
    await chat.send("/start")
    assert chat.labels == LANGUAGE_BUTTONS


async def test_staff_commands_are_checked_on_the_server(app: App) -> None:
    _ = gettext(app, "en")
    volunteer = Chat(app, "volunteer", language_code="en")
    await onboard(volunteer, "English", "en")
    assert _("Staff members") not in volunteer.labels
    for attempt in (volunteer.send("/staff"), volunteer.press_data("cmd:staff")):
        await attempt
        assert volunteer.replies[0].text == _(
            "Sorry, only staff of the district office can do that."
        )

    admin = Chat(app, "admin", language_code="en", display_name="Petra")
    await onboard(admin, "English", "en", role="I work for the district office")
    assert _("Staff members") in admin.labels
    await admin.press(_("Staff members"))
    assert "Petra (memory:admin)" in admin.text


async def test_a_duplicate_update_is_answered_once(app: App) -> None:
    chat = Chat(app)
    first = await chat.send("/start", update_key="memory:same")
    again = await chat.send("/start", update_key="memory:same")
    assert len(first) == 1 and again == []
