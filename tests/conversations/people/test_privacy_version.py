"""The privacy notice's version: agreeing stores it with the time; a changed notice is shown to
everyone again at their next message, before anything else, and what they were doing waits."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
from sqlalchemy import select, update

from bot.app import App
from bot.channels.memory import MemoryChannel
from bot.db.models import Application, User
from bot.settings import Settings
from conversations.people import consent, privacy
from conversations.people.ports import Contact, Retention
from conversations.people.privacy import PRIVACY_VERSION
from tests.chat import Chat
from tests.conftest import FakeClock
from tests.conversations.people.test_onboarding import gettext, onboard

NEW_VERSION = "2099-01-01"


def change_notice(monkeypatch: pytest.MonkeyPatch) -> None:
    """What raising the version next to the notice's text does."""
    monkeypatch.setattr(privacy, "PRIVACY_VERSION", NEW_VERSION)
    monkeypatch.setattr(consent, "PRIVACY_VERSION", NEW_VERSION)


async def stored(app: App, address: str) -> User:
    async with app.database.transaction() as session:
        user = await session.scalar(
            select(User).where(User.identities.any(external_id=address))  # type: ignore[arg-type]
        )
        assert user is not None
        return user


def changed(app: App, locale: str) -> str:
    return gettext(app, locale)(
        "The privacy notice has changed. Please read it and tell me whether you agree "
        "before we carry on; what you entered so far is kept."
    )


async def test_agreeing_at_set_up_stores_the_version_and_the_time(
    app: App, clock: FakeClock
) -> None:
    chat = Chat(app, "v", language_code="en")
    await onboard(chat, "English", "en")
    user = await stored(app, "v")
    assert (user.privacy_version, user.privacy_accepted_at) == (PRIVACY_VERSION, clock.now())
    await chat.send("/meetings")  # the same version: nothing is asked
    assert changed(app, "en") not in chat.text


@pytest.mark.parametrize("locale", ["de", "en", "ar"])
async def test_a_changed_notice_comes_first_and_the_open_question_waits(
    app: App, clock: FakeClock, monkeypatch: pytest.MonkeyPatch, locale: str
) -> None:
    _ = gettext(app, locale)
    language = {"de": "Deutsch", "en": "English", "ar": "العربية"}[locale]
    chat = Chat(app, "v", language_code=locale, display_name="Vera")
    await onboard(chat, language, locale)
    await chat.send("/apply")
    await chat.press(_("Start the application"))
    await chat.send("Vera Schulz")
    organisation = chat.replies[-1].text

    change_notice(monkeypatch)
    clock.advance(days=3)
    await chat.send("Deutsch-Café e. V.")  # the answer they were about to give
    assert chat.replies[0].text == changed(app, locale)
    assert f"{NEW_VERSION}" in chat.replies[1].text and "/deletemydata" in chat.text
    assert chat.labels == [_("I agree"), _("I do not agree")]

    await chat.press(_("I do not agree"))
    assert "/deletemydata" in chat.replies[0].text
    assert chat.labels == [_("I agree"), _("Delete my data")]
    for attempt in ("/menu", "/apply", "hello"):
        await chat.send(attempt)  # nothing else works until they agree
        assert chat.replies[0].text == changed(app, locale)
        assert chat.labels == [_("I agree"), _("I do not agree")]
    await chat.press_data("cmd:meetings")  # nor a button of an older message
    assert chat.replies[0].text == changed(app, locale)

    await chat.press(_("I agree"))
    assert chat.replies[0].text == _("Thank you! Let us carry on where you were.")
    assert chat.replies[-1].text.startswith(organisation.split("\n")[0])
    user = await stored(app, "v")
    assert (user.privacy_version, user.privacy_accepted_at) == (NEW_VERSION, clock.now())

    await chat.send("Deutsch-Café e. V.")  # the wizard goes on with what was entered before
    assert chat.text.startswith(
        _(
            "How can the district office reach you? Please write an "
            "e-mail address or a phone number."
        )
    )
    async with app.database.transaction() as session:
        draft = await session.scalar(select(Application))
        assert draft is not None
        assert (draft.applicant_name, draft.organisation) == ("Vera Schulz", "Deutsch-Café e. V.")


async def test_people_who_agreed_before_versions_are_asked_at_their_next_message(
    app: App, clock: FakeClock
) -> None:
    _ = gettext(app, "en")
    chat = Chat(app, "v", language_code="en")
    await onboard(chat, "English", "en")
    async with app.database.transaction() as session:  # as the migration leaves them
        await session.execute(update(User).values(privacy_version=None, privacy_accepted_at=None))
    await chat.send("/meetings")
    assert chat.replies[0].text == changed(app, "en")
    await chat.send(_("I agree"))  # the label typed, as on a messenger without buttons
    assert chat.replies[0].text == _("Thank you! Let us carry on where you were.")
    assert _("What would you like to do?") in chat.text  # no flow was open: the menu
    assert (await stored(app, "v")).privacy_version == PRIVACY_VERSION


