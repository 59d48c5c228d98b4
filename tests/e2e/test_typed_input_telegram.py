"""Issue 11's reproductions of bad input, through the real Telegram channel (on PostgreSQL too,
where a NUL, an over-long text or an id beyond 64 bits used to fail the turn): each gets a clear
answer and the conversation carries on."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.models import Application
from conversations import limits
from tests.e2e.conftest import ALICE, RunningBot
from tests.e2e.telegram_fake import FakeBotApi
from tests.e2e.test_grants_telegram import onboard, press, say


async def test_each_bad_input_is_answered_and_the_application_goes_on(
    bot: RunningBot, fake: FakeBotApi
) -> None:
    assert bot.app is not None
    en = bot.app.catalogs.translator("en")
    _ = en.gettext
    await onboard(fake, ALICE, "English", _("I volunteer"))
    await say(fake, ALICE, "/apply")
    await press(fake, ALICE, _("Start the application"))
    await say(fake, ALICE, "Alia\x00 Haddad\u202e")
    await press(fake, ALICE, _("No, as a private person"))

    email = "a" * 288 + "@example.org"  # 300 characters, for a column of 200
    await say(fake, ALICE, email)
    refusal, question = fake.messages(ALICE)[-2:]
    assert refusal.plain_text == limits.too_long(en, limits.CONTACT, 300)
    assert refusal.plain_text == "Please write at most 200 characters; you wrote 300."
    assert question.plain_text.startswith(_("How can the district office reach you?"))
    assert "(at most 200 characters)" in question.plain_text
    await say(fake, ALICE, "alia@example.org")
    await press(fake, ALICE, "Parchim")
    await say(fake, ALICE, "Sprach\x00café")
    await say(fake, ALICE, "Ein wöchentliches Treffen zum Deutschsprechen mit neuen Nachbarn.")
    await press(fake, ALICE, _("Language help"))
    await press(fake, ALICE, _("Done"))
    await say(fake, ALICE, "4")
    await say(fake, ALICE, "20")
    await say(fake, ALICE, "2026-12-05")
    await say(fake, ALICE, "2026-12-19")
    await press(fake, ALICE, _("Room costs for joint events"))
    await say(fake, ALICE, "Saal")
    await say(fake, ALICE, "9" * 30)
    assert fake.messages(ALICE)[-2].plain_text == _(
        "I could not read that amount. Please write it like {example}."
    ).format(example=en.format_money(12550))
    await say(fake, ALICE, "300")
    assert en.format_money(30_000) in fake.messages(ALICE)[-1].plain_text

    count = len(fake.messages(ALICE))
    fake.press_button(
        ALICE, fake.messages(ALICE)[-1].message_id, "rsvp:999999999999999999999:yes", check=False
    )
    await fake.wait_for_answer(ALICE, count)
    assert _("That button is no longer valid.") in [
        m.plain_text for m in fake.messages(ALICE)[count:]
    ]
    assert fake.messages(ALICE)[-1].button_labels()  # the open question again, with its buttons

    async with bot.app.database.transaction() as session:
        application = await session.scalar(select(Application))
    assert application is not None
    assert (application.applicant_name, application.contact, application.title) == (
        "Alia Haddad",
        "alia@example.org",
        "Sprachcafé",
    )
