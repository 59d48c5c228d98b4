"""The one boundary for typed input: each reproduction of issue 11 is answered politely, and what
is kept is clean (NFC, no control or bidirectional characters, within its column)."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from bot.app import App
from bot.db.models import Application, CostItem, Meeting, ReportFile, User
from conversations import limits
from tests.chat import Chat
from tests.conversations.grants.test_application import (
    add_item,
    fill_until_costs,
    fill_until_counts,
    volunteer,
)
from tests.conversations.grants.test_review import staff_member
from tests.conversations.people.test_onboarding import gettext, onboard

BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"


@given(st.text())
def test_typed_text_is_nfc_without_control_or_bidirectional_characters(text: str) -> None:
    clean = limits.typed(text)
    assert unicodedata.is_normalized("NFC", clean)
    assert not any(
        (unicodedata.category(ch) == "Cc" and ch != "\n") or ch in BIDI or ch == "\x00"
        for ch in clean
    )
    assert limits.typed(clean) == clean


@given(st.text())
def test_one_line_has_no_line_breaks_or_runs_of_spaces(text: str) -> None:
    line = limits.one_line(text)
    assert "\n" not in line and "  " not in line and line == line.strip()


def test_what_people_write_in_their_own_scripts_stays_as_it_is() -> None:
    for text in ("Schöne Grüße", "می‌خواهم", "مرحبا بكم", "Привіт, як справи?", "👩‍👧 ok"):
        assert limits.typed(text) == unicodedata.normalize("NFC", text)
    assert limits.typed("e\u0301") == "é"  # a decomposed accent becomes one character


@given(st.text(min_size=1, max_size=600))
def test_file_names_are_one_line_and_short_with_their_extension(stem: str) -> None:
    name = limits.file_name(stem + ".pdf")
    assert name is None or (
        len(name) <= limits.RECEIPT_NAME.high and "/" not in name and "\n" not in name
    )
    if name is not None and len(limits.one_line(stem)) > limits.RECEIPT_NAME.high:
        assert name.endswith(".pdf")


@pytest.mark.parametrize(
    "data",
    ["999999999999999999999", "2147483648", "0", "-1", "1e3", "١٢", "12 ", "", "0x10"],
)
def test_ids_from_buttons_are_plain_digits_within_the_databases_range(data: str) -> None:
    with pytest.raises(ValueError):
        limits.record_id(data)


def test_an_id_within_range_is_read() -> None:
    assert limits.record_id("2147483647") == limits.MAX_ID
    assert limits.record_id("42") == 42


def test_the_columns_are_sized_from_the_limits() -> None:
    """One place for both: a column written as a literal size would drift from its question."""
    sized = {
        (Application.__table__.c.applicant_name, limits.PERSON_NAME),
        (Application.__table__.c.organisation, limits.ORGANISATION),
        (Application.__table__.c.contact, limits.CONTACT),
        (Application.__table__.c.title, limits.PROJECT_TITLE),
        (CostItem.__table__.c.description, limits.COST_ITEM),
        (ReportFile.__table__.c.name, limits.RECEIPT_NAME),
        (Meeting.__table__.c.title, limits.MEETING_TITLE),
        (Meeting.__table__.c.place, limits.MEETING_PLACE),
        (Meeting.__table__.c.languages, limits.MEETING_LANGUAGES),
        (User.__table__.c.display_name, limits.DISPLAY_NAME),
    }
    for column, limit in sized:
        assert column.type.length == limit.size >= limit.high, column


async def test_thirty_nines_as_an_amount_get_the_amount_hint(app: App) -> None:
    _ = gettext(app, "de")
    t = app.catalogs.translator("de")
    chat = await volunteer(app, "de")
    await fill_until_costs(chat, "de")
    await chat.press(_("Room costs for joint events"))
    await chat.send("Saal")
    for amount in ("9" * 30, "9" * 10, "١" * 40, "9" * 30 + ",99"):
        await chat.send(amount)
        assert chat.replies[0].text == _(
            "I could not read that amount. Please write it like {example}."
        ).format(example=t.format_money(12550))
    await chat.send("120")
    assert t.format_money(12000) in chat.text


async def test_a_count_with_too_many_digits_is_no_count(app: App) -> None:
    _ = gettext(app, "en")
    chat = await volunteer(app, "en")
    await fill_until_counts(chat, "en")
    await chat.send("9" * 25)
    assert chat.replies[0].text == _("Please write a whole number, like 12.")


async def test_an_over_long_contact_is_refused_with_the_limit_and_nothing_is_lost(
    app: App,
) -> None:
    _ = gettext(app, "en")
    t = app.catalogs.translator("en")
    chat = await volunteer(app, "en")
    await chat.send("/apply")
    await chat.press(_("Start the application"))
    await chat.send("Vera Schulz")
    await chat.press(_("No, as a private person"))
    assert limits.limit_hint(t, limits.CONTACT) in chat.text
    email = "a" * 290 + "@example.org"
    await chat.send(email)
    assert chat.replies[0].text == limits.too_long(t, limits.CONTACT, len(email))
    assert chat.replies[1].text.startswith(_("How can the district office reach you?"))
    await chat.send("vera@example.org")  # the same question, answered: on to the region
    async with app.database.transaction() as session:
        application = await session.scalar(select(Application))
        assert application is not None
        assert application.applicant_name == "Vera Schulz"
        assert application.contact == "vera@example.org"


async def test_nul_bidi_and_decomposed_text_are_kept_clean_and_staff_see_it_so(
    app: App,
) -> None:
    """On PostgreSQL a NUL in a string column fails the statement; U+202E turns what staff read
    around. Neither reaches the database; the title is kept as NFC."""
    _ = gettext(app, "de")
    staff = await staff_member(app)
    chat = await volunteer(app, "de")
    await chat.send("/apply")
    await chat.press(_("Start the application"))
    await chat.send("Vera\x00 Schu\u0308lz")
    await chat.press(_("No, as a private person"))
    await chat.send("vera@exa\u202emple.org")
    await chat.press("Parchim")
    await chat.send("Deutsch\x00-Café \u202egnalrednU\u202c")
    await chat.send("Wöchentliches Treffen\x00 zum Deutschsprechen für neue Nachbarn.")
    async with app.database.transaction() as session:
        application = await session.scalar(select(Application))
        assert application is not None
        assert application.applicant_name == "Vera Schülz"
        assert application.contact == "vera@example.org"
        assert application.title == "Deutsch-Café gnalrednU"
        assert application.description is not None and "\x00" not in application.description
    await chat.press(_("Language help"))
    await chat.press(_("Done"))
    await chat.send("4")
    await chat.send("20")
    await chat.press(next(label for label in chat.labels if label.endswith("▶")))
    await chat.send("5")  # the 5th of the month the calendar shows
    await chat.send("19")
    await add_item(chat, "de", "Room costs for joint events", "Saal\u202e", "500")
    await chat.press(_("The cost plan is complete"))
    await chat.press(_("Continue"))
    await chat.press(_("I confirm all three and submit"))
    notices = staff.channel.take("admin")
    assert notices and not any(ch in BIDI or ch == "\x00" for n in notices for ch in n.text)


@pytest.mark.parametrize(
    "data",
    [
        "rsvp:999999999999999999999:yes",
        "rsvp:-1:yes",
        "rsvp:2147483648:maybe",
        "guests:1:99999999999999999999",
        "guests:999999999999999999999:2",
        "guests:1:-3",
        "meetedit:99999999999999999999999",
        "bcstop:99999999999999999999999",
        "rsvp:1e9:yes",
        "rsvp::yes",
        "rsvp",
    ],
)
async def test_a_button_with_an_id_beyond_range_is_a_stale_button(app: App, data: str) -> None:
    en = gettext(app, "en")
    staff = await staff_member(app)  # staff may press every kind of button
    await staff.press_data(data)
    assert staff.replies[0].text == en("That button is no longer valid.")


async def test_a_display_name_is_one_clean_line_within_its_column(app: App) -> None:
    chat = Chat(app, "n1", language_code="en", display_name="\u202eA\x00n\nna " + "x" * 400)
    await onboard(chat, "English", "en")
    async with app.database.transaction() as session:
        names = (await session.scalars(select(User.display_name))).all()
    assert all(
        name is None or ("\u202e" not in name and "\n" not in name and len(name) <= 200)
        for name in names
    )
