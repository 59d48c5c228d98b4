"""/apply in each language's own digits and with the € sign: a Persian-speaking volunteer reads
the round's period, cap and money left in Persian digits and may type amounts in either digits;
a Ukrainian reads "€" where CLDR's Ukrainian would write "EUR"."""

from __future__ import annotations

import re

from bot.app import App
from tests.chat import Chat
from tests.conversations.grants.test_application import add_item, fill_until_costs
from tests.conversations.people.test_onboarding import gettext, onboard

LATIN_DIGIT = re.compile("[0-9]")


async def test_a_persian_speaker_reads_the_round_in_persian_digits(app: App) -> None:
    _ = gettext(app, "fa")
    chat = Chat(app, "fa1", language_code="fa", display_name="Parisa")
    await onboard(chat, "فارسی", "fa")

    await chat.send("/apply")
    assert "از پنجشنبه ۱ ژانویه ۲۰۲۶ تا پنجشنبه ۳۱ دسامبر ۲۰۲۶" in chat.text  # the period
    assert "\u200e€\u00a0۱٬۰۰۰٫۰۰" in chat.text  # the cap
    assert "\u200e€\u00a0۱۰٬۰۰۰٫۰۰" in chat.text  # the money left in the round
    assert not LATIN_DIGIT.search(chat.text)

    await chat.send("/start")  # the wizard again from its start, filled in up to the costs
    await fill_until_costs(chat, "fa")
    await add_item(chat, "fa", "Room costs for joint events", "سالن", "۴۵۰")
    await add_item(chat, "fa", "Other costs", "کتاب", "50")  # Latin digits are read alike
    assert "\u200e€\u00a0۵۰۰٫۰۰" in chat.text  # the total of the two
    assert not LATIN_DIGIT.search(chat.text)


async def test_a_ukrainian_reads_the_euro_sign(app: App) -> None:
    chat = Chat(app, "uk1", language_code="uk", display_name="Olena")
    await onboard(chat, "Українська", "uk")

    await chat.send("/apply")
    assert "1\u00a0000,00\u00a0€" in chat.text and "10\u00a0000,00\u00a0€" in chat.text
    assert "EUR" not in chat.text
