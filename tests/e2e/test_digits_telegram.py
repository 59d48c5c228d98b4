"""Each language's digits through the real Telegram channel: a Persian-speaking volunteer reads
/apply's figures in Persian digits, with the marks CLDR puts there and nothing Telegram refuses."""

from __future__ import annotations

import re

from tests.e2e.conftest import RunningBot
from tests.e2e.telegram_fake import FakeBotApi
from tests.e2e.test_grants_telegram import onboard, press, say

PARISA = 1002


async def test_a_persian_speaker_applies_in_persian_digits(
    bot: RunningBot, fake: FakeBotApi
) -> None:
    assert bot.app is not None
    fa = bot.app.catalogs.translator("fa")
    _ = fa.gettext
    fake.add_user(PARISA, first_name="Parisa", language_code="fa")
    await onboard(fake, PARISA, "فارسی", _("I volunteer"))

    await say(fake, PARISA, "/apply")
    intro = fake.messages(PARISA)[-1]
    assert intro.parse_mode == "HTML"  # parsed by Telegram's rules without complaint
    assert "از پنجشنبه ۱ ژانویه ۲۰۲۶ تا پنجشنبه ۳۱ دسامبر ۲۰۲۶" in intro.plain_text
    assert "\u200e€\u00a0۱٬۰۰۰٫۰۰" in intro.plain_text
    assert "\u200e€\u00a0۱۰٬۰۰۰٫۰۰" in intro.plain_text
    assert not re.search("[0-9]", intro.plain_text)
    await press(fake, PARISA, _("Start the application"))
    assert fake.messages(PARISA)[-1].plain_text.startswith(
        _("What is your name (first and last name)?")
    )
