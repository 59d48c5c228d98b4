"""Back in /apply through the real Telegram channel: the button under each question after the
first, and the Back word typed alone, which is never saved as an answer."""

from __future__ import annotations

from tests.e2e.conftest import ALICE, RunningBot
from tests.e2e.telegram_fake import FakeBotApi
from tests.e2e.test_grants_telegram import onboard, press, say


async def test_back_corrects_the_title_in_apply(bot: RunningBot, fake: FakeBotApi) -> None:
    assert bot.app is not None
    _ = bot.app.catalogs.translator("de").gettext
    await onboard(fake, ALICE, "Deutsch", _("I volunteer"))
    await say(fake, ALICE, "/apply")
    assert _("Back") not in fake.messages(ALICE)[-1].button_labels()
    await press(fake, ALICE, _("Start the application"))
    await say(fake, ALICE, "Vera Schulz")
    await press(fake, ALICE, _("No, as a private person"))
    await say(fake, ALICE, "vera@example.org")
    await press(fake, ALICE, "Parchim")
    title = fake.messages(ALICE)[-1]
    assert (_("Back"), "back") in title.buttons()

    await say(fake, ALICE, "zurück")  # typed: the region again, not a title
    assert fake.messages(ALICE)[-1].plain_text.startswith(
        _("In which region will the project take place?")
    )
    await press(fake, ALICE, "Parchim")
    await say(fake, ALICE, "Deutsch-Cafe")
    await press(fake, ALICE, _("Back"))  # the button under the description
    assert fake.messages(ALICE)[-1].plain_text == title.plain_text
    await say(fake, ALICE, "Sprachcafé am Markt")

    await say(fake, ALICE, "Wöchentliches Treffen zum Deutschsprechen für neue Nachbarn.")
    await press(fake, ALICE, _("Language help"))
    await press(fake, ALICE, _("Done"))
    await say(fake, ALICE, "4")
    await say(fake, ALICE, "20")
    await say(fake, ALICE, "05.12.2026")
    await say(fake, ALICE, "19.12.2026")
    await press(fake, ALICE, _("Room costs for joint events"))
    await say(fake, ALICE, "Saal")
    await say(fake, ALICE, "450")
    await press(fake, ALICE, _("The cost plan is complete"))
    summary = fake.messages(ALICE)[-1].plain_text
    assert _("Draft") + ": Sprachcafé am Markt" in summary
    assert "Deutsch-Cafe" not in summary