async def test_privacy_mydata_deletemydata_and_language_stay_open(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    _ = gettext(app, "en")
    chat = Chat(app, "v", language_code="en", display_name="Vera")
    await onboard(chat, "English", "en")
    change_notice(monkeypatch)

    await chat.send("/privacy")  # the notice itself, to agree to
    assert changed(app, "en") not in chat.text and NEW_VERSION in chat.text
    assert chat.labels == [_("I agree"), _("I do not agree")]
    await chat.send("/mydata")
    assert _("Name: {name}").format(name="Vera") in chat.text

    await chat.send("/language")
    await chat.press("Deutsch")
    de = gettext(app, "de")
    assert (
        de("From now on I will write to you in {language}.").format(language="Deutsch") in chat.text
    )
    await chat.send("/menu")
    assert chat.replies[0].text == changed(app, "de")  # now in German

    await chat.send("/deletemydata")
    await chat.press(de("Yes, delete my data"))
    async with app.database.transaction() as session:
        assert await session.scalar(select(User)) is None


async def test_staff_are_asked_too(app: App, monkeypatch: pytest.MonkeyPatch) -> None:
    _ = gettext(app, "en")
    admin = Chat(app, "admin", language_code="en")
    await onboard(admin, "English", "en", role="I work for the district office")
    change_notice(monkeypatch)
    await admin.send("/review")
    assert admin.replies[0].text == changed(app, "en")


@pytest.fixture
async def district_app(settings: Settings, clock: FakeClock) -> AsyncIterator[App]:
    configured = replace(
        settings,
        privacy_controller=Contact(
            "Amt <Gleichstellung> & Vielfalt", "Markt 1, 19370 Parchim", "amt@example.org"
        ),
        privacy_dpo=Contact("Dana Datenschutz", "Postfach 12, 19370 Parchim", "dsb@example.org"),
        retention=Retention(unfinished_signup_days=2, draft_days=30, unreachable_days=60),
    )
    app = App(configured, clock=clock)
    app.dispatcher.add_channel(MemoryChannel())
    yield app
    await app.close()


async def test_the_notice_names_the_configured_controller_officer_and_days(
    district_app: App,
) -> None:
    app = district_app
    t = app.catalogs.translator("en")
    chat = Chat(app, "v", language_code="en")
    await chat.send("/privacy")
    html = chat.replies[0].text
    assert "Amt &lt;Gleichstellung&gt; &amp; Vielfalt" in html  # escaped as HTML
    for shown in (
        "Amt <Gleichstellung> & Vielfalt",
        "Markt 1, 19370 Parchim",
        "amt@example.org",
        "Dana Datenschutz",
        "Postfach 12, 19370 Parchim",
        "dsb@example.org",
        t.ngettext(
            "• a set-up that was not finished, after {count} day;",
            "• a set-up that was not finished, after {count} days;",
            2,
        ).format(count=2),
        t.ngettext(
            "• everything about you, {count} day after Gemeinsam could no longer "
            "reach you (for example because you blocked it);",
            "• everything about you, {count} days after Gemeinsam could no longer "
            "reach you (for example because you blocked it);",
            60,
        ).format(count=60),
    ):
        assert shown in chat.text

    await chat.send("/start")  # the same at set-up, and the decline names the days
    await chat.press("English")
    await chat.press(t.gettext("I volunteer"))
    await chat.press("Parchim")
    assert "dsb@example.org" in chat.text
    await chat.press(t.gettext("I do not agree"))
    assert chat.replies[0].text == t.ngettext(
        "That is all right. I have stored nothing about you apart from the technical "
        "address needed to answer you and your language, and I delete both after "
        "{count} day if you do not write again. Send /start if you change your mind.",
        "That is all right. I have stored nothing about you apart from the technical "
        "address needed to answer you and your language, and I delete both after "
        "{count} days if you do not write again. Send /start if you change your mind.",
        2,
    ).format(count=2)


async def test_the_defaults_name_the_district_office(app: App) -> None:
    chat = Chat(app, "v", language_code="de")
    await chat.send("/privacy")
    for shown in (
        "Putlitzer Straße 25, 19370 Parchim",
        "info@kreis-lup.de",
        "datenschutz@kreis-lup.de",
    ):
        assert shown in chat.text
